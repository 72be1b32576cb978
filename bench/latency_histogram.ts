/**
 * A log-bucketed latency histogram (about 1% resolution from 1 µs to minutes) that load
 * generator workers fill and the controller merges, so millions of deliveries cost a few
 * kilobytes instead of one number each.
 *
 * @example
 * ```ts
 * import { LatencyHistogram } from "./latency_histogram.ts";
 * const histogram = new LatencyHistogram();
 * for (const ms of [0.1, 0.2, 0.3, 5]) histogram.record(ms);
 * console.log(histogram.count, histogram.percentile(0.5).toFixed(2)); // 4 "0.20"
 * ```
 * @module
 */

/** Growth factor between neighbouring buckets. */
const FACTOR = 1.01;
const LOG_FACTOR = Math.log(FACTOR);
/** Smallest latency told apart, in ms (1 µs). */
const FLOOR_MS = 0.001;
/** Buckets: 1 µs * 1.01^2000 is about 7 minutes, the longest latency kept apart. */
const BUCKETS = 2000;

/** Counts of latencies (ms) in logarithmic buckets. */
export class LatencyHistogram {
  #counts: Float64Array = new Float64Array(BUCKETS);
  #count = 0;
  #max = 0;

  /** Samples recorded. */
  get count(): number {
    return this.#count;
  }

  /** The largest sample. */
  get max(): number {
    return this.#max;
  }

  /** Records one latency in milliseconds (negative clock skew counts as the floor). */
  record(ms: number): void {
    const bucket = ms <= FLOOR_MS
      ? 0
      : Math.min(BUCKETS - 1, Math.ceil(Math.log(ms / FLOOR_MS) / LOG_FACTOR));
    this.#counts[bucket]++;
    this.#count++;
    if (ms > this.#max) this.#max = ms;
  }

  /** Adds every sample of `other`. */
  merge(other: LatencyHistogram): void {
    for (let i = 0; i < BUCKETS; i++) this.#counts[i] += other.#counts[i];
    this.#count += other.#count;
    this.#max = Math.max(this.#max, other.#max);
  }

  /** The `q` quantile (0..1) in ms, as the upper edge of its bucket; `NaN` when empty. */
  percentile(q: number): number {
    if (this.#count === 0) return NaN;
    const rank = Math.max(1, Math.ceil(q * this.#count));
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.#counts[i];
      if (seen >= rank) return Math.min(FLOOR_MS * FACTOR ** i, this.#max);
    }
    return this.#max;
  }

  /** A compact JSON form: `[bucket, count]` pairs of the non-empty buckets. */
  toJSON(): { buckets: [number, number][]; max: number } {
    const buckets: [number, number][] = [];
    for (let i = 0; i < BUCKETS; i++) if (this.#counts[i] > 0) buckets.push([i, this.#counts[i]]);
    return { buckets, max: this.#max };
  }

  /** Rebuilds a histogram from {@linkcode toJSON}'s form. */
  static fromJSON(json: { buckets: [number, number][]; max: number }): LatencyHistogram {
    const histogram = new LatencyHistogram();
    for (const [bucket, count] of json.buckets) {
      histogram.#counts[bucket] += count;
      histogram.#count += count;
    }
    histogram.#max = json.max;
    return histogram;
  }
}
