import assert from "node:assert/strict";
import type { BacklogGateOptions } from "../../lib/room/backlog_gate.ts";
import { DatabaseSync } from "node:sqlite";
import { type History, MemoryHistory } from "../../lib/room/history.ts";
import { SqliteHistory } from "../../lib/room/sqlite_history.ts";
import { type ClientEvent, RoomClient } from "../../lib/room/room_client.ts";
import { FileStore } from "../../lib/room/file_store.ts";
import { HubFiles } from "../../lib/room/hub_files.ts";
import { createHash } from "node:crypto";
import { TextView } from "../../lib/cli/text_view.ts";
import { type Envelope, type Message, PROTOCOL_VERSION } from "../../lib/session/message.ts";
import type { Session } from "../../lib/session/session.ts";
import { MAX_TEXT_BYTES } from "../../lib/wire/limits.ts";
import { CheckedSession } from "./checked_session.ts";
import { InMemoryRoom, Recorder, refusal } from "./in_memory_room.ts";

function directRoom(): InMemoryRoom {
  return new InMemoryRoom({ kind: "direct", capacity: 2, history: new MemoryHistory(1) });
}

function hubRoom(
  options: {
    historyLimit?: number;
    perSecond?: number;
    burst?: number;
    backlog?: BacklogGateOptions;
  } = {},
) {
  return new InMemoryRoom({
    kind: "hub",
    capacity: 100,
    history: new MemoryHistory(1000),
    historyLimit: options.historyLimit ?? 50,
    rate: { perSecond: options.perSecond ?? 0, burst: options.burst ?? 0 },
    backlog: options.backlog,
  });
}

/** The two histories a room may keep, each opened fresh. */
const HISTORIES: [string, () => { history: History; close: () => void }][] = [
  ["in memory", () => ({ history: new MemoryHistory(100), close: () => {} })],
  ["SQLite", () => {
    const db = new DatabaseSync(":memory:");
    const history = new SqliteHistory(db);
    return {
      history,
      close: () => {
        history.close();
        db.close();
      },
    };
  }],
];

function texts(events: ClientEvent[]): string[] {
  return events.flatMap((e) => e.type === "message" ? [e.text] : []);
}

Deno.test("Room (direct): two people chat", async () => {
  const chat = directRoom();
  try {
    const alice = await chat.join("alice", "this computer");
    const bob = await chat.join("bob", "192.168.1.7:50483");
    assert.deepEqual(bob.seen("welcome")[0], {
      type: "welcome",
      you: "bob",
      kind: "direct",
      members: ["alice", "bob"],
      count: 2,
      history: 0,
      resumed: false,
    });
    // In a direct chat the other person learns where the newcomer connected from.
    const joined = await alice.events.waitFor((e) => e.type === "joined");
    assert.deepEqual(joined, {
      type: "joined",
      name: "bob",
      count: 2,
      remote: "192.168.1.7:50483",
    });

    bob.client.say("hi alice");
    alice.client.say("hi bob");
    bob.client.say("waves", true);
    const waved = await alice.events.waitFor((e) => e.type === "message" && e.me);
    assert.equal(waved.type === "message" && waved.from, "bob");
    await bob.events.waitFor((e) => e.type === "message");
    assert.deepEqual(texts(alice.events.items), ["hi alice", "waves"]);
    assert.deepEqual(texts(bob.events.items), ["hi bob"]);
    const line = alice.seen("message")[0];
    assert.equal(line.from, "bob");
    assert.equal(line.history, false);
    assert.ok(!Number.isNaN(Date.parse(line.time)));
    assert.equal(chat.roomEvents.items.filter((e) => e.type === "joined").length, 2);
  } finally {
    await chat.close();
  }
});

Deno.test("Room (direct): a third person is refused, the chat goes on", async () => {
  const chat = directRoom();
  try {
    const alice = await chat.join("alice");
    await chat.join("bob");
    const reason = await refusal(chat.join("carol", "10.0.0.9:6000"));
    assert.equal(reason, "This chat is busy: a direct chat holds two people.");
    assert.deepEqual(chat.roomEvents.items.at(-1), {
      type: "refused",
      remote: "10.0.0.9:6000",
      reason: "This chat is busy: a direct chat holds two people.",
    });
    assert.deepEqual(chat.room.names, ["alice", "bob"]);
    await alice.sync();
    assert.equal(alice.seen("joined").length, 1, "nobody is told about carol");
  } finally {
    await chat.close();
  }
});

Deno.test("Room: a name already in use is refused, ignoring case", async () => {
  const chat = hubRoom();
  try {
    await chat.join("alice");
    const reason = await refusal(chat.join("ALICE"));
    assert.equal(reason, "The name ALICE is taken in this chat; choose another with --name.");
    assert.deepEqual(chat.room.names, ["alice"]);
  } finally {
    await chat.close();
  }
});

Deno.test("Room: a name with control characters is refused", async () => {
  const chat = hubRoom();
  try {
    const reason = await refusal(chat.join("\x1b[2Jevil"));
    assert.match(reason, /is not allowed: use 1-16 of A-Z a-z 0-9 _ \. -$/);
  } finally {
    await chat.close();
  }
});

Deno.test("Room (direct): a line said when alone is not sent, and the person is told", async () => {
  const chat = directRoom();
  try {
    const alice = await chat.join("alice");
    alice.client.say("anyone there?");
    const notice = await alice.events.waitFor((e) => e.type === "notice");
    assert.equal(notice.type === "notice" && notice.error, true);
    assert.match(notice.type === "notice" ? notice.text : "", /not sent/);
    await alice.sync();
    assert.equal(alice.client.unacknowledged, 0, "the line is settled, quitting does not wait");
    // Nor is it shown later to the person who connects.
    const bob = await chat.join("bob");
    await bob.sync();
    assert.deepEqual(texts(bob.events.items), []);
  } finally {
    await chat.close();
  }
});

Deno.test("Room (direct): when one person quits the other is told", async () => {
  const chat = directRoom();
  try {
    const alice = await chat.join("alice");
    const bob = await chat.join("bob");
    await bob.client.quit();
    const left = await alice.events.waitFor((e) => e.type === "left");
    assert.deepEqual(left, { type: "left", name: "bob", count: 1 });
    assert.deepEqual(chat.room.names, ["alice"]);
  } finally {
    await chat.close();
  }
});

Deno.test("Room (hub): a newcomer gets the last lines, marked as history", async () => {
  const chat = hubRoom({ historyLimit: 3 });
  try {
    const alice = await chat.join("alice");
    for (let i = 1; i <= 5; i++) alice.client.say(`line ${i}`);
    await alice.sync();
    const bob = await chat.join("bob");
    assert.equal(bob.seen("welcome")[0].history, 3);
    await bob.sync();
    const replayed = bob.seen("message");
    assert.deepEqual(replayed.map((m) => m.text), ["line 3", "line 4", "line 5"]);
    assert.ok(replayed.every((m) => m.history && m.from === "alice"));
    assert.deepEqual(replayed.map((m) => m.seq), [3, 4, 5]);

    alice.client.say("live");
    const live = await bob.events.waitFor((e) => e.type === "message" && e.text === "live");
    assert.equal(live.type === "message" && live.history, false);
  } finally {
    await chat.close();
  }
});

Deno.test("Room (hub): a private message reaches only the addressee", async () => {
  const chat = hubRoom();
  try {
    const alice = await chat.join("alice");
    const bob = await chat.join("bob");
    const carol = await chat.join("carol");
    alice.client.whisper("BOB", "just for you");
    const got = await bob.events.waitFor((e) => e.type === "private");
    assert.equal(got.type === "private" && got.from, "alice");
    assert.equal(got.type === "private" && got.to, "bob");
    assert.equal(got.type === "private" && got.text, "just for you");
    await alice.sync();
    await carol.sync();
    assert.deepEqual(carol.seen("private"), []);
    assert.deepEqual(alice.seen("private"), []);
    assert.equal(alice.client.unacknowledged, 0);

    alice.client.whisper("dave", "hello?");
    const notice = await alice.events.waitFor((e) => e.type === "notice");
    assert.deepEqual(notice, { type: "notice", text: "No one called dave is here.", error: true });
  } finally {
    await chat.close();
  }
});

Deno.test("Room (hub): /nick renames and everyone is told", async () => {
  const chat = hubRoom();
  try {
    const alice = await chat.join("alice");
    const bob = await chat.join("bob");
    alice.client.nick("alicia");
    const renamed = await bob.events.waitFor((e) => e.type === "renamed");
    assert.deepEqual(renamed, { type: "renamed", from: "alice", to: "alicia" });
    await alice.events.waitFor((e) => e.type === "renamed");
    assert.equal(alice.client.name, "alicia");
    assert.deepEqual(chat.room.names, ["alicia", "bob"]);

    alice.client.say("new name");
    const line = await bob.events.waitFor((e) => e.type === "message");
    assert.equal(line.type === "message" && line.from, "alicia");

    alice.client.nick("Bob");
    const taken = await alice.events.waitFor((e) => e.type === "notice");
    assert.deepEqual(taken, { type: "notice", text: "The name Bob is taken.", error: true });
    assert.deepEqual(chat.room.names, ["alicia", "bob"]);

    // The old name is free again, the new one is taken (ignoring case), and a name is free
    // again once its member has left.
    const newcomer = await chat.join("Alice");
    assert.equal(newcomer.client.name, "Alice");
    assert.match(await refusal(chat.join("ALICIA")), /The name ALICIA is taken/);
    await bob.client.quit();
    await alice.events.waitFor((e) => e.type === "left" && e.name === "bob");
    assert.equal((await chat.join("BOB")).client.name, "BOB");
  } finally {
    await chat.close();
  }
});

Deno.test("Room (hub): flooding is refused with a notice", async () => {
  // Slow refill, so even a machine that pauses the test cannot earn a third line.
  const chat = hubRoom({ perSecond: 0.01, burst: 2 });
  try {
    const alice = await chat.join("alice");
    const bob = await chat.join("bob");
    for (let i = 1; i <= 4; i++) alice.client.say(`line ${i}`);
    await alice.sync();
    await bob.sync();
    assert.deepEqual(texts(bob.events.items), ["line 1", "line 2"]);
    const notices = alice.seen("notice");
    assert.ok(notices.length >= 1);
    assert.deepEqual(notices[0], {
      type: "notice",
      text: "Message rejected: Rate limiting is in effect.",
      error: true,
    });
    assert.equal(alice.client.unacknowledged, 0, "rejected lines are settled");
  } finally {
    await chat.close();
  }
});

Deno.test("Room (hub): a line the history cannot keep still reaches everyone, and its sender is told", async () => {
  const db = new DatabaseSync(":memory:");
  const history = new SqliteHistory(db);
  // What a full or failing disk does to the insert of this one line.
  db.exec(`CREATE TRIGGER doomed BEFORE INSERT ON lines WHEN NEW.text = 'doomed'
    BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END`);
  const chat = new InMemoryRoom({ kind: "hub", capacity: 10, history });
  try {
    const alice = await chat.join("alice");
    const bob = await chat.join("bob");
    alice.client.say("kept");
    alice.client.say("doomed");
    alice.client.say("kept too");
    await alice.sync();
    await bob.sync();
    await alice.events.waitFor((e) => e.type === "notice");
    assert.deepEqual(texts(bob.events.items), ["kept", "doomed", "kept too"]);
    assert.deepEqual(alice.seen("notice"), [{
      type: "notice",
      text: "The hub could not keep your message in its history: disk I/O error",
      error: true,
    }]);
    assert.deepEqual(chat.roomEvents.items.filter((e) => e.type === "history-failed"), [
      { type: "history-failed", from: "alice", reason: "disk I/O error" },
    ]);
    // Acknowledged all the same: a re-send would show it to everyone twice.
    while (alice.client.unacknowledged > 0) await new Promise((r) => setTimeout(r, 5));
    assert.deepEqual(history.recent(10).map((l) => l.text), ["kept", "kept too"]);
  } finally {
    await chat.close();
    history.close();
    db.close();
  }
});

/** Chat texts from `session`, read only now, until `count` have come; the session stays open. */
async function readTexts(session: Session, count: number): Promise<string[]> {
  const seen: string[] = [];
  const reader = session.incoming.getReader();
  try {
    while (seen.length < count) {
      const { value, done } = await reader.read();
      if (done) break;
      if (value.message.t === "chat") seen.push(value.message.text);
    }
  } finally {
    reader.releaseLock();
  }
  return seen;
}

Deno.test("Room (hub): a member who reads slowly slows the senders down, and loses nothing", async () => {
  // Memory sessions count 64 bytes a message: 30 lines put bob behind.
  const chat = hubRoom({
    backlog: { behindBytes: 2000, caughtUpBytes: 500, stalledMs: 60_000, maxHoldMs: 60_000 },
  });
  try {
    const alice = await chat.join("alice");
    const bob = chat.connect();
    bob.post({ t: "hello", v: PROTOCOL_VERSION, name: "bob", client: "bob-1" });
    await chat.roomEvents.waitFor((event) => event.type === "joined" && event.name === "bob");
    const lines = Array.from({ length: 100 }, (_, i) => `line ${i + 1}`);
    for (const line of lines) alice.client.say(line);
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.ok(alice.client.unacknowledged > 0, "the room holds alice's lines while bob is behind");
    assert.deepEqual(await readTexts(bob, 100), lines);
    await alice.sync();
    assert.equal(alice.client.unacknowledged, 0);
    assert.ok(!chat.roomEvents.items.some((event) => event.type === "left"), "nobody was cut off");
  } finally {
    await chat.close();
  }
});

Deno.test("Room (hub): a member who stops reading is cut off, and the others go on", async () => {
  const chat = hubRoom({
    backlog: { behindBytes: 2000, caughtUpBytes: 500, stalledMs: 100, maxHoldMs: 60_000 },
  });
  try {
    const alice = await chat.join("alice");
    const carol = await chat.join("carol");
    const bob = chat.connect();
    bob.post({ t: "hello", v: PROTOCOL_VERSION, name: "bob", client: "bob-1" });
    await chat.roomEvents.waitFor((event) => event.type === "joined" && event.name === "bob");
    const lines = Array.from({ length: 100 }, (_, i) => `line ${i + 1}`);
    for (const line of lines) alice.client.say(line);
    const left = await chat.roomEvents.waitFor((event) => event.type === "left");
    assert.deepEqual(left, {
      type: "left",
      name: "bob",
      remote: "192.168.1.7:50483",
      count: 2,
      reason: "the peer is not reading fast enough (nothing taken for 0.1 s)",
    });
    await alice.sync();
    await carol.sync();
    assert.equal(alice.client.unacknowledged, 0);
    assert.deepEqual(texts(carol.events.items), lines);
  } finally {
    await chat.close();
  }
});

Deno.test("Room: an overlong line is refused with its size", async () => {
  const chat = hubRoom();
  try {
    // Our client splits a long line: another could send it whole.
    const mallory = chat.raw({ t: "hello", v: PROTOCOL_VERSION, name: "mallory" });
    await mallory.received.waitFor((e) => e.message.t === "welcome");
    const bob = await chat.join("bob");
    mallory.post({ t: "chat", id: "m1", text: "é".repeat(MAX_TEXT_BYTES / 2 + 1) }); // 2 bytes each
    const notice = await mallory.received.waitFor((e) => e.message.t === "notice");
    assert.deepEqual(notice.message, {
      t: "notice",
      text: `Input too long (${MAX_TEXT_BYTES + 2} bytes; the limit is ${MAX_TEXT_BYTES}).`,
      error: true,
    });
    mallory.post({ t: "chat", id: "m2", text: "x".repeat(MAX_TEXT_BYTES) }); // the limit is fine
    await bob.events.waitFor((e) => e.type === "message");
    await bob.sync();
    assert.deepEqual(bob.seen("message").map((m) => m.text.length), [MAX_TEXT_BYTES]);
  } finally {
    await chat.close();
  }
});

for (const [kind, open] of HISTORIES) {
  Deno.test(`Room (hub): a line re-sent after a reconnect is stored and shown once (${kind})`, async () => {
    const { history, close } = open();
    const chat = new InMemoryRoom({ kind: "hub", capacity: 10, history });
    try {
      const bob = await chat.join("bob");
      const line: Message = { t: "chat", id: "c1:1", text: "only once" };
      const first = chat.raw({ t: "hello", v: PROTOCOL_VERSION, name: "alice", client: "c1" });
      await first.received.waitFor((e) => e.message.t === "welcome");
      first.post(line);
      const ack = await first.received.waitFor((e) => e.message.t === "ack");
      // The connection drops as the ack was on its way; the client comes back and re-sends.
      const second = chat.raw({
        t: "hello",
        v: PROTOCOL_VERSION,
        name: "alice",
        client: "c1",
        lastSeq: 0,
      });
      await second.received.waitFor((e) => e.message.t === "welcome");
      second.post(line);
      second.post(line);
      // Then something new, which is stored and shown like any line.
      second.post({ t: "chat", id: "c1:2", text: "and this" });
      const acks: Envelope[] = [];
      for (let i = 0; i < 3; i++) {
        acks.push(
          await second.received.waitFor(
            (e) => e.message.t === "ack" && !acks.includes(e),
          ),
        );
      }
      assert.deepEqual(acks.slice(0, 2).map((e) => e.message), [ack.message, ack.message]);
      await bob.sync();
      assert.deepEqual(texts(bob.events.items), ["only once", "and this"]);
      assert.deepEqual(history.recent(10).map((l) => l.text), ["only once", "and this"]);
      // The reconnect replaced the member: bob saw alice join once and never leave.
      assert.deepEqual(bob.seen("joined").map((e) => e.name), ["alice"]);
      assert.deepEqual(bob.seen("left"), []);
      await first.session.close(); // the dead connection, as the network would end it
    } finally {
      await chat.close();
      close();
    }
  });
}

Deno.test("Room (direct): a hostile file name is refused by the receiver, and the sender told", async () => {
  const chat = directRoom();
  try {
    const bob = await chat.join("bob");
    const mallory = chat.raw({ t: "hello", v: PROTOCOL_VERSION, name: "mallory" });
    await mallory.received.waitFor((e) => e.message.t === "welcome");
    mallory.post({ t: "offer", fid: 7, name: "../../.ssh/authorized_keys", size: 4 });
    mallory.post({ t: "chunk", fid: 7 }, new TextEncoder().encode("key!"));
    mallory.post({ t: "end", fid: 7, sha256: "0".repeat(64) });
    const answer = await mallory.received.waitFor((e) => e.message.t === "received");
    assert.deepEqual(answer.message, {
      t: "received",
      fid: 7,
      ok: false,
      reason: "refused: unsafe file name: contains a path separator",
      by: "bob",
    });
    const failed = await bob.events.waitFor((e) => e.type === "file-failed");
    assert.equal(failed.type === "file-failed" && failed.direction, "receive");
    await bob.sync();
    assert.deepEqual(bob.seen("file"), []);
    assert.deepEqual(await Array.fromAsync(Deno.readDir(bob.dir)), [], "nothing was written");
  } finally {
    await chat.close();
  }
});

Deno.test("Room (direct): a file offered when alone is refused at once", async () => {
  const chat = directRoom();
  try {
    const mallory = chat.raw({ t: "hello", v: PROTOCOL_VERSION, name: "mallory" });
    await mallory.received.waitFor((e) => e.message.t === "welcome");
    mallory.post({ t: "offer", fid: 1, name: "a.txt", size: 1 });
    const answer = await mallory.received.waitFor((e) => e.message.t === "received");
    assert.deepEqual(answer.message, {
      t: "received",
      fid: 1,
      ok: false,
      reason: "No one else is in the chat yet.",
    });
  } finally {
    await chat.close();
  }
});

Deno.test("Room: a member that never says hello is dropped", async () => {
  const chat = new InMemoryRoom({
    kind: "hub",
    capacity: 10,
    history: new MemoryHistory(10),
    helloTimeoutMs: 50,
  });
  try {
    const silent = chat.raw({ t: "ping" } as unknown as Extract<Message, { t: "hello" }>);
    await silent.session.closed;
    assert.deepEqual(chat.room.names, []);
    const quiet = chat.raw({ t: "hello", v: PROTOCOL_VERSION, name: "ok" });
    await quiet.received.waitFor((e) => e.message.t === "welcome");
  } finally {
    await chat.close();
  }
});

Deno.test("Room: another protocol version is told to upgrade", async () => {
  const chat = hubRoom();
  try {
    const old = chat.raw({ t: "hello", v: 99, name: "old" });
    const notice = await old.received.waitFor((e) => e.message.t === "notice");
    assert.match(
      (notice.message as { text: string }).text,
      new RegExp(`^This host speaks protocol ${PROTOCOL_VERSION}; you sent 99\\.`),
    );
    await old.session.closed;
  } finally {
    await chat.close();
  }
});

for (const kind of ["direct", "hub"] as const) {
  Deno.test(`Room (${kind}): a peer of protocol 1 (no resume) is refused at once, both told; the room goes on`, async () => {
    const chat = kind === "direct" ? directRoom() : hubRoom();
    try {
      const alice = await chat.join("alice");
      // A p2pchat from before resume would offer files and never answer `ready`.
      const old = chat.raw({ t: "hello", v: 1, name: "bob", client: "old-1" });
      const notice = await old.received.waitFor((e) => e.message.t === "notice");
      assert.deepEqual(notice.message, {
        t: "notice",
        text: `This host speaks protocol ${PROTOCOL_VERSION}; you sent 1. ` +
          "Use the same p2pchat version on both sides.",
        error: true,
      });
      await old.session.closed;
      const refused = await chat.roomEvents.waitFor((e) => e.type === "refused");
      assert.deepEqual(refused, {
        type: "refused",
        remote: "10.0.0.66:4444",
        reason: `it speaks protocol 1, this host ${PROTOCOL_VERSION}. ` +
          "Use the same p2pchat version on both sides.",
      });
      assert.deepEqual(chat.room.names, ["alice"]);
      assert.deepEqual(old.received.items.map((e) => e.message.t), ["notice"]);
      await alice.sync();
      assert.deepEqual(alice.seen("joined"), []);
      // The one who joins with the same version gets the free place and the name, and chat flows.
      const bob = await chat.join("bob");
      alice.client.say("still here");
      await bob.events.waitFor((e) => e.type === "message" && e.text === "still here");
      assert.deepEqual(alice.seen("joined").map((e) => e.name), ["bob"]);
    } finally {
      await chat.close();
    }
  });
}

Deno.test("Room (hub): a crowd arriving at once is named in part and counted", async () => {
  const chat = new InMemoryRoom({
    kind: "hub",
    capacity: 200,
    history: new MemoryHistory(10),
    historyLimit: 0,
    rate: { perSecond: 0, burst: 0 },
  });
  try {
    const alice = await chat.join("alice");
    // Past 64 members, arrivals are gathered into one notice.
    await Promise.all(Array.from({ length: 69 }, (_, i) => chat.join(`early${i}`)));
    await alice.events.waitFor((e) =>
      (e.type === "joined" || e.type === "crowd") && e.count === 70
    );
    const from = alice.events.items.length;
    await Promise.all(Array.from({ length: 50 }, (_, i) => chat.join(`crowd${i}`)));
    const crowd = await alice.events.waitFor((e) => e.type === "crowd", from);
    const named = alice.events.items.slice(from).filter((e) =>
      e.type === "joined" && e.name.startsWith("crowd")
    );
    assert.equal(named.length, 20);
    assert.deepEqual(crowd, { type: "crowd", joined: 30, left: 0, count: 120 });
  } finally {
    await chat.close();
  }
});

Deno.test("Room (hub): a member whose connection drops gets its name back, and nobody takes it meanwhile", async () => {
  const chat = hubRoom();
  try {
    const alice = await chat.join("alice");
    const bob = await chat.join("bob");
    const mallory = await chat.join("mallory");
    await alice.client.disconnect(); // the connection drops: no goodbye
    await chat.roomEvents.waitFor((e) => e.type === "left" && e.name === "alice");

    mallory.client.nick("alice");
    mallory.client.nick("a1ice");
    await mallory.sync();
    // Two minutes, less what the test took.
    const seconds = (text: string) => text.replace(/another 1[12]\d s/, "another 1xx s");
    assert.deepEqual(mallory.seen("notice").map((notice) => seconds(notice.text)), [
      "The name alice is kept for its owner for another 1xx s (their connection dropped).",
      "The name a1ice is too similar to alice, kept for its owner for another 1xx s " +
      "(their connection dropped).",
    ]);
    assert.match(
      await refusal(chat.join("alice")),
      /^The name alice is kept for its owner for another 1[12]\d s \(their connection dropped\); choose another with --name\.$/,
    );
    bob.client.whisper("alice", "are you there?");
    assert.deepEqual(await bob.events.waitFor((e) => e.type === "notice"), {
      type: "notice",
      text: "No one called alice is here.",
      error: true,
    });

    // Her client reconnects, as it does by itself, and is alice again.
    await alice.client.join(chat.connect());
    assert.equal(alice.seen("welcome")[1].you, "alice");
    bob.client.whisper("alice", "welcome back");
    const whisper = await alice.events.waitFor((e) => e.type === "private");
    assert.equal(whisper.type === "private" && whisper.text, "welcome back");
    await mallory.sync();
    assert.deepEqual(mallory.seen("private"), []);
    assert.deepEqual(bob.seen("renamed"), [], "nobody was renamed");
    assert.deepEqual(chat.room.names.sort(), ["alice", "bob", "mallory"]);
  } finally {
    await chat.close();
  }
});

Deno.test("Room (hub): a name kept for a dropped member is free again after the grace period", async () => {
  const chat = new InMemoryRoom({
    kind: "hub",
    capacity: 10,
    history: new MemoryHistory(10),
    nameGraceMs: 50,
  });
  try {
    const alice = await chat.join("alice");
    await alice.client.disconnect();
    await chat.roomEvents.waitFor((e) => e.type === "left" && e.name === "alice");
    assert.match(await refusal(chat.join("alice")), /^The name alice is kept/);
    await new Promise((resolve) => setTimeout(resolve, 80));
    const other = await chat.join("alice");
    assert.equal(other.client.name, "alice");
  } finally {
    await chat.close();
  }
});

Deno.test("Room (hub): a member who says goodbye leaves its name free at once", async () => {
  const chat = hubRoom();
  try {
    const alice = await chat.join("alice");
    const bob = await chat.join("bob");
    await alice.client.quit();
    await bob.events.waitFor((e) => e.type === "left" && e.name === "alice");
    assert.equal((await chat.join("alice")).client.name, "alice");
  } finally {
    await chat.close();
  }
});

Deno.test("Room (direct): the next person may take the name of one whose connection dropped", async () => {
  // A direct chat ends with its connection: nobody comes back to claim a kept name.
  const chat = directRoom();
  try {
    await chat.join("alice");
    const bob = await chat.join("bob");
    await bob.client.disconnect();
    await chat.roomEvents.waitFor((e) => e.type === "left" && e.name === "bob");
    assert.equal((await chat.join("bob")).client.name, "bob");
  } finally {
    await chat.close();
  }
});

Deno.test("Room (hub): a name that looks like a member's is refused, joining or renaming", async () => {
  const chat = hubRoom();
  try {
    const alice = await chat.join("alice");
    const bob = await chat.join("bob");
    for (const name of ["aIice", "a1ice", "AL1CE"]) {
      assert.equal(
        await refusal(chat.join(name)),
        `The name ${name} is too similar to alice, who is in this chat; choose another with --name.`,
      );
    }
    bob.client.nick("a1ice");
    bob.client.nick("B0B"); // like his own name: his to take
    alice.client.nick("rnallory");
    await bob.sync();
    assert.deepEqual(bob.seen("notice"), [{
      type: "notice",
      text: "The name a1ice is too similar to alice, who is in this chat.",
      error: true,
    }]);
    await alice.events.waitFor((e) => e.type === "renamed" && e.to === "rnallory");
    assert.match(await refusal(chat.join("mallory")), /too similar to rnallory/);
    assert.deepEqual(chat.room.names, ["rnallory", "B0B"]);
  } finally {
    await chat.close();
  }
});

Deno.test("Room (hub): renaming faster than --rate is refused like lines, with the same notice", async () => {
  const chat = hubRoom({ perSecond: 0.01, burst: 2 });
  try {
    const mallory = await chat.join("mallory");
    const bob = await chat.join("bob");
    for (let i = 1; i <= 6; i++) mallory.client.nick(`m${i}`);
    await mallory.sync();
    await bob.sync();
    assert.deepEqual(bob.seen("renamed").map((e) => e.to), ["m1", "m2"]);
    assert.deepEqual(
      mallory.seen("notice").map((e) => e.text),
      Array(4).fill("Message rejected: Rate limiting is in effect."),
    );
    // Renames and lines share the bucket: nothing is left for a line either.
    mallory.client.say("and a line");
    await mallory.events.waitFor((e) => e.type === "notice", mallory.events.items.length);
    await bob.sync();
    assert.deepEqual(texts(bob.events.items), []);
  } finally {
    await chat.close();
  }
});

Deno.test("Room (hub): a member who reads slowly holds back a renamer too, and loses nothing", async () => {
  // Memory sessions count 64 bytes a message: 30 renames put bob behind.
  const chat = hubRoom({
    backlog: { behindBytes: 2000, caughtUpBytes: 500, stalledMs: 60_000, maxHoldMs: 60_000 },
  });
  try {
    const mallory = chat.raw({ t: "hello", v: PROTOCOL_VERSION, name: "mallory", client: "m-1" });
    await mallory.received.waitFor((e) => e.message.t === "welcome");
    const bob = chat.connect();
    bob.post({ t: "hello", v: PROTOCOL_VERSION, name: "bob", client: "bob-1" });
    await chat.roomEvents.waitFor((event) => event.type === "joined" && event.name === "bob");
    const names = Array.from({ length: 100 }, (_, i) => `m${i + 1}`);
    for (const name of names) mallory.post({ t: "nick", name });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const renamed = () => chat.roomEvents.items.filter((e) => e.type === "renamed").length;
    assert.ok(renamed() < 100, `the room held the renamer while bob was behind (${renamed()})`);
    // Bob reads; every rename reaches him, in order.
    const seen: string[] = [];
    const reader = bob.incoming.getReader();
    while (seen.length < names.length) {
      const { value } = await reader.read();
      if (value?.message.t === "renamed") seen.push(value.message.to);
    }
    reader.releaseLock();
    assert.deepEqual(seen, names);
    assert.ok(!chat.roomEvents.items.some((e) => e.type === "left"), "nobody was cut off");
  } finally {
    await chat.close();
  }
});

Deno.test("Room (hub): asking /who faster than --rate is refused with the notice, apart from lines", async () => {
  const chat = hubRoom({ perSecond: 0.01, burst: 2 });
  try {
    const alice = await chat.join("alice");
    const bob = await chat.join("bob");
    alice.client.who();
    alice.client.who();
    alice.client.say("one"); // lines have their own bucket
    alice.client.say("two");
    alice.client.who();
    alice.client.say("three");
    await alice.events.waitFor(() => alice.seen("notice").length === 2);
    assert.equal(alice.seen("members").length, 2);
    assert.deepEqual(
      alice.seen("notice").map((e) => e.text),
      Array(2).fill("Message rejected: Rate limiting is in effect."),
    );
    await bob.sync();
    assert.deepEqual(texts(bob.events.items), ["one", "two"]);
  } finally {
    await chat.close();
  }
});

/** Joins `count` members named `prefix0`, `prefix1` ... that take what they are sent unread. */
async function crowdOf(chat: InMemoryRoom, prefix: string, count: number): Promise<Session[]> {
  const sessions: Session[] = [];
  for (let i = 0; i < count; i++) {
    const session = chat.connect(`10.${i >> 16}.${(i >> 8) & 255}.${i & 255}:4000`);
    session.post({
      t: "hello",
      v: PROTOCOL_VERSION,
      name: `${prefix}${i}`,
      client: `${prefix}-${i}`,
    });
    session.receive(() => {}).catch(() => {});
    sessions.push(session);
  }
  while (chat.room.names.length < count) {
    const refused = chat.roomEvents.items.find((event) => event.type === "refused");
    if (refused) throw new Error(`a member of the crowd was refused: ${JSON.stringify(refused)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return sessions;
}

/** A RoomClient joined over a {@linkcode CheckedSession}, recording what it is shown. */
async function checkedMember(chat: InMemoryRoom, name: string) {
  const session = new CheckedSession(chat.connect());
  const client = new RoomClient({ name, files: new FileStore("unused_receive_folder") });
  const events = new Recorder<ClientEvent>();
  client.subscribe((event) => events.push(event));
  await client.join(session);
  const ask = async <T extends "members" | "file-list">(type: T, send: () => void) => {
    const from = events.items.length;
    send();
    return await events.waitFor(
      (e): e is Extract<ClientEvent, { type: T }> => e.type === type,
      from,
    );
  };
  return { session, client, events, ask };
}

/** Runs `body`, failing if it takes longer than `ms`: a bound on a big test, not a target. */
async function inTime<T>(ms: number, body: () => Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`not done within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([body(), late]);
  } finally {
    clearTimeout(timer);
  }
}

/** What the terminal prints for `event`. */
function printed(event: ClientEvent): string[] {
  const lines: string[] = [];
  new TextView({ print: (line) => lines.push(line), status: () => {} }).show(event);
  return lines;
}

Deno.test("Room (hub): /who among 10,000 members answers a page at a time, and every message fits", async () => {
  const chat = new InMemoryRoom({
    kind: "hub",
    capacity: 20_000,
    history: new MemoryHistory(10),
    historyLimit: 0,
  });
  try {
    await inTime(120_000, async () => {
      const alice = await checkedMember(chat, "alice");
      await crowdOf(chat, "crowd_member", 10_000); // 16 characters at the longest
      const first = await alice.ask("members", () => alice.client.who());
      assert.equal(first.names.length, 100);
      assert.deepEqual(first.names.slice(0, 3), ["alice", "crowd_member0", "crowd_member1"]);
      assert.deepEqual([first.page, first.pages, first.total], [1, 101, 10_001]);
      assert.match(
        printed(first)[0],
        /^\[System\] Connected \(page 1 of 101\): alice, crowd_member0, .*, crowd_member98 \(10001 in all; \/who 2 for more\)$/,
      );
      const second = await alice.ask("members", () => alice.client.who(2));
      assert.deepEqual(second.names.slice(0, 2), ["crowd_member99", "crowd_member100"]);
      const last = await alice.ask("members", () => alice.client.who(101));
      assert.deepEqual(last.names, ["crowd_member9999"]);
      assert.equal(
        printed(last)[0],
        "[System] Connected (page 101 of 101): crowd_member9999 (10001 in all)",
      );
      // Every page together is everyone, once.
      const everyone = new Set<string>();
      for (let page = 1; page <= 101; page++) {
        for (const name of (await alice.ask("members", () => alice.client.who(page))).names) {
          everyone.add(name);
        }
      }
      assert.equal(everyone.size, 10_001);
      // A newcomer's welcome names a few and counts everyone.
      const bob = await checkedMember(chat, "bob");
      const welcome = bob.events.items.find((e) => e.type === "welcome");
      assert.equal(welcome?.type === "welcome" && welcome.count, 10_002);
      assert.deepEqual([...alice.session.refused, ...bob.session.refused], []);
    });
  } finally {
    await chat.close();
  }
});

Deno.test("Room (hub): /files among 1,000 shared files answers newest first, a page at a time, and every message fits", async () => {
  const dir = await Deno.makeTempDir({ prefix: "p2pchat_files_" });
  const db = new DatabaseSync(":memory:");
  const chat = new InMemoryRoom({
    kind: "hub",
    capacity: 10,
    history: new MemoryHistory(10),
    files: new HubFiles(db, new FileStore(dir)),
  });
  try {
    await inTime(120_000, async () => {
      const alice = await checkedMember(chat, "alice");
      const mallory = chat.raw({ t: "hello", v: PROTOCOL_VERSION, name: "mallory", client: "m-1" });
      await mallory.received.waitFor((e) => e.message.t === "welcome");
      // Empty files under the longest names an upload may have (255 bytes).
      const nameOf = (i: number) => `${String(i).padStart(4, "0")}${"é".repeat(123)}.bin`;
      assert.equal(new TextEncoder().encode(nameOf(1)).length, 254);
      const empty = createHash("sha256").digest("hex");
      for (let fid = 1; fid <= 1000; fid++) {
        mallory.post({ t: "offer", fid, name: nameOf(fid), size: 0 });
        mallory.post({ t: "end", fid, sha256: empty });
      }
      await alice.events.waitFor((e) => e.type === "shared" && e.name === nameOf(1000));

      const first = await alice.ask("file-list", () => alice.client.listFiles());
      assert.deepEqual([first.page, first.pages, first.total], [1, 50, 1000]);
      assert.deepEqual(first.files.map((f) => f.name), range(1000, 981).map(nameOf));
      assert.deepEqual(first.files.map((f) => f.file), range(1000, 981));
      const lines = printed(first);
      assert.equal(
        lines[0],
        "[System] Shared files, newest first (page 1 of 50, 1000 in all; /files 2 for older):",
      );
      assert.equal(lines[1], `[System]   /get 1000  ${nameOf(1000)} (0 B) from mallory`);
      const last = await alice.ask("file-list", () => alice.client.listFiles(50));
      assert.deepEqual(last.files.map((f) => f.file), range(20, 1));
      assert.equal(
        printed(last)[0],
        "[System] Shared files, newest first (page 50 of 50, 1000 in all):",
      );
      const all = new Set<number>();
      for (let page = 1; page <= 50; page++) {
        const answer = await alice.ask("file-list", () => alice.client.listFiles(page));
        for (const file of answer.files) all.add(file.file);
      }
      assert.equal(all.size, 1000);
      assert.deepEqual(alice.session.refused, []);
    });
  } finally {
    await chat.close();
    db.close();
    await Deno.remove(dir, { recursive: true });
  }
});

/** The integers from `from` down (or up) to `to`, both included. */
function range(from: number, to: number): number[] {
  const step = from <= to ? 1 : -1;
  return Array.from({ length: Math.abs(to - from) + 1 }, (_, i) => from + i * step);
}

Deno.test("Room (hub): a crowd leaving for long reasons is named as far as a notice holds, and counted", async () => {
  const chat = new InMemoryRoom({
    kind: "hub",
    capacity: 200,
    history: new MemoryHistory(10),
    historyLimit: 0,
  });
  try {
    await inTime(60_000, async () => {
      const alice = await checkedMember(chat, "alice");
      const crowd = await crowdOf(chat, "leaver", 100); // past 64: presence comes in batches
      await alice.events.waitFor((e) =>
        (e.type === "joined" || e.type === "crowd") && e.count === 101
      );
      const from = alice.events.items.length;
      // What a connection's end can say is not for the room to trust: long and unprintable.
      for (const session of crowd.slice(0, 40)) await session.close("\x07".repeat(1000));
      await alice.events.waitFor(
        (e) => (e.type === "left" || e.type === "crowd") && e.count === 61,
        from,
      );
      assert.deepEqual(alice.session.refused, []);
      const left = alice.events.items.slice(from).filter((e) => e.type === "left");
      const counted = alice.events.items.slice(from).find((e) => e.type === "crowd");
      assert.ok(left.length >= 1, "some are named");
      assert.equal(left.length + (counted?.type === "crowd" ? counted.left : 0), 40);
      for (const event of left) {
        assert.equal(event.type === "left" && event.reason, "\x07".repeat(256));
      }
    });
  } finally {
    await chat.close();
  }
});

Deno.test("Room (hub): a line with control characters is refused with a notice, in chat, /msg and /me", async () => {
  const chat = hubRoom();
  try {
    const alice = await chat.join("alice");
    const bob = await chat.join("bob");
    alice.client.say("\x01".repeat(2720));
    alice.client.whisper("bob", "clear\x1b[2Jscreen");
    alice.client.say("waves\x07", true);
    alice.client.say("C1 \u009b too");
    alice.client.say("two\nlines");
    alice.client.say("a\ttab is fine");
    await alice.sync();
    await bob.sync();
    const notices = alice.seen("notice");
    assert.equal(notices.length, 5, JSON.stringify(notices));
    for (const notice of notices) {
      assert.equal(notice.error, true);
      assert.match(notice.text, /^Message rejected: control characters such as \\x[0-9a-f]{2} /);
    }
    assert.match(notices[0].text, /\\x01/);
    assert.match(notices[3].text, /\\x9b/);
    assert.deepEqual(texts(bob.events.items), ["a\ttab is fine"]);
    assert.deepEqual(bob.seen("private"), []);
    assert.equal(alice.client.unacknowledged, 0, "refused lines are settled");
  } finally {
    await chat.close();
  }
});

Deno.test("Room (hub): a newcomer claiming an old lastSeq with a new client id gets only the last --history lines", async () => {
  const chat = hubRoom({ historyLimit: 3 });
  try {
    const alice = await chat.join("alice");
    for (let i = 1; i <= 10; i++) alice.client.say(`line ${i}`);
    await alice.sync();
    const eve = chat.raw({
      t: "hello",
      v: PROTOCOL_VERSION,
      name: "eve",
      client: crypto.randomUUID(),
      lastSeq: 1,
    });
    const welcome = await eve.received.waitFor((e) => e.message.t === "welcome");
    assert.equal((welcome.message as { history: number }).history, 3);
    eve.post({ t: "who" });
    await eve.received.waitFor((e) => e.message.t === "members");
    const lines = eve.received.items.flatMap((e) => e.message.t === "chat" ? [e.message.text] : []);
    assert.deepEqual(lines, ["line 8", "line 9", "line 10"]);
  } finally {
    await chat.close();
  }
});

/** Every string inside `value` (keys too), and the parts of each between colons. */
function stringsIn(value: unknown, into: Set<string> = new Set()): Set<string> {
  if (typeof value === "string") {
    into.add(value);
    for (const part of value.split(":")) into.add(part);
  } else if (Array.isArray(value)) { for (const item of value) stringsIn(item, into); }
  else if (typeof value === "object" && value !== null) {
    for (const [key, item] of Object.entries(value)) stringsIn(item, into.add(key));
  }
  return into;
}

Deno.test("Room (hub): nothing a member receives lets it take over another member's seat", async () => {
  const chat = hubRoom();
  try {
    const alice = await chat.join("alice");
    const bob = await chat.join("bob");
    const mallory = chat.raw({ t: "hello", v: PROTOCOL_VERSION, name: "mallory", client: "m1" });
    await mallory.received.waitFor((e) => e.message.t === "welcome");
    alice.client.say("hello all");
    alice.client.say("waves", true);
    alice.client.whisper("mallory", "psst");
    bob.client.say("hi alice");
    mallory.post({ t: "chat", id: "m1:1", text: "hi" });
    mallory.post({ t: "who" });
    await alice.sync();
    await bob.sync();
    await mallory.received.waitFor((e) => e.message.t === "private");
    // A second connection of mallory's, as a newcomer: it is replayed the history.
    const again = chat.raw({ t: "hello", v: PROTOCOL_VERSION, name: "mallory2", client: "m2" });
    await again.received.waitFor((e) => e.message.t === "welcome");
    again.post({ t: "who" });
    await again.received.waitFor((e) => e.message.t === "members");

    const seen = stringsIn(
      [...mallory.received.items, ...again.received.items].map((e) => e.message),
    );
    assert.ok(seen.size > 10, `only ${seen.size} strings seen`);
    for (const client of seen) {
      for (const name of ["alice", "mallory3"]) {
        const attempt = chat.raw({ t: "hello", v: PROTOCOL_VERSION, name, client });
        await attempt.received.waitFor((e) =>
          e.message.t === "welcome" || (e.message.t === "notice" && e.message.error === true)
        );
        await attempt.session.close();
        await bob.sync();
        const taken = `taken over with client ${JSON.stringify(client)} as ${name}`;
        assert.deepEqual(alice.seen("closed"), [], taken);
      }
    }
    // Alice kept her seat all along: never cut off, never seen leaving, still heard.
    assert.deepEqual(alice.seen("closed"), []);
    assert.deepEqual(bob.seen("left").filter((e) => e.name === "alice"), []);
    alice.client.say("still mine");
    await bob.events.waitFor((e) => e.type === "message" && e.text === "still mine");
  } finally {
    await chat.close();
  }
});

Deno.test("Room (hub): a member replayed what it missed while the room talks on sees every line once, in order", async () => {
  const chat = new InMemoryRoom({
    kind: "hub",
    capacity: 10,
    history: new MemoryHistory(20_000),
    historyLimit: 5,
  });
  try {
    const alice = await chat.join("alice");
    const bob = await chat.join("bob");
    bob.client.say("bob before");
    await bob.sync();
    await bob.client.disconnect();
    for (let i = 0; i < 6_000; i++) alice.client.say(`missed ${i}`);
    await alice.sync();

    const from = bob.events.items.length;
    await bob.client.join(chat.connect());
    // While bob is replayed the 6,000 lines, alice and bob both talk.
    for (let i = 0; i < 50; i++) {
      alice.client.say(`live ${i}`);
      bob.client.say(`bob live ${i}`);
    }
    await alice.sync();
    await bob.sync();
    await bob.events.waitFor((e) => e.type === "message" && e.text === "live 49", from);
    await bob.sync();
    const after = bob.events.items.slice(from);
    const welcome = after[0];
    assert.deepEqual(
      welcome.type === "welcome" && [welcome.resumed, welcome.history, welcome.skipped],
      [true, 6_000, undefined],
    );
    const lines = after.flatMap((e) => e.type === "message" ? [e] : []);
    assert.deepEqual(lines.map((line) => line.text), [
      ...Array.from({ length: 6_000 }, (_, i) => `missed ${i}`),
      ...Array.from({ length: 50 }, (_, i) => `live ${i}`),
    ]);
    for (let i = 1; i < lines.length; i++) assert.ok(lines[i].seq > lines[i - 1].seq);
    assert.equal(lines.filter((line) => line.history).length, 6_000);
    assert.equal(bob.client.unacknowledged, 0, "bob's own lines were acknowledged");
    // Alice saw each of bob's lines once.
    assert.equal(alice.seen("message").filter((m) => m.text.startsWith("bob live")).length, 50);

    // Back again at once: nothing was missed, so nothing is replayed.
    await bob.client.disconnect();
    const again = bob.events.items.length;
    await bob.client.join(chat.connect());
    await bob.sync();
    const back = bob.events.items.slice(again);
    assert.equal(back[0].type === "welcome" && back[0].history, 0);
    assert.deepEqual(back.filter((e) => e.type === "message"), []);
  } finally {
    await chat.close();
  }
});
