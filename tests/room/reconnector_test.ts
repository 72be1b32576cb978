import assert from "node:assert/strict";
import { MemoryHistory } from "../../lib/room/history.ts";
import { backoffMs, type ReconnectEvent, stayConnected } from "../../lib/room/reconnector.ts";
import { InMemoryRoom } from "./in_memory_room.ts";

Deno.test("backoffMs: doubles from 1 s up to 30 s", () => {
  const middle = () => 0.5; // no jitter
  assert.deepEqual(
    [1, 2, 3, 4, 5, 6, 7, 20, 1000].map((attempt) => backoffMs(attempt, middle)),
    [1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000, 30000],
  );
});

Deno.test("backoffMs: jitter stays within +-25%", () => {
  assert.equal(backoffMs(1, () => 0), 750);
  assert.equal(backoffMs(1, () => 0.999999), 1250);
  assert.equal(backoffMs(10, () => 0), 22500);
  assert.equal(backoffMs(10, () => 0.999999), 37500);
  for (let i = 0; i < 1000; i++) {
    const attempt = 1 + (i % 8);
    const base = Math.min(1000 * 2 ** (attempt - 1), 30_000);
    const delay = backoffMs(attempt);
    assert.ok(delay >= base * 0.75 && delay <= base * 1.25, `attempt ${attempt}: ${delay} ms`);
  }
});

Deno.test("backoffMs: jitter spreads clients out", () => {
  const delays = new Set(Array.from({ length: 50 }, () => backoffMs(3)));
  assert.ok(delays.size > 10, `only ${delays.size} different delays`);
});

Deno.test("stayConnected: a hub member whose connection drops rejoins, and unsent lines follow", async () => {
  const chat = new InMemoryRoom({ kind: "hub", capacity: 10, history: new MemoryHistory(100) });
  try {
    const alice = await chat.join("alice");
    const bob = await chat.join("bob");
    const events: ReconnectEvent[] = [];
    let dials = 0;
    const staying = stayConnected(alice.client, () => {
      dials++;
      if (dials === 1) return Promise.reject(new Error("connection refused"));
      return Promise.resolve(chat.connect());
    }, { onEvent: (event) => events.push(event), random: () => 0 });

    await alice.client.disconnect(); // the cable is pulled
    alice.client.say("said while away");
    const line = await bob.events.waitFor((e) => e.type === "message");
    assert.equal(line.type === "message" && line.text, "said while away");
    assert.deepEqual(events, [
      { type: "reconnecting", reason: "the connection closed", delayMs: 750, attempt: 1 },
      { type: "reconnecting", reason: "connection refused", delayMs: 1500, attempt: 2 },
      { type: "reconnected" },
    ]);
    assert.equal(alice.seen("welcome").at(-1)?.resumed, false);

    await alice.client.quit();
    assert.equal(await staying, undefined, "quitting ends the loop");
  } finally {
    await chat.close();
  }
});

Deno.test("stayConnected: an error that retrying cannot fix is returned", async () => {
  const chat = new InMemoryRoom({ kind: "hub", capacity: 10, history: new MemoryHistory(100) });
  try {
    const alice = await chat.join("alice");
    const wrong = new Error("Wrong passkey");
    const staying = stayConnected(alice.client, () => Promise.reject(wrong), {
      onEvent: () => {},
      isFatal: (error) => error === wrong,
      random: () => 0,
    });
    await alice.client.disconnect();
    assert.equal(await staying, wrong);
  } finally {
    await chat.close();
  }
});

Deno.test("stayConnected: a direct chat is not redialled when it ends", async () => {
  const chat = new InMemoryRoom({ kind: "direct", capacity: 2, history: new MemoryHistory(1) });
  const alice = await chat.join("alice");
  const events: ReconnectEvent[] = [];
  const staying = stayConnected(alice.client, () => {
    throw new Error("must not dial");
  }, { onEvent: (event) => events.push(event) });
  await chat.close();
  assert.equal(await staying, undefined);
  assert.deepEqual(events, []);
});
