import assert from "node:assert/strict";
import {
  type ListenerEvent,
  SessionListener,
  type SessionListenerOptions,
} from "../../lib/session/session_listener.ts";
import type { NetSession } from "../../lib/session/net_session.ts";
import { dial, DialError } from "../../lib/session/dial.ts";

const PASSKEY = "7-orbit-lemon-cradle";
const WRONG = "4-other-words-here";

/** A listener on a free loopback port (or `listener`), serving until the test closes it. */
function listen(options: Partial<SessionListenerOptions> & { listener?: Deno.Listener } = {}) {
  const events: ListenerEvent[] = [];
  const waiters: (() => void)[] = [];
  const { listener: given, ...rest } = options;
  const listener = new SessionListener(given ?? Deno.listen({ hostname: "127.0.0.1", port: 0 }), {
    passkey: PASSKEY,
    onSession: (session) => session.close(),
    ...rest,
    onEvent: (event) => {
      events.push(event);
      for (const wake of waiters.splice(0)) wake();
    },
  });
  const serving = listener.serve();
  return {
    listener,
    events,
    port: listener.addr.port,
    /** Resolves once `count` events were reported. */
    async eventCount(count: number): Promise<void> {
      while (events.length < count) await new Promise<void>((resolve) => waiters.push(resolve));
    },
    async close(): Promise<void> {
      listener.close();
      await serving;
    },
  };
}

async function wrongGuess(port: number): Promise<void> {
  await assert.rejects(dial("127.0.0.1", port, WRONG), (error: unknown) => {
    assert.ok(error instanceof DialError);
    assert.equal(error.message, "Wrong passkey");
    return true;
  });
}

Deno.test("SessionListener: a right passkey gives the host a secured session", async () => {
  let hostSide: NetSession | undefined;
  const host = listen({ onSession: (session) => hostSide = session });
  try {
    assert.equal(host.listener.addr.hostname, "127.0.0.1");
    const session = await dial("127.0.0.1", host.port, PASSKEY);
    session.post({ t: "hello", v: 1, name: "bob" });
    while (!hostSide) await new Promise((resolve) => setTimeout(resolve, 5));
    const { value } = await hostSide.incoming.getReader().read();
    assert.deepEqual(value?.message, { t: "hello", v: 1, name: "bob" });
    assert.equal(hostSide.keys.authenticated, true);
    assert.equal(hostSide.keys.safety, session.keys.safety);
    await session.close();
    await hostSide.close();
    assert.deepEqual(host.events, []);
  } finally {
    await host.close();
  }
});

Deno.test("SessionListener: repeated wrong passkeys are reported and slow the address down", async () => {
  const host = listen();
  try {
    assert.equal(host.listener.delayFor("127.0.0.1"), 0, "no failures, no delay");
    for (let i = 1; i <= 3; i++) {
      await wrongGuess(host.port);
      await host.eventCount(i);
    }
    // The first three guesses are free; the next one waits.
    assert.deepEqual(host.events.map((e) => e.type === "handshake-failed" && e.delayMs), [
      0,
      0,
      1000,
    ]);
    assert.equal(host.listener.delayFor("127.0.0.1"), 1000);

    const started = Date.now();
    await wrongGuess(host.port);
    const waited = Date.now() - started;
    assert.ok(waited >= 900, `the fourth guess was answered after ${waited} ms`);
    await host.eventCount(4);
    assert.ok(host.listener.delayFor("127.0.0.1") >= 1000);
    assert.equal(host.listener.delayFor("127.0.0.1"), 2000, "the delay doubles");

    const last = host.events[3];
    assert.equal(last.type, "handshake-failed");
    if (last.type !== "handshake-failed") return;
    assert.equal(last.reason, "Wrong passkey");
    assert.equal(last.failures, 4);
    assert.equal(last.delayMs, 2000);
    assert.match(last.remote, /^127\.0\.0\.1:\d+$/);
    assert.equal(host.listener.delayFor("192.168.1.7"), 0, "other addresses are not slowed");
  } finally {
    await host.close();
  }
});

Deno.test("SessionListener: a stalled handshake is dropped and counts against its address like a wrong guess", async () => {
  const host = listen({ handshakeTimeoutMs: 100 });
  try {
    for (let i = 1; i <= 3; i++) {
      const conn = await Deno.connect({ hostname: "127.0.0.1", port: host.port });
      try {
        await host.eventCount(i);
        // The host hung up.
        assert.equal(await conn.read(new Uint8Array(16)), null);
      } finally {
        conn.close();
      }
    }
    const reported = host.events.map((event) =>
      event.type === "handshake-failed" && [event.reason, event.failures, event.delayMs]
    );
    assert.deepEqual(reported, [
      ["Handshake timed out", 1, 0],
      ["Handshake timed out", 2, 0],
      ["Handshake timed out", 3, 1000],
    ]);
    assert.equal(host.listener.delayFor("127.0.0.1"), 1000);
  } finally {
    await host.close();
  }
});

Deno.test("SessionListener: close() stops accepting new connections", async () => {
  const host = listen();
  await host.close();
  await assert.rejects(
    dial("127.0.0.1", host.port, PASSKEY),
    /Could not connect to 127\.0\.0\.1:\d+: connection refused/,
  );
});

Deno.test("SessionListener: parallel wrong guesses from one address get in no faster than one after another", async () => {
  const host = listen();
  try {
    // Five at once. One after another, three are free, the 4th waits 1 s, the 5th 2 s more.
    const answered: number[] = [];
    await Promise.all(
      Array.from({ length: 5 }, () => wrongGuess(host.port).then(() => answered.push(Date.now()))),
    );
    answered.sort((a, b) => a - b);
    const gaps = answered.slice(1).map((time, i) => time - answered[i]);
    assert.ok(gaps[2] >= 900, `the 4th guess was answered ${gaps[2]} ms after the 3rd`);
    assert.ok(gaps[3] >= 1900, `the 5th guess was answered ${gaps[3]} ms after the 4th`);
    await host.eventCount(5);
    assert.deepEqual(host.events.map((e) => e.type === "handshake-failed" && e.failures), [
      1,
      2,
      3,
      4,
      5,
    ]);
  } finally {
    await host.close();
  }
});

/**
 * A listener whose connections seem to come from `addresses` in turn: each is a real loopback
 * connection whose `remoteAddr` says otherwise (the guess throttle goes by address).
 */
function disguised(addresses: string[]): Deno.Listener {
  const real = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  let next = 0;
  const disguise = (conn: Deno.Conn): Deno.Conn => {
    const remoteAddr: Deno.NetAddr = {
      transport: "tcp",
      hostname: addresses[next++ % addresses.length],
      port: 40000 + next,
    };
    return new Proxy(conn, {
      get(target, property) {
        if (property === "remoteAddr") return remoteAddr;
        const value = Reflect.get(target, property, target);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
  };
  const stub = {
    get addr() {
      return real.addr;
    },
    accept: async () => disguise(await real.accept()),
    close: () => real.close(),
    ref: () => real.ref(),
    unref: () => real.unref(),
    [Symbol.dispose]: () => real.close(),
    async *[Symbol.asyncIterator]() {
      while (true) yield await stub.accept();
    },
  };
  return stub as unknown as Deno.Listener;
}

/** Times of `count` wrong guesses made one after another. */
async function sequentialGuesses(port: number, count: number): Promise<number[]> {
  const answered: number[] = [];
  for (let i = 0; i < count; i++) {
    await wrongGuess(port);
    answered.push(Date.now());
  }
  return answered;
}

Deno.test("SessionListener: wrong guesses from many addresses of one IPv6 /64 are slowed down as one address", async () => {
  const addresses = [
    "2001:db8:1:2::a",
    "2001:db8:1:2::b",
    "2001:db8:1:2:ffff::1",
    "2001:db8:1:2::c",
  ];
  const host = listen({ listener: disguised(addresses) });
  try {
    const answered = await sequentialGuesses(host.port, 4);
    assert.ok(answered[3] - answered[2] >= 900, "the 4th address of the /64 waited 1 s");
    await host.eventCount(4);
    const last = host.events[3];
    assert.equal(last.type, "handshake-failed");
    if (last.type !== "handshake-failed") return;
    assert.match(last.remote, /^\[2001:db8:1:2::c\]:\d+$/);
    assert.equal(last.failures, 4);
    assert.equal(host.listener.delayFor("2001:db8:1:2::1234"), 2000);
    assert.equal(host.listener.delayFor("2001:db8:1:3::1"), 0, "another /64 is not slowed");
  } finally {
    await host.close();
  }
});

Deno.test("SessionListener: wrong guesses from many addresses use up a budget of the whole listener", async () => {
  const addresses = Array.from({ length: 6 }, (_, i) => `10.0.0.${i + 1}`);
  const host = listen({
    listener: disguised(addresses),
    guessBudget: { burst: 3, perSecond: 2 },
  });
  try {
    const answered = await sequentialGuesses(host.port, 6);
    const gaps = answered.slice(1).map((time, i) => time - answered[i]);
    // Each address guessed once; the listener as a whole allows 3, then 2 a second.
    assert.ok(gaps[2] >= 400 && gaps[3] >= 400 && gaps[4] >= 400, `gaps ${gaps.join(", ")} ms`);
    await host.eventCount(7); // six failures, and the notice
    const throttled = host.events.filter((event) => event.type === "throttled");
    assert.equal(throttled.length, 1, "the host is told once, not at every guess");
    assert.match(
      throttled[0].type === "throttled" ? throttled[0].reason : "",
      /^3 guesses failed in a short time, from any address: /,
    );
  } finally {
    await host.close();
  }
});

Deno.test("SessionListener: at most maxHandshakes run at once; the next wait their turn, the rest are refused and logged", async () => {
  const host = listen({ maxHandshakes: 2, maxWaiting: 1, handshakeTimeoutMs: 5_000 });
  const stalled: Deno.Conn[] = [];
  try {
    // Two connections that say nothing hold both places.
    for (let i = 0; i < 2; i++) {
      stalled.push(await Deno.connect({ hostname: "127.0.0.1", port: host.port }));
    }
    // An honest client waits its turn...
    let secured = false;
    const honest = dial("127.0.0.1", host.port, PASSKEY).then((session) => {
      secured = true;
      return session;
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    // ...and one more finds no room: the host tells it it is busy and logs it.
    const extra = await Deno.connect({ hostname: "127.0.0.1", port: host.port });
    stalled.push(extra);
    await host.eventCount(1);
    assert.deepEqual(host.events[0], {
      type: "refused",
      remote: host.events[0].type === "refused" ? host.events[0].remote : "",
      reason: "too many connections waiting for their handshake (1 waiting, 2 under way)",
    });
    const busy = new Uint8Array(16);
    const n = await extra.read(busy);
    assert.deepEqual([...busy.subarray(0, n ?? 0)], [0, 0, 0, 3, 0x7f, 6, 2]);
    assert.equal(secured, false, "no place was free for the honest client yet");
    // One place frees up: the honest client gets in.
    stalled.shift()!.close();
    const session = await honest;
    assert.equal(session.keys.authenticated, true);
    await session.close();
  } finally {
    for (const conn of stalled) conn.close();
    await host.close();
  }
});

Deno.test("dial: a host that is busy is a failure worth retrying, with a clear message", async () => {
  const host = listen({ maxHandshakes: 1, maxWaiting: 0, handshakeTimeoutMs: 5_000 });
  const stalled = await Deno.connect({ hostname: "127.0.0.1", port: host.port });
  try {
    await new Promise((resolve) => setTimeout(resolve, 100));
    await assert.rejects(dial("127.0.0.1", host.port, PASSKEY), (error: unknown) => {
      assert.ok(error instanceof DialError);
      assert.equal(
        error.message,
        "The host is busy: too many connections are being secured at once; try again in a moment",
      );
      assert.equal(error.handshake, undefined, "not fatal: a reconnecting client tries again");
      return true;
    });
  } finally {
    stalled.close();
    await host.close();
  }
});

Deno.test("SessionListener: when accept fails (out of descriptors) it backs off, logs once, and keeps its members", async () => {
  const real = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  let failing = false;
  let calls = 0;
  const stub = {
    get addr() {
      return real.addr;
    },
    accept(): Promise<Deno.Conn> {
      calls++;
      if (!failing) return real.accept();
      // Like EMFILE from the runtime: a rejected accept, in a later turn of the event loop.
      return new Promise((_, reject) =>
        setTimeout(() => reject(new Error("Too many open files (os error 24)")), 0)
      );
    },
    close: () => real.close(),
  } as unknown as Deno.Listener;
  const sessions: NetSession[] = [];
  const host = listen({ listener: stub, onSession: (session) => sessions.push(session) });
  try {
    const member = await dial("127.0.0.1", host.port, PASSKEY);
    while (sessions.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    failing = true;
    calls = 0;
    // The pending accept is still the real one: the next connection ends it, then failures come.
    const trigger = await Deno.connect({ hostname: "127.0.0.1", port: host.port });
    await new Promise((resolve) => setTimeout(resolve, 600));
    const during = calls;
    assert.ok(during <= 10, `accept was called ${during} times in 600 ms`);
    const logged = host.events.filter((event) => event.type === "accept-failed");
    assert.equal(logged.length, 1, JSON.stringify(host.events));
    assert.match(
      logged[0].type === "accept-failed" ? logged[0].reason : "",
      /^Too many open files/,
    );
    // The member connected before still chats.
    member.post({ t: "chat", id: "c1", text: "still here" });
    const { value } = await sessions[0].incoming.getReader().read();
    assert.deepEqual(value?.message, { t: "chat", id: "c1", text: "still here" });
    failing = false;
    trigger.close();
    await member.close();
  } finally {
    for (const session of sessions) await session.close();
    await host.close();
  }
});
