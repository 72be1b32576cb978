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

import { HOST_NAME, moderatedText } from "../room/moderation.ts";
import { escapeForTerminal as clean } from "./terminal_text.ts";
import { formatBytes } from "./format.ts";
import { ProgressBar } from "./progress_bar.ts";
import type { Terminal } from "./terminal.ts";
import type { View, ViewEvent } from "./view_event.ts";

type Lines = string | string[] | undefined;
type Renderer<E> = (event: E, view: TextView) => Lines;
type Renderers = { [T in ViewEvent["type"]]: Renderer<Extract<ViewEvent, { type: T }>> };

const system = (text: string) => `[System] ${text}`;

/** "12 more joined, 3 more left." for a crowd a big room counts rather than names. */
function crowdText(joined: number, left: number): string {
  const parts = [];
  if (joined > 0) parts.push(`${joined} more joined`);
  if (left > 0) parts.push(`${left} more left`);
  return `${parts.join(", ")}.`;
}

function clock(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "--:--";
  return `${String(date.getHours()).padStart(2, "0")}:${
    String(date.getMinutes()).padStart(2, "0")
  }`;
}

/** Renders events for a person at a terminal. */
export class TextView implements View {
  #terminal: Pick<Terminal, "print" | "status">;
  /** Transfers under way, by transfer id: the file name, its bar and its last line. */
  #transfers: Map<string, { name: string; bar: ProgressBar; line: string }> = new Map();
  /** History lines still to come after a welcome, to close the frame after the last. */
  historyLeft = 0;
  /** The room kind, known after the welcome. */
  kind: "direct" | "hub" = "direct";
  /** Our own name. */
  you = "";

  /** Creates the view on `terminal`. */
  constructor(terminal: Pick<Terminal, "print" | "status">) {
    this.#terminal = terminal;
  }

  /** Prints `event`. */
  show(event: ViewEvent): void {
    const lines = (RENDERERS[event.type] as Renderer<ViewEvent>)(event, this);
    if (lines === undefined) return;
    // Escaped once more as a whole: a notice or error that quotes a peer stays harmless even
    // where its renderer did not escape it (escaping is idempotent; `\n` separates lines).
    for (const line of Array.isArray(lines) ? lines : [lines]) {
      this.#terminal.print(line.split("\n").map(clean).join("\n"));
    }
  }

  /** Draws or clears a transfer's progress in the prompt. */
  progress(transfer: string, name: string, done: number, total: number): void {
    let entry = this.#transfers.get(transfer);
    if (!entry) {
      entry = { name, bar: new ProgressBar({ label: clean(name), total, width: 16 }), line: "" };
      this.#transfers.set(transfer, entry);
    }
    entry.line = entry.bar.update(done);
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

const RENDERERS: Renderers = {
  listening: ({ host, port, addresses, passkey, hub }) => [
    system(`${hub ? "Hub listening" : "Listening"} on ${host}:${port} ...`),
    ...(addresses.length
      ? addresses.map((a) => system(`Others can connect with: p2pchat connect ${a} ${port}`))
      : [system("No network address found; others on this computer can use 127.0.0.1.")]),
    passkey === null
      ? system("Open mode: no passkey. Connections are encrypted but NOT authenticated.")
      : system(`Passkey: ${passkey} (give it to the person connecting)`),
  ],
  "connected-to": ({ host, port }) => system(`Connected to ${host}:${port}`),
  secured: ({ authenticated, safety, peer, previousSafety, safetyChanged }) =>
    authenticated
      ? system(
        `Passkey accepted: the connection with ${clean(peer)} is encrypted and authenticated.`,
      )
      : safetyChanged === undefined
      ? system(
        `Encrypted, but ${clean(peer)} is NOT authenticated (open mode). ` +
          `Safety code: ${safety} - check that the other screen shows the same.`,
      )
      : system(
        `New connection to ${clean(peer)}, NOT authenticated (open mode). ` +
          (safetyChanged
            ? `The safety code CHANGED: now ${safety}` +
              (previousSafety ? ` (was ${previousSafety})` : "") +
              " - check that the other screen shows the new code."
            : `The safety code is the same as before: ${safety} - check the other screen.`),
      ),
  reconnecting: ({ reason, delayMs }) =>
    system(`Connection lost (${clean(reason)}), retrying in ${Math.round(delayMs / 100) / 10} s`),
  reconnected: () => system("Reconnected."),
  system: ({ text }) => system(text),
  error: ({ message }) => system(`Error: ${message}`),
  welcome: (event, view) => {
    view.kind = event.kind;
    view.you = event.you;
    view.historyLeft = event.history;
    const others = event.members.filter((name) => name !== event.you).map(clean);
    const lines: string[] = [];
    if (event.kind === "hub") {
      lines.push(system(`${event.resumed ? "Back in" : "Joined"} the hub as ${clean(event.you)}.`));
      const more = event.count - event.members.length;
      const names = event.members.map(clean).join(", ") + (more > 0 ? ` and ${more} more` : "");
      lines.push(system(`Connected: ${names} (${event.count})`));
    } else if (others.length) lines.push(system(`Chatting with ${others.join(", ")}.`));
    if (event.skipped) {
      // More was missed than the hub replays: the oldest of it is not shown.
      const noun = event.skipped === 1 ? "line" : "lines";
      lines.push(system(`${event.skipped} earlier ${noun} not shown.`));
    }
    if (event.topic) lines.push(system(`Topic: ${clean(event.topic)}`));
    if (event.role && event.kind === "hub") {
      lines.push(system(event.role === "op" ? "You are an operator." : "You are the host."));
    }
    if (event.history > 0) {
      const noun = event.history === 1 ? "line" : "lines";
      lines.push(system(`Replaying ${event.history} ${noun} of earlier history`));
    }
    if (!event.resumed) lines.push(system("Type /help for commands."));
    return lines;
  },
  message: ({ from, text, time, me, history }, view) => {
    const body = me ? `* ${clean(from)} ${clean(text)}` : `[${clean(from)}] ${clean(text)}`;
    if (!history) return body;
    const lines = [`[${clock(time)}] ${body}`];
    if (--view.historyLeft === 0) lines.push(system("End of history"));
    return lines;
  },
  private: ({ from, text }) => `[${clean(from)} -> you] ${clean(text)}`,
  joined: ({ name, count, remote }) =>
    remote !== undefined
      ? system(`Connected by ${clean(remote)} (${clean(name)})`)
      : system(`${clean(name)} joined. (Connected: ${count})`),
  left: ({ name, count, reason }, view) =>
    view.kind === "direct"
      ? system(`${clean(name)} has left the chat.${reason ? ` (${clean(reason)})` : ""}`)
      : system(`${clean(name)} left${reason ? ` (${clean(reason)})` : ""}. (Connected: ${count})`),
  crowd: ({ joined, left, count }) => system(`${crowdText(joined, left)} (Connected: ${count})`),
  renamed: ({ from, to }, view) => {
    if (from === view.you) view.you = to;
    return system(`${clean(from)} is now known as ${clean(to)}.`);
  },
  members: ({ names, page, pages, total, away, ops, muted }) => {
    const marked = names.map((name) => {
      const marks = [
        ...(ops?.includes(name) ? ["op"] : []),
        ...(away?.includes(name) ? ["away"] : []),
        ...(muted?.includes(name) ? ["muted"] : []),
      ];
      return clean(name) + (marks.length ? ` (${marks.join(", ")})` : "");
    }).join(", ");
    return pages <= 1 ? system(`Connected: ${marked} (${total})`) : system(
      `Connected (page ${page} of ${pages}): ${marked} (${total} in all${
        page < pages ? `; /who ${page + 1} for more` : ""
      })`,
    );
  },
  notice: ({ text }) => system(clean(text)),
  "file-incoming": ({ name, bytes, from }) =>
    system(`Incoming file ${clean(name)} (${formatBytes(bytes)}) from ${clean(from)}...`),
  progress: ({ transfer, name, done, total }, view) => {
    view.progress(transfer, name, done, total);
    return undefined;
  },
  file: ({ path, bytes, sha256 }) =>
    system(
      `File saved to ${clean(path)} (${formatBytes(bytes)}, SHA-256 ${
        sha256.slice(0, 12)
      }... verified)`,
    ),
  "file-sent": ({ name, bytes, to }) =>
    system(
      `Sent file ${clean(name)} (${formatBytes(bytes)})${
        to ? ` to ${clean(to)}` : ""
      }, hash verified`,
    ),
  "file-failed": ({ direction, name, reason }, view) => {
    view.endProgress(name);
    return system(
      `${direction === "send" ? "Sending" : "Receiving"} ${clean(name)} failed: ${clean(reason)}`,
    );
  },
  shared: ({ from, name, bytes, file }) =>
    system(`${clean(from)} shared ${clean(name)} (${formatBytes(bytes)}): /get ${file}`),
  "file-list": ({ files, page, pages, total }) =>
    files.length === 0 ? system("No shared files yet.") : [
      system(
        pages <= 1
          ? `Shared files (${total}):`
          : `Shared files, newest first (page ${page} of ${pages}, ${total} in all${
            page < pages ? `; /files ${page + 1} for older` : ""
          }):`,
      ),
      ...files.map((f) =>
        system(`  /get ${f.file}  ${clean(f.name)} (${formatBytes(f.size)}) from ${clean(f.from)}`)
      ),
    ],
  moderated: (event) => system(clean(moderatedText(event))),
  topic: ({ text, by }) => {
    const who = by === undefined ? "The topic" : by === HOST_NAME ? "The host" : clean(by);
    if (by === undefined) return system(text ? `Topic: ${clean(text)}` : "No topic.");
    return system(text ? `${who} set the topic: ${clean(text)}` : `${who} cleared the topic.`);
  },
  away: ({ name, text }) => system(`${clean(name)} is away${text ? `: ${clean(text)}` : "."}`),
  removed: ({ file, name, by }) =>
    system(
      `${by === HOST_NAME ? "The host" : clean(by)} removed shared file ${file} (${clean(name)}).`,
    ),
  closed: ({ reason }, view) =>
    view.kind === "direct"
      ? system(reason ? `Peer disconnected: ${clean(reason)}` : "Peer disconnected.")
      : system(reason ? `Disconnected: ${clean(reason)}` : "Disconnected."),
};
