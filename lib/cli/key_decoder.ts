/**
 * The keys a person presses at a terminal in raw mode, from the bytes it sends: text, Enter,
 * the editing keys (arrows, Home, End, Delete, Ctrl-A/E/U/K/W...), Ctrl-C and Ctrl-D. Escape
 * sequences split across reads are put together; sequences it does not know are dropped, never
 * taken as text.
 *
 * @example
 * ```ts
 * import { KeyDecoder } from "./key_decoder.ts";
 * const keys = new KeyDecoder();
 * console.log(keys.decode(new TextEncoder().encode("hi\x1b[D\r")));
 * // [{ name: "text", text: "hi" }, { name: "left" }, { name: "enter" }]
 * ```
 * @module
 */

/** A key without text. */
export type KeyName =
  | "enter"
  | "backspace"
  | "delete"
  | "left"
  | "right"
  | "up"
  | "down"
  | "home"
  | "end"
  | "word-left"
  | "word-right"
  | "delete-word"
  | "kill-start"
  | "kill-end"
  | "interrupt"
  | "eof"
  | "redraw";

/** One key press, or text typed or pasted. */
export type Key = { name: "text"; text: string } | { name: KeyName };

/** Control characters and what they mean to a line editor (as readline and shells have it). */
const CONTROLS: { readonly [char: string]: KeyName } = {
  "\x01": "home",
  "\x02": "left",
  "\x03": "interrupt",
  "\x04": "eof",
  "\x05": "end",
  "\x06": "right",
  "\x08": "backspace",
  "\x0a": "enter",
  "\x0b": "kill-end",
  "\x0c": "redraw",
  "\x0d": "enter",
  "\x0e": "down",
  "\x10": "up",
  "\x15": "kill-start",
  "\x17": "delete-word",
  "\x7f": "backspace",
};

/** `ESC [ ...` and `ESC O ...` sequences, by what follows the escape. */
const SEQUENCES: { readonly [sequence: string]: KeyName } = {
  "[A": "up",
  "[B": "down",
  "[C": "right",
  "[D": "left",
  "[H": "home",
  "[F": "end",
  "[1~": "home",
  "[7~": "home",
  "[4~": "end",
  "[8~": "end",
  "[3~": "delete",
  "[1;5C": "word-right",
  "[1;3C": "word-right",
  "[1;5D": "word-left",
  "[1;3D": "word-left",
  "OA": "up",
  "OB": "down",
  "OC": "right",
  "OD": "left",
  "OH": "home",
  "OF": "end",
  b: "word-left",
  f: "word-right",
  "\x7f": "delete-word",
  "\x08": "delete-word",
};

/** A CSI sequence: parameters and intermediates, then a final byte. */
const CSI = /^\[[\x30-\x3f]*[\x20-\x2f]*[\x40-\x7e]/;

/** Turns a raw terminal's bytes into {@linkcode Key}s. */
export class KeyDecoder {
  #decoder = new TextDecoder();
  /** The start of an escape sequence whose end has not come yet. */
  #pending = "";

  /**
   * The keys in `bytes` (what a read returned); an unfinished escape sequence waits for the
   * next read.
   */
  decode(bytes: Uint8Array): Key[] {
    const input = this.#pending + this.#decoder.decode(bytes, { stream: true });
    this.#pending = "";
    const keys: Key[] = [];
    let text = "";
    const flush = () => {
      if (text) keys.push({ name: "text", text });
      text = "";
    };
    for (let i = 0; i < input.length;) {
      const char = input[i];
      if (char === "\x1b") {
        const rest = input.slice(i + 1);
        const length = sequenceLength(rest);
        if (length === undefined) {
          this.#pending = input.slice(i);
          break;
        }
        flush();
        const name = SEQUENCES[rest.slice(0, length)];
        if (name) keys.push({ name });
        i += 1 + length;
        continue;
      }
      const control = CONTROLS[char];
      if (control) {
        flush();
        keys.push({ name: control });
        // A pasted Windows line end is one line end.
        i += char === "\r" && input[i + 1] === "\n" ? 2 : 1;
        continue;
      }
      // Tab is text (lines may hold it); other controls have no meaning here.
      if (char === "\t" || !/\p{Cc}/u.test(char)) text += char;
      i++;
    }
    flush();
    return keys;
  }
}

/**
 * How many characters after an escape make its sequence; `undefined` while it may go on.
 * A lone escape followed by anything else is a sequence of one (dropped).
 */
function sequenceLength(rest: string): number | undefined {
  if (rest === "") return undefined;
  if (rest[0] === "[") {
    const match = rest.match(CSI);
    if (match) return match[0].length;
    // Still inside the parameters: wait for the final byte (a bounded wait: give up at 32).
    return /^\[[\x20-\x3f]*$/.test(rest) && rest.length < 32 ? undefined : 1;
  }
  if (rest[0] === "O") return rest.length < 2 ? undefined : 2;
  return 1;
}
