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
import type { Appended, History, NewLine } from "./history.ts";

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
      "INSERT OR IGNORE INTO lines (client, id, sender, text, time, me) VALUES (?, ?, ?, ?, ?, ?)",
    );
    this.#find = db.prepare(
      "SELECT seq, id, sender, text, time, me FROM lines WHERE client = ? AND id = ?",
    );
    this.#recent = db.prepare(
      "SELECT seq, id, sender, text, time, me FROM lines WHERE seq > ? ORDER BY seq DESC LIMIT ?",
    );
  }

  /** Stores a line; see {@linkcode History.append}. Committed before it returns. */
  append(line: NewLine): Appended {
    // Look first: an ignored INSERT would still use up an AUTOINCREMENT number, leaving a
    // gap in the sequence that members see.
    const existing = this.#find.get(line.client, line.id) as unknown as Row | undefined;
    if (existing) return { line: toLine(existing), duplicate: true };
    const { changes, lastInsertRowid } = this.#insert.run(
      line.client,
      line.id,
      line.from,
      line.text,
      line.time,
      line.me ? 1 : 0,
    );
    if (changes !== 1) {
      const row = this.#find.get(line.client, line.id) as unknown as Row;
      return { line: toLine(row), duplicate: true };
    }
    // The row is what was given plus its number: no need to read it back.
    const row = { ...line, sender: line.from, seq: Number(lastInsertRowid), me: line.me ? 1 : 0 };
    return { line: toLine(row), duplicate: false };
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
