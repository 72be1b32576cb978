/**
 * Sizes as people read them, in SI units (1000-based): the one wording of a byte count, for
 * the room's refusal reasons and for every face.
 *
 * @example
 * ```ts
 * import { formatBytes } from "./byte_size.ts";
 * console.log(formatBytes(1234)); // "1.2 kB"
 * ```
 * @module
 */

const UNITS = ["B", "kB", "MB", "GB", "TB", "PB", "EB"];

/**
 * The unit a size of `n` bytes is shown in: its name and how many bytes one of it holds.
 * A value that would round to `1000.0` of a unit takes the next one.
 *
 * @example
 * ```ts
 * import { sizeUnit } from "./byte_size.ts";
 * console.log(sizeUnit(10_000_000_000)); // { unit: "GB", bytes: 1000000000 }
 * ```
 */
export function sizeUnit(n: number): { unit: string; bytes: number } {
  let index = 0;
  let bytes = 1;
  while (index < UNITS.length - 1 && Math.abs(n) / bytes >= (index === 0 ? 1000 : 999.95)) {
    bytes *= 1000;
    index++;
  }
  return { unit: UNITS[index], bytes };
}

/**
 * A byte count: whole bytes below 1 kB, one decimal from kB up. Not a finite number gives `--`.
 *
 * @param n Number of bytes.
 * @returns E.g. `"20 B"`, `"1.2 kB"`, `"50.0 MB"`, `"1.1 GB"`.
 *
 * @example
 * ```ts
 * import { formatBytes } from "./byte_size.ts";
 *
 * formatBytes(20); // "20 B"
 * formatBytes(1234); // "1.2 kB"
 * formatBytes(50_000_000); // "50.0 MB"
 * formatBytes(1_100_000_000); // "1.1 GB"
 * ```
 */
export function formatBytes(n: number): string {
  if (!Number.isFinite(n)) return "--";
  const { unit, bytes } = sizeUnit(n);
  return bytes === 1 ? `${Math.round(n)} B` : `${(n / bytes).toFixed(1)} ${unit}`;
}
