/**
 * The terminal's one status line: what is under way (file transfers), as entries that are
 * added, updated and removed, rendered to one line of whatever width the terminal has now.
 * One entry shows its own progress; several are summed (`2 files, 38 % ...`), so the line
 * never grows with the number of transfers.
 *
 * @example
 * ```ts
 * import { StatusLine } from "./status_line.ts";
 * const status = new StatusLine();
 * status.set("send-1", { label: "a.bin", done: 500, total: 1000 });
 * status.set("send-2", { label: "b.bin", done: 0, total: 1000 });
 * console.log(status.render(16)); // "2 files, 25 %"
 * status.delete("send-1");
 * status.delete("send-2");
 * console.log(status.render(80)); // undefined
 * ```
 * @module
 */

import { type Progress, ProgressBar, progressLine } from "./progress_bar.ts";

/** An entry: what it is called (escaped for the terminal), bytes done and in all. */
export interface StatusEntry {
  label: string;
  done: number;
  total: number;
  /** A folder: how many of its files are in, and how many it has. */
  files?: { done: number; total: number };
}

/** Options of {@linkcode StatusLine}. */
export interface StatusLineOptions {
  /** Clock in milliseconds for the rates; tests inject their own. */
  now?: () => number;
}

/** The entries under way and their one line. */
export class StatusLine {
  #entries: Map<
    string,
    { label: string; bar: ProgressBar; files?: { done: number; total: number } }
  > = new Map();
  #now: (() => number) | undefined;

  /** Creates an empty status line. */
  constructor(options: StatusLineOptions = {}) {
    this.#now = options.now;
  }

  /** How many entries there are. */
  get size(): number {
    return this.#entries.size;
  }

  /** Adds the entry `id`, or updates it. */
  set(id: string, entry: StatusEntry): void {
    let kept = this.#entries.get(id);
    if (!kept || kept.label !== entry.label) {
      kept = {
        label: entry.label,
        bar: new ProgressBar({ label: entry.label, total: entry.total, now: this.#now }),
      };
      this.#entries.set(id, kept);
    }
    kept.bar.update(entry.done);
    kept.files = entry.files;
  }

  /** Removes the entry `id` (finished, failed or cancelled). */
  delete(id: string): void {
    this.#entries.delete(id);
  }

  /** Removes every entry labelled `label`. */
  deleteLabelled(label: string): void {
    for (const [id, entry] of this.#entries) {
      if (entry.label === label) this.#entries.delete(id);
    }
  }

  /** The line at `columns` cells; `undefined` when nothing is under way. */
  render(columns: number): string | undefined {
    const entries = [...this.#entries.values()];
    const all = entries.map((entry) => entry.bar.progress);
    if (all.length === 0) return undefined;
    if (all.length === 1) {
      // A folder is one line: its bytes, rate and ETA, and how many of its files are in.
      const files = entries[0].files;
      const suffix = files ? ` ${files.done}/${files.total} files` : "";
      return progressLine(all[0], Math.max(1, columns - suffix.length)) + suffix;
    }
    const rates = all.filter((progress) => progress.rate !== undefined);
    const sum: Progress = {
      label: `${all.length} files,`,
      done: all.reduce((bytes, progress) => bytes + progress.done, 0),
      total: all.reduce((bytes, progress) => bytes + progress.total, 0),
      ...(rates.length
        ? { rate: rates.reduce((bytes, progress) => bytes + progress.rate!, 0) }
        : {}),
    };
    return progressLine(sum, columns);
  }
}
