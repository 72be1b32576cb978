import assert from "node:assert/strict";
import { type ListenerEvent, SessionListener } from "../../lib/session/session_listener.ts";
import type { NetSession } from "../../lib/session/net_session.ts";
import { dial, DialError } from "../../lib/session/dial.ts";

const PASSKEY = "7-orbit-lemon-cradle";
const WRONG = "4-other-words-here";

/** A listener on a free loopback port, serving until the test closes it. */
function listen(options: {
  onSession?: (session: NetSession) => void;
  handshakeTimeoutMs?: number;
} = {}) {
  const events: ListenerEvent[] = [];
  const waiters: (() => void)[] = [];
  const listener = new SessionListener(Deno.listen({ hostname: "127.0.0.1", port: 0 }), {
    passkey: PASSKEY,
    onSession: options.onSession ?? ((session) => session.close()),
    onEvent: (event) => {
      events.push(event);
      for (const wake of waiters.splice(0)) wake();
    },
    handshakeTimeoutMs: options.handshakeTimeoutMs,
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

Deno.test("SessionListener: a connection that never completes the handshake is dropped, not counted", async () => {
  const host = listen({ handshakeTimeoutMs: 100 });
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: host.port });
  try {
    await host.eventCount(1);
    const event = host.events[0];
    assert.equal(event.type, "handshake-failed");
    if (event.type !== "handshake-failed") return;
    assert.equal(event.reason, "Handshake timed out");
    assert.equal(event.failures, 0, "a timeout is not a passkey guess");
    assert.equal(event.delayMs, 0);
    // The host hung up.
    assert.equal(await conn.read(new Uint8Array(16)), null);
  } finally {
    conn.close();
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
