/**
 * What every scenario gets: quick or full mode, a scratch folder, and a progress log.
 *
 * @example
 * ```ts ignore
 * import type { BenchContext } from "./bench_context.ts";
 * function reps(context: BenchContext): number {
 *   return context.quick ? 1 : 3;
 * }
 * ```
 * @module
 */

import type { BenchRow } from "./bench_row.ts";

/** Shared state of one benchmark run. */
export interface BenchContext {
  /** `--quick`: smaller sizes, fewer repetitions, the whole run under a minute. */
  quick: boolean;
  /** A scratch folder, removed at the end. */
  tmp: string;
  /** Progress for the person watching (stderr). */
  log(text: string): void;
}

/** A scenario: runs p2pchat and its baseline, returns its rows. */
export type Scenario = (context: BenchContext) => Promise<BenchRow[]>;
