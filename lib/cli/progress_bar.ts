/**
 * A one-line progress bar for file transfers, with a smoothed rate and an ETA.
 *
 * @module
 */

import { formatBytes } from "../room/byte_size.ts";
import { formatDuration, formatRate } from "./format.ts";

/** How far back the rate looks, in milliseconds: recent enough to follow changes. */
const RATE_WINDOW_MS = 3000;
/** Shortest span over which a rate is shown, so the first chunks do not give wild figures. */
const MIN_RATE_SPAN_MS = 250;

/**
 * Options for {@linkcode ProgressBar}.
 *
 * @example
 * ```ts
 * import type { ProgressBarOptions } from "./progress_bar.ts";
 *
 * const options: ProgressBarOptions = { label: "report.pdf", total: 50_000_000, width: 30 };
 * ```
 */
export interface ProgressBarOptions {
  /** Shown first; pass it already escaped for the terminal. */
  label: string;
  /** Total bytes. */
  total: number;
  /** Bar width in characters, default 20. */
  width?: number;
  /** Clock in milliseconds, default `performance.now`; tests inject their own. */
  now?: () => number;
}

interface Sample {
  time: number;
  done: number;
}

/**
 * Builds progress lines such as
 * `report.pdf [########------------] 42% 21.0 MB/50.0 MB 110.3 MB/s ETA 1s`.
 * The rate is measured over the last 3 seconds; until it is known (a quarter second of
 * data) the rate and ETA show `--`. Pure: it returns strings and prints nothing, so the
 * caller decides where and how often to draw (e.g. `\r` + line).
 *
 * @example
 * ```ts
 * import { ProgressBar } from "./progress_bar.ts";
 *
 * let clock = 0;
 * const bar = new ProgressBar({ label: "report.pdf", total: 50_000_000, now: () => clock });
 * clock = 1000;
 * bar.update(21_000_000);
 * // "report.pdf [########------------] 42% 21.0 MB/50.0 MB 21.0 MB/s ETA 2s"
 * ```
 */
export class ProgressBar {
  #label: string;
  #total: number;
  #width: number;
  #now: () => number;
  #start: number;
  #samples: Sample[];

  /**
   * @param options Label, total, width and clock.
   *
   * @example
   * ```ts
   * import { ProgressBar } from "./progress_bar.ts";
   *
   * const bar = new ProgressBar({ label: "a.txt", total: 100 });
   * ```
   */
  constructor(options: ProgressBarOptions) {
    this.#label = options.label;
    this.#total = Math.max(0, options.total);
    this.#width = Math.max(1, Math.floor(options.width ?? 20));
    this.#now = options.now ?? (() => performance.now());
    this.#start = this.#now();
    this.#samples = [{ time: this.#start, done: 0 }];
  }

  /**
   * Records that `done` bytes are through and returns the line to show.
   *
   * @param done Bytes transferred so far.
   * @returns One line, without a newline.
   *
   * @example
   * ```ts
   * import { ProgressBar } from "./progress_bar.ts";
   *
   * const bar = new ProgressBar({ label: "a.txt", total: 1000, width: 10, now: () => 0 });
   * bar.update(500); // "a.txt [#####-----] 50% 500 B/1.0 kB -- B/s ETA --"
   * ```
   */
  update(done: number): string {
    done = Math.min(Math.max(0, done), this.#total);
    const time = this.#now();
    this.#samples.push({ time, done });
    // Keep one sample at or before the window start, so the span stays about the window.
    while (this.#samples.length > 2 && this.#samples[1].time <= time - RATE_WINDOW_MS) {
      this.#samples.shift();
    }
    const first = this.#samples[0];
    const span = time - first.time;
    const rate = span >= MIN_RATE_SPAN_MS ? (done - first.done) / (span / 1000) : undefined;
    let eta = "--";
    if (done === this.#total) eta = "0s";
    else if (rate !== undefined && rate > 0) {
      eta = formatDuration(Math.ceil((this.#total - done) / rate));
    }
    const rateText = rate === undefined ? "-- B/s" : formatRate(rate);
    return `${this.#head(done)} ${rateText} ETA ${eta}`;
  }

  #head(done: number): string {
    const fraction = this.#total === 0 ? 1 : done / this.#total;
    const filled = Math.floor(fraction * this.#width);
    const bar = "#".repeat(filled) + "-".repeat(this.#width - filled);
    const percent = Math.floor(fraction * 100);
    return `${this.#label} [${bar}] ${percent}% ${formatBytes(done)}/${formatBytes(this.#total)}`;
  }
}
