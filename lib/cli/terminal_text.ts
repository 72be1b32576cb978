/**
 * Peer text made safe to print: control and invisible formatting characters are shown
 * escaped instead of being sent raw to the terminal (CVE-2023-43620: ANSI escapes in file
 * names rewrote the receiver's screen; magic-wormhole had the same with `\r`).
 *
 * @module
 */

// C0, DEL, C1; every invisible format character (bidi controls, zero-width spaces, tag
// characters that can hide text); line/paragraph separators; lone surrogates. Left alone:
// ZWNJ and ZWJ (emoji sequences and several scripts need them; they cannot reorder or hide
// text), the visible Arabic-style number signs (Prepended_Concatenation_Mark), and a flag's
// subdivision tags after U+1F3F4 (at most six letters: nothing worth hiding fits).
const UNSAFE =
  /\u{1F3F4}[\u{E0061}-\u{E007A}]{2}[\u{E0030}-\u{E0039}\u{E0061}-\u{E007A}]{1,4}\u{E007F}|(?![\u200c\u200d\u0600-\u0605\u06dd\u070f\u0890\u0891\u08e2\u{110bd}\u{110cd}])[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/gu;

function escapeOne(ch: string): string {
  if (ch.length > 2) return ch; // a flag with its subdivision tags
  const code = ch.codePointAt(0)!;
  if (code < 0x80) return `\\x${code.toString(16).padStart(2, "0")}`;
  if (code > 0xffff) return `\\u{${code.toString(16)}}`;
  return `\\u${code.toString(16).padStart(4, "0")}`;
}

/**
 * Returns `text` with every control or dangerous invisible character replaced by a
 * visible escape: C0 and DEL (including `\n`, `\r`, `\t`, ESC) as `\x1b`, C1 as `\u0085`,
 * bidi and other invisible format characters as `\u202e` (`\u{e0041}` beyond U+FFFF),
 * lone surrogates as `\ud800`. Ordinary Unicode and emoji pass unchanged.
 *
 * A backslash is NOT escaped: `\x1b` in the output may therefore also be literal text the
 * peer typed. Readability of ordinary text (paths, emoticons) wins; the point is that
 * nothing reaches the terminal raw, not that the escaping can be reversed. Escaping twice
 * gives the same as once.
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

function jsonEscapeOne(ch: string): string {
  if (ch.length > 2) return ch;
  let escaped = "";
  for (let i = 0; i < ch.length; i++) {
    escaped += `\\u${ch.charCodeAt(i).toString(16).padStart(4, "0")}`;
  }
  return escaped;
}

/**
 * `JSON.stringify(value)` with nothing a terminal would act on: `JSON.stringify` escapes
 * C0 controls but leaves DEL, C1 controls (`\u009b` starts an escape sequence in some
 * terminals), bidi and other invisible characters raw. Those become `\uXXXX` escapes
 * here, so the line parses to exactly the same value.
 *
 * @param value What to write as one JSON line.
 * @returns JSON text safe to print.
 *
 * @example
 * ```ts
 * import { jsonForTerminal } from "./terminal_text.ts";
 *
 * jsonForTerminal({ text: "a\u202eb" }); // '{"text":"a\\u202eb"}'
 * ```
 */
export function jsonForTerminal(value: unknown): string {
  return JSON.stringify(value).replace(UNSAFE, jsonEscapeOne);
}
