import assert from "node:assert/strict";
import { handshakeConn } from "../../lib/secure/conn_handshake.ts";
import { FrameOpener, FrameSealer } from "../../lib/secure/encrypted_channel.ts";
import { HandshakeError } from "../../lib/secure/handshake.ts";
import { encodeFrame } from "../../lib/wire/frame_encoder.ts";

/** Both ends of one loopback connection, each through `handshakeConn`. */
async function pair(hostPasskey: string, clientPasskey: string) {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  try {
    const accepted = listener.accept();
    const dialled = Deno.connect({ hostname: "127.0.0.1", port: listener.addr.port });
    const [hostConn, clientConn] = await Promise.all([accepted, dialled]);
    const results = await Promise.allSettled([
      handshakeConn(hostConn, { role: "host", passkey: hostPasskey }),
      handshakeConn(clientConn, { role: "client", passkey: clientPasskey }),
    ]);
    return { hostConn, clientConn, host: results[0], client: results[1] };
  } finally {
    listener.close();
  }
}

Deno.test("handshakeConn: both ends agree, and the next frames read are the sealed ones", async () => {
  const { hostConn, clientConn, host, client } = await pair(
    "7-orbit-lemon-cradle",
    "7-orbit-lemon-cradle",
  );
  try {
    assert.equal(host.status, "fulfilled");
    assert.equal(client.status, "fulfilled");
    if (host.status !== "fulfilled" || client.status !== "fulfilled") return;
    assert.equal(host.value.keys.safety, client.value.keys.safety);
    const sealed = new FrameSealer(client.value.keys.sendKey).seal(new TextEncoder().encode("hi"));
    await clientConn.write(encodeFrame(sealed));
    assert.equal(await host.value.frames.fill(), true);
    const frame = host.value.frames.take();
    assert.ok(frame);
    const plain = new FrameOpener(host.value.keys.receiveKey).open(frame);
    assert.equal(new TextDecoder().decode(plain), "hi");
  } finally {
    hostConn.close();
    clientConn.close();
  }
});

Deno.test("handshakeConn: a wrong passkey is refused and the connection closed", async () => {
  const { hostConn, clientConn, host, client } = await pair(
    "7-orbit-lemon-cradle",
    "7-orbit-lemon-crate",
  );
  assert.equal(client.status, "rejected");
  assert.equal(host.status, "rejected");
  if (client.status !== "rejected") return;
  assert.ok(client.reason instanceof HandshakeError);
  assert.equal(client.reason.code, "wrong-passkey");
  // Closed by handshakeConn: closing again fails.
  assert.throws(() => clientConn.close(), Deno.errors.BadResource);
  assert.throws(() => hostConn.close(), Deno.errors.BadResource);
});
