/**
 * The room's record of chat lines: what newcomers and returning members are replayed.
 *
 * @example
 * ```ts
 * import { MemoryHistory } from "./history.ts";
 * const history = new MemoryHistory(50);
 * history.append({ client: "c", id: "1", from: "alice", text: "hi", time: "2026-01-01T00:00:00Z" });
 * console.log(history.recent(10).length); // 1
 * ```
 * @module
 */

import type { ChatLine } from "../session/message.ts";

/** A chat line about to be stored. */
export interface NewLine {
  /**
   * Client id of the sender, a secret between that client and the room; with `id` it
   * identifies a line across re-sends.
   */
  client: string;
  /** The sender's id for the line. */
  id: string;
  from: string;
  text: string;
  time: string;
  me?: boolean;
}

/**
 * A chat line as the room keeps it: what was said, with its room-wide number, and who said it.
 * Not a message: {@linkcode lineMessage} makes the one a member is sent.
 */
export interface KeptLine extends NewLine {
  /** Room-wide sequence number. */
  seq: number;
}

/**
 * The chat message that shows `line` to a member: to its own sender (`own`, on a replay) with
 * the sender's id, so its client knows the line as one of its own; to anyone else with an
 * empty id. The sender's client id goes to no one, nor anything made from it: with it, another
 * member could claim the sender's seat.
 *
 * @example
 * ```ts
 * import { lineMessage } from "./history.ts";
 * const line = { seq: 7, client: "c", id: "c:1", from: "alice", text: "hi", time: "t" };
 * console.log(lineMessage(line, { own: false, history: true }));
 * // { t: "chat", id: "", seq: 7, from: "alice", text: "hi", time: "t", history: true }
 * ```
 */
export function lineMessage(line: KeptLine, options: { own: boolean; history: boolean }): ChatLine {
  // Field by field: nothing of a kept line goes out unless named here.
  return {
    t: "chat",
    id: options.own ? line.id : "",
    seq: line.seq,
    from: line.from,
    text: line.text,
    time: line.time,
    ...(line.me ? { me: true } : {}),
    ...(options.history ? { history: true } : {}),
  };
}

/** Where a replay of a member's missed (or a newcomer's last) lines starts, and how long it is. */
export interface HistorySpan {
  /** The lines to replay are those after this number. */
  start: number;
  /** How many lines that is (now: more may come while they are sent). */
  lines: number;
}

/** Result of {@linkcode History.append}. */
export interface Appended {
  /** The line as stored, with its room-wide sequence number. */
  line: KeptLine;
  /** `true` when the same (client, id) was stored before: a re-send after a lost ack. */
  duplicate: boolean;
}

/** Options of {@linkcode History.append}. */
export interface AppendOptions {
  /**
   * Whether the line may be a re-send of one stored before (its sender reconnected after a lost
   * acknowledgement, perhaps to a restarted hub). Default true. A room passes false once the
   * sender has said a new line on its current connection: a client re-sends its unacknowledged
   * lines first and once, so what follows is new, and a history on disk need not look it up.
   */
  mayBeStored?: boolean;
  /**
   * Called with the numbered line before it is stored, unless it is a duplicate: a room hands
   * the line to its members first, so storing it is not part of the latency they see.
   */
  deliver?: (line: KeptLine) => void;
  /**
   * Called once the line is kept: after `append` returns when a history on disk commits
   * lines in groups, at once otherwise (and for a duplicate already kept). A room acknowledges
   * the line then. With `error` the line could not be kept (it was delivered, but is not in the
   * history).
   */
  stored?: (line: KeptLine, error?: Error) => void;
}

/** Where a room keeps its chat lines. */
export interface History {
  /**
   * Numbers a new line, hands it to `options.deliver`, and stores it (`options.stored` says
   * when it is kept); or returns the line stored before under the same (client, id), without
   * delivering it again.
   */
  append(line: NewLine, options?: AppendOptions): Appended;
  /** The last `limit` lines, oldest first, optionally only those after `afterSeq`. */
  recent(limit: number, afterSeq?: number): KeptLine[];
  /**
   * The span of the newest `limit` (at most) of the lines after `afterSeq`. Costs what the
   * span holds, not what the history holds: a newcomer's join must stay cheap in a long history.
   */
  span(afterSeq: number, limit: number): HistorySpan;
  /** How many lines there are after `afterSeq` up to `uptoSeq`: what a span left out. */
  count(afterSeq: number, uptoSeq: number): number;
  /** The first `limit` lines after `afterSeq`, oldest first: the next page of a replay. */
  after(afterSeq: number, limit: number): KeptLine[];
  /** Releases the storage. */
  close(): void;
}

/** A history kept in memory, bounded to `capacity` lines (used by direct chats). */
export class MemoryHistory implements History {
  #lines: KeptLine[] = [];
  #keys: Map<string, KeptLine> = new Map();
  #capacity: number;
  #seq = 0;

  /** Creates an empty history holding at most `capacity` lines. */
  constructor(capacity: number) {
    this.#capacity = Math.max(capacity, 1);
  }

  /** Stores a line; see {@linkcode History.append}. Lines in memory are always looked up. */
  append(line: NewLine, options: AppendOptions = {}): Appended {
    const key = `${line.client}\u0000${line.id}`;
    const existing = this.#keys.get(key);
    if (existing) {
      options.stored?.(existing);
      return { line: existing, duplicate: true };
    }
    const stored: KeptLine = {
      seq: ++this.#seq,
      client: line.client,
      id: line.id,
      from: line.from,
      text: line.text,
      time: line.time,
      ...(line.me ? { me: true } : {}),
    };
    options.deliver?.(stored);
    this.#lines.push(stored);
    this.#keys.set(key, stored);
    if (this.#lines.length > this.#capacity) {
      // Map keeps insertion order, so the first key belongs to the line just dropped.
      this.#lines.shift();
      this.#keys.delete(this.#keys.keys().next().value!);
    }
    options.stored?.(stored);
    return { line: stored, duplicate: false };
  }

  /** The last lines; see {@linkcode History.recent}. */
  recent(limit: number, afterSeq = 0): KeptLine[] {
    const after = this.#lines.filter((line) => line.seq > afterSeq);
    return limit <= 0 ? [] : after.slice(-limit);
  }

  /** A replay's span; see {@linkcode History.span}. */
  span(afterSeq: number, limit: number): HistorySpan {
    const after = this.#lines.filter((line) => line.seq > afterSeq);
    const lines = Math.min(after.length, Math.max(limit, 0));
    const left = after.length - lines;
    return { start: left > 0 ? after[left - 1].seq : afterSeq, lines };
  }

  /** Lines in a range; see {@linkcode History.count}. */
  count(afterSeq: number, uptoSeq: number): number {
    return this.#lines.filter((line) => line.seq > afterSeq && line.seq <= uptoSeq).length;
  }

  /** A replay's next page; see {@linkcode History.after}. */
  after(afterSeq: number, limit: number): KeptLine[] {
    return this.#lines.filter((line) => line.seq > afterSeq).slice(0, Math.max(limit, 0));
  }

  /** Nothing to release. */
  close(): void {}
}
