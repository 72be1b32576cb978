/**
 * The line being typed (the draft): characters, a cursor, the editing keys and a history of
 * lines sent, as a shell or readline has them. It prints nothing: the terminal draws the
 * draft wherever it keeps its prompt.
 *
 * @example
 * ```ts
 * import { LineEditor } from "./line_editor.ts";
 * const editor = new LineEditor();
 * editor.press({ name: "text", text: "hello" });
 * editor.press({ name: "home" });
 * editor.press({ name: "text", text: "> " });
 * console.log(editor.press({ name: "enter" })); // { type: "line", line: "> hello" }
 * ```
 * @module
 */

import { cellsOf } from "./cell_layout.ts";
import type { Key } from "./key_decoder.ts";

/** Lines kept for Up and Down. */
const HISTORY_LINES = 200;
/**
 * The longest draft, in UTF-16 units: sixteen times the longest line a room takes (a longer
 * line is sent as several). What is pasted beyond it is dropped, with a bell.
 */
export const MAX_DRAFT_LENGTH = 65_536;

/** What a key press asks of the terminal, beyond redrawing the draft. */
export type EditorAction =
  /** A line was entered (the draft is empty again). */
  | { type: "line"; line: string }
  /** Ctrl-D on an empty line: the end of input. */
  | { type: "eof" }
  /** Ctrl-C. */
  | { type: "interrupt" }
  /** Ctrl-L: draw the screen again. */
  | { type: "redraw" }
  /** Nothing could be done (a full draft): ring the bell. */
  | { type: "bell" };

/** The draft and its editing. */
export class LineEditor {
  /** The draft's characters (graphemes). */
  #chars: string[] = [];
  /** Cursor, in characters from the start. */
  #cursor = 0;
  #history: string[] = [];
  /** Where Up and Down are in the history; `#history.length` is the draft itself. */
  #historyAt = 0;
  /** The draft set aside while the history is browsed. */
  #stash = "";

  /** The draft's characters. */
  get chars(): readonly string[] {
    return this.#chars;
  }

  /** The cursor, in characters from the start. */
  get cursor(): number {
    return this.#cursor;
  }

  /** The draft as text. */
  get text(): string {
    return this.#chars.join("");
  }

  /** Empties the draft (a question answered elsewhere, the terminal closing). */
  clear(): void {
    this.#set("", 0);
  }

  /** Applies `key`; returns what the terminal must do beyond redrawing, if anything. */
  press(key: Key): EditorAction | undefined {
    switch (key.name) {
      case "text":
        return this.#insert(key.text);
      case "enter": {
        const line = this.text;
        this.#remember(line);
        this.#set("", 0);
        return { type: "line", line };
      }
      case "backspace":
        return this.#cut(this.#cursor - 1, this.#cursor);
      case "delete":
        return this.#cut(this.#cursor, this.#cursor + 1);
      case "left":
        this.#cursor = Math.max(0, this.#cursor - 1);
        return;
      case "right":
        this.#cursor = Math.min(this.#chars.length, this.#cursor + 1);
        return;
      case "home":
        this.#cursor = 0;
        return;
      case "end":
        this.#cursor = this.#chars.length;
        return;
      case "word-left":
        this.#cursor = this.#wordStart();
        return;
      case "word-right":
        this.#cursor = this.#wordEnd();
        return;
      case "delete-word":
        return this.#cut(this.#wordStart(), this.#cursor);
      case "kill-start":
        return this.#cut(0, this.#cursor);
      case "kill-end":
        return this.#cut(this.#cursor, this.#chars.length);
      case "up":
        return this.#browse(-1);
      case "down":
        return this.#browse(1);
      case "eof":
        if (this.#chars.length === 0) return { type: "eof" };
        return this.#cut(this.#cursor, this.#cursor + 1);
      case "interrupt":
        return { type: "interrupt" };
      case "redraw":
        return { type: "redraw" };
    }
  }

  #insert(text: string): EditorAction | undefined {
    const before = this.#chars.slice(0, this.#cursor).join("");
    const after = this.#chars.slice(this.#cursor).join("");
    const room = MAX_DRAFT_LENGTH - before.length - after.length;
    const kept = text.length > room ? cutAt(text, room) : text;
    // Whole again: a combining mark typed after a letter joins it.
    this.#set(before + kept + after, cellsOf(before + kept).length);
    return kept.length < text.length ? { type: "bell" } : undefined;
  }

  #cut(from: number, to: number): undefined {
    const start = Math.max(0, from);
    const end = Math.min(this.#chars.length, to);
    if (start >= end) return;
    this.#chars.splice(start, end - start);
    this.#cursor = start;
  }

  #set(text: string, cursor: number): void {
    this.#chars = cellsOf(text).map((cell) => cell.text);
    this.#cursor = Math.min(cursor, this.#chars.length);
  }

  #wordStart(): number {
    let at = this.#cursor;
    while (at > 0 && /\s/.test(this.#chars[at - 1])) at--;
    while (at > 0 && !/\s/.test(this.#chars[at - 1])) at--;
    return at;
  }

  #wordEnd(): number {
    let at = this.#cursor;
    while (at < this.#chars.length && /\s/.test(this.#chars[at])) at++;
    while (at < this.#chars.length && !/\s/.test(this.#chars[at])) at++;
    return at;
  }

  #remember(line: string): void {
    if (line.trim() !== "" && this.#history.at(-1) !== line) {
      this.#history.push(line);
      if (this.#history.length > HISTORY_LINES) this.#history.shift();
    }
    this.#historyAt = this.#history.length;
    this.#stash = "";
  }

  #browse(step: number): undefined {
    const to = this.#historyAt + step;
    if (to < 0 || to > this.#history.length) return;
    if (this.#historyAt === this.#history.length) this.#stash = this.text;
    this.#historyAt = to;
    const line = to === this.#history.length ? this.#stash : this.#history[to];
    this.#set(line, Infinity);
  }
}

/** `text` cut to at most `length` UTF-16 units, never inside a surrogate pair. */
function cutAt(text: string, length: number): string {
  if (length <= 0) return "";
  const cut = text.slice(0, length);
  return /[\ud800-\udbff]$/.test(cut) ? cut.slice(0, -1) : cut;
}
