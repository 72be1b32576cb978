import assert from "node:assert/strict";
import { dial, DialError } from "../../lib/session/dial.ts";
import { NetSession } from "../../lib/session/net_session.ts";
import { HandshakeError } from "../../lib/secure/handshake.ts";
import { freePort } from "../../dev/free_port.ts";

const PASSKEY = "7-orbit-lemon-cradle";

/** Serves one handshake as host with `passkey`; resolves with its outcome. */
function hostOnce(passkey: string | null) {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const outcome = (async () => {
    const conn = await listener.accept();
    listener.close();
    return await NetSession.start(conn, { role: "host", passkey });
  })();
  outcome.catch(() => {}); // checked by the test, maybe after the dial failed
  return { port: listener.addr.port, outcome };
}

async function dialError(promise: Promise<unknown>): Promise<DialError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof DialError, String(error));
    return error;
  }
  assert.fail("dial should have failed");
}

Deno.test("dial: nobody listening gives a plain 'connection refused'", async () => {
  const port = freePort();
  const error = await dialError(dial("127.0.0.1", port, PASSKEY));
  assert.equal(error.message, `Could not connect to 127.0.0.1:${port}: connection refused`);
  assert.equal(error.handshake, undefined);
});

Deno.test("dial: a wrong passkey is reported as such, with the handshake error", async () => {
  const host = hostOnce(PASSKEY);
  const error = await dialError(dial("127.0.0.1", host.port, "3-wrong-guess-here"));
  assert.equal(error.message, "Wrong passkey");
  assert.ok(error.handshake instanceof HandshakeError);
  assert.equal(error.handshake.code, "wrong-passkey");
  await assert.rejects(host.outcome, /Wrong passkey/);
});

Deno.test("dial: a passkey against an open host says to use --open", async () => {
  const host = hostOnce(null);
  const error = await dialError(dial("127.0.0.1", host.port, PASSKEY));
  assert.equal(error.handshake?.code, "mode-mismatch");
  assert.match(error.message, /--open/);
  await assert.rejects(host.outcome);
});

Deno.test("dial: the right passkey gives an authenticated session", async () => {
  const host = hostOnce(PASSKEY);
  const session = await dial("127.0.0.1", host.port, PASSKEY);
  const hostSession = await host.outcome;
  assert.equal(session.keys.authenticated, true);
  assert.equal(session.remote, `127.0.0.1:${host.port}`);
  session.post({ t: "chat", id: "1", text: "hi" });
  await session.close();
  const received = await Array.fromAsync(hostSession.incoming);
  assert.deepEqual(received.map((e) => e.message), [{ t: "chat", id: "1", text: "hi" }]);
});

Deno.test("dial: a passkey too weak to survive online guessing is refused before connecting", async () => {
  const port = freePort(); // nothing listens: the refusal must come first
  const error = await dialError(dial("127.0.0.1", port, "1234"));
  assert.match(
    error.message,
    /^The passkey is too weak: it could be guessed online \(about 6 bits/,
  );
  assert.equal(error.handshake, undefined);
});
