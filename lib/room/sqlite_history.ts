/**
 * A hub's history in SQLite (WAL): survives restarts, and remembers (client, id) of every
 * line so a line re-sent after a lost acknowledgement is stored and shown once.
 *
 * @example
 * ```ts ignore
 * import { DatabaseSync } from "node:sqlite";
 * import { SqliteHistory } from "./sqlite_history.ts";
 * const history = new SqliteHistory(new DatabaseSync("p2pchat-data/hub.db"));
 * history.append({ client: "c", id: "1", from: "alice", text: "hi", time: new Date().toISOString() });
 * ```
 * @module
 */

import type { DatabaseSync, StatementSync } from "node:sqlite";
import type { ChatLine } from "../session/message.ts";
import type { Appended, AppendOptions, History, NewLine } from "./history.ts";

interface Row {
  seq: number;
  id: string;
  sender: string;
  text: string;
  time: string;
  me: number;
}

function toLine(row: Row): ChatLine {
  return {
    t: "chat",
    id: row.id,
    seq: row.seq,
    from: row.sender,
    text: row.text,
    time: row.time,
    ...(row.me ? { me: true } : {}),
  };
}

/** History kept in a SQLite database. */
export class SqliteHistory implements History {
  #insert: StatementSync;
  #find: StatementSync;
  #recent: StatementSync;
  #nextSeq: number;

  /** Uses (and if needed creates) the `lines` table of `db`. */
  constructor(db: DatabaseSync) {
    db.exec(`CREATE TABLE IF NOT EXISTS lines (
      seq INTEGER PRIMARY KEY AUTOINCREMENT,
      client TEXT NOT NULL,
      id TEXT NOT NULL,
      sender TEXT NOT NULL,
      text TEXT NOT NULL,
      time TEXT NOT NULL,
      me INTEGER NOT NULL DEFAULT 0,
      UNIQUE (client, id)
    )`);
    this.#insert = db.prepare(
      "INSERT OR IGNORE INTO lines (seq, client, id, sender, text, time, me) " +
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
    );
    // The highest number ever given (AUTOINCREMENT keeps it even if that line is deleted),
    // plus one skipped: a line delivered just before a hub was killed may not have been
    // stored, and members that saw its number must not see it again on another line.
    const last = db.prepare(
      "SELECT MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'lines'), 0), " +
        "COALESCE((SELECT MAX(seq) FROM lines), 0)) AS last",
    ).get() as { last: number };
    this.#nextSeq = last.last === 0 ? 1 : last.last + 2;
    this.#find = db.prepare(
      "SELECT seq, id, sender, text, time, me FROM lines WHERE client = ? AND id = ?",
    );
    this.#recent = db.prepare(
      "SELECT seq, id, sender, text, time, me FROM lines WHERE seq > ? ORDER BY seq DESC LIMIT ?",
    );
  }

  /**
   * Stores a line; see {@linkcode History.append}. Committed before it returns, after
   * `deliver`. Looks in the file for an earlier copy only while `mayBeStored` allows it.
   */
  append(line: NewLine, options: AppendOptions = {}): Appended {
    // Both lookup and insert cost 0.1-0.4 ms on a hub that was idle a moment before (cold
    // caches), which members would wait for: a line that cannot be a re-send is not looked up,
    // and it is delivered before it is stored.
    if (options.mayBeStored ?? true) {
      const existing = this.#find.get(line.client, line.id) as unknown as Row | undefined;
      if (existing) return { line: toLine(existing), duplicate: true };
    }
    const stored = toLine({ ...line, sender: line.from, seq: this.#nextSeq, me: line.me ? 1 : 0 });
    // Taken before delivering: if storing fails, the number is still not given twice.
    this.#nextSeq++;
    options.deliver?.(stored);
    // OR IGNORE: a client that repeats an id on one connection was delivered twice as it asked,
    // and is stored once.
    this.#insert.run(
      stored.seq!,
      line.client,
      line.id,
      line.from,
      line.text,
      line.time,
      line.me ? 1 : 0,
    );
    return { line: stored, duplicate: false };
  }

  /** The last lines; see {@linkcode History.recent}. */
  recent(limit: number, afterSeq = 0): ChatLine[] {
    if (limit <= 0) return [];
    const rows = this.#recent.all(afterSeq, limit) as unknown as Row[];
    return rows.reverse().map(toLine);
  }

  /** The database is closed by its owner. */
  close(): void {}
}
