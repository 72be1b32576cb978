/**
 * The reason sent with a refused or failed transfer (`received` with `ok: false`, `cancel`).
 * The protocol takes at most 256 characters there and a longer one breaks the receiver's
 * session, while a reason quotes a file name of up to 255 bytes: so a long reason loses its
 * middle (part of the name), never its end, which says why.
 *
 * @example
 * ```ts
 * import { refusalReason } from "./refusal.ts";
 * const reason = refusalReason(new Error(`refused '${"x".repeat(300)}.bin': too large`));
 * console.log(reason.length <= 256, reason.endsWith(".bin': too large")); // true true
 * ```
 * @module
 */

/**
 * Longest reason a `received` or `cancel` message carries (lib/session/message.ts checks it).
 *
 * @example
 * ```ts
 * import { MAX_REASON_LENGTH, refusalReason } from "./refusal.ts";
 * console.log(refusalReason("x".repeat(1000)).length <= MAX_REASON_LENGTH); // true
 * ```
 */
export const MAX_REASON_LENGTH = 256;
/** What a shortened reason keeps of its end. */
const TAIL = 80;

/**
 * The reason to send for `error`: its message (or its text), at most
 * {@linkcode MAX_REASON_LENGTH} characters.
 *
 * @example
 * ```ts
 * import { refusalReason } from "./refusal.ts";
 * console.log(refusalReason(new Error("the disk is full"))); // "the disk is full"
 * ```
 */
export function refusalReason(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  if (text.length <= MAX_REASON_LENGTH) return text;
  const head = wholeCodePoints(text.slice(0, MAX_REASON_LENGTH - TAIL - 1));
  const tail = wholeCodePoints(text.slice(-TAIL));
  return `${head}…${tail}`;
}

/** `text` without a surrogate cut in half at either end. */
function wholeCodePoints(text: string): string {
  return text.replace(/^[\uDC00-\uDFFF]/, "").replace(/[\uD800-\uDBFF]$/, "");
}

/**
 * The reason a transfer stops with when the person at the other end quits without waiting
 * for it: said by their client's `cancel`, or by the room when their goodbye comes first (it
 * overtakes file data still queued).
 *
 * @example
 * ```ts
 * import { cancelledByQuit } from "./refusal.ts";
 * console.log(cancelledByQuit("bob")); // "cancelled by bob (quit)"
 * ```
 */
export function cancelledByQuit(name: string): string {
  return `cancelled by ${name} (quit)`;
}
