/**
 * CPU time and memory of another process from /proc (Linux). Deno asks for --allow-all to
 * read /proc itself, so the files are read with `cat` (the bench runs with --allow-run).
 *
 * @example
 * ```ts ignore
 * import { cpuSeconds, memoryKiB } from "./process_probe.ts";
 * const before = await cpuSeconds(pid);
 * // ... load ...
 * console.log((await cpuSeconds(pid)) - before, await memoryKiB(pid, "VmHWM"));
 * ```
 * @module
 */

/** Clock ticks per second of /proc/<pid>/stat (`getconf CLK_TCK`; 100 on Linux x86-64). */
const CLOCK_TICKS = 100;

async function read(path: string): Promise<string> {
  const output = await new Deno.Command("cat", { args: [path], stderr: "null" }).output();
  if (!output.success) throw new Error(`cannot read ${path}`);
  return new TextDecoder().decode(output.stdout);
}

/**
 * User plus system CPU seconds the process has used (utime + stime); with `mainThread`, only
 * its main thread's, which for Deno is the event loop (its busy fraction is the loop's
 * utilisation, the crypto and I/O helper threads aside).
 */
export async function cpuSeconds(pid: number, mainThread = false): Promise<number> {
  const stat = await read(mainThread ? `/proc/${pid}/task/${pid}/stat` : `/proc/${pid}/stat`);
  // The command name may hold spaces; fields are counted after its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

/** A memory field of /proc/<pid>/status (`VmRSS` now, `VmHWM` peak), in KiB. */
export async function memoryKiB(pid: number, field: "VmRSS" | "VmHWM"): Promise<number> {
  const status = await read(`/proc/${pid}/status`);
  const match = status.match(new RegExp(`^${field}:\\s+(\\d+) kB`, "m"));
  if (!match) throw new Error(`no ${field} in /proc/${pid}/status`);
  return Number(match[1]);
}

/** Waits until `pid` has used under 5% CPU for a quarter second, for at most `limitMs`. */
export async function settle(pid: number, limitMs: number): Promise<void> {
  const until = performance.now() + limitMs;
  let before = await cpuSeconds(pid);
  while (performance.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    const now = await cpuSeconds(pid);
    // /proc counts in 10 ms ticks: one tick in 250 ms is "idle".
    if (now - before <= 0.011) return;
    before = now;
  }
}

/** Measures a process's CPU use over a window: `start()`, load, then `stop()`. */
export class CpuMeter {
  #pid: number;
  #mainThread: boolean;
  #cpu = 0;
  #time = 0;

  /** Meters process `pid` (or only its main thread). */
  constructor(pid: number, mainThread = false) {
    this.#pid = pid;
    this.#mainThread = mainThread;
  }

  /** Opens the window. */
  async start(): Promise<void> {
    this.#cpu = await cpuSeconds(this.#pid, this.#mainThread);
    this.#time = performance.now();
  }

  /** Closes the window; resolves with CPU % of one core (200 = both cores of two). */
  async stop(): Promise<number> {
    const cpu = await cpuSeconds(this.#pid, this.#mainThread);
    const seconds = (performance.now() - this.#time) / 1000;
    return (100 * (cpu - this.#cpu)) / seconds;
  }
}
