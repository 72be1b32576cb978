/**
 * What the short texts of a room may hold: the reason of a kick, ban or mute, the topic, an
 * away message. Everyone sees them inside a sentence of the room's own (`bob was kicked by the
 * host (REASON)`), so they are stricter than a chat line: one line, no control characters at
 * all (tab included), no line or paragraph separators, and none of the invisible bidi controls
 * that could turn the room's sentence around it; not blank; well-formed Unicode; and at most a
 * few hundred characters, so every message that carries one stays far under the header limit.
 *
 * @example
 * ```ts
 * import { MAX_REASON_CHARS, shortTextProblem } from "./short_text.ts";
 * console.log(shortTextProblem("flooding", "reason", MAX_REASON_CHARS)); // undefined
 * console.log(shortTextProblem("a\u202eb", "reason", MAX_REASON_CHARS));
 * // "The reason may not hold control or bidi characters such as \u202e."
 * ```
 * @module
 */

/** Longest reason of a kick, ban or mute, in UTF-16 units (as the protocol counts). */
export const MAX_REASON_CHARS = 160;
/** Longest topic. */
export const MAX_TOPIC_CHARS = 300;
/** Longest away message. */
export const MAX_AWAY_CHARS = 160;

/**
 * C0, DEL, C1 (tab too); line and paragraph separators; the bidi embeddings, overrides,
 * isolates and marks.
 */
const FORBIDDEN = /[\p{Cc}\p{Zl}\p{Zp}\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/u;

/**
 * Why `text` cannot be a room's `what` (`reason`, `topic`, `away message`), in words for the
 * person who typed it; `undefined` when it can.
 *
 * @example
 * ```ts
 * import { shortTextProblem } from "./short_text.ts";
 * console.log(shortTextProblem("x".repeat(400), "topic", 300));
 * // "The topic is too long (400 characters; the limit is 300)."
 * ```
 */
export function shortTextProblem(text: string, what: string, maxChars: number): string | undefined {
  if (text.trim() === "") return `The ${what} is empty.`;
  if (text.length > maxChars) {
    return `The ${what} is too long (${text.length} characters; the limit is ${maxChars}).`;
  }
  const bad = text.match(FORBIDDEN);
  if (bad) {
    const code = bad[0].charCodeAt(0);
    const shown = code < 0x100
      ? `\\x${code.toString(16).padStart(2, "0")}`
      : `\\u${code.toString(16).padStart(4, "0")}`;
    return `The ${what} may not hold control or bidi characters such as ${shown}.`;
  }
  if (!text.isWellFormed()) return `The ${what} is not valid Unicode (a lone surrogate).`;
  return undefined;
}
