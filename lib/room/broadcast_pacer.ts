/**
 * Paces the lines of a big, busy room: a line still leaves at once, but lines that follow it
 * within a short gap are held (the members' sessions corked) and leave together, one sealed
 * write per member. Each delivery costs a seal and a write whatever it carries, so a room of
 * a thousand with a hundred lines a second would otherwise make 100,000 of each per second.
 *
 * @example
 * ```ts
 * import { BroadcastPacer, broadcastGapMs } from "./broadcast_pacer.ts";
 * import { memorySessionPair } from "../session/memory_session.ts";
 * const [hub, client] = memorySessionPair();
 * const pacer = new BroadcastPacer(() => [hub]);
 * pacer.beforeBroadcast(1000); // the first line leaves at once
 * pacer.beforeBroadcast(1000); // this one is held for up to broadcastGapMs(1000) ms
 * console.log(broadcastGapMs(1000)); // 100
 * pacer.close(); // releases what is held
 * await client.close();
 * ```
 * @module
 */

import type { Session } from "../session/session.ts";

/** Rooms up to this size are never paced: every line leaves at once. */
export const PACED_ABOVE = 128;
/**
 * Writes per second a paced room aims to stay under, all members together: half of what was
 * tried first, for much less of a core at a slightly later line (bench/NOTES.md).
 */
const WRITES_PER_SECOND = 10_000;
/** The longest a line is held, however big the room. */
const MAX_GAP_MS = 100;

/**
 * Least time between two writes to a member of a room of `members`: 0 up to
 * {@linkcode PACED_ABOVE}, then growing with the room (20 ms at 200) up to 100 ms (from 1,000 members).
 *
 * @example
 * ```ts
 * import { broadcastGapMs } from "./broadcast_pacer.ts";
 * console.log(broadcastGapMs(100), broadcastGapMs(200)); // 0 20
 * ```
 */
export function broadcastGapMs(members: number): number {
  if (members <= PACED_ABOVE) return 0;
  return Math.min(MAX_GAP_MS, (members * 1000) / WRITES_PER_SECOND);
}

/** Decides, line by line, whether a room's broadcast leaves now or with the next batch. */
export class BroadcastPacer {
  #sessions: () => Iterable<Session>;
  #lastRelease = -Infinity;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #closed = false;

  /** Paces the sessions `sessions()` returns at the time (the room's current members). */
  constructor(sessions: () => Iterable<Session>) {
    this.#sessions = sessions;
  }

  /** Whether lines are being held right now. */
  get holding(): boolean {
    return this.#timer !== undefined;
  }

  /**
   * Call before posting a broadcast to a room of `members`: lets it go at once when the room
   * is small or quiet, else corks every member until the gap since the last release is over.
   */
  beforeBroadcast(members: number): void {
    // Already held (a member who joined since then gets the line at once), or closed.
    if (this.#timer !== undefined || this.#closed) return;
    const gap = broadcastGapMs(members);
    const now = performance.now();
    if (now - this.#lastRelease >= gap) {
      this.#lastRelease = now;
      return;
    }
    for (const session of this.#sessions()) session.cork();
    this.#timer = setTimeout(() => this.#release(), this.#lastRelease + gap - now);
  }

  /** Releases what is held and stops pacing for good (the room is closing). */
  close(): void {
    this.#closed = true;
    if (this.#timer !== undefined) this.#release();
  }

  #release(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#lastRelease = performance.now();
    for (const session of this.#sessions()) session.uncork();
  }
}
