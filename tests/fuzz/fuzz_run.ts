/**
 * `deno task fuzz`: every target of `fuzz_targets.ts` with its long budget (over a million
 * inputs in all), then what ran (per target: inputs, seed, time, failures and the first
 * counterexample) in `bench/results/fuzz-latest.json` and a summary on stdout. Exits 1 if any
 * target failed. `--seed N` replays a run; `--scale F` multiplies every budget.
 *
 * @example
 * ```sh
 * deno task fuzz
 * deno task fuzz --seed 1234 --scale 0.1
 * ```
 * @module
 */

import fc from "fast-check";
import { parseArgs } from "node:util";
import { FUZZ_TARGETS } from "./fuzz_targets.ts";

const RESULTS = new URL("../../bench/results/fuzz-latest.json", import.meta.url);

const { values } = parseArgs({
  args: Deno.args,
  options: { seed: { type: "string" }, scale: { type: "string", default: "1" } },
});
const seed = values.seed === undefined
  ? (Date.now() ^ (Math.random() * 2 ** 31)) | 0
  : Number(values.seed);
const scale = Number(values.scale);

interface TargetResult {
  target: string;
  claim: string;
  runs: number;
  seed: number;
  ms: number;
  failures: number;
  counterexample: string | null;
  error: string | null;
}

const results: TargetResult[] = [];
const started = performance.now();
for (const target of FUZZ_TARGETS) {
  const runs = Math.max(1, Math.round(target.longRuns * scale));
  const begin = performance.now();
  const details = await fc.check(target.property(), { numRuns: runs, seed });
  const ms = Math.round(performance.now() - begin);
  results.push({
    target: target.name,
    claim: target.claim,
    runs: details.numRuns,
    seed: details.seed,
    ms,
    failures: details.failed ? 1 : 0,
    counterexample: details.failed ? fc.stringify(details.counterexample).slice(0, 4000) : null,
    error: details.failed ? String(details.errorInstance ?? "the property returned false") : null,
  });
  console.log(
    `${target.name.padEnd(16)} ${String(details.numRuns).padStart(9)} inputs  ` +
      `${(ms / 1000).toFixed(1).padStart(6)} s  ${details.failed ? "FAILED" : "ok"}`,
  );
}
const total = results.reduce((sum, result) => sum + result.runs, 0);
const failed = results.filter((result) => result.failures > 0);
const summary = {
  date: new Date().toISOString(),
  deno: Deno.version.deno,
  seed,
  inputs: total,
  seconds: Math.round(performance.now() - started) / 1000,
  failures: failed.length,
  targets: results,
};
await Deno.mkdir(new URL(".", RESULTS), { recursive: true });
await Deno.writeTextFile(RESULTS, JSON.stringify(summary, null, 2) + "\n");
console.log(
  `${total} inputs in ${summary.seconds} s (seed ${seed}), ${failed.length} target(s) failed; ` +
    `written to ${RESULTS.pathname}`,
);
for (const result of failed) {
  console.log(`${result.target}: ${result.error}\n${result.counterexample}`);
}
if (failed.length > 0) Deno.exit(1);
