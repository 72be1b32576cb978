/**
 * The chat lines a hub has numbered and handed to its members but not yet committed to its
 * history, one JSON object per line of a small file, each written (one small synchronous
 * `write`) before the line is delivered. The history commits lines in groups, after delivering
 * them; a hub killed in between finds them here at its next start, so a line its members saw
 * keeps its number and a sender's re-send of it is known, not shown twice. Cleared after each
 * commit. Like the database in WAL mode with `synchronous = NORMAL`, it survives a killed
 * process, not a crash of the machine.
 *
 * @example
 * ```ts
 * import { LineJournal } from "./line_journal.ts";
 * const path = await Deno.makeTempFile();
 * const journal = new LineJournal(path);
 * journal.append({ seq: 1, client: "c", id: "1", from: "alice", text: "hi", time: "t" });
 * console.log(new LineJournal(path).pending().length); // 1
 * journal.clear();
 * journal.close();
 * ```
 * @module
 */

import type { NewLine } from "./history.ts";

/** A line as the journal keeps it: as it came in, with the number members saw. */
export interface JournalEntry extends NewLine {
  /** The line's number in the room. */
  seq: number;
}

const encoder = new TextEncoder();

/** An append-only file of lines not yet committed. */
export class LineJournal {
  #path: string;
  #file: Deno.FsFile;

  /** Opens (creating if needed) the journal at `path`. */
  constructor(path: string) {
    this.#path = path;
    this.#file = Deno.openSync(path, { read: true, append: true, create: true });
  }

  /**
   * What an earlier run left: every whole entry, oldest first. An entry cut short (its write
   * was under way when the process died) was never delivered and is skipped.
   */
  pending(): JournalEntry[] {
    const entries: JournalEntry[] = [];
    for (const text of Deno.readTextFileSync(this.#path).split("\n")) {
      if (text === "") continue;
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        continue;
      }
      if (isEntry(value)) entries.push(value);
    }
    return entries;
  }

  /** Appends `entry`; returns once the bytes are with the operating system. */
  append(entry: JournalEntry): void {
    const bytes = encoder.encode(JSON.stringify(entry) + "\n");
    for (let written = 0; written < bytes.length;) {
      written += this.#file.writeSync(bytes.subarray(written));
    }
  }

  /** Forgets every entry: they are committed. */
  clear(): void {
    this.#file.truncateSync(0);
  }

  /** Closes the file. */
  close(): void {
    this.#file.close();
  }
}

function isEntry(value: unknown): value is JournalEntry {
  if (typeof value !== "object" || value === null) return false;
  const entry = value as { [key: string]: unknown };
  return Number.isSafeInteger(entry.seq) && (entry.seq as number) > 0 &&
    ["client", "id", "from", "text", "time"].every((key) => typeof entry[key] === "string") &&
    (entry.me === undefined || typeof entry.me === "boolean");
}
