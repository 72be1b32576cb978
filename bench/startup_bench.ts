/**
 * Start-up: `p2pchat --help` to exit and `serve` to its `listening` line, spawned as a person
 * would (the `start` task's flags); baseline `deno run` of an empty script in the same run.
 *
 * @example
 * ```ts ignore
 * import { startupScenario } from "./startup_bench.ts";
 * console.log(await startupScenario({ quick: true, tmp: "/tmp/x", log: console.error }));
 * ```
 * @module
 */

import type { BenchContext } from "./bench_context.ts";
import { BenchProcess } from "./bench_process.ts";
import { type BenchRow, benchRow } from "./bench_row.ts";
import { startTaskFlags } from "../dev/start_task.ts";
import { startCli } from "./p2pchat_cli.ts";
import { median } from "./stats.ts";

const EMPTY = new URL("./empty.ts", import.meta.url).pathname;

async function timeToExit(proc: BenchProcess, started: number): Promise<number> {
  const status = await proc.status;
  if (!status.success) throw new Error(`exited with ${status.code}: ${proc.stderr}`);
  return performance.now() - started;
}

/** Runs the start-up scenario. */
export async function startupScenario(context: BenchContext): Promise<BenchRow[]> {
  const reps = context.quick ? 3 : 10;
  const empty: number[] = [];
  const help: number[] = [];
  const listening: number[] = [];
  for (let rep = 0; rep < reps; rep++) {
    let started = performance.now();
    empty.push(
      await timeToExit(
        BenchProcess.start(Deno.execPath(), ["run", ...startTaskFlags(), EMPTY]),
        started,
      ),
    );
    started = performance.now();
    help.push(await timeToExit(startCli(["--help"]), started));
    const dataDir = await Deno.makeTempDir({ dir: context.tmp, prefix: "startup_" });
    started = performance.now();
    const hub = startCli(["serve", "0", "--host", "127.0.0.1", "--json", "--data", dataDir]);
    await hub.waitFor((e) => e.type === "listening", 30_000);
    listening.push(performance.now() - started);
    await hub.stop();
  }
  context.log(
    `startup: empty ${median(empty).toFixed(0)} ms, --help ${median(help).toFixed(0)} ms, ` +
      `listening ${median(listening).toFixed(0)} ms`,
  );
  const baseline = "deno run empty.ts";
  return [
    benchRow({
      scenario: "startup",
      metric: "help",
      value: median(help),
      unit: "ms",
      baseline,
      baselineValue: median(empty),
      note: `median of ${reps} spawns each`,
    }),
    benchRow({
      scenario: "startup",
      metric: "serve-listening",
      value: median(listening),
      unit: "ms",
      baseline,
      baselineValue: median(empty),
    }),
  ];
}
