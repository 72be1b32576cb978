/**
 * The terminal form of events: `[System] ...` notices, `[bob] hi` lines, and file progress
 * in the prompt. Every string that came from a peer is escaped before it is printed.
 *
 * @example
 * ```ts
 * import { TextView } from "./text_view.ts";
 * const view = new TextView({ print: console.log, status: () => {} });
 * view.show({ type: "system", text: "Exiting." }); // [System] Exiting.
 * ```
 * @module
 */

import type { ChatEvent } from "../app/chat_event.ts";
import { EventWords, type Line, type Segment } from "../app/event_words.ts";
import { markMention, type MentionMark } from "./mention_mark.ts";
import { escapeForTerminal as clean } from "./terminal_text.ts";
import { ProgressBar } from "./progress_bar.ts";
import type { Terminal } from "./terminal.ts";
import type { View } from "./view_event.ts";

function clock(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "--:--";
  return `${String(date.getHours()).padStart(2, "0")}:${
    String(date.getMinutes()).padStart(2, "0")
  }`;
}

/** A sentence for the terminal: what a peer chose is escaped. */
function said(text: Segment[]): string {
  return text.map((segment) => typeof segment === "string" ? segment : clean(segment.peer))
    .join("");
}

/**
 * How a line looks on a terminal: `[System] ...` for notices, `[bob] hi` for what people
 * said, `[12:34] [bob] hi` for a replayed line.
 *
 * @example
 * ```ts
 * import { terminalLine } from "./text_view.ts";
 * terminalLine({ kind: "error", label: "Error: ", text: ["Wrong passkey"] });
 * // "[System] Error: Wrong passkey"
 * ```
 */
export function terminalLine(line: Line): string {
  const text = `${line.label ?? ""}${said(line.text)}`;
  const from = line.from ? `[${said(line.from)}] ` : "";
  const shown = line.kind === "chat" || line.kind === "private"
    ? `${from}${text}`
    : line.kind === "history"
    ? `[${clock(line.time ?? "")}] ${from}${text}`
    : `[System] ${text}`;
  // Escaped once more as a whole: a notice or error that quotes a peer stays harmless even
  // where it was not marked as a peer's (escaping is idempotent; `\n` separates lines).
  return shown.split("\n").map(clean).join("\n");
}

/** Renders events for a person at a terminal. */
export class TextView implements View {
  #terminal: Pick<Terminal, "print" | "status">;
  /** Transfers under way, by transfer id: the file name, its bar and its last line. */
  #transfers: Map<string, { name: string; bar: ProgressBar; line: string }> = new Map();
  #words = new EventWords();
  #mention: MentionMark | undefined;

  /**
   * Creates the view on `terminal`; `mention`: how lines that mention the person are marked
   * (not at all without it).
   */
  constructor(
    terminal: Pick<Terminal, "print" | "status">,
    options: { mention?: MentionMark } = {},
  ) {
    this.#terminal = terminal;
    this.#mention = options.mention;
  }

  /** Prints `event`; a transfer's progress goes to the status line. */
  show(event: ChatEvent): void {
    if (event.type === "progress") {
      this.progress(event.transfer, event.name, event.done, event.total, event.files);
    }
    if (event.type === "file-failed") this.endProgress(event.name);
    for (const line of this.#words.lines(event)) {
      const text = terminalLine(line);
      // Escaped first: the bell and the styles are ours alone.
      this.#terminal.print(
        line.mention && this.#mention
          ? markMention(text, this.#mention, line.kind === "chat")
          : text,
      );
    }
  }

  /** Draws or clears a transfer's progress in the prompt. */
  progress(
    transfer: string,
    name: string,
    done: number,
    total: number,
    files?: { done: number; total: number },
  ): void {
    let entry = this.#transfers.get(transfer);
    if (!entry) {
      entry = { name, bar: new ProgressBar({ label: clean(name), total, width: 16 }), line: "" };
      this.#transfers.set(transfer, entry);
    }
    // A folder is one line: its bytes, rate and ETA, and how many of its files are in.
    entry.line = entry.bar.update(done) + (files ? ` ${files.done}/${files.total} files` : "");
    if (done >= total) this.#transfers.delete(transfer);
    this.#drawStatus();
  }

  /** Forgets the progress of transfers of `name` (failed). */
  endProgress(name: string): void {
    for (const [transfer, entry] of this.#transfers) {
      if (entry.name === name) this.#transfers.delete(transfer);
    }
    this.#drawStatus();
  }

  #drawStatus(): void {
    const lines = [...this.#transfers.values()].map((entry) => entry.line);
    this.#terminal.status(lines.length ? lines.join(" | ") : undefined);
  }
}
