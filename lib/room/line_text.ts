/**
 * What the text of a line may hold, checked by the room for chat lines, actions (`/me`) and
 * private lines alike: not empty, at most {@linkcode MAX_TEXT_BYTES} bytes of UTF-8, no
 * control characters but tab, and well-formed Unicode.
 *
 * Why controls are refused and not merely escaped on screen: JSON writes each as six bytes
 * (`\u0001`), so a line of 4,096 of them became a record of 24 KiB that every member's
 * decoder refused, cutting each member off, and again at every replay of the history. Without
 * them the longest text JSON can make of a line is the line of quotes or backslashes, twice
 * its size (see tests/room/line_text_test.ts for the worst case of every outgoing message). A
 * newline is refused too: the terminal sends one line at a time and the browser's input has
 * one line, so a newline can only come from a paste or a program, and one line stays one line.
 *
 * @example
 * ```ts
 * import { lineTextProblem } from "./line_text.ts";
 * console.log(lineTextProblem("hi\tthere")); // undefined
 * console.log(lineTextProblem("a\x1b[2Jb"));
 * // "Message rejected: control characters such as \x1b are not allowed (tab is)."
 * ```
 * @module
 */

import { MAX_TEXT_BYTES } from "../wire/limits.ts";

const encoder = new TextEncoder();
/** C0 but tab, DEL, and C1 (Unicode's Cc). */
const CONTROL = /(?!\t)\p{Cc}/u;

/**
 * Why `text` cannot be said in a room, in words for its sender; `undefined` when it can.
 *
 * @example
 * ```ts
 * import { lineTextProblem } from "./line_text.ts";
 * console.log(lineTextProblem(" ")); // "Empty messages are not sent."
 * ```
 */
export function lineTextProblem(text: string): string | undefined {
  if (text.trim() === "") return "Empty messages are not sent.";
  const bytes = encoder.encode(text).length;
  if (bytes > MAX_TEXT_BYTES) {
    return `Input too long (${bytes} bytes; the limit is ${MAX_TEXT_BYTES}).`;
  }
  const control = text.match(CONTROL);
  if (control) {
    const code = control[0].charCodeAt(0).toString(16).padStart(2, "0");
    return `Message rejected: control characters such as \\x${code} are not allowed (tab is).`;
  }
  if (!text.isWellFormed()) {
    return "Message rejected: the text is not valid Unicode (it holds a lone surrogate).";
  }
  return undefined;
}

const graphemes = new Intl.Segmenter(undefined, { granularity: "grapheme" });

/**
 * `text` as lines of at most {@linkcode MAX_TEXT_BYTES} bytes each, so a long paste is sent
 * whole rather than refused: cut after the last space that leaves a line at least half full,
 * else between two characters as people see them (a character of more than the limit, which
 * only piled-up combining marks make, between code points). Lines of nothing but spaces are
 * left out.
 *
 * @example
 * ```ts
 * import { splitLongText } from "./line_text.ts";
 * console.log(splitLongText("short")); // ["short"]
 * console.log(splitLongText("é".repeat(3000)).map((line) => line.length)); // [2048, 952]
 * ```
 */
export function splitLongText(text: string, maxBytes: number = MAX_TEXT_BYTES): string[] {
  if (encoder.encode(text).length <= maxBytes) return [text];
  const lines: string[] = [];
  let line = "";
  let bytes = 0;
  /** Where the line may be cut after a space (its length in UTF-16 units, and bytes). */
  let space: { length: number; bytes: number } | undefined;
  const push = (piece: string) => {
    if (piece.trim() !== "") lines.push(piece);
  };
  for (const { segment } of graphemes.segment(text)) {
    const size = utf8Bytes(segment);
    if (bytes + size > maxBytes) {
      if (space && space.bytes * 2 >= maxBytes) {
        push(line.slice(0, space.length));
        line = line.slice(space.length);
        bytes -= space.bytes;
      } else {
        push(line);
        line = "";
        bytes = 0;
      }
      space = undefined;
    }
    if (size > maxBytes) {
      // One character over the limit on its own: between its code points.
      for (const codePoint of segment) {
        const codeBytes = utf8Bytes(codePoint);
        if (bytes + codeBytes > maxBytes) {
          push(line);
          line = "";
          bytes = 0;
        }
        line += codePoint;
        bytes += codeBytes;
      }
      continue;
    }
    line += segment;
    bytes += size;
    if (/^\s+$/.test(segment)) space = { length: line.length, bytes };
  }
  push(line);
  return lines;
}

/** Bytes of `text` in UTF-8, counted without encoding it (a long paste has many pieces). */
function utf8Bytes(text: string): number {
  let bytes = 0;
  for (const char of text) {
    const code = char.codePointAt(0)!;
    bytes += code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
  }
  return bytes;
}
