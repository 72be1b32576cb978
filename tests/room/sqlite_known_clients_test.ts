import assert from "node:assert/strict";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { SqliteKnownClients } from "../../lib/room/sqlite_known_clients.ts";

const DAY = 24 * 3600 * 1000;

Deno.test("SqliteKnownClients: a client's first floor is kept, and survives reopening the file", async () => {
  const dir = await Deno.makeTempDir({ prefix: "p2pchat_known_clients_" });
  try {
    const path = join(dir, "hub.db");
    const first = new DatabaseSync(path);
    const before = new SqliteKnownClients(first);
    assert.equal(before.replayFloor("c1"), undefined);
    before.joined("c1", 40);
    before.joined("c1", 900);
    before.left("c1");
    first.close();
    const second = new DatabaseSync(path);
    try {
      const after = new SqliteKnownClients(second);
      assert.equal(after.replayFloor("c1"), 40);
      assert.equal(after.replayFloor("c2"), undefined);
    } finally {
      second.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("SqliteKnownClients: clients unseen for maxAgeMs are forgotten, and at most maxClients are kept", () => {
  const db = new DatabaseSync(":memory:");
  try {
    let now = 0;
    const clients = new SqliteKnownClients(db, { maxAgeMs: 30 * DAY, now: () => now });
    clients.joined("old", 1);
    now = 10 * DAY;
    clients.joined("recent", 2);
    now = 35 * DAY;
    clients.left("recent"); // seen again when it left
    // Pruned when the table is opened (and every thousand joins).
    const reopened = new SqliteKnownClients(db, { maxAgeMs: 30 * DAY, now: () => now });
    assert.equal(reopened.replayFloor("old"), undefined);
    assert.equal(reopened.replayFloor("recent"), 2);

    const small = new SqliteKnownClients(db, { maxClients: 100, now: () => now });
    for (let i = 0; i < 2_000; i++) {
      now++;
      small.joined(`c${i}`, i);
    }
    const count = (db.prepare("SELECT COUNT(*) AS n FROM clients").get() as { n: number }).n;
    assert.ok(count <= 100 + 1_000, `${count} clients kept`);
    assert.equal(small.replayFloor("c1999"), 1999, "the newest are kept");
    assert.equal(small.replayFloor("c0"), undefined, "the oldest are forgotten");
  } finally {
    db.close();
  }
});

Deno.test("SqliteKnownClients: a database that fails forgets, and never fails a join", () => {
  const db = new DatabaseSync(":memory:");
  const clients = new SqliteKnownClients(db);
  clients.joined("c1", 5);
  db.close();
  clients.joined("c2", 7);
  clients.left("c1");
  assert.equal(clients.replayFloor("c1"), undefined);
});
