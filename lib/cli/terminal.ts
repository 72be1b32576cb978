/**
 * The person's terminal: lines typed in, lines printed out, and a status (file progress)
 * shown in the prompt so incoming lines never clobber what is being typed. When stdin is
 * not a terminal, lines are read plainly and no prompt or status is drawn.
 *
 * @example
 * ```ts ignore
 * import { openTerminal } from "./terminal.ts";
 * const terminal = openTerminal();
 * terminal.print("[System] hello");
 * for await (const line of terminal.lines()) terminal.print(`you typed ${line}`);
 * terminal.close();
 * ```
 * @module
 */

import process from "node:process";
import readline from "node:readline";
import { LineSplitter } from "./line_splitter.ts";

/** Where the chat meets a person (or a program). */
export interface Terminal {
  /** Prints one line above the prompt. */
  print(line: string): void;
  /** Shows `text` in the prompt (TTY only); `undefined` clears it. */
  status(text: string | undefined): void;
  /** Lines typed, until end of input; Ctrl-C ends it too. */
  lines(): AsyncIterable<string>;
  /** Stops reading input. */
  close(): void;
}

const PROMPT = "> ";

class TtyTerminal implements Terminal {
  #rl: readline.Interface;
  #closed = false;

  constructor() {
    this.#rl = readline.createInterface({
      input: process.stdin,
      output: process.stdout,
      terminal: true,
      prompt: PROMPT,
    });
    this.#rl.prompt();
  }

  print(line: string): void {
    if (this.#closed) {
      console.log(line);
      return;
    }
    readline.clearLine(process.stdout, 0);
    readline.cursorTo(process.stdout, 0);
    process.stdout.write(line + "\n");
    this.#rl.prompt(true);
  }

  status(text: string | undefined): void {
    if (this.#closed) return;
    this.#rl.setPrompt(text ? `${text} ${PROMPT}` : PROMPT);
    readline.clearLine(process.stdout, 0);
    readline.cursorTo(process.stdout, 0);
    this.#rl.prompt(true);
  }

  async *lines(): AsyncIterable<string> {
    const queue: (string | null)[] = [];
    let wake: (() => void) | undefined;
    const push = (line: string | null) => {
      queue.push(line);
      wake?.();
    };
    this.#rl.on("line", (line: string) => {
      push(line);
      this.#rl.prompt();
    });
    this.#rl.on("close", () => push(null));
    this.#rl.on("SIGINT", () => push("/quit"));
    while (true) {
      if (queue.length === 0) await new Promise<void>((resolve) => wake = resolve);
      const line = queue.shift()!;
      if (line === null) return;
      yield line;
    }
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    readline.clearLine(process.stdout, 0);
    readline.cursorTo(process.stdout, 0);
    this.#rl.close();
  }
}

class PlainTerminal implements Terminal {
  #reader: ReadableStreamDefaultReader<string> | undefined;

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
