/**
 * A transfer's progress in one line, with a smoothed rate and an ETA, in the richest form
 * that fits the width it is given.
 *
 * @module
 */

import { formatBytes } from "../room/byte_size.ts";
import { fitCells, textWidth } from "./cell_layout.ts";
import { formatDuration, formatRate } from "./format.ts";

/** How far back the rate looks, in milliseconds: recent enough to follow changes. */
const RATE_WINDOW_MS = 3000;
/** Shortest span over which a rate is shown, so the first chunks do not give wild figures. */
const MIN_RATE_SPAN_MS = 250;
/** Bar widths tried, widest first. */
const BAR_WIDTHS = [16, 8];

/**
 * What a progress line says.
 *
 * @example
 * ```ts
 * import type { Progress } from "./progress_bar.ts";
 * const progress: Progress = { label: "report.pdf", done: 21_000_000, total: 50_000_000 };
 * ```
 */
export interface Progress {
  /** Shown first; pass it already escaped for the terminal. */
  label: string;
  /** Bytes through. */
  done: number;
  /** Bytes in all. */
  total: number;
  /** Bytes a second, once known. */
  rate?: number;
}

/**
 * The line of `progress` in the richest form that fits `columns` cells: the bar, sizes, rate
 * and ETA go, in that order, before the label is cut.
 * `report.pdf 42 % [######----------] 21.0 MB/50.0 MB 11.0 MB/s ETA 3s` at its widest,
 * `report.pdf 42 %` at its narrowest.
 *
 * @example
 * ```ts
 * import { progressLine } from "./progress_bar.ts";
 * const progress = { label: "a.bin", done: 500, total: 1000 };
 * progressLine(progress); // "a.bin 50 % [########--------] 500 B/1.0 kB -- B/s ETA --"
 * progressLine(progress, 12); // "a.bin 50 %"
 * ```
 */
export function progressLine(progress: Progress, columns: number = Infinity): string {
  const total = Math.max(0, progress.total);
  const done = Math.min(Math.max(0, progress.done), total);
  const fraction = total === 0 ? 1 : done / total;
  const head = `${Math.floor(fraction * 100)} %`;
  const sizes = `${formatBytes(done)}/${formatBytes(total)}`;
  const rate = progress.rate === undefined ? "-- B/s" : formatRate(progress.rate);
  let eta = "--";
  if (done === total) eta = "0s";
  else if (progress.rate !== undefined && progress.rate > 0) {
    eta = formatDuration(Math.ceil((total - done) / progress.rate));
  }
  const bar = (width: number) => {
    const filled = Math.floor(fraction * width);
    return `[${"#".repeat(filled)}${"-".repeat(width - filled)}]`;
  };
  const forms = [
    ...BAR_WIDTHS.map((width) => [head, bar(width), sizes, rate, `ETA ${eta}`]),
    [head, sizes, rate, `ETA ${eta}`],
    [head, sizes, `ETA ${eta}`],
    [head, `ETA ${eta}`],
  ];
  for (const parts of forms) {
    const line = `${progress.label} ${parts.join(" ")}`;
    if (textWidth(line) <= columns) return line;
  }
  // The narrowest: the label cut to leave room for the percentage.
  return `${fitCells(progress.label, Math.max(1, columns - head.length - 1))} ${head}`;
}

/** Options of {@linkcode ProgressBar}. */
export interface ProgressBarOptions {
  /** Shown first; pass it already escaped for the terminal. */
  label: string;
  /** Total bytes. */
  total: number;
  /** Clock in milliseconds, default `performance.now`; tests inject their own. */
  now?: () => number;
}

interface Sample {
  time: number;
  done: number;
}

/**
 * One transfer's progress over time: the rate is measured over the last 3 seconds; until it is
 * known (a quarter second of data) the rate and ETA show `--`. Pure: it returns strings and
 * prints nothing.
 *
 * @example
 * ```ts
 * import { ProgressBar } from "./progress_bar.ts";
 *
 * let clock = 0;
 * const bar = new ProgressBar({ label: "report.pdf", total: 50_000_000, now: () => clock });
 * clock = 1000;
 * bar.update(21_000_000);
 * // "report.pdf 42 % [######----------] 21.0 MB/50.0 MB 21.0 MB/s ETA 2s"
 * ```
 */
export class ProgressBar {
  #label: string;
  #total: number;
  #now: () => number;
  #samples: Sample[];
  #done = 0;
  #rate: number | undefined;

  /**
   * @param options Label, total and clock.
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
    this.#now = options.now ?? (() => performance.now());
    this.#samples = [{ time: this.#now(), done: 0 }];
  }

  /** What the transfer has got to: label, bytes done and total, and the rate once known. */
  get progress(): Progress {
    return {
      label: this.#label,
      done: this.#done,
      total: this.#total,
      ...(this.#rate === undefined ? {} : { rate: this.#rate }),
    };
  }

  /**
   * Records that `done` bytes are through and returns the line to show, as wide as it comes.
   *
   * @param done Bytes transferred so far.
   * @returns One line, without a newline.
   *
   * @example
   * ```ts
   * import { ProgressBar } from "./progress_bar.ts";
   *
   * const bar = new ProgressBar({ label: "a.txt", total: 1000, now: () => 0 });
   * bar.update(500); // "a.txt 50 % [########--------] 500 B/1.0 kB -- B/s ETA --"
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
    this.#done = done;
    this.#rate = span >= MIN_RATE_SPAN_MS ? (done - first.done) / (span / 1000) : undefined;
    return progressLine(this.progress);
  }
}
