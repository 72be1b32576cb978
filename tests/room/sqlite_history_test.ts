import assert from "node:assert/strict";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import type { KeptLine, NewLine } from "../../lib/room/history.ts";
import { LineJournal } from "../../lib/room/line_journal.ts";
import { MAX_UNCOMMITTED, SqliteHistory } from "../../lib/room/sqlite_history.ts";

const TIME = "2026-01-01T12:00:00.000Z";

function line(client: string, id: string, text = `text ${id}`, from = "alice"): NewLine {
  return { client, id, from, text, time: TIME };
}

/** Runs `fn` with a history on a fresh in-memory database. */
function withHistory(fn: (history: SqliteHistory, db: DatabaseSync) => void): void {
  const db = new DatabaseSync(":memory:");
  const history = new SqliteHistory(db);
  try {
    fn(history, db);
  } finally {
    history.close();
    db.close();
  }
}

Deno.test("SqliteHistory: lines get increasing sequence numbers and keep what was said", () => {
  withHistory((history) => {
    const first = history.append(line("c1", "1", "hello"));
    const second = history.append({ ...line("c2", "1", "waves", "bob"), me: true });
    assert.deepEqual(first, {
      line: { seq: 1, client: "c1", id: "1", from: "alice", text: "hello", time: TIME },
      duplicate: false,
    });
    assert.deepEqual(second.line, {
      seq: 2,
      client: "c2",
      id: "1",
      from: "bob",
      text: "waves",
      time: TIME,
      me: true,
    });
  });
});

Deno.test("SqliteHistory: a re-sent (client, id) is stored once and returns the first line", () => {
  withHistory((history) => {
    const original = history.append(line("c1", "1", "hello"));
    const resent = history.append(line("c1", "1", "hello again?"));
    assert.equal(resent.duplicate, true);
    assert.deepEqual(resent.line, original.line);
    assert.equal(history.append(line("c2", "1")).duplicate, false);
    // A duplicate uses up no sequence number: members see no gap.
    assert.deepEqual(history.recent(10).map((l) => l.seq), [1, 2]);
  });
});

Deno.test("SqliteHistory: recent(limit, afterSeq) gives the newest lines, oldest first", () => {
  withHistory((history) => {
    for (let i = 1; i <= 10; i++) history.append(line("c", String(i)));
    assert.deepEqual(history.recent(3).map((l) => l.seq), [8, 9, 10]);
    assert.deepEqual(history.recent(100, 7).map((l) => l.seq), [8, 9, 10]);
    assert.deepEqual(history.recent(2, 5).map((l) => l.seq), [9, 10]);
    assert.deepEqual(history.recent(100, 10), []);
    assert.deepEqual(history.recent(0), []);
  });
});

Deno.test("SqliteHistory: text is stored as given, quotes and emoji included", () => {
  withHistory((history) => {
    const text = `'; DROP TABLE lines; -- "quoted" 👋 \u202e`;
    history.append(line("c", "1", text));
    assert.equal(history.recent(1)[0].text, text);
  });
});

Deno.test("SqliteHistory: lines and duplicate detection survive closing and reopening the file", async () => {
  const dir = await Deno.makeTempDir({ prefix: "p2pchat_sqlite_history_" });
  try {
    const path = join(dir, "hub.db");
    const first = new DatabaseSync(path);
    const before = new SqliteHistory(first);
    before.append(line("c1", "1", "before the restart"));
    before.append({ ...line("c2", "1", "waves", "bob"), me: true });
    before.close();
    first.close();

    const second = new DatabaseSync(path);
    try {
      const after = new SqliteHistory(second);
      assert.deepEqual(after.recent(10).map((l) => [l.seq, l.from, l.text, l.me ?? false]), [
        [1, "alice", "before the restart", false],
        [2, "bob", "waves", true],
      ]);
      // A line re-sent after the restart is still known.
      assert.equal(after.append(line("c1", "1", "before the restart")).duplicate, true);
      // Numbering continues past the numbers of lines a killed hub may have delivered but
      // not committed: they must not name other lines.
      assert.equal(after.append(line("c1", "2")).line.seq, 3 + MAX_UNCOMMITTED);
      after.close();
    } finally {
      second.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("SqliteHistory: a line is delivered numbered, then stored, and re-sends are not delivered", () => {
  withHistory((history) => {
    const delivered: (number | undefined)[] = [];
    const deliver = (line: KeptLine) => {
      // Delivered before it is stored: the room's members wait for no disk.
      assert.deepEqual(history.recent(10).map((l) => l.seq), delivered);
      delivered.push(line.seq);
    };
    const first = history.append(line("c1", "1", "hello"), { deliver });
    assert.deepEqual(delivered, [1]);
    assert.deepEqual(history.recent(10).map((l) => [l.seq, l.text]), [[1, "hello"]]);
    const resent = history.append(line("c1", "1", "hello"), { deliver });
    assert.equal(resent.duplicate, true);
    assert.deepEqual(resent.line, first.line);
    assert.deepEqual(delivered, [1]);
  });
});

Deno.test("SqliteHistory: with mayBeStored false the file is not searched, and a repeated id is stored once", () => {
  withHistory((history) => {
    history.append(line("c1", "1", "hello"));
    // A room says a line cannot be a re-send once its sender said something new on this
    // connection; a client that still repeats an id gets what it asked for, stored once.
    const repeated = history.append(line("c1", "1", "hello"), { mayBeStored: false });
    assert.equal(repeated.duplicate, false);
    assert.equal(repeated.line.seq, 2);
    assert.deepEqual(history.recent(10).map((l) => l.seq), [1]);
    // Numbering goes on without reuse.
    assert.equal(history.append(line("c1", "2"), { mayBeStored: false }).line.seq, 3);
  });
});

Deno.test("SqliteHistory: the lines of one turn are committed together, and only then reported kept", async () => {
  const dir = await Deno.makeTempDir({ prefix: "p2pchat_sqlite_history_" });
  const path = join(dir, "hub.db");
  const db = new DatabaseSync(path);
  db.exec("PRAGMA journal_mode = WAL");
  const history = new SqliteHistory(db);
  const reader = new DatabaseSync(path, { readOnly: true });
  const rowsOnDisk = () =>
    (reader.prepare("SELECT COUNT(*) AS n FROM lines").get() as { n: number }).n;
  try {
    const kept: [number | undefined, string | undefined][] = [];
    const stored = (line: KeptLine, error?: Error) => kept.push([line.seq, error?.message]);
    for (let i = 1; i <= 3; i++) history.append(line("c1", String(i)), { stored });
    // A re-send of a line not yet committed is known, and kept once the others are.
    assert.equal(history.append(line("c1", "2"), { stored }).duplicate, true);
    assert.deepEqual(kept, []);
    assert.equal(rowsOnDisk(), 0, "nothing is committed in the turn the lines came in");
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.deepEqual(kept, [[1, undefined], [2, undefined], [3, undefined], [2, undefined]]);
    assert.equal(rowsOnDisk(), 3);
    // With nothing pending, a duplicate is reported kept at once.
    history.append(line("c1", "1"), { stored });
    assert.deepEqual(kept.at(-1), [1, undefined]);
    // A long burst commits every MAX_UNCOMMITTED lines without waiting for the turn to end.
    for (let i = 0; i < MAX_UNCOMMITTED; i++) {
      history.append(line("c2", String(i)), { mayBeStored: false, stored });
    }
    assert.equal(rowsOnDisk(), 3 + MAX_UNCOMMITTED);
  } finally {
    history.close();
    reader.close();
    db.close();
    await Deno.remove(dir, { recursive: true });
  }
});

/**
 * Makes the insert of a line saying `text` fail as a failing disk would: `ABORT` fails that
 * statement only, `ROLLBACK` undoes the whole transaction.
 */
function failInsertOf(db: DatabaseSync, text: string, action: string, message: string): void {
  db.exec(`CREATE TRIGGER fail_${text} BEFORE INSERT ON lines WHEN NEW.text = '${text}'
    BEGIN SELECT RAISE(${action}, '${message}'); END`);
}

/**
 * Appends a line per text in one turn (ids from `firstId` on), commits, and returns what each
 * line's `stored` callback was told: [text, error message].
 */
function appendAndCommit(
  history: SqliteHistory,
  texts: string[],
  firstId = 1,
): [string, string | undefined][] {
  const kept: [string, string | undefined][] = [];
  const stored = (line: KeptLine, error?: Error) => kept.push([line.text, error?.message]);
  texts.forEach((text, i) => history.append(line("c1", String(firstId + i), text), { stored }));
  history.commit();
  return kept;
}

Deno.test("SqliteHistory: a line that cannot be stored is reported, the others of its turn are kept", () => {
  withHistory((history, db) => {
    failInsertOf(db, "doomed", "ABORT", "disk I/O error");
    assert.deepEqual(appendAndCommit(history, ["first", "doomed", "third"]), [
      ["first", undefined],
      ["doomed", "disk I/O error"],
      ["third", undefined],
    ]);
    assert.deepEqual(history.recent(10).map((l) => [l.seq, l.text]), [[1, "first"], [3, "third"]]);
  });
});

Deno.test("SqliteHistory: when a failure undoes the whole turn, every line of it is reported", () => {
  withHistory((history, db) => {
    failInsertOf(db, "undone", "ROLLBACK", "database or disk is full");
    appendAndCommit(history, ["committed before"], 0);
    assert.deepEqual(appendAndCommit(history, ["first", "undone", "after"]), [
      ["first", "database or disk is full"],
      ["undone", "database or disk is full"],
      ["after", undefined],
    ]);
    assert.deepEqual(history.recent(10).map((l) => l.text), ["committed before", "after"]);
  });
});

Deno.test("SqliteHistory: lines delivered by a hub killed before its commit are kept, numbers and all", async () => {
  const dir = await Deno.makeTempDir({ prefix: "p2pchat_sqlite_history_" });
  try {
    const db = join(dir, "hub.db");
    const journal = join(dir, "hub.journal");
    // A hub that delivers three lines and dies in the same turn, before its commit.
    const hub = `
      import { DatabaseSync } from "node:sqlite";
      import { LineJournal } from "${new URL("../../lib/room/line_journal.ts", import.meta.url)}";
      import { SqliteHistory } from "${new URL(
      "../../lib/room/sqlite_history.ts",
      import.meta.url,
    )}";
      const db = new DatabaseSync(${JSON.stringify(db)});
      db.exec("PRAGMA journal_mode = WAL");
      const history = new SqliteHistory(db, { journal: new LineJournal(${
      JSON.stringify(journal)
    }) });
      history.append({ client: "c0", id: "0", from: "alice", text: "committed", time: "t" });
      history.commit();
      for (let i = 1; i <= 3; i++) {
        history.append({ client: "c1", id: String(i), from: "bob", text: "line " + i, time: "t" }, {
          deliver: (line) => console.log(line.seq),
        });
      }
      Deno.exit(0);
    `;
    const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
      args: ["eval", hub],
    }).output();
    assert.equal(code, 0, new TextDecoder().decode(stderr));
    assert.deepEqual(new TextDecoder().decode(stdout).trim().split("\n"), ["2", "3", "4"]);

    const reopened = new DatabaseSync(db);
    const history = new SqliteHistory(reopened, { journal: new LineJournal(journal) });
    try {
      assert.deepEqual(history.recent(10).map((l) => [l.seq, l.text]), [
        [1, "committed"],
        [2, "line 1"],
        [3, "line 2"],
        [4, "line 3"],
      ]);
      // bob never got his acknowledgements: his re-sends are known, not shown twice.
      const resent = history.append(line("c1", "2", "line 2"), { deliver: () => assert.fail() });
      assert.deepEqual([resent.duplicate, resent.line.seq], [true, 3]);
      assert.equal(Deno.readTextFileSync(journal), "", "the journal is cleared once stored");
    } finally {
      history.close();
      reopened.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("LineJournal: a torn last entry (its write cut by the kill) was never delivered and is skipped", async () => {
  const path = await Deno.makeTempFile();
  try {
    const entry = { seq: 7, client: "c", id: "1", from: "alice", text: "whole", time: "t" };
    Deno.writeTextFileSync(
      path,
      JSON.stringify(entry) + "\n" + '{"seq":8,"client":"c","id":"2","fr',
    );
    const journal = new LineJournal(path);
    assert.deepEqual(journal.pending(), [entry]);
    journal.close();
  } finally {
    await Deno.remove(path);
  }
});

Deno.test("SqliteHistory: span, after and count page a replay, and keep the sender's client", () => {
  withHistory((history) => {
    for (let i = 1; i <= 10; i++) history.append(line(`c${i % 2}`, String(i)));
    assert.deepEqual(history.span(0, 3), { start: 7, lines: 3 });
    assert.deepEqual(history.span(5, 100), { start: 5, lines: 5 });
    assert.deepEqual(history.span(0, 0), { start: 10, lines: 0 });
    assert.deepEqual(history.span(10, 3), { start: 10, lines: 0 });
    assert.equal(history.count(0, 7), 7);
    assert.equal(history.count(3, 5), 2);
    assert.deepEqual(history.after(7, 10).map((l) => [l.seq, l.client]), [
      [8, "c0"],
      [9, "c1"],
      [10, "c0"],
    ]);
    assert.deepEqual(history.after(2, 3).map((l) => l.seq), [3, 4, 5]);
    assert.deepEqual(history.after(10, 3), []);
  });
});
