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
import { StatusLine } from "./status_line.ts";
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
  /** Transfers under way, by transfer id, labelled with their escaped file names. */
  #transfers = new StatusLine();
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
    // A transfer is under way until it is confirmed (every byte sent is not yet received).
    if (event.type === "file-failed" || event.type === "file" || event.type === "file-sent") {
      this.endProgress(event.name);
    }
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

  /** Draws a transfer's progress in the status line (a folder's with how many files are in). */
  progress(
    transfer: string,
    name: string,
    done: number,
    total: number,
    files?: { done: number; total: number },
  ): void {
    this.#transfers.set(transfer, { label: clean(name), done, total, files });
    this.#drawStatus();
  }

  /** Forgets the progress of transfers of `name` (saved, confirmed or failed). */
  endProgress(name: string): void {
    this.#transfers.deleteLabelled(clean(name));
    this.#drawStatus();
  }

  #drawStatus(): void {
    const transfers = this.#transfers;
    this.#terminal.status(transfers.size ? (columns) => transfers.render(columns) : undefined);
  }
}
