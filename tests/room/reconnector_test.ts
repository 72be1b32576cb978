import assert from "node:assert/strict";
import { MemoryHistory } from "../../lib/room/history.ts";
import {
  backoffMs,
  KickedError,
  type ReconnectEvent,
  stayConnected,
} from "../../lib/room/reconnector.ts";
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

Deno.test("stayConnected: in open mode each reconnect reports its safety code, and whether it changed", async () => {
  const chat = new InMemoryRoom({ kind: "hub", capacity: 10, history: new MemoryHistory(100) });
  try {
    const alice = await chat.join("alice");
    const events: ReconnectEvent[] = [];
    const codes = ["2222 2222 2222", "2222 2222 2222"];
    const welcomesBefore: number[] = [];
    const staying = stayConnected(alice.client, () => {
      const session = chat.connect("10.0.0.5:5050");
      const keys = { authenticated: false, safety: codes.shift()! };
      return Promise.resolve(Object.assign(session, { keys }));
    }, {
      onEvent: (event) => {
        events.push(event);
        if (event.type === "secured") welcomesBefore.push(alice.seen("welcome").length);
      },
      random: () => 0,
      safety: "1111 1111 1111",
    });

    await alice.client.disconnect();
    await until(() => events.filter((e) => e.type === "reconnected").length === 1);
    await alice.client.disconnect();
    await until(() => events.filter((e) => e.type === "reconnected").length === 2);
    const secured = { type: "secured", peer: "10.0.0.5:5050", authenticated: false } as const;
    assert.deepEqual(events.filter((event) => event.type !== "reconnecting"), [
      {
        ...secured,
        safety: "2222 2222 2222",
        previousSafety: "1111 1111 1111",
        safetyChanged: true,
      },
      { type: "reconnected" },
      {
        ...secured,
        safety: "2222 2222 2222",
        previousSafety: "2222 2222 2222",
        safetyChanged: false,
      },
      { type: "reconnected" },
    ]);
    // Each code is told before its connection's welcome: nothing from it is shown first.
    assert.deepEqual(welcomesBefore, [1, 2]);
    assert.equal(alice.seen("welcome").length, 3);

    await alice.client.quit();
    assert.equal(await staying, undefined);
  } finally {
    await chat.close();
  }
});

Deno.test("stayConnected: an authenticated reconnect reports no safety code", async () => {
  const chat = new InMemoryRoom({ kind: "hub", capacity: 10, history: new MemoryHistory(100) });
  try {
    const alice = await chat.join("alice");
    const events: ReconnectEvent[] = [];
    const staying = stayConnected(alice.client, () => {
      const keys = { authenticated: true, safety: "3333 3333 3333" };
      return Promise.resolve(Object.assign(chat.connect(), { keys }));
    }, { onEvent: (event) => events.push(event), random: () => 0 });
    await alice.client.disconnect();
    await until(() => events.some((e) => e.type === "reconnected"));
    assert.deepEqual(events.map((event) => event.type), ["reconnecting", "reconnected"]);
    await alice.client.quit();
    assert.equal(await staying, undefined);
  } finally {
    await chat.close();
  }
});

/** Polls `ready` until it holds (the reconnector waits its backoff first). */
async function until(ready: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ready()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

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

Deno.test("stayConnected: a member the hub put out (kicked or banned) does not come back by itself", async () => {
  const chat = new InMemoryRoom({ kind: "hub", capacity: 10, history: new MemoryHistory(100) });
  try {
    const alice = await chat.join("alice", "10.0.0.1:1");
    const events: ReconnectEvent[] = [];
    let dials = 0;
    const staying = stayConnected(alice.client, () => {
      dials++;
      return Promise.resolve(chat.connect("10.0.0.1:2"));
    }, { onEvent: (event) => events.push(event), random: () => 0 });
    chat.room.moderate({ action: "ban", name: "alice", seconds: 60, reason: "test" });
    const fatal = await staying;
    assert.ok(fatal instanceof KickedError);
    assert.match(fatal.message, /^You were banned by the host until .* \(test\)\.$/);
    assert.deepEqual([events, dials], [[], 0]);
  } finally {
    await chat.close();
  }
});
