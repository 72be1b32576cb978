/**
 * The person's terminal: lines typed in, lines printed out, a status line (file progress) and
 * questions. On a TTY it owns the bottom of the screen (see prompt_area.ts): a status row, the
 * prompt and the draft, however many rows the draft wraps over. Each printed line clears
 * exactly those rows, goes where they were, and the prompt is drawn again below it, so an
 * incoming line is never drawn over, whatever the draft's length, the width or a transfer.
 * When stdin or stdout is not a terminal, lines are read plainly and no prompt or status is
 * drawn. Every line typed from the moment the terminal opens is kept until the chat takes it.
 *
 * @example
 * ```ts ignore
 * import { openTerminal } from "./terminal.ts";
 * const terminal = openTerminal();
 * terminal.open();
 * terminal.print("[System] hello");
 * for await (const line of terminal.lines()) terminal.print(`you typed ${line}`);
 * terminal.close();
 * ```
 * @module
 */

import { promptHidden } from "./hidden_prompt.ts";
import { KeyDecoder } from "./key_decoder.ts";
import { type EditorAction, LineEditor } from "./line_editor.ts";
import { LineSplitter } from "./line_splitter.ts";
import { PromptArea, type TerminalSize } from "./prompt_area.ts";
import { escapeForTerminal } from "./terminal_text.ts";

/** A status line: as it is, or made for the terminal's width in columns (`undefined`: none). */
export type StatusText = string | ((columns: number) => string | undefined);

/** How to ask a question. */
export interface AskOptions {
  /** A secret: each character typed shows as `*`. */
  hidden?: boolean;
}

/** Where the chat meets a person (or a program). */
export interface Terminal {
  /**
   * Starts reading what is typed (a line editor and its prompt, on a TTY), keeping every line
   * for {@linkcode lines}. Until then nothing is read: a hidden prompt may use the terminal.
   */
  open(): void;
  /** Prints one line above the prompt (and the status line). */
  print(line: string): void;
  /** Shows `text` in the status line above the prompt (TTY only); `undefined` clears it. */
  status(text: StatusText | undefined): void;
  /** Lines typed since the terminal opened, until end of input. */
  lines(): AsyncIterable<string>;
  /**
   * Asks `question` in place of the prompt and resolves with the next line typed after it
   * (lines typed before stay for {@linkcode lines}; lines printed meanwhile still appear
   * above); `undefined` at end of input, on Ctrl-C, or where nobody types.
   */
  ask(question: string, options?: AskOptions): Promise<string | undefined>;
  /**
   * Asks `question` for a secret (a passkey): as {@linkcode ask} with `hidden`, each character
   * shown as `*`, also while the chat's prompt is up; `undefined` on Ctrl-C, at end of input,
   * or where nobody types.
   */
  askSecret(question: string): Promise<string | undefined>;
  /** Rings the terminal's bell (TTY only). */
  bell(): void;
  /**
   * Who is told of Ctrl-C at the keyboard (on a TTY the terminal reads it as a key). Without
   * one, Ctrl-C closes the terminal and stops the program as SIGINT does.
   */
  onInterrupt(handler: (() => void) | undefined): void;
  /** Stops reading input; what is printed afterwards is printed plainly. */
  close(): void;
}

const PROMPT = "> ";
const encoder = new TextEncoder();

/** A question waiting for its answer. */
interface Question {
  text: string;
  hidden: boolean;
  answer: (line: string | undefined) => void;
  /** The draft typed before the question, given back after it. */
  draft: string;
}

class TtyTerminal implements Terminal {
  #opened = false;
  #closed = false;
  #editor = new LineEditor();
  #keys = new KeyDecoder();
  #area = new PromptArea();
  #status: StatusText | undefined;
  #question: Question | undefined;
  #interrupt: (() => void) | undefined;
  /** Lines to print at the next render. */
  #printing: string[] = [];
  #renderQueued = false;
  /** Lines typed and not taken yet; `null` is the end of input. */
  #queue: (string | null)[] = [];
  #wake: (() => void) | undefined;
  #onResize = () => this.#render();

  open(): void {
    if (this.#opened || this.#closed) return;
    this.#opened = true;
    Deno.stdin.setRaw(true);
    try {
      Deno.addSignalListener("SIGWINCH", this.#onResize);
    } catch { /* no such signal here (Windows): the size is read at each render */ }
    this.#read();
    this.#render();
  }

  /** Reads keys until the terminal closes or input ends. */
  async #read(): Promise<void> {
    const buffer = new Uint8Array(4096);
    while (!this.#closed) {
      let n: number | null;
      try {
        n = await Deno.stdin.read(buffer);
      } catch {
        n = null;
      }
      if (this.#closed) return;
      if (n === null) {
        this.#endOfInput();
        return;
      }
      for (const key of this.#keys.decode(buffer.subarray(0, n))) {
        this.#act(this.#editor.press(key));
      }
      if (!this.#closed) this.#render();
    }
  }

  #act(action: EditorAction | undefined): void {
    if (!action) return;
    switch (action.type) {
      case "line":
        return this.#entered(action.line);
      case "eof":
        return this.#endOfInput();
      case "interrupt":
        return this.#interrupted();
      case "redraw":
        // Ctrl-L: a clean screen with the prompt at the top.
        this.#write(`${this.#area.erase()}\x1b[H\x1b[2J`);
        return;
      case "bell":
        return this.bell();
    }
  }

  #entered(line: string): void {
    const question = this.#question;
    if (question) {
      this.#question = undefined;
      const shown = question.hidden ? "*".repeat([...line].length) : line;
      this.#printing.push(escapeForTerminal(question.text + shown));
      this.#restoreDraft(question.draft);
      question.answer(line);
      return;
    }
    // What was sent stays on screen as typed, without the status line.
    if (line !== "") this.#printing.push(escapeForTerminal(PROMPT + line));
    this.#push(line);
  }

  #restoreDraft(draft: string): void {
    this.#editor.clear();
    if (draft) this.#editor.press({ name: "text", text: draft });
  }

  #endOfInput(): void {
    const question = this.#question;
    this.#question = undefined;
    question?.answer(undefined);
    this.#push(null);
  }

  #interrupted(): void {
    const question = this.#question;
    if (question) {
      this.#question = undefined;
      this.#restoreDraft(question.draft);
      question.answer(undefined);
    }
    if (this.#interrupt) return this.#interrupt();
    // No one to tell: as the terminal's own Ctrl-C would, once the terminal is itself again.
    this.close();
    Deno.kill(Deno.pid, "SIGINT");
  }

  #push(line: string | null): void {
    this.#queue.push(line);
    this.#wake?.();
  }

  print(line: string): void {
    if (!this.#opened || this.#closed) {
      console.log(line);
      return;
    }
    this.#printing.push(line);
    this.#queueRender();
  }

  status(text: StatusText | undefined): void {
    this.#status = text;
    if (this.#opened && !this.#closed) this.#queueRender();
  }

  bell(): void {
    if (this.#opened && !this.#closed) this.#write("\x07");
  }

  onInterrupt(handler: (() => void) | undefined): void {
    this.#interrupt = handler;
  }

  async *lines(): AsyncIterable<string> {
    this.open();
    while (true) {
      if (this.#queue.length === 0) {
        await new Promise<void>((resolve) => this.#wake = resolve);
        continue;
      }
      const line = this.#queue.shift()!;
      if (line === null) return;
      yield line;
    }
  }

  ask(question: string, options: AskOptions = {}): Promise<string | undefined> {
    this.open();
    if (this.#closed) return Promise.resolve(undefined);
    const before = this.#question;
    const draft = before?.draft ?? this.#editor.text;
    before?.answer(undefined);
    const { promise, resolve } = Promise.withResolvers<string | undefined>();
    this.#editor.clear();
    this.#question = { text: question, hidden: options.hidden ?? false, answer: resolve, draft };
    this.#queueRender();
    return promise;
  }

  askSecret(question: string): Promise<string | undefined> {
    return this.ask(question, { hidden: true });
  }

  close(): void {
    if (this.#closed) return;
    if (this.#opened) {
      // What is waiting to be printed is printed; the prompt goes.
      this.#write(this.#area.erase() + this.#lines());
      try {
        Deno.removeSignalListener("SIGWINCH", this.#onResize);
      } catch { /* never added */ }
      Deno.stdin.setRaw(false);
    }
    this.#closed = true;
    const question = this.#question;
    this.#question = undefined;
    question?.answer(undefined);
    this.#push(null);
  }

  #queueRender(): void {
    if (this.#renderQueued) return;
    this.#renderQueued = true;
    // Lines printed in one go (a burst, a replayed history) are drawn in one write.
    queueMicrotask(() => {
      this.#renderQueued = false;
      if (!this.#closed) this.#render();
    });
  }

  /** The lines to print, each ending its row. */
  #lines(): string {
    const text = this.#printing.map((line) => `${line.replaceAll("\n", "\r\n")}\r\n`).join("");
    this.#printing = [];
    return text;
  }

  /** Clears the area, prints what waits, and draws the area again below it. */
  #render(): void {
    const size = this.#size();
    const question = this.#question;
    const status = typeof this.#status === "function" ? this.#status(size.columns) : this.#status;
    // In this order: the area is cleared where it is now (the terminal may have been resized
    // since it was drawn, before its SIGWINCH is handled), then drawn anew.
    this.#area.resized(size.columns);
    const erase = this.#area.erase();
    const lines = this.#lines();
    const area = this.#area.draw({
      status,
      prompt: question?.text ?? PROMPT,
      draft: this.#editor.chars,
      cursor: this.#editor.cursor,
      hidden: question?.hidden,
    }, size);
    this.#write(erase + lines + area);
  }

  #size(): TerminalSize {
    try {
      return Deno.consoleSize();
    } catch {
      return { columns: 80, rows: 24 };
    }
  }

  #write(text: string): void {
    const bytes = encoder.encode(text);
    for (let done = 0; done < bytes.length;) done += Deno.stdout.writeSync(bytes.subarray(done));
  }
}

class PlainTerminal implements Terminal {
  #reader: ReadableStreamDefaultReader<string> | undefined;

  // Stdin is read when the lines are: until then what a program wrote waits in the pipe.
  open(): void {}

  ask(): Promise<string | undefined> {
    return Promise.resolve(undefined);
  }

  askSecret(question: string): Promise<string | undefined> {
    // Stdout is not a terminal (`connect | tee log`) but a person may still type at stdin:
    // the secret is asked on stderr, a star per character.
    return Deno.stdin.isTerminal() ? promptHidden(question) : Promise.resolve(undefined);
  }

  print(line: string): void {
    console.log(line);
  }

  status(): void {}

  bell(): void {}

  onInterrupt(): void {}

  async *lines(): AsyncIterable<string> {
    this.#reader = Deno.stdin.readable
      .pipeThrough(new TextDecoderStream())
      .pipeThrough(new LineSplitter())
      .getReader();
    while (true) {
      const { value, done } = await this.#reader.read();
      if (done) return;
      yield value;
    }
  }

  close(): void {
    this.#reader?.cancel().catch(() => {});
  }
}

/**
 * Opens the terminal: a line editor when stdin and stdout are a TTY, plain lines otherwise.
 *
 * @example
 * ```ts ignore
 * import { openTerminal } from "./terminal.ts";
 * const terminal = openTerminal();
 * ```
 */
export function openTerminal(): Terminal {
  return Deno.stdin.isTerminal() && Deno.stdout.isTerminal()
    ? new TtyTerminal()
    : new PlainTerminal();
}
