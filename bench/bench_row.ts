/**
 * One figure of the benchmark, as written to bench/results/latest.json: the p2pchat value,
 * the same-run baseline, their ratio, and the target with whether it was met.
 *
 * @example
 * ```ts
 * import { benchRow } from "./bench_row.ts";
 * const row = benchRow({
 *   scenario: "rtt", metric: "p50", value: 0.14, unit: "ms",
 *   baseline: "raw Deno TCP", baselineValue: 0.1, target: { of: "ratio", op: "<=", limit: 1.5 },
 * });
 * console.log(row.ratio, row.met); // 1.4 true
 * ```
 * @module
 */

import { round } from "./stats.ts";

/** A target: `ratio <= 1.5`, `value >= 1`... */
export interface Target {
  of: "value" | "ratio";
  op: "<=" | ">=";
  limit: number;
}

/** One row of latest.json. Extra fields (target, met, note) are allowed by the issue. */
export interface BenchRow {
  scenario: string;
  metric: string;
  value: number;
  unit: string;
  baseline: string;
  baseline_value: number | null;
  ratio: number | null;
  target?: string;
  met?: boolean;
  note?: string;
}

/** What a scenario reports for one figure. */
export interface RowInput {
  scenario: string;
  metric: string;
  value: number;
  unit: string;
  baseline: string;
  baselineValue?: number;
  target?: Target;
  note?: string;
}

/** Builds a row: rounds, computes the ratio (p2pchat / baseline) and checks the target. */
export function benchRow(input: RowInput): BenchRow {
  const baselineValue = input.baselineValue ?? null;
  const ratio = baselineValue !== null && Number.isFinite(baselineValue) && baselineValue !== 0
    ? input.value / baselineValue
    : null;
  const row: BenchRow = {
    scenario: input.scenario,
    metric: input.metric,
    value: round(input.value),
    unit: input.unit,
    baseline: input.baseline,
    baseline_value: baselineValue === null ? null : round(baselineValue),
    ratio: ratio === null ? null : round(ratio, 3),
  };
  if (input.target) {
    const { of, op, limit } = input.target;
    const subject = of === "ratio" ? ratio : input.value;
    row.target = `${of} ${op} ${limit}`;
    row.met = subject !== null && Number.isFinite(subject) &&
      (op === "<=" ? subject <= limit : subject >= limit);
  }
  if (input.note) row.note = input.note;
  return row;
}
