/**
 * Sizes, durations and rates as people read them.
 *
 * @module
 */

const UNITS = ["kB", "MB", "GB", "TB", "PB", "EB"];

/**
 * A byte count in SI units (1000-based): whole bytes below 1 kB, one decimal from kB up.
 * Values that would round to `1000.0` move to the next unit. Not a finite number gives `--`.
 *
 * @param n Number of bytes.
 * @returns E.g. `"20 B"`, `"1.2 kB"`, `"50.0 MB"`, `"1.1 GB"`.
 *
 * @example
 * ```ts
 * import { formatBytes } from "./format.ts";
 *
 * formatBytes(20); // "20 B"
 * formatBytes(1234); // "1.2 kB"
 * formatBytes(50_000_000); // "50.0 MB"
 * formatBytes(1_100_000_000); // "1.1 GB"
 * ```
 */
export function formatBytes(n: number): string {
  if (!Number.isFinite(n)) return "--";
  const sign = n < 0 ? "-" : "";
  let value = Math.abs(n);
  if (value < 1000) return `${sign}${Math.round(value)} B`;
  let unit = 0;
  value /= 1000;
  while (value >= 999.95 && unit < UNITS.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${sign}${value.toFixed(1)} ${UNITS[unit]}`;
}

/**
 * A duration, rounded to whole seconds: `"2s"`, `"1m 05s"`, `"1h 02m"` (hours keep
 * counting past a day). Negative or not finite gives `--`.
 *
 * @param seconds Duration in seconds.
 * @returns The short form.
 *
 * @example
 * ```ts
 * import { formatDuration } from "./format.ts";
 *
 * formatDuration(2); // "2s"
 * formatDuration(65); // "1m 05s"
 * formatDuration(3720); // "1h 02m"
 * ```
 */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return "--";
  const total = Math.round(seconds);
  if (total < 60) return `${total}s`;
  if (total < 3600) {
    return `${Math.floor(total / 60)}m ${String(total % 60).padStart(2, "0")}s`;
  }
  const minutes = Math.floor(total / 60);
  return `${Math.floor(minutes / 60)}h ${String(minutes % 60).padStart(2, "0")}m`;
}

/**
 * A transfer rate, in the units of {@linkcode formatBytes} per second.
 *
 * @param bytesPerSecond Rate in bytes per second.
 * @returns E.g. `"12.3 MB/s"`.
 *
 * @example
 * ```ts
 * import { formatRate } from "./format.ts";
 *
 * formatRate(12_300_000); // "12.3 MB/s"
 * ```
 */
export function formatRate(bytesPerSecond: number): string {
  return `${formatBytes(bytesPerSecond)}/s`;
}
