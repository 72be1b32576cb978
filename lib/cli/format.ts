/**
 * Durations and rates as people read them (sizes: lib/room/byte_size.ts).
 *
 * @module
 */

import { formatBytes } from "../room/byte_size.ts";

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
