import assert from "node:assert/strict";
import { DialError } from "../../lib/session/dial.ts";
import { probePort } from "../../lib/session/port_probe.ts";
import { type ListenerEvent, SessionListener } from "../../lib/session/session_listener.ts";
import { freePort } from "../../dev/free_port.ts";

const PASSKEY = "7-orbit-lemon-cradle";

/** A p2pchat listener on loopback with `passkey`, its log kept. */
function host(passkey: string | null) {
  const events: ListenerEvent[] = [];
  const listener = new SessionListener(Deno.listen({ hostname: "127.0.0.1", port: 0 }), {
    passkey,
    onSession: (session) => session.close(),
    onEvent: (event) => events.push(event),
  });
  const serving = listener.serve();
  return {
    listener,
    events,
    port: listener.addr.port,
    async [Symbol.asyncDispose]() {
      listener.close();
      await serving;
    },
  };
}

async function probeError(promise: Promise<void>): Promise<DialError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof DialError, String(error));
    return error;
  }
  assert.fail("the probe should have failed");
}

/** A loopback port that answers each connection with `bytes` (after reading what came). */
function answering(bytes: Uint8Array) {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const serving = (async () => {
    for await (const conn of listener) {
      await conn.read(new Uint8Array(64)).catch(() => null);
      await conn.write(bytes).catch(() => {});
      conn.close();
    }
  })();
  return {
    port: listener.addr.port,
    async [Symbol.asyncDispose]() {
      listener.close();
      await serving.catch(() => {});
    },
  };
}

Deno.test("probePort: a p2pchat host in the same mode passes, costs no guess and logs nothing", async () => {
  await using hub = host(PASSKEY);
  for (let i = 0; i < 5; i++) await probePort("127.0.0.1", hub.port, { open: false });
  await using open = host(null);
  await probePort("127.0.0.1", open.port, { open: true });
  // Five probes from one address: more than the three free failures, yet nothing counted.
  assert.equal(hub.listener.delayFor("127.0.0.1"), 0);
  assert.deepEqual(hub.events, []);
  assert.deepEqual(open.events, []);
});

Deno.test("probePort: a mode mismatch is said before any passkey is typed, and the host logs it", async () => {
  await using hub = host(PASSKEY);
  const needs = await probeError(probePort("127.0.0.1", hub.port, { open: true }));
  assert.equal(needs.message, "The host requires a passkey: connect without --open");
  assert.equal(needs.handshake?.code, "mode-mismatch");
  await using open = host(null);
  const isOpen = await probeError(probePort("127.0.0.1", open.port, { open: false }));
  assert.equal(
    isOpen.message,
    "The host does not use a passkey (it was started with --open); connect with --open",
  );
  while (hub.events.length === 0 || open.events.length === 0) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  assert.match(
    JSON.stringify(hub.events),
    /The client connected without a passkey \(--open\), but this host requires one/,
  );
  assert.match(JSON.stringify(open.events), /The client uses a passkey, but this host was started/);
  // Not a guess either.
  assert.equal(hub.listener.delayFor("127.0.0.1"), 0);
});

Deno.test("probePort: a closed port says nothing answers there", async () => {
  const port = freePort();
  const error = await probeError(probePort("127.0.0.1", port, { open: false }));
  assert.equal(
    error.message,
    `Could not connect to 127.0.0.1:${port}: nothing answers there: is p2pchat running on ` +
      "that port?",
  );
});

Deno.test("probePort: what answers but is not p2pchat is named as such", async () => {
  const cases: [Uint8Array, string][] = [
    [new TextEncoder().encode("HTTP/1.1 400 Bad Request\r\n\r\n"), "answered like a web server"],
    [new TextEncoder().encode("SSH-2.0-OpenSSH_9.2\r\n"), "answered, but not as p2pchat does"],
    [new Uint8Array([0, 0, 0, 3, 0x41, 0x42, 0x43]), "answered, but not as p2pchat does"],
    [new Uint8Array(0), "closed the connection without answering"],
  ];
  for (const [bytes, said] of cases) {
    await using port = answering(bytes);
    const error = await probeError(probePort("127.0.0.1", port.port, { open: false }));
    assert.equal(
      error.message,
      `127.0.0.1:${port.port} ${said}: that port does not speak p2pchat`,
    );
  }
});

Deno.test("probePort: an older build's refusal and a busy host still count as p2pchat; another version does not pass", async () => {
  // A build without probes refuses them as malformed (7f 05 02); a busy host says busy (6).
  for (const reason of [5, 6]) {
    await using old = answering(new Uint8Array([0, 0, 0, 3, 0x7f, reason, 2]));
    await probePort("127.0.0.1", old.port, { open: false });
  }
  await using newer = answering(new Uint8Array([0, 0, 0, 3, 0x06, 3, 1]));
  const error = await probeError(probePort("127.0.0.1", newer.port, { open: false }));
  assert.match(
    error.message,
    /^The host speaks handshake version 3, this p2pchat speaks version 2/,
  );
  assert.equal(error.handshake?.code, "version-mismatch");
});

Deno.test("probePort: a port that accepts and stays silent is named after the wait", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const held: Deno.Conn[] = [];
  const accepting = (async () => {
    for await (const conn of listener) held.push(conn);
  })();
  try {
    const error = await probeError(
      probePort("127.0.0.1", listener.addr.port, { open: false, timeoutMs: 300 }),
    );
    assert.equal(
      error.message,
      `127.0.0.1:${listener.addr.port} accepted the connection but said nothing within 0.3 s: ` +
        "that port does not seem to speak p2pchat",
    );
  } finally {
    listener.close();
    await accepting.catch(() => {});
    for (const conn of held) conn.close();
  }
});
