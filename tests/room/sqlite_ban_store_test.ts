import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { BanList } from "../../lib/room/ban_list.ts";
import { SqliteBanStore } from "../../lib/room/sqlite_ban_store.ts";
import { SqliteHistory } from "../../lib/room/sqlite_history.ts";

Deno.test("SqliteBanStore: bans, with everything they hold, are there after a reopen; lifted ones are not", async () => {
  const dir = await Deno.makeTempDir({ prefix: "p2pchat_bans_" });
  try {
    const path = `${dir}/hub.db`;
    let db = new DatabaseSync(path);
    let bans = new BanList({ store: new SqliteBanStore(db) });
    // A ban with every field there is, to see each kept.
    const bob = {
      name: "bob",
      client: "c7",
      address: "10.0.0.5",
      reason: "flooding",
      by: "host",
      byHost: true,
      since: 1_000,
      until: 8.64e15,
    };
    bans.add(bob);
    bans.add({ name: "eve", by: "alice", byHost: false, since: 2_000 });
    bans.add({ name: "zed", by: "host", byHost: true });
    bans.removeName("zed");
    db.close();

    db = new DatabaseSync(path);
    bans = new BanList({ store: new SqliteBanStore(db) });
    assert.deepEqual(bans.list().map(({ id: _, ...ban }) => ban), [
      bob,
      { name: "eve", by: "alice", byHost: false, since: 2_000 },
    ]);
    assert.equal(bans.match({ name: "robert", client: "x", address: "10.0.0.5" })?.name, "bob");
    db.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("SqliteBanStore: rows that are not bans (an edited database) are skipped, not trusted", () => {
  const db = new DatabaseSync(":memory:");
  try {
    const store = new SqliteBanStore(db);
    store.insert({ name: "good", by: "host", byHost: true, since: 1 });
    const insert = db.prepare(
      "INSERT INTO bans (name, client, address, reason, by_name, by_host, since, until) " +
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    );
    insert.run("n".repeat(65), null, null, null, "host", 1, 1, null);
    insert.run("x", null, null, null, "host", 7, 1, null);
    insert.run("y", null, null, null, "host", 1, -5, null);
    insert.run("z", new Uint8Array([1, 2]), null, null, "host", 1, 1, null);
    insert.run("w", null, null, null, "host", 1, 1, 1.5);
    assert.deepEqual(store.load(100).map((ban) => ban.name), ["good"]);
    // The newest `limit` are loaded, oldest first.
    store.insert({ name: "newer", by: "host", byHost: true, since: 2 });
    assert.deepEqual(store.load(1).map((ban) => ban.name), ["newer"]);
  } finally {
    db.close();
  }
});

Deno.test("SqliteBanStore: a ban given while the history holds lines in a transaction is on disk at once", async () => {
  const dir = await Deno.makeTempDir({ prefix: "p2pchat_bans_" });
  try {
    const path = `${dir}/hub.db`;
    const db = new DatabaseSync(path);
    db.exec("PRAGMA journal_mode = WAL");
    const history = new SqliteHistory(db);
    const bans = new BanList({ store: new SqliteBanStore(db, { settle: () => history.commit() }) });
    const acked: number[] = [];
    history.append(
      { client: "c", id: "1", from: "alice", text: "hi", time: "t" },
      { stored: (line) => acked.push(line.seq) },
    );
    assert.ok(db.isTransaction, "the line waits for its group commit");
    bans.add({ name: "bob", by: "host", byHost: true });
    assert.equal(db.isTransaction, false);
    assert.equal(acked.length, 1, "the line was committed (and acknowledged) first");
    // Another connection (a killed hub's next start) sees the ban now.
    const reader = new DatabaseSync(path);
    assert.deepEqual(
      reader.prepare("SELECT name FROM bans").all().map((row) => row.name),
      ["bob"],
    );
    reader.close();
    history.close();
    db.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
