import assert from "node:assert/strict";
import { MemoryHistory } from "../../lib/room/history.ts";
import { PROTOCOL_VERSION } from "../../lib/session/message.ts";
import { InMemoryRoom } from "./in_memory_room.ts";

const SHA = "a".repeat(64);

function directRoom(): InMemoryRoom {
  return new InMemoryRoom({ kind: "direct", capacity: 2, history: new MemoryHistory(50) });
}

async function twoRaw(chat: InMemoryRoom) {
  const bob = chat.raw({ t: "hello", v: PROTOCOL_VERSION, name: "bob", client: "b" });
  await bob.received.waitFor((e) => e.message.t === "welcome");
  const alice = chat.raw({ t: "hello", v: PROTOCOL_VERSION, name: "alice", client: "a" });
  await alice.received.waitFor((e) => e.message.t === "welcome");
  return { bob, alice };
}

Deno.test("DirectRelay: a file goes on to the other member under the relay's id, and the verdict comes back under the sender's", async () => {
  const chat = directRoom();
  try {
    const { bob, alice } = await twoRaw(chat);
    bob.post({ t: "offer", fid: 41, name: "a.txt", size: 3 });
    bob.post({ t: "chunk", fid: 41 }, new Uint8Array([1, 2, 3]));
    bob.post({ t: "end", fid: 41, sha256: SHA });
    const offer = await alice.received.waitFor((e) => e.message.t === "offer");
    assert.deepEqual(offer.message, { t: "offer", fid: 1, name: "a.txt", size: 3, from: "bob" });
    const chunk = await alice.received.waitFor((e) => e.message.t === "chunk");
    assert.deepEqual([...chunk.body], [1, 2, 3]);
    const end = await alice.received.waitFor((e) => e.message.t === "end");
    assert.deepEqual(end.message, { t: "end", fid: 1, sha256: SHA });
    alice.post({ t: "received", fid: 1, ok: true, sha256: SHA });
    const verdict = await bob.received.waitFor((e) => e.message.t === "received");
    assert.deepEqual(verdict.message, {
      t: "received",
      fid: 41,
      ok: true,
      sha256: SHA,
      by: "alice",
    });
  } finally {
    await chat.close();
  }
});

Deno.test("DirectRelay: a sender that leaves mid-file has the receiver told; a receiver that leaves has the sender told", async () => {
  const chat = directRoom();
  try {
    const { bob, alice } = await twoRaw(chat);
    bob.post({ t: "offer", fid: 1, name: "a.txt", size: 10 });
    await alice.received.waitFor((e) => e.message.t === "offer");
    alice.post({ t: "offer", fid: 1, name: "b.txt", size: 10 });
    await bob.received.waitFor((e) => e.message.t === "offer");
    await bob.session.close();
    const cancel = await alice.received.waitFor((e) => e.message.t === "cancel");
    assert.deepEqual(cancel.message, { t: "cancel", fid: 1, reason: "bob left", keep: true });
    const refused = await alice.received.waitFor((e) => e.message.t === "received");
    assert.deepEqual(refused.message, {
      t: "received",
      fid: 1,
      ok: false,
      reason: "bob left before the file arrived",
      by: "bob",
      // Cut off, not gone: alice's side waits for bob to come back.
      lost: true,
    });
  } finally {
    await chat.close();
  }
});

Deno.test("DirectRelay: a receiver cannot claim to be cut off: its refusal reaches the sender as a refusal, not a pause", async () => {
  const chat = directRoom();
  try {
    const { bob, alice } = await twoRaw(chat);
    bob.post({ t: "offer", fid: 1, name: "a.txt", size: 10 });
    await alice.received.waitFor((e) => e.message.t === "offer");
    alice.post({ t: "received", fid: 1, ok: false, reason: "no", lost: true });
    const refused = await bob.received.waitFor((e) => e.message.t === "received");
    assert.deepEqual(refused.message, {
      t: "received",
      fid: 1,
      ok: false,
      reason: "no",
      by: "alice",
    });
  } finally {
    await chat.close();
  }
});

Deno.test("DirectRelay: a refusal stops the rest of the file; later chunks reach no one", async () => {
  const chat = directRoom();
  try {
    const { bob, alice } = await twoRaw(chat);
    bob.post({ t: "offer", fid: 1, name: "a.txt", size: 10 });
    await alice.received.waitFor((e) => e.message.t === "offer");
    alice.post({ t: "received", fid: 1, ok: false, reason: "no" });
    await bob.received.waitFor((e) => e.message.t === "received");
    bob.post({ t: "chunk", fid: 1 }, new Uint8Array(5));
    bob.post({ t: "offer", fid: 2, name: "b.txt", size: 1 });
    const next = await alice.received.waitFor((e) =>
      e.message.t === "offer" && e.message.fid === 2
    );
    assert.equal(next.message.t, "offer");
    assert.equal(alice.received.items.filter((e) => e.message.t === "chunk").length, 0);
  } finally {
    await chat.close();
  }
});

Deno.test("DirectRelay: a sender whose goodbye overtakes its files' cancel has the receiver told it quit, nothing kept", async () => {
  const chat = directRoom();
  try {
    const { bob, alice } = await twoRaw(chat);
    bob.post({ t: "offer", fid: 1, name: "a.txt", size: 10, key: "k" });
    await alice.received.waitFor((e) => e.message.t === "offer");
    bob.post({ t: "bye" });
    const cancel = await alice.received.waitFor((e) => e.message.t === "cancel");
    assert.deepEqual(cancel.message, { t: "cancel", fid: 1, reason: "cancelled by bob (quit)" });
  } finally {
    await chat.close();
  }
});
