/**
 * Holds back a room's senders while a member is behind: when lines come in faster than the
 * members take them, the room stops reading new lines (the senders' own connections then
 * push back) until they have caught up, instead of queueing without end or cutting them
 * off. A member that takes nothing for a second while it is behind has stopped reading, and
 * one still behind after a few seconds cannot keep up: either is cut off ("not reading fast
 * enough"), and the room goes on.
 *
 * @example
 * ```ts
 * import { BacklogGate } from "./backlog_gate.ts";
 * import { memorySessionPair } from "../session/memory_session.ts";
 * const [hub, client] = memorySessionPair();
 * const gate = new BacklogGate(() => [hub]);
 * console.log(gate.afterBroadcast()); // undefined: nobody is behind, read the next line
 * gate.close();
 * await client.close();
 * ```
 * @module
 */

import type { Session } from "../session/session.ts";

/** Options of {@linkcode BacklogGate}; the defaults suit a chat room. */
export interface BacklogGateOptions {
  /** A member with more than this queued is behind and holds the senders. Default 256 KiB. */
  behindBytes?: number;
  /** The room has caught up when no member has more than this queued. Default 64 KiB. */
  caughtUpBytes?: number;
  /** A member that is behind and takes nothing for this long is cut off. Default 1 s. */
  stalledMs?: number;
  /**
   * The longest one hold lasts; members still behind then are cut off. Default 5 s, well
   * under the 30 s after which a sender who is not read from would seem silent.
   */
  maxHoldMs?: number;
}

/** What the gate needs of a member's session: how far behind it is, and a way to cut it off. */
export type BacklogPeer = Pick<Session, "backlog" | "abort">;

/** How often a hold looks whether the room has caught up. */
const POLL_MS = 5;

/** Decides, after each broadcast, whether the room reads its senders' next lines now or later. */
export class BacklogGate {
  #sessions: () => Iterable<BacklogPeer>;
  #behindBytes: number;
  #caughtUpBytes: number;
  #maxHoldMs: number;
  #stalledMs: number;
  /** During a hold: each member behind, with its smallest backlog so far and since when. */
  #progress: Map<BacklogPeer, { backlog: number; since: number }> = new Map();
  #hold: Promise<void> | undefined;
  #open: (() => void) | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #closed = false;

  /** Watches the sessions `sessions()` returns at the time (the room's current members). */
  constructor(sessions: () => Iterable<BacklogPeer>, options: BacklogGateOptions = {}) {
    this.#sessions = sessions;
    this.#behindBytes = options.behindBytes ?? 256 * 1024;
    this.#caughtUpBytes = options.caughtUpBytes ?? 64 * 1024;
    this.#maxHoldMs = options.maxHoldMs ?? 5_000;
    this.#stalledMs = options.stalledMs ?? 1_000;
  }

  /** Whether senders are being held right now. */
  get holding(): boolean {
    return this.#hold !== undefined;
  }

  /**
   * Call after a broadcast. `undefined` when the room keeps up; else a promise, shared by
   * every sender, that resolves once the room has caught up, or the hold has lasted its
   * longest (cutting off who is still behind), or the room closes. The sender's next
   * message waits for it.
   */
  afterBroadcast(): Promise<void> | undefined {
    if (this.#hold || this.#closed) return this.#hold;
    // A pass over the members, as the broadcast itself made: a counter read per member.
    if (!this.#anyOver(this.#behindBytes)) return undefined;
    const started = performance.now();
    this.#hold = new Promise((resolve) => this.#open = resolve);
    const poll = () => {
      this.#cutStalled();
      if (!this.#anyOver(this.#caughtUpBytes)) return this.#release();
      if (performance.now() - started < this.#maxHoldMs) {
        this.#timer = setTimeout(poll, POLL_MS);
        return;
      }
      const behind = `behind for ${seconds(this.#maxHoldMs)} s`;
      for (const session of [...this.#sessions()]) {
        if (session.backlog > this.#behindBytes) session.abort(notReading(behind));
      }
      this.#release();
    };
    this.#timer = setTimeout(poll, POLL_MS);
    return this.#hold;
  }

  /** Releases a hold and holds no more (the room is closing). */
  close(): void {
    this.#closed = true;
    this.#release();
  }

  /** Cuts off each member that is behind and has taken nothing for `stalledMs`. */
  #cutStalled(): void {
    const now = performance.now();
    for (const session of [...this.#sessions()]) {
      const backlog = session.backlog;
      if (backlog <= this.#behindBytes) continue;
      const seen = this.#progress.get(session);
      if (!seen || backlog < seen.backlog) this.#progress.set(session, { backlog, since: now });
      else if (now - seen.since >= this.#stalledMs) {
        session.abort(notReading(`nothing taken for ${seconds(this.#stalledMs)} s`));
      }
    }
  }

  /** Whether a member has more than `bytes` queued. */
  #anyOver(bytes: number): boolean {
    for (const session of this.#sessions()) if (session.backlog > bytes) return true;
    return false;
  }

  #release(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#progress.clear();
    const open = this.#open;
    this.#hold = this.#open = undefined;
    open?.();
  }
}

function seconds(ms: number): number {
  return +(ms / 1000).toFixed(1);
}

function notReading(why: string): string {
  return `the peer is not reading fast enough (${why})`;
}
