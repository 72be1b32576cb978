import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { FileStore } from "../../lib/room/file_store.ts";
import { MemoryHistory } from "../../lib/room/history.ts";
import { HubFiles, type HubFilesOptions } from "../../lib/room/hub_files.ts";
import { type Envelope, type Message, PROTOCOL_VERSION } from "../../lib/session/message.ts";
import { TRANSFERS_AT_ONCE } from "../../lib/room/transfer_limits.ts";
import { InMemoryRoom, type RawMember } from "./in_memory_room.ts";

const sha256 = (data: Uint8Array) => createHash("sha256").update(data).digest("hex");

/** A hub room in memory whose kept files live in a temporary folder. */
async function hubWithFiles(options: HubFilesOptions = {}) {
  const root = await Deno.makeTempDir({ prefix: "p2pchat_hub_files_" });
  const db = new DatabaseSync(join(root, "hub.db"));
  const store = new FileStore(join(root, "files"));
  const open = () => new HubFiles(db, store, options);
  const files = open();
  const chat = new InMemoryRoom({
    kind: "hub",
    capacity: 100,
    history: new MemoryHistory(100),
    files,
  });
  return {
    chat,
    files,
    db,
    store,
    /** HubFiles opened again on the same database and folder, as after a restart. */
    reopen: open,
    /** Names in the kept files' folder, temporary ones included. */
    async stored(): Promise<string[]> {
      try {
        return (await Array.fromAsync(Deno.readDir(store.dir))).map((e) => e.name).sort();
      } catch (error) {
        if (error instanceof Deno.errors.NotFound) return [];
        throw error;
      }
    },
    async close() {
      await chat.close();
      db.close();
      await Deno.remove(root, { recursive: true });
    },
  };
}

/** Polls `ready` until it holds; fails after 10 s. */
async function until(ready: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!await ready()) {
    if (Date.now() > deadline) throw new Error("not reached within 10 s");
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** A raw member that joined (its welcome arrived). */
async function rawJoin(chat: InMemoryRoom, name: string): Promise<RawMember> {
  const member = chat.raw({ t: "hello", v: PROTOCOL_VERSION, name });
  await member.received.waitFor((e) => e.message.t === "welcome");
  return member;
}

/** The hub's answer to `fid` from `member`. */
async function answer(member: RawMember, fid: number) {
  const { message } = await member.received.waitFor((e: Envelope) =>
    e.message.t === "received" && e.message.fid === fid
  );
  return message as Extract<Message, { t: "received" }>;
}

/** Offers `data` as `name` and sends it whole. */
function upload(member: RawMember, fid: number, name: string, data: Uint8Array): void {
  member.post({ t: "offer", fid, name, size: data.length });
  member.post({ t: "chunk", fid }, data);
  member.post({ t: "end", fid, sha256: sha256(data) });
}

Deno.test("HubFiles: an upload that does not fit the hub's storage is refused with how full it is, uploads in progress counted", async () => {
  const hub = await hubWithFiles({ maxStorageBytes: 10_000 });
  try {
    const alice = await rawJoin(hub.chat, "alice");
    const bob = await rawJoin(hub.chat, "bob");
    // alice's upload is under way: it holds its full size although only a part has come.
    alice.post({ t: "offer", fid: 1, name: "a.bin", size: 6_000 });
    alice.post({ t: "chunk", fid: 1 }, new Uint8Array(1_000));
    upload(bob, 1, "b.bin", new Uint8Array(6_000));
    assert.deepEqual(await answer(bob, 1), {
      t: "received",
      fid: 1,
      ok: false,
      reason: "refused 'b.bin' (6.0 kB): the hub's storage is full: 6.0 of 10.0 kB used",
    });
    const failed = await hub.chat.roomEvents.waitFor((e) => e.type === "file-failed");
    assert.deepEqual(failed, {
      type: "file-failed",
      from: "bob",
      name: "b.bin",
      reason: "refused 'b.bin' (6.0 kB): the hub's storage is full: 6.0 of 10.0 kB used",
    });

    // alice gives up: the space is free again, and bob's file is kept.
    alice.post({ t: "cancel", fid: 1, reason: "changed my mind" });
    await hub.chat.roomEvents.waitFor((e) => e.type === "file-failed" && e.from === "alice");
    const data = new Uint8Array(6_000).fill(7);
    upload(bob, 2, "b.bin", data);
    assert.equal((await answer(bob, 2)).ok, true);
    assert.equal(hub.files.storageUsed, 6_000);
    assert.deepEqual(await hub.stored(), ["b.bin"], "nothing of alice's upload stays");

    // What is kept is counted again after a restart; a kept file removed by hand frees its space.
    assert.equal(hub.reopen().storageUsed, 6_000);
    await Deno.remove(join(hub.store.dir, "b.bin"));
    assert.equal(hub.reopen().storageUsed, 0);
  } finally {
    await hub.close();
  }
});

Deno.test("HubFiles: with --max-storage 0 the hub keeps no files, and says so", async () => {
  const hub = await hubWithFiles({ maxStorageBytes: 0 });
  try {
    const alice = await rawJoin(hub.chat, "alice");
    upload(alice, 1, "a.txt", new Uint8Array(0));
    assert.equal((await answer(alice, 1)).reason, "refused 'a.txt': this hub does not keep files");
    assert.deepEqual(await hub.stored(), []);
  } finally {
    await hub.close();
  }
});

Deno.test("Room: a member's fifth file at once is refused at once with the reason, and nothing is opened for it", async () => {
  const hub = await hubWithFiles();
  try {
    const mallory = await rawJoin(hub.chat, "mallory");
    for (let fid = 1; fid <= 20; fid++) {
      mallory.post({ t: "offer", fid, name: `f${fid}.bin`, size: 1_000_000 });
    }
    for (let fid = TRANSFERS_AT_ONCE + 1; fid <= 20; fid++) {
      assert.deepEqual(await answer(mallory, fid), {
        t: "received",
        fid,
        ok: false,
        reason: `refused 'f${fid}.bin': you are already sending ${TRANSFERS_AT_ONCE} files; ` +
          "send more when one is done",
      });
    }
    // Only the first four have a (private, temporary) file.
    const temps = await hub.stored();
    assert.equal(temps.length, TRANSFERS_AT_ONCE, temps.join(", "));
    // When one is done, the next may start.
    mallory.post({ t: "cancel", fid: 1, reason: "no" });
    const data = new Uint8Array(10).fill(1);
    upload(mallory, 21, "late.bin", data);
    assert.equal((await answer(mallory, 21)).ok, true);
  } finally {
    await hub.close();
  }
  // The member left: its unfinished uploads left nothing behind.
});

Deno.test("HubFiles: a member that leaves mid-upload leaves nothing in the hub's folder", async () => {
  const hub = await hubWithFiles({ maxStorageBytes: 1_000_000 });
  try {
    const mallory = await rawJoin(hub.chat, "mallory");
    const bob = await hub.chat.join("bob");
    for (let fid = 1; fid <= 3; fid++) {
      mallory.post({ t: "offer", fid, name: `f${fid}.bin`, size: 100_000 });
      mallory.post({ t: "chunk", fid }, new Uint8Array(50_000));
    }
    await until(async () => (await hub.stored()).length === 3);
    await mallory.session.close();
    await bob.events.waitFor((e) => e.type === "left");
    await until(async () => (await hub.stored()).length === 0);
    assert.equal(hub.files.storageUsed, 0, "the space they held is free again");
  } finally {
    await hub.close();
  }
});

Deno.test("HubFiles: at the hub's limit of open files a further upload is refused, a /get waits its turn", async () => {
  const hub = await hubWithFiles({ openFiles: 2 });
  try {
    const bob = await hub.chat.join("bob");
    const kept = new Uint8Array(1_000).fill(3);
    const sender = await rawJoin(hub.chat, "sender");
    upload(sender, 1, "kept.bin", kept);
    assert.equal((await answer(sender, 1)).ok, true);

    const alice = await rawJoin(hub.chat, "alice");
    const carol = await rawJoin(hub.chat, "carol");
    alice.post({ t: "offer", fid: 1, name: "a.bin", size: 10 });
    carol.post({ t: "offer", fid: 1, name: "c.bin", size: 10 });
    await bob.sync();
    upload(sender, 2, "s.bin", new Uint8Array(10));
    assert.deepEqual(await answer(sender, 2), {
      t: "received",
      fid: 2,
      ok: false,
      reason: "refused 's.bin': the hub is receiving too many files at once; try again shortly",
    });
    bob.client.fetch(1);
    await bob.sync();
    assert.deepEqual(bob.seen("file"), [], "the download waits for an open file to close");
    alice.post({ t: "cancel", fid: 1, reason: "no" });
    const file = await bob.events.waitFor((e) => e.type === "file");
    assert.equal(file.type === "file" && file.sha256, sha256(kept));
  } finally {
    await hub.close();
  }
});

Deno.test("HubFiles: a /get offer the member never answers is withdrawn in time: the open file is free for the next, the member and the log told", async () => {
  const delivered: [string, string, boolean, string | undefined][] = [];
  const hub = await hubWithFiles({
    openFiles: 1,
    getAnswerMs: 200,
    onDelivered: (member, name, ok, reason) => delivered.push([member.name, name, ok, reason]),
  });
  try {
    const kept = new Uint8Array(1_000).fill(7);
    const alice = await rawJoin(hub.chat, "alice");
    upload(alice, 1, "kept.bin", kept);
    assert.equal((await answer(alice, 1)).ok, true);
    // mallory asks for it and never says `ready`: the hub's one open file is hers meanwhile.
    const mallory = await rawJoin(hub.chat, "mallory");
    mallory.post({ t: "get", file: 1 });
    const offer = await mallory.received.waitFor((e) => e.message.t === "offer");
    const bob = await hub.chat.join("bob");
    bob.client.fetch(1);
    await bob.sync();
    assert.deepEqual(bob.seen("file"), [], "the download waits for the open file");
    const file = await bob.events.waitFor((e) => e.type === "file");
    assert.equal(file.type === "file" && file.sha256, sha256(kept));
    const fid = (offer.message as Extract<Message, { t: "offer" }>).fid;
    const cancel = await mallory.received.waitFor((e) => e.message.t === "cancel");
    assert.deepEqual(cancel.message, {
      t: "cancel",
      fid,
      reason: "no answer to the offer within 200 ms: withdrawn",
      keep: true,
    });
    assert.deepEqual(delivered.filter(([name]) => name === "mallory"), [
      ["mallory", "kept.bin", false, "no answer to the offer within 200 ms: withdrawn"],
    ]);
    // Her `ready` after the withdrawal starts nothing.
    mallory.post({ t: "ready", fid, offset: 0 });
    mallory.post({ t: "who" });
    await mallory.received.waitFor((e) => e.message.t === "members");
    assert.equal(mallory.received.items.filter((e) => e.message.t === "chunk").length, 0);
  } finally {
    await hub.close();
  }
});

Deno.test("HubFiles: a kept file the index cannot record is removed, and its sender is told", async () => {
  const hub = await hubWithFiles();
  // What a full disk does to the insert.
  hub.db.exec(`CREATE TRIGGER full BEFORE INSERT ON files
    BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END`);
  try {
    const alice = await rawJoin(hub.chat, "alice");
    upload(alice, 1, "a.txt", new TextEncoder().encode("hello"));
    assert.deepEqual(await answer(alice, 1), {
      t: "received",
      fid: 1,
      ok: false,
      reason: "cannot keep 'a.txt': database or disk is full",
    });
    assert.deepEqual(await hub.stored(), [], "no file that nobody could ever fetch");
    assert.equal(hub.files.storageUsed, 0);
  } finally {
    await hub.close();
  }
});

Deno.test("Room (hub): a member's own lines go on while a file it asked for is on its way", async () => {
  const hub = await hubWithFiles();
  try {
    const alice = await hub.chat.join("alice");
    const bob = await hub.chat.join("bob");
    // More than the member's session holds unread: the download must wait for it.
    const big = new Uint8Array(24 * 1024 * 1024).fill(9);
    const outbox = await Deno.makeTempDir();
    try {
      await Deno.writeFile(join(outbox, "big.bin"), big);
      await alice.client.sendFile(join(outbox, "big.bin"));
    } finally {
      await Deno.remove(outbox, { recursive: true });
    }
    const shared = await bob.events.waitFor((e) => e.type === "shared");
    // mallory asks for it, reads nothing, and says a line.
    const mallory = hub.chat.connect("10.0.0.66:4444");
    mallory.post({ t: "hello", v: PROTOCOL_VERSION, name: "mallory" });
    await bob.events.waitFor((e) => e.type === "joined" && e.name === "mallory");
    mallory.post({ t: "get", file: shared.type === "shared" ? shared.file : 0 });
    mallory.post({ t: "chat", id: "1", text: "while my file comes" });
    const line = await bob.events.waitFor((e) => e.type === "message");
    assert.equal(line.type === "message" && line.text, "while my file comes");
    await mallory.close();
  } finally {
    await hub.close();
  }
});

Deno.test("HubFiles: /get requests beyond what the hub holds for one member are refused with a notice", async () => {
  const hub = await hubWithFiles();
  try {
    const alice = await rawJoin(hub.chat, "alice");
    // Big enough that the first download is still going when the last request is read.
    upload(alice, 1, "a.bin", new Uint8Array(16 * 1024 * 1024));
    assert.equal((await answer(alice, 1)).ok, true);
    const mallory = hub.chat.connect("10.0.0.66:4444");
    mallory.post({ t: "hello", v: PROTOCOL_VERSION, name: "mallory" });
    for (let i = 0; i < 100; i++) mallory.post({ t: "get", file: 1 });
    mallory.post({ t: "who" });
    const notices: string[] = [];
    for await (const { message } of mallory.incoming) {
      if (message.t === "notice") notices.push(message.text);
      if (message.t === "members") break;
    }
    // One is being sent, 16 wait: the other 83 were refused.
    assert.equal(notices.length, 83);
    assert.equal(notices[0], "You have asked for 16 files already: /get more once they arrive.");
    await mallory.close();
  } finally {
    await hub.close();
  }
});

Deno.test("Room (hub): refused offers and /get requests count against the rate limit, so they cannot flood the hub's log", async () => {
  const root = await Deno.makeTempDir({ prefix: "p2pchat_hub_files_" });
  const db = new DatabaseSync(join(root, "hub.db"));
  const chat = new InMemoryRoom({
    kind: "hub",
    capacity: 10,
    history: new MemoryHistory(10),
    rate: { perSecond: 1, burst: 2 },
    files: new HubFiles(db, new FileStore(join(root, "files")), { maxBytes: 5 }),
  });
  try {
    const mallory = await rawJoin(chat, "mallory");
    for (let fid = 1; fid <= 10; fid++) {
      mallory.post({ t: "offer", fid, name: `big${fid}.bin`, size: 1_000 });
    }
    // Each offer is answered...
    for (let fid = 1; fid <= 10; fid++) assert.equal((await answer(mallory, fid)).ok, false);
    // ...but only what the rate allows reaches the hub's log.
    assert.equal(chat.roomEvents.items.filter((e) => e.type === "file-failed").length, 2);

    for (let i = 0; i < 5; i++) mallory.post({ t: "get", file: 99 });
    mallory.post({ t: "who" });
    await mallory.received.waitFor((e) => e.message.t === "members");
    const notices = mallory.received.items.flatMap(({ message }) =>
      message.t === "notice" ? [message.text] : []
    );
    assert.deepEqual(notices, Array(5).fill("Message rejected: Rate limiting is in effect."));
  } finally {
    await chat.close();
    db.close();
    await Deno.remove(root, { recursive: true });
  }
});
