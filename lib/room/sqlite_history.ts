/**
 * A hub's history in SQLite (WAL): survives restarts, and remembers (client, id) of every
 * line so a line re-sent after a lost acknowledgement is stored and shown once. Lines are
 * committed in groups, once per turn of the event loop: a commit per line was most of a busy
 * hub's work on its room, and a commit costs little more for twenty lines than for one
 * (bench/NOTES.md). A line is delivered before its commit, so with a {@linkcode LineJournal}
 * it is first written there, and a hub killed before the commit stores it at its next start.
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
import type {
  Appended,
  AppendOptions,
  History,
  HistorySpan,
  KeptLine,
  NewLine,
} from "./history.ts";
import type { JournalEntry, LineJournal } from "./line_journal.ts";

/**
 * Lines taken into one transaction at most. A hub killed before its commit finds them in its
 * journal; without one (or after a crash of the machine) they are lost, their senders (not
 * acknowledged) say them again, and the restart skips this many numbers so that none of them
 * shares a number with a later line.
 */
export const MAX_UNCOMMITTED = 256;

/** A line's `stored` callback waiting for the commit. */
interface Waiting {
  stored: NonNullable<AppendOptions["stored"]>;
  line: KeptLine;
  error: Error | undefined;
}

interface Row {
  seq: number;
  client: string;
  id: string;
  sender: string;
  text: string;
  time: string;
  me: number;
}

/** The columns of a {@linkcode Row}, for every query that reads lines. */
const COLUMNS = "seq, client, id, sender, text, time, me";

function toLine(row: Row): KeptLine {
  return {
    seq: row.seq,
    client: row.client,
    id: row.id,
    from: row.sender,
    text: row.text,
    time: row.time,
    ...(row.me ? { me: true } : {}),
  };
}

/** History kept in a SQLite database. */
export class SqliteHistory implements History {
  #db: DatabaseSync;
  #insert: StatementSync;
  #find: StatementSync;
  #recent: StatementSync;
  #after: StatementSync;
  #countAfter: StatementSync;
  #countBetween: StatementSync;
  #nthNewest: StatementSync;
  #nextSeq: number;
  #waiting: Waiting[] = [];
  #uncommitted = 0;
  #commitTimer: ReturnType<typeof setTimeout> | undefined;
  #journal: LineJournal | undefined;

  /**
   * Uses (and if needed creates) the `lines` table of `db`. With a `journal`, lines are
   * written there before they are delivered, and what an earlier run left there is stored now.
   */
  constructor(db: DatabaseSync, options: { journal?: LineJournal } = {}) {
    this.#db = db;
    this.#journal = options.journal;
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
    if (this.#journal) this.#recover(this.#journal);
    // The highest number ever given (AUTOINCREMENT keeps it even if that line is deleted),
    // then MAX_UNCOMMITTED skipped: a machine that crashed (not only the hub) may have lost the
    // last writes of the journal and the database, and members that saw those lines' numbers
    // must not see them on other lines.
    const last = db.prepare(
      "SELECT MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'lines'), 0), " +
        "COALESCE((SELECT MAX(seq) FROM lines), 0)) AS last",
    ).get() as { last: number };
    this.#nextSeq = last.last === 0 ? 1 : last.last + 1 + MAX_UNCOMMITTED;
    this.#find = db.prepare(`SELECT ${COLUMNS} FROM lines WHERE client = ? AND id = ?`);
    this.#recent = db.prepare(
      `SELECT ${COLUMNS} FROM lines WHERE seq > ? ORDER BY seq DESC LIMIT ?`,
    );
    this.#after = db.prepare(`SELECT ${COLUMNS} FROM lines WHERE seq > ? ORDER BY seq LIMIT ?`);
    this.#countAfter = db.prepare("SELECT COUNT(*) AS n FROM lines WHERE seq > ?");
    this.#countBetween = db.prepare(
      "SELECT COUNT(*) AS n FROM lines WHERE seq > ? AND seq <= ?",
    );
    this.#nthNewest = db.prepare(
      "SELECT seq FROM lines WHERE seq > ? ORDER BY seq DESC LIMIT 1 OFFSET ?",
    );
  }

  /**
   * Stores a line; see {@linkcode History.append}. Looks in the file for an earlier copy only
   * while `mayBeStored` allows it. The line is committed with the others of this turn (or
   * when {@linkcode SqliteHistory.commit} is called); `stored` is called then.
   */
  append(line: NewLine, options: AppendOptions = {}): Appended {
    // Lookup and insert are slow on a hub that was idle a moment before (cold caches), and
    // members would wait for them: a line that cannot be a re-send is not looked up, and it is
    // delivered before it is stored.
    if (options.mayBeStored ?? true) {
      const existing = this.#find.get(line.client, line.id) as unknown as Row | undefined;
      if (existing) {
        const earlier = toLine(existing);
        // It may be in the transaction still open: kept once that commits.
        this.#afterCommit(options.stored, earlier, undefined);
        return { line: earlier, duplicate: true };
      }
    }
    // Numbered before delivering: if storing fails, the number is still not given twice.
    const entry: JournalEntry = { ...line, seq: this.#nextSeq++ };
    const stored = toLine({ ...entry, sender: line.from, me: line.me ? 1 : 0 });
    try {
      this.#journal?.append(entry);
    } catch { /* a failing disk fails the commit too, which is reported */ }
    options.deliver?.(stored);
    try {
      if (!this.#db.isTransaction) {
        this.#db.exec("BEGIN");
        this.#commitTimer = setTimeout(this.#commitNow, 0);
      }
      this.#store(entry);
    } catch (cause) {
      const error = asError(cause);
      // Some failures (a full disk, an I/O error) roll the whole transaction back.
      if (!this.#db.isTransaction) { for (const waiting of this.#waiting) waiting.error ??= error; }
      this.#afterCommit(options.stored, stored, error);
      this.commit();
      return { line: stored, duplicate: false };
    }
    this.#afterCommit(options.stored, stored, undefined);
    if (++this.#uncommitted >= MAX_UNCOMMITTED) this.commit();
    return { line: stored, duplicate: false };
  }

  /**
   * Commits the lines appended so far and calls their `stored` callbacks (with the error when
   * the commit failed). Runs by itself once per turn; call it before closing the database.
   */
  commit(): void {
    clearTimeout(this.#commitTimer);
    this.#commitTimer = undefined;
    this.#uncommitted = 0;
    let failed: Error | undefined;
    if (this.#db.isTransaction) {
      try {
        this.#db.exec("COMMIT");
      } catch (cause) {
        failed = asError(cause);
        try {
          this.#db.exec("ROLLBACK");
        } catch { /* rolled back already */ }
      }
      // Only after a commit: entries left behind are stored again (or ignored) at the next start.
      try {
        if (!failed) this.#journal?.clear();
      } catch { /* they are in the database: storing them again is a no-op */ }
    }
    const waiting = this.#waiting;
    this.#waiting = [];
    for (const { stored, line, error } of waiting) stored(line, error ?? failed);
  }

  #commitNow = (): void => this.commit();

  /** Stores what a run that stopped before its commit left in the journal, then clears it. */
  #recover(journal: LineJournal): void {
    const entries = journal.pending();
    if (entries.length === 0) return;
    this.#db.exec("BEGIN");
    try {
      for (const entry of entries) this.#store(entry);
      this.#db.exec("COMMIT");
    } catch (error) {
      this.#db.exec("ROLLBACK");
      throw error;
    }
    journal.clear();
  }

  /**
   * Inserts a numbered line. OR IGNORE: a client that repeats an id on one connection was
   * delivered twice as it asked, and is stored once; a journal entry the last commit stored
   * before the journal was cleared is stored once too.
   */
  #store(entry: JournalEntry): void {
    this.#insert.run(
      entry.seq,
      entry.client,
      entry.id,
      entry.from,
      entry.text,
      entry.time,
      entry.me ? 1 : 0,
    );
  }

  #afterCommit(
    stored: AppendOptions["stored"],
    line: KeptLine,
    error: Error | undefined,
  ): void {
    if (!stored) return;
    if (this.#db.isTransaction || this.#waiting.length > 0) {
      this.#waiting.push({ stored, line, error });
    } else stored(line, error);
  }

  /** The last lines; see {@linkcode History.recent}. */
  recent(limit: number, afterSeq = 0): KeptLine[] {
    if (limit <= 0) return [];
    const rows = this.#recent.all(afterSeq, limit) as unknown as Row[];
    return rows.reverse().map(toLine);
  }

  /** A replay's span; see {@linkcode History.span}: walks at most `limit` + 1 lines. */
  span(afterSeq: number, limit: number): HistorySpan {
    const lines = Math.max(limit, 0);
    // The newest line the limit leaves out, if there is one: the replay starts after it.
    const left = this.#nthNewest.get(afterSeq, lines) as { seq: number } | undefined;
    if (left) return { start: left.seq, lines };
    return { start: afterSeq, lines: (this.#countAfter.get(afterSeq) as { n: number }).n };
  }

  /** Lines in a range; see {@linkcode History.count}. */
  count(afterSeq: number, uptoSeq: number): number {
    return (this.#countBetween.get(afterSeq, uptoSeq) as { n: number }).n;
  }

  /** A replay's next page; see {@linkcode History.after}. */
  after(afterSeq: number, limit: number): KeptLine[] {
    if (limit <= 0) return [];
    return (this.#after.all(afterSeq, limit) as unknown as Row[]).map(toLine);
  }

  /** Commits what is pending and closes the journal; the database is closed by its owner. */
  close(): void {
    this.commit();
    this.#journal?.close();
    this.#journal = undefined;
  }
}

function asError(cause: unknown): Error {
  return cause instanceof Error ? cause : new Error(String(cause));
}
