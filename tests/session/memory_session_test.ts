import assert from "node:assert/strict";
import { memorySessionPair } from "../../lib/session/memory_session.ts";
import type { Envelope } from "../../lib/session/message.ts";

async function readAll(stream: ReadableStream<Envelope>): Promise<Envelope[]> {
  return await Array.fromAsync(stream);
}

/** Whether `promise` has settled once pending callbacks and timers have run. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  promise.then(() => done = true);
  await new Promise((resolve) => setTimeout(resolve, 0));
  return done;
}

Deno.test("memorySessionPair: what one side posts the other receives, in order, with bodies", async () => {
  const [a, b] = memorySessionPair("this computer");
  assert.equal(a.remote, "this computer");
  a.post({ t: "chat", id: "1", text: "one" });
  a.post({ t: "chunk", fid: 1 }, new Uint8Array([1, 2, 3]));
  a.post({ t: "chat", id: "2", text: "two" });
  b.post({ t: "ping" });
  await a.close();
  const received = await readAll(b.incoming);
  assert.deepEqual(received.map((e) => e.message), [
    { t: "chat", id: "1", text: "one" },
    { t: "chunk", fid: 1 },
    { t: "chat", id: "2", text: "two" },
  ]);
  assert.deepEqual([...received[1].body], [1, 2, 3]);
  assert.equal(received[0].body.length, 0);
  assert.deepEqual((await readAll(a.incoming)).map((e) => e.message), [{ t: "ping" }]);
});

Deno.test("memorySessionPair: close ends both sides, the peer learning that the other left", async () => {
  const [a, b] = memorySessionPair();
  await a.close();
  assert.equal(await a.closed, undefined, "a clean close has no reason");
  assert.equal(await b.closed, "the peer left");
  assert.deepEqual(await readAll(b.incoming), []);
  assert.deepEqual(await readAll(a.incoming), []);
});

Deno.test("memorySessionPair: a close reason reaches both sides", async () => {
  const [a, b] = memorySessionPair();
  await b.close("The room is closing");
  assert.equal(await a.closed, "The room is closing");
  assert.equal(await b.closed, "The room is closing");
  await b.close("again"); // closing twice changes nothing
  assert.equal(await a.closed, "The room is closing");
});

Deno.test("memorySessionPair: nothing is delivered after close", async () => {
  const [a, b] = memorySessionPair();
  a.post({ t: "chat", id: "1", text: "before" });
  await a.close();
  a.post({ t: "chat", id: "2", text: "after (sender closed)" });
  b.post({ t: "chat", id: "3", text: "after (receiver closed)" });
  const received = await readAll(b.incoming);
  assert.deepEqual(received.map((e) => e.message), [{ t: "chat", id: "1", text: "before" }]);
});

Deno.test("memorySessionPair: cancelling incoming closes the session", async () => {
  const [a, b] = memorySessionPair();
  await b.incoming.cancel();
  assert.equal(await b.closed, undefined);
  assert.equal(await a.closed, "the peer left");
});

Deno.test("memorySessionPair: drained() waits while the peer is not reading file data", async () => {
  const [a, b] = memorySessionPair();
  assert.equal(await settled(a.drained()), true, "nothing queued yet");
  const chunk = new Uint8Array(1024 * 1024);
  for (let i = 0; i < 5; i++) a.post({ t: "chunk", fid: 1 }, chunk); // past the 4 MiB inbox
  const drained = a.drained();
  assert.equal(await settled(drained), false, "the sender is held back");
  const reader = b.incoming.getReader();
  for (let i = 0; i < 5; i++) assert.equal((await reader.read()).value?.body.length, chunk.length);
  assert.equal(await settled(drained), true, "reading frees the sender");
  reader.releaseLock();
  await a.close();
});

Deno.test("memorySessionPair: a sender waiting on drained() is freed when the session closes", async () => {
  const [a, b] = memorySessionPair();
  for (let i = 0; i < 5; i++) a.post({ t: "chunk", fid: 1 }, new Uint8Array(1024 * 1024));
  const drained = a.drained();
  assert.equal(await settled(drained), false);
  await b.close();
  assert.equal(await settled(drained), true);
  assert.equal(await settled(a.drained()), true);
});

Deno.test("memory sessions: backlog counts chat waiting for the reader, not file data", async () => {
  const [a, b] = memorySessionPair();
  for (const text of ["one", "two", "three"]) a.post({ t: "chat", id: text, text });
  a.post({ t: "chunk", fid: 1 }, new Uint8Array(100_000));
  assert.equal(a.backlog, 3 * 64, "three chat lines wait; the chunk is paced on its own");
  assert.equal(b.backlog, 0);
  const reader = b.incoming.getReader();
  const taken: string[] = [];
  for (let i = 0; i < 4; i++) taken.push((await reader.read()).value!.message.t);
  assert.deepEqual(taken, ["chat", "chat", "chat", "chunk"]);
  assert.equal(a.backlog, 0);
  reader.releaseLock();
  await a.close();
});

Deno.test("memory sessions: backlogBelow waits until the reader has taken the chat", async () => {
  const [a, b] = memorySessionPair();
  for (let i = 0; i < 10; i++) a.post({ t: "chat", id: String(i), text: "line" });
  const below = a.backlogBelow(2 * 64);
  assert.equal(await settled(below), false);
  const reader = b.incoming.getReader();
  for (let i = 0; i < 7; i++) await reader.read();
  assert.equal(await settled(below), false, "three lines still wait");
  await reader.read();
  assert.equal(await settled(below), true);
  reader.releaseLock();
  const ended = a.backlogBelow(0);
  await a.close();
  assert.equal(await settled(ended), true, "freed when the session closes");
});
