/**
 * How long a ban or a mute lasts, as people type it (`90s`, `10m`, `2h`, `7d`: a whole number
 * and one unit, at most 365 days), and how a room tells it (`9m 58s`, `2026-12-05 14:03 UTC`).
 * Parsed strictly: `1.5h`, `10`, `10 m`, `0m` or `400d` are mistakes, never taken for a reason.
 *
 * @example
 * ```ts
 * import { parseDuration } from "./duration.ts";
 * console.log(parseDuration("10m")); // { seconds: 600 }
 * console.log(parseDuration("400d")); // { error: "Too long: 400d (at most 365d)." }
 * ```
 * @module
 */

/** The longest ban or mute, in seconds: 365 days. */
export const MAX_DURATION_SECONDS = 365 * 86_400;

const UNIT_SECONDS: { readonly [unit: string]: number } = { s: 1, m: 60, h: 3600, d: 86_400 };

/**
 * Whether `word` is meant as a duration (it starts with a digit): such a word is parsed as
 * one, and is a mistake when it is not a good one.
 *
 * @example
 * ```ts
 * import { looksLikeDuration } from "./duration.ts";
 * console.log(looksLikeDuration("2h"), looksLikeDuration("spam")); // true false
 * ```
 */
export function looksLikeDuration(word: string): boolean {
  return /^\d/.test(word);
}

/**
 * `text` (`10m`) in seconds, or why it is not a duration.
 *
 * @example
 * ```ts
 * import { parseDuration } from "./duration.ts";
 * console.log(parseDuration("7d")); // { seconds: 604800 }
 * console.log(parseDuration("7 days"));
 * // { error: "Not a duration: 7 days (use a whole number and s, m, h or d: 90s, 10m, 2h, 7d)." }
 * ```
 */
export function parseDuration(text: string): { seconds: number } | { error: string } {
  const match = text.match(/^(\d{1,9})([smhd])$/);
  if (!match) {
    return {
      error: `Not a duration: ${text.slice(0, 32)} ` +
        "(use a whole number and s, m, h or d: 90s, 10m, 2h, 7d).",
    };
  }
  const seconds = Number(match[1]) * UNIT_SECONDS[match[2]];
  if (seconds === 0) return { error: `Too short: ${text}.` };
  if (seconds > MAX_DURATION_SECONDS) return { error: `Too long: ${text} (at most 365d).` };
  return { seconds };
}

/**
 * A span of `ms` as people read it, to the second under an hour: `45s`, `9m 58s`, `2h 05m`,
 * `6d 23h`.
 *
 * @example
 * ```ts
 * import { spanText } from "./duration.ts";
 * console.log(spanText(598_000), spanText(7_500_000), spanText(604_000_000)); // 9m 58s 2h 05m 6d 23h
 * ```
 */
export function spanText(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const pad = (n: number) => String(n).padStart(2, "0");
  if (total < 60) return `${total}s`;
  if (total < 3600) return `${Math.floor(total / 60)}m ${pad(total % 60)}s`;
  if (total < 86_400) return `${Math.floor(total / 3600)}h ${pad(Math.floor(total / 60) % 60)}m`;
  return `${Math.floor(total / 86_400)}d ${pad(Math.floor(total / 3600) % 24)}h`;
}

/**
 * When a ban or mute ends, for people anywhere (the room's clock, in UTC): `2026-12-05 14:03:20
 * UTC (another 9m 58s)`.
 *
 * @example
 * ```ts
 * import { untilText } from "./duration.ts";
 * const start = Date.UTC(2026, 11, 5, 13, 53, 22);
 * console.log(untilText(start + 598_000, start)); // 2026-12-05 14:03:20 UTC (another 9m 58s)
 * ```
 */
export function untilText(until: number, now: number): string {
  const when = new Date(until).toISOString().replace("T", " ").replace(/\.\d+Z$/, " UTC");
  return `${when} (another ${spanText(until - now)})`;
}
