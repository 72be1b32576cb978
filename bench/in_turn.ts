/**
 * Systems measured in turn, for the transfer scenarios: every repetition runs each system once,
 * starting with a different one each time (the first run of a series is often slower here), and
 * the figures are compared repetition by repetition (the host's speed drifts between
 * repetitions, less within one).
 *
 * @example
 * ```ts ignore
 * import { inTurn } from "./in_turn.ts";
 * const seconds = await inTurn(3, () => ({ a: runA, b: runB }), (rep, order) => {});
 * ```
 * @module
 */

/** The systems of one repetition, each returning its seconds. */
export type Runs = { [system: string]: () => Promise<number> };

/** Seconds of each system, one figure a repetition, in repetition order. */
export type Timings = { [system: string]: number[] };

/**
 * Runs `reps` repetitions of the systems `runsOf(rep)` gives, each repetition starting with
 * the next system; `done` hears of each repetition (its order) with the timings so far.
 */
export async function inTurn(
  reps: number,
  runsOf: (rep: number) => Runs,
  done: (rep: number, order: string[], seconds: Timings) => void,
): Promise<Timings> {
  const seconds: Timings = {};
  for (let rep = 0; rep < reps; rep++) {
    const runs = runsOf(rep);
    const order = Object.keys(runs);
    const rotated = [...order.slice(rep % order.length), ...order.slice(0, rep % order.length)];
    for (const system of rotated) (seconds[system] ??= []).push(await runs[system]());
    done(rep, rotated, seconds);
  }
  return seconds;
}

/** `min-max` of `values`, whole numbers. */
export function range(values: number[]): string {
  return `${Math.min(...values).toFixed(0)}-${Math.max(...values).toFixed(0)}`;
}

/** Each repetition's ratio of `system`'s seconds to `against`'s, listed. */
export function paired(seconds: Timings, system: string, against = "p2pchat"): string {
  return seconds[system].map((s, i) => (s / seconds[against][i]).toFixed(2)).join(", ");
}

/** Runs `fn` with a fresh folder in `tmp` (named from `prefix`), removed afterwards. */
export async function withTempDir<T>(
  tmp: string,
  prefix: string,
  fn: (dir: string) => Promise<T>,
): Promise<T> {
  const dir = await Deno.makeTempDir({ dir: tmp, prefix });
  try {
    return await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
