/**
 * The chats a scan has found, bounded: a flood of fake announcements fills at most
 * {@linkcode FOUND_LIMIT} entries and a counter of the ones not shown, whose keys are
 * remembered only up to a bound too. Entries that differ only in address are kept apart.
 *
 * @example
 * ```ts
 * import { FoundChats } from "./found_chats.ts";
 * const found = new FoundChats();
 * found.add({ instance: "alice._p2pchat._tcp.local", host: "192.168.1.12", port: 5050,
 *   label: "alice", kind: "hub", auth: "passkey", members: 3 });
 * console.log(found.list.length, found.hidden); // 1 0
 * ```
 * @module
 */

import type { FoundChat } from "./announcement.ts";

/** Chats a scan shows at most. */
export const FOUND_LIMIT = 256;

/** Chats beyond the limit whose keys are remembered, to count them once each. */
export const HIDDEN_TRACKED = 4096;

/** What {@linkcode FoundChats.add} did. */
export type FoundChange = "found" | "changed" | "same" | "hidden";

/** The key of a chat: its instance (DNS names ignore case) and the address it came from. */
export function chatKey(chat: Pick<FoundChat, "instance" | "host">): string {
  return `${chat.instance.toLowerCase()}\n${chat.host}`;
}

function sameChat(a: FoundChat, b: FoundChat): boolean {
  return a.instance === b.instance && a.port === b.port && a.label === b.label &&
    a.kind === b.kind && a.auth === b.auth && a.version === b.version && a.busy === b.busy &&
    a.members === b.members;
}

/** A bounded table of found chats. */
export class FoundChats {
  #chats = new Map<string, FoundChat>();
  #hidden = new Set<string>();
  #limit: number;
  #tracked: number;

  /** A table of at most `limit` chats, counting up to `tracked` more. */
  constructor(limit: number = FOUND_LIMIT, tracked: number = HIDDEN_TRACKED) {
    this.#limit = limit;
    this.#tracked = tracked;
  }

  /** Adds or updates `chat`; beyond the limit it is only counted. */
  add(chat: FoundChat): FoundChange {
    const key = chatKey(chat);
    const known = this.#chats.get(key);
    if (known) {
      if (sameChat(known, chat)) return "same";
      this.#chats.set(key, chat);
      return "changed";
    }
    if (this.#chats.size >= this.#limit) {
      if (this.#hidden.size < this.#tracked) this.#hidden.add(key);
      return "hidden";
    }
    this.#hidden.delete(key);
    this.#chats.set(key, chat);
    return "found";
  }

  /** Forgets a chat that said goodbye; returns it when it was shown. */
  remove(chat: Pick<FoundChat, "instance" | "host">): FoundChat | undefined {
    const key = chatKey(chat);
    this.#hidden.delete(key);
    const known = this.#chats.get(key);
    this.#chats.delete(key);
    return known;
  }

  /** The chat under `key`, if shown. */
  get(key: string): FoundChat | undefined {
    return this.#chats.get(key);
  }

  /** How many chats are shown. */
  get size(): number {
    return this.#chats.size;
  }

  /** How many more were seen and not kept (counted up to {@linkcode HIDDEN_TRACKED}). */
  get hidden(): number {
    return this.#hidden.size;
  }

  /** Whether more were seen than could be counted. */
  get hiddenCapped(): boolean {
    return this.#hidden.size >= this.#tracked;
  }

  /** The chats shown, by label, then address, then port. */
  get list(): FoundChat[] {
    return [...this.#chats.values()].sort((a, b) =>
      a.label.localeCompare(b.label) || compareHosts(a.host, b.host) || a.port - b.port
    );
  }
}

/** Orders IPv4 addresses numerically, anything else as text after them. */
function compareHosts(a: string, b: string): number {
  const pa = a.split(".").map(Number);
  const pb = b.split(".").map(Number);
  if (pa.length === 4 && pb.length === 4 && !pa.some(isNaN) && !pb.some(isNaN)) {
    for (let i = 0; i < 4; i++) if (pa[i] !== pb[i]) return pa[i] - pb[i];
    return 0;
  }
  return a.localeCompare(b);
}
