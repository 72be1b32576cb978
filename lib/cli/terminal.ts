/**
 * The person's terminal: lines typed in, lines printed out, and a status (file progress)
 * shown in the prompt so incoming lines never clobber what is being typed. When stdin is
 * not a terminal, lines are read plainly and no prompt or status is drawn. Every line typed
 * from the moment the terminal opens is kept until the chat takes it.
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

import process from "node:process";
import readline from "node:readline";
import { promptHidden } from "./hidden_prompt.ts";
import { LineSplitter } from "./line_splitter.ts";

/** Where the chat meets a person (or a program). */
export interface Terminal {
  /**
   * Starts reading what is typed (a line editor and its prompt, on a TTY), keeping every line
   * for {@linkcode lines}. Until then nothing is read: a hidden prompt may use the terminal.
   */
  open(): void;
  /** Prints one line above the prompt. */
  print(line: string): void;
  /** Shows `text` in the prompt (TTY only); `undefined` clears it. */
  status(text: string | undefined): void;
  /** Lines typed since the terminal opened, until end of input; Ctrl-C ends it too. */
  lines(): AsyncIterable<string>;
  /**
   * Asks `question` and resolves with the next line typed after it (lines typed before stay
   * for {@linkcode lines}); `undefined` at end of input, on Ctrl-C, or where nobody types.
   */
  ask(question: string): Promise<string | undefined>;
  /**
   * Asks `question` for a secret (a passkey) without echoing it, also while the line editor
   * is open; `undefined` on Ctrl-C, at end of input, or where nobody types.
   */
  askSecret(question: string): Promise<string | undefined>;
  /** Stops reading input. */
  close(): void;
}

const PROMPT = "> ";

class TtyTerminal implements Terminal {
  #rl: readline.Interface | undefined;
  #closed = false;
  /** The line editor set aside while a secret is typed (its close is not the end of input). */
  #suspended: readline.Interface | undefined;
  /** Lines typed and not taken yet; `null` is the end of input. */
  #queue: (string | null)[] = [];
  #wake: (() => void) | undefined;
  #answer: ((line: string | undefined) => void) | undefined;

  open(): void {
    if (this.#rl || this.#closed) return;
    const rl = readline.createInterface({
      input: process.stdin,
      output: process.stdout,
      terminal: true,
      prompt: PROMPT,
    });
    this.#rl = rl;
    // Listening from the start: a line typed while the chat is still joining is kept.
    rl.on("line", (line: string) => {
      const answer = this.#answer;
      if (answer) {
        this.#answer = undefined;
        rl.setPrompt(PROMPT);
        answer(line);
      } else this.#push(line);
      rl.prompt();
    });
    rl.on("close", () => {
      if (this.#suspended === rl) return;
      this.#answer?.(undefined);
      this.#answer = undefined;
      this.#push(null);
    });
    rl.on("SIGINT", () => {
      const answer = this.#answer;
      this.#answer = undefined;
      if (answer) answer(undefined);
      else this.#push("/quit");
    });
    rl.prompt();
  }

  #push(line: string | null): void {
    this.#queue.push(line);
    this.#wake?.();
  }

  print(line: string): void {
    if (!this.#rl || this.#closed) {
      console.log(line);
      return;
    }
    readline.clearLine(process.stdout, 0);
    readline.cursorTo(process.stdout, 0);
    process.stdout.write(line + "\n");
    this.#rl.prompt(true);
  }

  status(text: string | undefined): void {
    if (!this.#rl || this.#closed || this.#answer) return;
    this.#rl.setPrompt(text ? `${text} ${PROMPT}` : PROMPT);
    readline.clearLine(process.stdout, 0);
    readline.cursorTo(process.stdout, 0);
    this.#rl.prompt(true);
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

  ask(question: string): Promise<string | undefined> {
    this.open();
    const rl = this.#rl;
    if (!rl || this.#closed) return Promise.resolve(undefined);
    rl.setPrompt(question);
    rl.prompt();
    return new Promise((resolve) => this.#answer = resolve);
  }

  async askSecret(question: string): Promise<string | undefined> {
    const rl = this.#rl;
    if (this.#closed || this.#suspended) return undefined;
    if (!rl) return await promptHidden(question);
    // The line editor reads the keys and echoes them: set it aside while the secret is
    // typed, then take up reading again (what was typed before is kept).
    this.#suspended = rl;
    this.#rl = undefined;
    readline.clearLine(process.stdout, 0);
    readline.cursorTo(process.stdout, 0);
    rl.close();
    try {
      return await promptHidden(question);
    } finally {
      this.#suspended = undefined;
      if (!this.#closed) this.open();
    }
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (!this.#rl) return;
    readline.clearLine(process.stdout, 0);
    readline.cursorTo(process.stdout, 0);
    this.#rl.close();
  }
}

class PlainTerminal implements Terminal {
  #reader: ReadableStreamDefaultReader<string> | undefined;

  // Stdin is read when the lines are: until then what a program wrote waits in the pipe.
  open(): void {}

  ask(): Promise<string | undefined> {
    return Promise.resolve(undefined);
  }

  askSecret(): Promise<string | undefined> {
    return Promise.resolve(undefined);
  }

  print(line: string): void {
    console.log(line);
  }

  status(): void {}

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

/** Opens the terminal: a line editor when stdin is a TTY, plain lines otherwise. */
export function openTerminal(): Terminal {
  return Deno.stdin.isTerminal() ? new TtyTerminal() : new PlainTerminal();
}
