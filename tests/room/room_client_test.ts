import assert from "node:assert/strict";
import { PASSKEY } from "../../dev/test_passkey.ts";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { FileStore } from "../../lib/room/file_store.ts";
import { MemoryHistory } from "../../lib/room/history.ts";
import { type ClientEvent, RefusedError, RoomClient } from "../../lib/room/room_client.ts";
import { dial } from "../../lib/session/dial.ts";
import { NetSession } from "../../lib/session/net_session.ts";
import { type Message, PROTOCOL_VERSION } from "../../lib/session/message.ts";
import { InMemoryRoom } from "./in_memory_room.ts";

function directRoom(): InMemoryRoom {
  return new InMemoryRoom({ kind: "direct", capacity: 2, history: new MemoryHistory(1) });
}

/** Polls `condition` until it holds; throws naming `what` after a few seconds. */
async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`not seen in time: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

function sha256(data: Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

/** Writes `data` to a new temporary folder as `name`; returns the path. */
async function fileToSend(name: string, data: Uint8Array): Promise<{ path: string; dir: string }> {
  const dir = await Deno.makeTempDir({ prefix: "p2pchat_outbox_" });
  const path = join(dir, name);
  await Deno.writeFile(path, data);
  return { path, dir };
}

Deno.test("RoomClient: a file sent in a direct chat lands in the receiver's folder, hash checked", async () => {
  const chat = directRoom();
  // Several chunks, and not a multiple of the chunk size.
  const data = new Uint8Array(300_001).map((_, i) => (i * 7) % 256);
  const outbox = await fileToSend("report.bin", data);
  try {
    const alice = await chat.join("alice");
    const bob = await chat.join("bob");
    await alice.client.sendFile(outbox.path);

    const saved = await bob.events.waitFor((e) => e.type === "file");
    assert.equal(saved.type, "file");
    if (saved.type !== "file") return;
    assert.equal(saved.from, "alice");
    assert.equal(saved.name, "report.bin");
    assert.equal(saved.path, join(bob.dir, "report.bin"));
    assert.equal(saved.bytes, data.length);
    assert.equal(saved.sha256, sha256(data));
    assert.deepEqual(await Deno.readFile(saved.path), data);
    assert.deepEqual(bob.seen("file-incoming"), [
      { type: "file-incoming", from: "alice", name: "report.bin", bytes: data.length },
    ]);
    assert.equal(bob.seen("progress").at(-1)?.done, data.length);

    const sent = alice.seen("file-sent");
    assert.deepEqual(sent, [{
      type: "file-sent",
      name: "report.bin",
      bytes: data.length,
      sha256: sha256(data),
      to: "bob",
    }]);

    // The same name with other content does not overwrite the first file.
    const other = data.map((b) => b ^ 1);
    await Deno.writeFile(outbox.path, other);
    await alice.client.sendFile(outbox.path);
    const second = await bob.events.waitFor((e) => e.type === "file" && e !== saved);
    assert.equal(second.type === "file" && second.name, "report (1).bin");
    assert.deepEqual(await Deno.readFile(join(bob.dir, "report (1).bin")), other);
    assert.deepEqual(await Deno.readFile(join(bob.dir, "report.bin")), data);
    const names = (await Array.fromAsync(Deno.readDir(bob.dir))).map((e) => e.name).sort();
    assert.deepEqual(names, ["report (1).bin", "report.bin"], "no temporary files are left");
  } finally {
    await chat.close();
    await Deno.remove(outbox.dir, { recursive: true });
  }
});

Deno.test("RoomClient: asked about an offer, the receiver declines: nothing is sent or saved, and the sender is told", async () => {
  const chat = directRoom();
  const outbox = await fileToSend("report.pdf", new Uint8Array(600_000).fill(7));
  try {
    const alice = await chat.join("alice");
    const bob = await chat.join("bob", undefined, "ask");
    const sending = alice.client.sendFile(outbox.path);
    sending.catch(() => {});
    const offer = await bob.events.waitFor((e) => e.type === "file-offer");
    assert.deepEqual(offer, {
      type: "file-offer",
      offer: offer.type === "file-offer" ? offer.offer : 0,
      from: "alice",
      name: "report.pdf",
      bytes: 600_000,
      ask: true,
    });
    // While the question waits: no byte has come, nothing is on the disk, and chat flows.
    alice.client.say("did you get it?");
    await bob.events.waitFor((e) => e.type === "message" && e.text === "did you get it?");
    assert.deepEqual(alice.seen("progress"), []);
    assert.deepEqual(await Array.fromAsync(Deno.readDir(bob.dir)), []);
    assert.deepEqual(bob.client.offersWaiting, [offer.type === "file-offer" ? offer.offer : 0]);

    assert.equal(bob.client.answerOffer(undefined, false), true);
    await assert.rejects(sending, /declined/);
    assert.deepEqual(alice.seen("file-declined"), [
      { type: "file-declined", name: "report.pdf", by: "bob" },
    ]);
    assert.deepEqual(alice.seen("file-failed"), []);
    assert.deepEqual(bob.seen("file-declined"), [
      { type: "file-declined", name: "report.pdf", from: "alice" },
    ]);
    assert.deepEqual(bob.client.offersWaiting, []);
    assert.equal(bob.client.answerOffer(undefined, true), false, "nothing waits any more");
    assert.deepEqual(await Array.fromAsync(Deno.readDir(bob.dir)), []);
  } finally {
    await chat.close();
    await Deno.remove(outbox.dir, { recursive: true });
  }
});

Deno.test("RoomClient: leaving does not wait for a person asked about an offer: it is withdrawn, and both sides are told", async () => {
  const chat = directRoom();
  const outbox = await fileToSend("report.pdf", new Uint8Array(600_000).fill(7));
  try {
    const alice = await chat.join("alice");
    const bob = await chat.join("bob", undefined, "ask");
    let unanswered = false;
    const sending = alice.client.sendFile(outbox.path, { unanswered: () => unanswered = true });
    sending.catch(() => {});
    await bob.events.waitFor((e) => e.type === "file-offer");
    assert.equal(alice.client.busy, true);
    // What keeps commands in order goes on once nobody answered (a person is asked).
    await new Promise((resolve) => setTimeout(resolve, 1_300));
    assert.equal(unanswered, true);
    const started = Date.now();
    await alice.client.deliver();
    assert.ok(Date.now() - started < 5_000, "leaving did not wait for bob");
    await assert.rejects(sending, /left before it was accepted/);
    assert.equal(alice.client.busy, false);
    const failed = await bob.events.waitFor((e) => e.type === "file-failed");
    assert.deepEqual(failed, {
      type: "file-failed",
      direction: "receive",
      name: "report.pdf",
      reason: "the sender left",
    });
    assert.deepEqual(bob.client.offersWaiting, [], "the question went away");
    assert.deepEqual(await Array.fromAsync(Deno.readDir(bob.dir)), []);
  } finally {
    await chat.close();
    await Deno.remove(outbox.dir, { recursive: true });
  }
});

Deno.test("RoomClient: in a direct chat an offer the peer never answers (it takes files unasked) is withdrawn in time: both sides told", async () => {
  const chat = directRoom();
  const outbox = await fileToSend("report.pdf", new Uint8Array(1000).fill(7));
  try {
    const alice = await chat.join("alice", undefined, undefined, 200);
    // mallory says nothing to offers: no `ready`, no `asking`, no refusal.
    const mallory = chat.raw({ t: "hello", v: PROTOCOL_VERSION, name: "mallory" });
    await mallory.received.waitFor((e) => e.message.t === "welcome");
    const sending = alice.client.sendFile(outbox.path);
    const offer = await mallory.received.waitFor((e) => e.message.t === "offer");
    await assert.rejects(sending, /^Error: no answer to the offer within 200 ms: withdrawn$/);
    assert.deepEqual(alice.seen("file-failed"), [{
      type: "file-failed",
      direction: "send",
      name: "report.pdf",
      reason: "no answer to the offer within 200 ms: withdrawn",
    }]);
    assert.equal(alice.client.busy, false, "nothing held for it");
    const cancel = await mallory.received.waitFor((e) => e.message.t === "cancel");
    assert.deepEqual(cancel.message, {
      t: "cancel",
      fid: (offer.message as Extract<Message, { t: "offer" }>).fid,
      reason: "no answer to the offer within 200 ms: withdrawn",
      keep: true,
    });
  } finally {
    await chat.close();
    await Deno.remove(outbox.dir, { recursive: true });
  }
});

Deno.test("RoomClient: a person asked about an offer has no time limit: past the wait the sender still waits, and yes brings the file", async () => {
  const chat = directRoom();
  const data = new Uint8Array(1000).map((_, i) => i % 251);
  const outbox = await fileToSend("a.bin", data);
  try {
    const alice = await chat.join("alice", undefined, undefined, 100);
    const bob = await chat.join("bob", undefined, "ask");
    const sending = alice.client.sendFile(outbox.path);
    sending.catch(() => {}); // awaited below
    const offer = await bob.events.waitFor((e) => e.type === "file-offer");
    // Bob reads the question for longer than a silent peer is given.
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.deepEqual(alice.seen("file-failed"), []);
    assert.equal(alice.client.busy, true);
    assert.equal(bob.client.answerOffer(offer.type === "file-offer" ? offer.offer : 0, true), true);
    await sending;
    const saved = await bob.events.waitFor((e) => e.type === "file");
    assert.equal(saved.type === "file" && saved.sha256, sha256(data));
  } finally {
    await chat.close();
    await Deno.remove(outbox.dir, { recursive: true });
  }
});

Deno.test("RoomClient: a file named with a character only some systems refuse arrives with _ in its place", async () => {
  const chat = directRoom();
  const data = new TextEncoder().encode("minutes");
  const outbox = await fileToSend('meeting 10:30 "final".txt', data);
  try {
    const alice = await chat.join("alice");
    const bob = await chat.join("bob");
    await alice.client.sendFile(outbox.path);
    const saved = await bob.events.waitFor((e) => e.type === "file");
    assert.equal(saved.type === "file" && saved.name, "meeting 10_30 _final_.txt");
    assert.deepEqual(await Deno.readFile(join(bob.dir, "meeting 10_30 _final_.txt")), data);
    assert.equal(alice.seen("file-sent")[0]?.name, "meeting 10_30 _final_.txt");
  } finally {
    await chat.close();
    await Deno.remove(outbox.dir, { recursive: true });
  }
});

Deno.test("RoomClient: asked about an offer, the receiver accepts: the file comes then", async () => {
  const chat = directRoom();
  const data = new Uint8Array(300_000).map((_, i) => i % 251);
  const outbox = await fileToSend("a.bin", data);
  try {
    const alice = await chat.join("alice");
    const bob = await chat.join("bob", undefined, "ask");
    const sending = alice.client.sendFile(outbox.path);
    const offer = await bob.events.waitFor((e) => e.type === "file-offer");
    assert.equal(bob.client.answerOffer(offer.type === "file-offer" ? offer.offer : 0, true), true);
    await sending;
    const saved = await bob.events.waitFor((e) => e.type === "file");
    assert.equal(saved.type === "file" && saved.sha256, sha256(data));
    assert.deepEqual(await Deno.readFile(join(bob.dir, "a.bin")), data);
  } finally {
    await chat.close();
    await Deno.remove(outbox.dir, { recursive: true });
  }
});

Deno.test("RoomClient: with accept none every offer is declined unasked; with all it is taken", async () => {
  const chat = directRoom();
  const outbox = await fileToSend("a.txt", new TextEncoder().encode("hello"));
  try {
    const alice = await chat.join("alice", undefined, "all");
    const bob = await chat.join("bob", undefined, "none");
    await bob.client.sendFile(outbox.path);
    await alice.events.waitFor((e) => e.type === "file");
    assert.deepEqual(alice.seen("file-offer").map((e) => e.ask), [false]);
    await assert.rejects(alice.client.sendFile(outbox.path), /declined/);
    assert.deepEqual(bob.seen("file-offer").map((e) => e.ask), [false]);
    assert.deepEqual(alice.seen("file-declined"), [{
      type: "file-declined",
      name: "a.txt",
      by: "bob",
    }]);
    assert.deepEqual(await Array.fromAsync(Deno.readDir(bob.dir)), []);
  } finally {
    await chat.close();
    await Deno.remove(outbox.dir, { recursive: true });
  }
});

Deno.test("RoomClient: an empty file is sent and saved too", async () => {
  const chat = directRoom();
  const outbox = await fileToSend("empty.txt", new Uint8Array(0));
  try {
    const alice = await chat.join("alice");
    const bob = await chat.join("bob");
    await alice.client.sendFile(outbox.path);
    const saved = await bob.events.waitFor((e) => e.type === "file");
    assert.equal(saved.type === "file" && saved.bytes, 0);
    assert.equal((await Deno.stat(join(bob.dir, "empty.txt"))).size, 0);
  } finally {
    await chat.close();
    await Deno.remove(outbox.dir, { recursive: true });
  }
});

Deno.test({
  name: "RoomClient: a file name the receiver refuses fails the send with the reason",
  // A name ending with a dot can only be created where it is not trimmed.
  ignore: Deno.build.os === "windows",
  async fn() {
    const chat = directRoom();
    const outbox = await fileToSend("report.txt.", new TextEncoder().encode("x"));
    try {
      const alice = await chat.join("alice");
      const bob = await chat.join("bob");
      await assert.rejects(
        alice.client.sendFile(outbox.path),
        /^Error: bob refused report\.txt\.: refused: unsafe file name: ends with a dot or space$/,
      );
      const failed = alice.seen("file-failed");
      assert.equal(failed.length, 1);
      assert.equal(failed[0].direction, "send");
      assert.equal(failed[0].name, "report.txt.");
      assert.match(failed[0].reason, /ends with a dot or space/);
      await bob.sync();
      assert.deepEqual(bob.seen("file"), []);
      assert.deepEqual(await Array.fromAsync(Deno.readDir(bob.dir)), []);
      assert.equal(alice.client.busy, false);
    } finally {
      await chat.close();
      await Deno.remove(outbox.dir, { recursive: true });
    }
  },
});

Deno.test("RoomClient: sending a missing file fails with a readable reason", async () => {
  const chat = directRoom();
  try {
    const alice = await chat.join("alice");
    await chat.join("bob");
    await assert.rejects(
      alice.client.sendFile("/no/such/file.txt"),
      // Plain words, not the OS's (`(os error 2): open '...'`).
      /^Error: Cannot read \/no\/such\/file\.txt: no such file$/,
    );
    assert.equal(alice.client.busy, false);
  } finally {
    await chat.close();
  }
});

Deno.test("RoomClient: a file sent when alone fails with the room's reason", async () => {
  const chat = directRoom();
  const outbox = await fileToSend("a.txt", new TextEncoder().encode("hello"));
  try {
    const alice = await chat.join("alice");
    await assert.rejects(
      alice.client.sendFile(outbox.path),
      /The receiver refused a\.txt: No one else is in the chat yet\./,
    );
  } finally {
    await chat.close();
    await Deno.remove(outbox.dir, { recursive: true });
  }
});

Deno.test("RoomClient: join() rejects with the host's reason when refused", async () => {
  const chat = directRoom();
  try {
    await chat.join("alice");
    await chat.join("bob");
    const error = await chat.join("carol").then(() => undefined, (e: unknown) => e);
    assert.ok(error instanceof RefusedError);
    assert.equal(error.message, "This chat is busy: a direct chat holds two people.");
  } finally {
    await chat.close();
  }
});

Deno.test("RoomClient: quit() waits until sent lines are acknowledged, then leaves", async () => {
  const chat = new InMemoryRoom({ kind: "hub", capacity: 10, history: new MemoryHistory(100) });
  try {
    const alice = await chat.join("alice");
    const bob = await chat.join("bob");
    for (let i = 0; i < 20; i++) alice.client.say(`line ${i}`);
    await alice.client.quit();
    assert.equal(alice.client.unacknowledged, 0);
    assert.equal(alice.client.leaving, true);
    const left = await bob.events.waitFor((e) => e.type === "left");
    assert.deepEqual(left, { type: "left", name: "alice", count: 1 });
    assert.equal(bob.seen("message").length, 20, "every line arrived before alice left");
    assert.deepEqual(alice.seen("closed"), [], "leaving on purpose is not reported as a drop");
  } finally {
    await chat.close();
  }
});

Deno.test("RoomClient: the room closing is reported with its reason", async () => {
  const chat = directRoom();
  const alice = await chat.join("alice");
  await chat.close();
  assert.equal(await alice.client.ended(), "The room is closing");
  assert.deepEqual(alice.seen("closed"), [{ type: "closed", reason: "The room is closing" }]);
});

Deno.test("RoomClient: ten files sent at once all arrive: past the four a room takes at once, they wait their turn", async () => {
  const chat = directRoom();
  const outbox = await Deno.makeTempDir({ prefix: "p2pchat_outbox_" });
  try {
    const alice = await chat.join("alice");
    const bob = await chat.join("bob");
    const paths: string[] = [];
    for (let i = 0; i < 10; i++) {
      paths.push(join(outbox, `f${i}.bin`));
      await Deno.writeFile(paths[i], new Uint8Array(300_000).fill(i));
    }
    await Promise.all(paths.map((path) => alice.client.sendFile(path)));
    assert.equal(alice.seen("file-sent").length, 10);
    assert.deepEqual(alice.seen("file-failed"), []);
    await bob.sync();
    const names = (await Array.fromAsync(Deno.readDir(bob.dir))).map((e) => e.name).sort();
    assert.deepEqual(names, paths.map((_, i) => `f${i}.bin`));
  } finally {
    await chat.close();
    await Deno.remove(outbox, { recursive: true });
  }
});

Deno.test("RoomClient: a room refuses a fifth file at once from a client that does not wait", async () => {
  const chat = directRoom();
  try {
    await chat.join("bob");
    const mallory = chat.raw({ t: "hello", v: PROTOCOL_VERSION, name: "mallory" });
    await mallory.received.waitFor((e) => e.message.t === "welcome");
    for (let fid = 1; fid <= 5; fid++) {
      mallory.post({ t: "offer", fid, name: `f${fid}.bin`, size: 10 });
    }
    const answer = await mallory.received.waitFor((e) => e.message.t === "received");
    assert.deepEqual(answer.message, {
      t: "received",
      fid: 5,
      ok: false,
      reason: "refused 'f5.bin': you are already sending 4 files; send more when one is done",
    });
  } finally {
    await chat.close();
  }
});

/** A RoomClient over a real encrypted session, and the host's end of it, driven by the test. */
async function clientOverTcp(): Promise<{
  client: RoomClient;
  events: ClientEvent[];
  host: NetSession;
  close: () => Promise<void>;
}> {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const dir = await Deno.makeTempDir({ prefix: "p2pchat_client_" });
  const [host, session] = await Promise.all([
    listener.accept().then((conn) => NetSession.start(conn, { role: "host", passkey: PASSKEY })),
    dial("127.0.0.1", listener.addr.port, PASSKEY),
  ]);
  listener.close();
  const client = new RoomClient({ name: "bob", files: new FileStore(dir) });
  const events: ClientEvent[] = [];
  client.subscribe((event) => events.push(event));
  const reader = host.incoming.getReader();
  const joined = client.join(session);
  assert.equal((await reader.read()).value?.message.t, "hello");
  reader.releaseLock();
  host.post({ t: "welcome", you: "bob", kind: "hub", members: ["bob"], history: 0 });
  await joined;
  return {
    client,
    events,
    host,
    close: async () => {
      await client.disconnect();
      await host.close();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

Deno.test("RoomClient: what the host sends that cannot be read is shown as a notice, and the chat goes on", async () => {
  const { events, host, close } = await clientOverTcp();
  try {
    const unreadable = new TextEncoder().encode("{not json");
    const record = new Uint8Array(4 + unreadable.length);
    new DataView(record.buffer).setUint32(0, unreadable.length);
    record.set(unreadable, 4);
    host.post({ t: "ping" }, undefined, record);
    host.post({ t: "chat", id: "", seq: 1, from: "alice", text: "still here", time: "t" });
    await until(() => events.some((e) => e.type === "message"), "the next line");
    assert.deepEqual(events.slice(1), [
      {
        type: "notice",
        text: "Skipped a message from the peer that could not be read " +
          "(record header is not valid JSON)",
        error: false,
      },
      {
        type: "message",
        from: "alice",
        text: "still here",
        time: "t",
        seq: 1,
        me: false,
        history: false,
      },
    ]);
  } finally {
    await close();
  }
});

Deno.test("RoomClient: a line too large for the host to read is not sent, and the person is told", async () => {
  const { client, events, close } = await clientOverTcp();
  try {
    client.say("\x01".repeat(3000));
    await until(() => events.some((e) => e.type === "notice"), "the notice");
    const notice = events.at(-1);
    assert.equal(notice?.type === "notice" && notice.error, true);
    const text = notice?.type === "notice" ? notice.text : "";
    const [, bytes] = text.match(
      /^Not sent: the chat message is too large \((\d+) bytes of header; the limit is 16384\)\.$/,
    ) ?? [];
    assert.ok(Number(bytes) > 16384, text);
    assert.equal(client.unacknowledged, 0, "nothing waits for an acknowledgement");
  } finally {
    await close();
  }
});
