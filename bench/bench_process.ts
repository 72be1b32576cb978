/**
 * A child process of the benchmark: stdout collected line by line (JSON lines parsed),
 * optionally started under `bash -c 'ulimit -n ...; exec ...'` so it may hold many sockets
 * (the process id stays the program's own thanks to `exec`).
 *
 * @example
 * ```ts ignore
 * import { BenchProcess } from "./bench_process.ts";
 * const child = BenchProcess.start("ncat", ["--broker", "-l", "127.0.0.1", "7000"]);
 * await child.stop();
 * ```
 * @module
 */

import { readLines } from "../dev/read_lines.ts";

/**
 * Extra `deno run` flags from the environment variable `name`, split on spaces; used to profile
 * the processes a benchmark starts.
 *
 * @example
 * ```ts ignore
 * import { flagsFromEnv } from "./bench_process.ts";
 * console.log(flagsFromEnv("BENCH_HUB_FLAGS")); // ["--cpu-prof", "--cpu-prof-dir=/tmp/p"]
 * ```
 */
export function flagsFromEnv(name: string): string[] {
  return (Deno.env.get(name) ?? "").split(/\s+/).filter((flag) => flag !== "");
}

/** One JSON object printed by a child. */
export type JsonLine = { [field: string]: unknown };

// Raises the soft open-file limit to $1, or to the hard limit when that is lower (a container
// may forbid raising the hard limit even to root), then becomes the program.
const RAISE_NOFILE = "hard=$(ulimit -Hn); want=$1; shift; " +
  'if [ "$hard" != unlimited ] && [ "$hard" -lt "$want" ]; then want=$hard; fi; ' +
  'ulimit -n "$want" && exec "$@"';

/** How to start a {@linkcode BenchProcess}. */
export interface BenchProcessOptions {
  /** Working directory. */
  cwd?: string;
  /** Extra environment. */
  env?: Record<string, string>;
  /** Raise the open-file limit to this first (through bash; capped at the hard limit). */
  nofile?: number;
  /** Keep stderr here too (default: collected, shown when a wait fails). */
  stderr?: "piped" | "null";
}

/** A running child process with its stdout lines. */
export class BenchProcess {
  /** Every stdout line so far. */
  readonly lines: string[] = [];
  /** The stdout lines that parsed as JSON objects. */
  readonly events: JsonLine[] = [];
  /** The operating system's process id. */
  readonly pid: number;
  /** Resolves with the exit status once the process has exited and its output is read. */
  readonly status: Promise<Deno.CommandStatus>;
  #child: Deno.ChildProcess;
  #stdin: WritableStreamDefaultWriter<Uint8Array> | undefined;
  #wakers: Set<() => void> = new Set();
  #exited = false;
  #stderr = "";

  /** Starts `program args`. */
  static start(program: string, args: string[], options: BenchProcessOptions = {}): BenchProcess {
    return new BenchProcess(program, args, options);
  }

  private constructor(program: string, args: string[], options: BenchProcessOptions) {
    const [command, commandArgs] = options.nofile
      ? ["bash", ["-c", RAISE_NOFILE, "bench", String(options.nofile), program, ...args]]
      : [program, args];
    const child = new Deno.Command(command, {
      args: commandArgs,
      cwd: options.cwd,
      env: { NO_COLOR: "1", ...options.env },
      stdin: "piped",
      stdout: "piped",
      stderr: options.stderr ?? "piped",
    }).spawn();
    this.#child = child;
    this.pid = child.pid;
    this.#stdin = child.stdin.getWriter();
    const stdout = readLines(child.stdout, (line) => this.#add(line));
    const stderr = options.stderr === "null"
      ? Promise.resolve()
      : new Response(child.stderr).text().then((text) => void (this.#stderr = text));
    this.status = (async () => {
      const status = await child.status;
      await Promise.all([stdout, stderr]);
      this.#exited = true;
      this.#wake();
      return status;
    })();
  }

  /** Whether the process has exited. */
  get exited(): boolean {
    return this.#exited;
  }

  /** stderr, complete once the process has exited. */
  get stderr(): string {
    return this.#stderr;
  }

  /** Writes one line to stdin. */
  async writeLine(line: string): Promise<void> {
    if (!this.#stdin) throw new Error("stdin is closed");
    await this.#stdin.write(new TextEncoder().encode(`${line}\n`));
  }

  /** Waits for a JSON line matching `test` (earlier ones count) and returns it. */
  waitFor(test: (event: JsonLine) => boolean, timeoutMs = 60_000): Promise<JsonLine> {
    return this.#waitUntil(() => this.events.find(test), timeoutMs);
  }

  /** Waits for the `n`th (1-based) JSON line matching `test`. */
  waitForNth(n: number, test: (event: JsonLine) => boolean, timeoutMs = 60_000): Promise<JsonLine> {
    return this.#waitUntil(() => this.events.filter(test)[n - 1], timeoutMs);
  }

  /** Waits for a raw stdout line matching `test`. */
  waitForLine(test: (line: string) => boolean, timeoutMs = 60_000): Promise<string> {
    return this.#waitUntil(() => this.lines.find(test), timeoutMs);
  }

  /** Drops remembered JSON lines matching `test` (answers already used). */
  forget(test: (event: JsonLine) => boolean): void {
    const keep = this.events.filter((event) => !test(event));
    this.events.splice(0, this.events.length, ...keep);
  }

  /** Sends `signal` if the process still runs. */
  kill(signal: Deno.Signal = "SIGTERM"): void {
    if (this.#exited) return;
    try {
      this.#child.kill(signal);
    } catch { /* already gone */ }
  }

  /** Closes stdin, waits up to `graceMs` for the exit, then kills; resolves once it exited. */
  async stop(graceMs = 0, signal: Deno.Signal = "SIGKILL"): Promise<Deno.CommandStatus> {
    const stdin = this.#stdin;
    this.#stdin = undefined;
    await stdin?.close().catch(() => {});
    if (graceMs > 0) {
      await this.#waitUntil(() => this.#exited || undefined, graceMs).catch(() => {});
    }
    this.kill(signal);
    return await this.status;
  }

  #add(line: string): void {
    this.lines.push(line);
    if (line.startsWith("{")) {
      try {
        const value = JSON.parse(line);
        if (typeof value === "object" && value !== null) this.events.push(value);
      } catch { /* not JSON */ }
    }
    this.#wake();
  }

  #wake(): void {
    for (const wake of this.#wakers) wake();
  }

  async #waitUntil<T>(find: () => T | undefined, timeoutMs: number): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let wake = () => {};
    try {
      while (true) {
        const found = find();
        if (found !== undefined) return found;
        const left = deadline - Date.now();
        if (left <= 0 || this.#exited) {
          throw new Error(
            `pid ${this.pid}: not seen ${this.#exited ? "before exit" : `within ${timeoutMs} ms`}` +
              `\n--- stdout (tail) ---\n${this.lines.slice(-10).join("\n")}` +
              `\n--- stderr ---\n${this.#stderr.slice(-2000)}`,
          );
        }
        await new Promise<void>((resolve) => {
          wake = resolve;
          this.#wakers.add(wake);
          timer = setTimeout(resolve, left);
        });
        clearTimeout(timer);
        this.#wakers.delete(wake);
      }
    } finally {
      clearTimeout(timer);
      this.#wakers.delete(wake);
    }
  }
}
