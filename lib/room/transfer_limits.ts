/**
 * How many files move at once, per member and per hub: each one holds an open file (a
 * descriptor) and a temporary file on the receiving side, so a member must not be able to
 * open thousands.
 *
 * @example
 * ```ts
 * import { TRANSFERS_AT_ONCE } from "./transfer_limits.ts";
 * console.log(TRANSFERS_AT_ONCE); // 4
 * ```
 * @module
 */

/**
 * Files one member may be sending through a room at once (a hub's uploads in progress); the
 * next offer is refused at once, before anything is opened. Also what a client receives at
 * once, and sends at once (its further files wait their turn).
 *
 * @example
 * ```ts
 * import { TRANSFERS_AT_ONCE } from "./transfer_limits.ts";
 * const inbound = new Map<number, string>([[1, "a"], [2, "b"], [3, "c"], [4, "d"]]);
 * console.log(inbound.size >= TRANSFERS_AT_ONCE ? "refuse" : "accept"); // "refuse"
 * ```
 */
export const TRANSFERS_AT_ONCE = 4;

/**
 * `/get` requests of one member a hub holds: the files go one after another, so a member
 * holds at most one of the hub's files open for downloading.
 *
 * @example
 * ```ts
 * import { DOWNLOADS_QUEUED } from "./transfer_limits.ts";
 * console.log(`You have asked for ${DOWNLOADS_QUEUED} files already.`);
 * ```
 */
export const DOWNLOADS_QUEUED = 16;

/**
 * Files a hub holds open at once for all its members' uploads and downloads together, so
 * transfers never take the descriptors its connections need. A further upload is refused
 * ("try again shortly"), a further download waits for its turn.
 *
 * @example
 * ```ts
 * import { HUB_OPEN_FILES } from "./transfer_limits.ts";
 * console.log(HUB_OPEN_FILES); // 512
 * ```
 */
export const HUB_OPEN_FILES = 512;

/**
 * How long a sender waits for the receiver's `ready` to its offer before it withdraws the offer
 * and closes the file: a hub's `/get` (a member that never answers must not hold one of the
 * hub's open files forever), and a file in a direct chat whose peer takes files unasked (a
 * person asked has no limit: the answer is theirs). Longer for a big file, by
 * {@linkcode OFFER_ANSWER_BYTES_PER_MS}: the answer may come after the receiver has read through
 * its partial copy, or through a whole copy to compare hashes.
 *
 * @example
 * ```ts
 * import { OFFER_ANSWER_MS } from "./transfer_limits.ts";
 * console.log(OFFER_ANSWER_MS / 1000); // 60
 * ```
 */
export const OFFER_ANSWER_MS = 60_000;

/**
 * The slowest reading the receiver's answer to an offer is given time for, in bytes per
 * millisecond (10 MB/s: an old USB disk): a 10 GB file is given another 1,000 s.
 *
 * @example
 * ```ts
 * import { OFFER_ANSWER_BYTES_PER_MS } from "./transfer_limits.ts";
 * console.log(10e9 / OFFER_ANSWER_BYTES_PER_MS / 1000); // 1000
 * ```
 */
export const OFFER_ANSWER_BYTES_PER_MS = 10_000;

/**
 * How long an offer of `size` bytes waits for `ready`: `base` ({@linkcode OFFER_ANSWER_MS})
 * plus the size at {@linkcode OFFER_ANSWER_BYTES_PER_MS}.
 *
 * @example
 * ```ts
 * import { offerAnswerMs } from "./transfer_limits.ts";
 * console.log(offerAnswerMs(1e9)); // 160000
 * ```
 */
export function offerAnswerMs(size: number, base: number = OFFER_ANSWER_MS): number {
  return base + Math.floor(size / OFFER_ANSWER_BYTES_PER_MS);
}
