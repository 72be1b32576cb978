/**
 * Peer text made safe to print: control and invisible formatting characters are shown
 * escaped instead of being sent raw to the terminal (CVE-2023-43620: ANSI escapes in file
 * names rewrote the receiver's screen; magic-wormhole had the same with `\r`).
 *
 * @module
 */

// C0, DEL, C1; bidi controls and other invisible format characters; line/paragraph
// separators; lone surrogates. ZWJ (U+200D) and ZWNJ (U+200C) are left alone: emoji
// sequences and several scripts need them, and they cannot reorder or hide text.
const UNSAFE =
  /[\p{Cc}\u00ad\u061c\u180e\u200b\u200e\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb]|\p{Cs}/gu;

function escapeOne(ch: string): string {
  const code = ch.charCodeAt(0);
  if (code < 0x80) return `\\x${code.toString(16).padStart(2, "0")}`;
  return `\\u${code.toString(16).padStart(4, "0")}`;
}

/**
 * Returns `text` with every control or dangerous invisible character replaced by a
 * visible escape: C0 and DEL (including `\n`, `\r`, `\t`, ESC) as `\x1b`, C1 as `\u0085`,
 * bidi and other invisible format characters as `\u202e`, lone surrogates as `\ud800`.
 * Ordinary Unicode and emoji pass unchanged.
 *
 * A backslash is NOT escaped: `\x1b` in the output may therefore also be literal text the
 * peer typed. Readability of ordinary text (paths, emoticons) wins; the point is that
 * nothing reaches the terminal raw, not that the escaping can be reversed.
 *
 * Callers that want multi-line messages split on `\n` first and escape each line.
 *
 * @param text Untrusted text from a peer.
 * @returns Text safe to write to a terminal.
 *
 * @example
 * ```ts
 * import { escapeForTerminal } from "./terminal_text.ts";
 *
 * escapeForTerminal("a\x1b[2Jb"); // "a\\x1b[2Jb"
 * escapeForTerminal("evil\u202etxt.exe"); // "evil\\u202etxt.exe"
 * escapeForTerminal("héllo 👋"); // "héllo 👋"
 * ```
 */
export function escapeForTerminal(text: string): string {
  return text.replace(UNSAFE, escapeOne);
}
