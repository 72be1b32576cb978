/**
 * The p2pchat command line as a subprocess, for end-to-end tests: started with exactly the
 * permissions of the `start` task in deno.json, its stdout collected line by line (and
 * parsed, for `--json`), its stdin written line by line, and everything closed at the end
 * so the test sanitizers pass.
 *
 * @example
 * ```ts ignore
 * import { CliProcess } from "./cli_process.ts";
 * const alice = CliProcess.start(["listen", "0", "--name", "alice", "--json"], { cwd: dir });
 * const { port } = await alice.waitFor((event) => event.type === "listening");
 * await alice.writeLine("hi");
 * await alice.close();
 * ```
 * @module
 */

import { writeAll } from "../../lib/wire/write_all.ts";
import { readLines } from "../../dev/read_lines.ts";
import { startTaskArgs } from "../../dev/start_task.ts";
import { PASSKEY } from "../../dev/test_passkey.ts";

/** The passkey every {@linkcode CliProcess} is given unless told otherwise. */
export { PASSKEY };

/** Default time a test waits for one event. */
export const WAIT_MS = 15_000;

/** One JSON object printed by `--json`. */
export type JsonEvent = { type: string; [field: string]: unknown };

/** How to start a {@linkcode CliProcess}. */
export interface StartOptions {
  /** Working directory (received_files/ lands here). */
  cwd: string;
  /** Extra environment; `P2PCHAT_PASSKEY` is set to {@linkcode PASSKEY} unless given. */
  env?: Record<string, string>;
  /** Run inside this network namespace (`ip netns exec`; needs root). */
  netns?: string;
}

/** A running p2pchat command line. */
export class CliProcess {
  /** Every stdout line so far, as printed. */
  readonly lines: string[] = [];
  /** The stdout lines that parsed as JSON objects, in order. */
  readonly events: JsonEvent[] = [];
  /** Resolves with the exit status once the process has exited and its output is read. */
  readonly status: Promise<Deno.CommandStatus>;
  /** The operating system's process id. */
  readonly pid: number;
  #child: Deno.ChildProcess;
  #stdin: WritableStreamDefaultWriter<Uint8Array> | undefined;
  #wakers: Set<() => void> = new Set();
  #exited = false;
  #stderrText = "";

  /** Starts `p2pchat ARGS` in `options.cwd`. */
  static start(args: string[], options: StartOptions): CliProcess {
    return new CliProcess(args, options);
  }

  private constructor(args: string[], options: StartOptions) {
    const deno = [Deno.execPath(), ...startTaskArgs(args)];
    const [program, ...programArgs] = options.netns
      ? ["ip", "netns", "exec", options.netns, ...deno]
      : deno;
    const command = new Deno.Command(program, {
      args: programArgs,
      cwd: options.cwd,
      env: { P2PCHAT_PASSKEY: PASSKEY, NO_COLOR: "1", ...options.env },
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    });
    const child = command.spawn();
    const stdout = readLines(child.stdout, (line) => this.#add(line));
    const stderr = new Response(child.stderr).text().then((text) => {
      this.#stderrText = text;
    });
    this.#child = child;
    this.pid = child.pid;
    this.#stdin = child.stdin.getWriter();
    this.status = (async () => {
      const status = await child.status;
      await stdout;
      await stderr;
      this.#exited = true;
      this.#wake();
      return status;
    })();
  }

  /** Everything printed on stderr; complete once {@linkcode status} has resolved. */
  get stderr(): string {
    return this.#stderrText;
  }

  /** All of stdout so far, lines joined with `\n`. */
  get stdout(): string {
    return this.lines.join("\n");
  }

  /** Types one line (a message or a /command). */
  async writeLine(line: string): Promise<void> {
    if (!this.#stdin) throw new Error("stdin is closed");
    await this.#stdin.write(new TextEncoder().encode(`${line}\n`));
  }

  /** Ends the input (the CLI then quits once everything queued is delivered). */
  async closeStdin(): Promise<void> {
    const stdin = this.#stdin;
    this.#stdin = undefined;
    await stdin?.close().catch(() => {});
  }

  /** Waits for a JSON event matching `test` (earlier ones count) and returns it. */
  waitFor(test: (event: JsonEvent) => boolean, timeoutMs: number = WAIT_MS): Promise<JsonEvent> {
    return this.#waitUntil(() => this.events.find(test), timeoutMs, "event");
  }

  /** Waits for a stdout line matching `test` (earlier ones count) and returns it. */
  waitForLine(test: (line: string) => boolean, timeoutMs: number = WAIT_MS): Promise<string> {
    return this.#waitUntil(() => this.lines.find(test), timeoutMs, "line");
  }

  /** Waits for the exit; fails the test if it takes longer than `timeoutMs`. */
  async exit(timeoutMs: number = WAIT_MS): Promise<Deno.CommandStatus> {
    await this.#waitUntil(() => this.#exited || undefined, timeoutMs, "exit");
    return await this.status;
  }

  /** Sends `signal` to the process (if it still runs). */
  kill(signal: Deno.Signal = "SIGTERM"): void {
    if (this.#exited) return;
    try {
      this.#child.kill(signal);
    } catch { /* already gone */ }
  }

  /**
   * The process's resident memory from /proc (Linux), in bytes: `VmRSS` now or the peak
   * `VmHWM`. Read with `cat`: Deno wants --allow-all to read /proc itself.
   */
  async memory(field: "VmRSS" | "VmHWM" = "VmRSS"): Promise<number> {
    const output = await new Deno.Command("cat", {
      args: [`/proc/${this.pid}/status`],
      stderr: "inherit",
    }).output();
    const status = new TextDecoder().decode(output.stdout);
    const match = status.match(new RegExp(`^${field}:\\s+(\\d+) kB`, "m"));
    if (!match) throw new Error(`no ${field} in /proc/${this.pid}/status`);
    return Number(match[1]) * 1024;
  }

  /** Closes stdin, kills the process if it still runs, and waits for it. */
  async close(): Promise<Deno.CommandStatus> {
    await this.closeStdin();
    this.kill("SIGKILL");
    return await this.status;
  }

  #add(line: string): void {
    this.lines.push(line);
    if (line.startsWith("{")) {
      try {
        const value = JSON.parse(line);
        if (typeof value === "object" && value !== null && typeof value.type === "string") {
          this.events.push(value);
        }
      } catch { /* not JSON: kept in lines only */ }
    }
    this.#wake();
  }

  #wake(): void {
    for (const wake of this.#wakers) wake();
  }

  async #waitUntil<T>(find: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let wake = () => {};
    try {
      while (true) {
        const found = find();
        if (found !== undefined) return found;
        const left = deadline - Date.now();
        if (left <= 0 || (this.#exited && what !== "exit")) {
          throw new Error(
            `${what} not seen ${
              this.#exited ? "before the process exited" : `within ${timeoutMs} ms`
            }\n--- stdout ---\n${this.stdout}\n--- stderr ---\n${this.#stderrText}`,
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

/**
 * Starts `listen 0` on 127.0.0.1 and resolves with the process and its real port.
 *
 * @example
 * ```ts ignore
 * const { proc: alice, port } = await startListener("alice", { cwd: dir });
 * ```
 */
export async function startListener(
  name: string,
  options: StartOptions & { json?: boolean },
): Promise<{ proc: CliProcess; port: number }> {
  const json = options.json ?? true;
  const proc = CliProcess.start(
    ["listen", "0", "--host", "127.0.0.1", "--name", name, ...(json ? ["--json"] : [])],
    options,
  );
  if (json) {
    const listening = await proc.waitFor((event) => event.type === "listening");
    return { proc, port: listening.port as number };
  }
  const line = await proc.waitForLine((line) => line.startsWith("[System] Listening on "));
  return { proc, port: Number(line.match(/:(\d+) /)![1]) };
}

/**
 * Starts `connect 127.0.0.1 PORT` as `name` (`--json` unless `json: false`).
 *
 * @example
 * ```ts ignore
 * const bob = startConnector("bob", port, { cwd: dir });
 * await bob.waitFor((event) => event.type === "connected");
 * ```
 */
export function startConnector(
  name: string,
  port: number,
  options: StartOptions & { json?: boolean },
): CliProcess {
  return CliProcess.start(
    [
      "connect",
      "127.0.0.1",
      String(port),
      "--name",
      name,
      ...(options.json ?? true ? ["--json"] : []),
    ],
    options,
  );
}

/**
 * A fresh temporary folder, removed when the returned value is disposed.
 *
 * @example
 * ```ts ignore
 * await using dir = await tempDir();
 * console.log(dir.path);
 * ```
 */
export async function tempDir(): Promise<{ path: string } & AsyncDisposable> {
  const path = await Deno.makeTempDir({ prefix: "p2pchat_e2e_" });
  return {
    path,
    [Symbol.asyncDispose]: () => Deno.remove(path, { recursive: true }),
  };
}

/** SHA-256 of a file, hex. */
export { sha256File } from "../../dev/sha256_file.ts";

/**
 * Writes `bytes` random bytes to a new file at `path`, in pieces (getRandomValues caps at
 * 64 KiB a call).
 *
 * @example
 * ```ts ignore
 * await writeRandomFile(`${dir}/data.bin`, 50 * 1024 * 1024);
 * ```
 */
export async function writeRandomFile(path: string, bytes: number): Promise<void> {
  using file = await Deno.open(path, { write: true, createNew: true });
  const piece = new Uint8Array(1024 * 1024);
  for (let done = 0; done < bytes; done += piece.length) {
    for (let i = 0; i < piece.length; i += 65536) {
      crypto.getRandomValues(piece.subarray(i, i + 65536));
    }
    const part = piece.subarray(0, Math.min(piece.length, bytes - done));
    await writeAll(file, part);
  }
}
