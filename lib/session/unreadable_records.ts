/**
 * What a session does with records from an authenticated peer that it cannot read (bad JSON,
 * an unknown type, a field that fails validation): skips each one and says so, so that one
 * odd record (a newer version's message, a hostile member's poison) costs nobody the
 * session. Reports thin out (the 1st, 2nd, 4th, 8th ...) so a stream of them cannot flood
 * the person reading; a peer that sends nothing readable for many records in a row is cut off.
 *
 * @example
 * ```ts
 * import { UnreadableRecords } from "./unreadable_records.ts";
 * const unreadable = new UnreadableRecords();
 * console.log(unreadable.skip()); // { count: 1, report: true, cutOff: false }
 * console.log(unreadable.skip()); // { count: 2, report: true, cutOff: false }
 * console.log(unreadable.skip()); // { count: 3, report: false, cutOff: false }
 * unreadable.read();
 * ```
 * @module
 */

/** Unreadable records in a row after which the peer is cut off: it sends nothing else. */
export const MAX_UNREADABLE_IN_A_ROW = 64;

/** What to do about one more unreadable record. */
export interface SkipVerdict {
  /** Unreadable records from this peer so far. */
  count: number;
  /** Whether to tell the person about this one. */
  report: boolean;
  /** Whether the peer is to be cut off now. */
  cutOff: boolean;
}

/** Counts a peer's unreadable records. */
export class UnreadableRecords {
  #count = 0;
  #inARow = 0;

  /** Unreadable records so far. */
  get count(): number {
    return this.#count;
  }

  /** Notes a record that was read: the run of unreadable ones is over. */
  read(): void {
    this.#inARow = 0;
  }

  /** Notes a record that could not be read, and says what to do about it. */
  skip(): SkipVerdict {
    const count = ++this.#count;
    return {
      count,
      // Powers of two: at most ~50 reports however many records a peer sends.
      report: (count & (count - 1)) === 0,
      cutOff: ++this.#inARow >= MAX_UNREADABLE_IN_A_ROW,
    };
  }
}
