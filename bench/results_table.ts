/**
 * Renders benchmark rows as a plain-text table for the terminal.
 *
 * @example
 * ```ts
 * import { resultsTable } from "./results_table.ts";
 * console.log(resultsTable([{ scenario: "rtt", metric: "p50", value: 0.1, unit: "ms",
 *   baseline: "raw TCP", baseline_value: 0.08, ratio: 1.25 }]));
 * ```
 * @module
 */

import type { BenchRow } from "./bench_row.ts";

const HEAD = ["scenario", "metric", "value", "unit", "baseline", "base", "ratio", "target", "met"];

/** The rows as aligned columns, notes under the table. */
export function resultsTable(rows: readonly BenchRow[]): string {
  const cells = rows.map((row) => [
    row.scenario,
    row.metric,
    String(row.value),
    row.unit,
    row.baseline,
    row.baseline_value === null ? "-" : String(row.baseline_value),
    row.ratio === null ? "-" : String(row.ratio),
    row.target ?? "",
    row.met === undefined ? "" : row.met ? "yes" : "NO",
  ]);
  const widths = HEAD.map((head, i) => Math.max(head.length, ...cells.map((c) => c[i].length)));
  const line = (values: string[]) => values.map((v, i) => v.padEnd(widths[i])).join("  ").trimEnd();
  const notes = rows.filter((row) => row.note).map((row) =>
    `  ${row.scenario}/${row.metric}: ${row.note}`
  );
  return [
    line(HEAD),
    line(widths.map((w) => "-".repeat(w))),
    ...cells.map(line),
    ...(notes.length ? ["", "notes:", ...notes] : []),
  ].join("\n");
}
