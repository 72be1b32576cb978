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
 * How long a hub waits for a member's `ready` to a `/get` offer before it withdraws the offer
 * and frees the open file (a member that never answers must not hold one forever). The wait is
 * longer for a big file by {@linkcode GET_ANSWER_BYTES_PER_MS}: a member's answer may come
 * after it has read through its partial copy, or through a whole copy to compare hashes.
 *
 * @example
 * ```ts
 * import { GET_ANSWER_MS } from "./transfer_limits.ts";
 * console.log(GET_ANSWER_MS / 1000); // 60
 * ```
 */
export const GET_ANSWER_MS = 60_000;

/**
 * The slowest reading a member's answer to a `/get` is given time for, in bytes per
 * millisecond (10 MB/s: an old USB disk): a 10 GB file is given another 1,000 s.
 *
 * @example
 * ```ts
 * import { GET_ANSWER_BYTES_PER_MS, GET_ANSWER_MS } from "./transfer_limits.ts";
 * const size = 1e9;
 * console.log(GET_ANSWER_MS + size / GET_ANSWER_BYTES_PER_MS); // 160000
 * ```
 */
export const GET_ANSWER_BYTES_PER_MS = 10_000;
