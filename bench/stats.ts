/**
 * Small statistics for benchmark samples: median and nearest-rank percentiles.
 *
 * @example
 * ```ts
 * import { median, percentile } from "./stats.ts";
 * console.log(median([3, 1, 2])); // 2
 * console.log(percentile([1, 2, 3, 4], 0.99)); // 4
 * ```
 * @module
 */

/** The `q` quantile (0..1) of `samples` by nearest rank; `NaN` when there are none. */
export function percentile(samples: ArrayLike<number>, q: number): number {
  if (samples.length === 0) return NaN;
  const sorted = Float64Array.from(samples).sort();
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank];
}

/** The median of `samples` (mean of the two middle values for an even count). */
export function median(samples: ArrayLike<number>): number {
  if (samples.length === 0) return NaN;
  const sorted = Float64Array.from(samples).sort();
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Rounds `value` to `digits` significant digits, keeping integers above that whole. */
export function round(value: number, digits = 4): number {
  if (!Number.isFinite(value) || value === 0) return value;
  if (Math.abs(value) >= 10 ** digits) return Math.round(value);
  return Number(value.toPrecision(digits));
}
