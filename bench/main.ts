/**
 * `deno task bench [--quick] [--only a,b]`: runs every scenario of issue 6 with its same-run
 * baseline, prints a table, and writes bench/results/latest.json (an array of rows: scenario,
 * metric, value, unit, baseline, baseline_value, ratio, plus target, met and note).
 *
 * Scenarios: startup, rtt, file, folder, fanout-100, fanout-1000, saturation, idle-10000,
 * reconnect-1000. `--quick` shrinks sizes and repetitions so the whole run takes under a
 * minute. `BENCH_HUB_FLAGS` adds `deno run` flags to every hub subprocess (e.g.
 * `--cpu-prof --cpu-prof-dir=/tmp/prof`), `BENCH_WORKER_FLAGS` to every load-generator worker.
 *
 * Before any scenario starts, the programs the selected scenarios run as baselines (socat,
 * ncat...) are found, or installed from Debian as root (dev/tool_install.ts); otherwise the run
 * stops at once with the command that installs them, exit code 1.
 *
 * @example
 * ```ts ignore
 * // deno task bench --quick --only rtt,file
 * ```
 * @module
 */

import { parseArgs } from "node:util";
import { ensureTools } from "../dev/tool_install.ts";
import { type ToolName, TOOLS } from "../dev/tools.ts";
import type { BenchContext, Scenario } from "./bench_context.ts";
import { type BenchRow, benchRow } from "./bench_row.ts";
import { fanoutScenario } from "./fanout_bench.ts";
import { fileScenario } from "./file_bench.ts";
import { folderScenario } from "./folder_bench.ts";
import { idleScenario } from "./idle_bench.ts";
import { reconnectScenario } from "./reconnect_bench.ts";
import { resultsTable } from "./results_table.ts";
import { rttScenario } from "./rtt_bench.ts";
import { startupScenario } from "./startup_bench.ts";

/** Every scenario, in the order they run, with the programs it runs besides deno (dev/tools.ts). */
const SCENARIOS: { [name: string]: { run: Scenario; tools: ToolName[] } } = {
  startup: { run: startupScenario, tools: [] },
  rtt: { run: rttScenario, tools: [] },
  file: {
    run: fileScenario,
    tools: ["socat", "wormhole", "wormhole-mailbox", "wormhole-relay", "twist3"],
  },
  folder: {
    run: folderScenario,
    tools: ["socat", "wormhole", "wormhole-mailbox", "wormhole-relay", "twist3"],
  },
  "fanout-100": { run: fanoutScenario("fanout-100"), tools: ["ncat"] },
  "fanout-1000": { run: fanoutScenario("fanout-1000"), tools: ["ncat"] },
  saturation: { run: fanoutScenario("saturation"), tools: ["ncat"] },
  "idle-10000": { run: idleScenario, tools: [] },
  "reconnect-1000": { run: reconnectScenario, tools: [] },
};

const RESULTS = new URL("./results/", import.meta.url).pathname;

async function main(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { quick: { type: "boolean" }, only: { type: "string" } },
    strict: true,
  });
  const names = values.only ? values.only.split(",") : Object.keys(SCENARIOS);
  for (const name of names) {
    if (!Object.hasOwn(SCENARIOS, name)) {
      console.error(`bench: unknown scenario ${name}; known: ${Object.keys(SCENARIOS).join(", ")}`);
      return 2;
    }
  }
  const needing = names.filter((name) => SCENARIOS[name].tools.length > 0);
  const tools = await ensureTools(
    needing.flatMap((name) => SCENARIOS[name].tools.map((tool) => TOOLS[tool])),
    { purpose: `the benchmark (${needing.join(", ")})` },
  );
  if (!tools.ok) {
    console.error(`bench: ${tools.message}`);
    return 1;
  }
  const tmp = await Deno.makeTempDir({ prefix: "p2pchat_bench_" });
  const started = performance.now();
  const context: BenchContext = {
    quick: values.quick === true,
    tmp,
    log: (text) => console.error(`[${((performance.now() - started) / 1000).toFixed(1)}s] ${text}`),
  };
  context.log(`${context.quick ? "quick" : "full"} run: ${names.join(", ")}`);
  const rows: BenchRow[] = [];
  try {
    for (const name of names) {
      const scenarioStarted = performance.now();
      try {
        rows.push(...await SCENARIOS[name].run(context));
      } catch (error) {
        const message = error instanceof Error ? error.message.split("\n")[0] : String(error);
        context.log(`${name} failed: ${message}`);
        rows.push(benchRow({
          scenario: name,
          metric: "error",
          value: NaN,
          unit: "",
          baseline: "",
          note: message,
        }));
      }
      context.log(`${name} done in ${((performance.now() - scenarioStarted) / 1000).toFixed(1)} s`);
    }
  } finally {
    await Deno.remove(tmp, { recursive: true }).catch(() => {});
  }
  console.log(resultsTable(rows));
  await Deno.mkdir(RESULTS, { recursive: true });
  const json = JSON.stringify(rows, null, 2) + "\n";
  await Deno.writeTextFile(`${RESULTS}latest.json`, json);
  // Only a run of every scenario stands for the full or quick set: `--only` is for profiling.
  if (!values.only) {
    await Deno.writeTextFile(`${RESULTS}latest-${context.quick ? "quick" : "full"}.json`, json);
  }
  context.log(`wrote bench/results/latest.json (${rows.length} rows)`);
  return 0;
}

Deno.exit(await main(Deno.args));
