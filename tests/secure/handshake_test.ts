import assert from "node:assert/strict";
import {
  checkProbeAnswer,
  handshake,
  HANDSHAKE_VERSION,
  HandshakeError,
  type HandshakeOptions,
  MAX_HANDSHAKE_FRAME,
  probeFrame,
  type SecureKeys,
} from "../../lib/secure/handshake.ts";
import { FrameOpener, FrameSealer } from "../../lib/secure/encrypted_channel.ts";
import { Spake2 } from "../../lib/secure/spake2.ts";

const PASSKEY = "7-orbit-lemon-cradle";
const encoder = new TextEncoder();
const decoder = new TextDecoder();

interface End {
  reader: ReadableStreamDefaultReader<Uint8Array>;
  writer: WritableStreamDefaultWriter<Uint8Array>;
}

/** Two in-memory ends that carry whole frames, like the wire layer gives. */
function connection(): { client: End; host: End } {
  const toHost = new TransformStream<Uint8Array, Uint8Array>();
  const toClient = new TransformStream<Uint8Array, Uint8Array>();
  return {
    client: { reader: toClient.readable.getReader(), writer: toHost.writable.getWriter() },
    host: { reader: toHost.readable.getReader(), writer: toClient.writable.getWriter() },
  };
}

function run(end: End, options: HandshakeOptions): Promise<SecureKeys> {
  return handshake(end.reader, end.writer, options);
}

async function pair(
  client: Omit<HandshakeOptions, "role">,
  host: Omit<HandshakeOptions, "role">,
): Promise<[PromiseSettledResult<SecureKeys>, PromiseSettledResult<SecureKeys>]> {
  const ends = connection();
  return await Promise.allSettled([
    run(ends.client, { role: "client", ...client }),
    run(ends.host, { role: "host", ...host }),
  ]) as [PromiseSettledResult<SecureKeys>, PromiseSettledResult<SecureKeys>];
}

function keysOf(result: PromiseSettledResult<SecureKeys>): SecureKeys {
  if (result.status === "rejected") throw result.reason;
  return result.value;
}

function errorOf(result: PromiseSettledResult<SecureKeys>): HandshakeError {
  assert.equal(result.status, "rejected", "the handshake should have failed");
  const error = (result as PromiseRejectedResult).reason;
  assert.ok(error instanceof HandshakeError, String(error));
  return error;
}

function interoperate(sender: SecureKeys, receiver: SecureKeys): void {
  const sealer = new FrameSealer(sender.sendKey);
  const opener = new FrameOpener(receiver.receiveKey);
  for (const text of ["hello", "second frame"]) {
    const sealed = sealer.seal(encoder.encode(text));
    assert.equal(decoder.decode(opener.open(sealed)), text);
  }
}

async function hostRead(end: End): Promise<Uint8Array> {
  const { value, done } = await end.reader.read();
  assert.ok(!done && value);
  return value;
}

/** Runs a real host against a hand-written client; returns the host's result and its reply. */
async function hostAgainst(
  frames: Uint8Array[],
  hostOptions: Omit<HandshakeOptions, "role"> = { passkey: PASSKEY },
): Promise<{ error: HandshakeError; replies: Uint8Array[] }> {
  const ends = connection();
  const host = run(ends.host, { role: "host", ...hostOptions }).then(
    (keys) => ({ status: "fulfilled", value: keys }) as const,
    (reason) => ({ status: "rejected", reason }) as const,
  );
  for (const frame of frames) await ends.client.writer.write(frame);
  const replies: Uint8Array[] = [];
  const collecting = (async () => {
    while (true) {
      const { value, done } = await ends.client.reader.read();
      if (done) return;
      replies.push(value);
    }
  })();
  const result = await host;
  await ends.client.reader.cancel();
  await collecting;
  return { error: errorOf(result), replies };
}

function clientHello(version: number, mode: number, element: Uint8Array): Uint8Array {
  return new Uint8Array([1, version, mode, ...element]);
}

function goodElement(): Uint8Array {
  return new Spake2({ role: "A", w: 5n }).message;
}

Deno.test("handshake: the same passkey gives keys that interoperate both ways", async () => {
  const [client, host] = (await pair({ passkey: PASSKEY }, { passkey: PASSKEY })).map(keysOf);
  assert.equal(client.authenticated, true);
  assert.equal(host.authenticated, true);
  assert.match(client.safety, /^\d{4} \d{4} \d{4}$/);
  assert.equal(client.safety, host.safety);
  interoperate(client, host);
  interoperate(host, client);
});

Deno.test("handshake: passkeys are compared after normalization", async () => {
  const [client, host] = await pair({ passkey: " 7 Orbit  lemon_cradle" }, { passkey: PASSKEY });
  interoperate(keysOf(client), keysOf(host));
});

Deno.test("handshake: each direction has its own key, and each session new keys", async () => {
  const [client, host] = (await pair({ passkey: PASSKEY }, { passkey: PASSKEY })).map(keysOf);
  const [client2] = (await pair({ passkey: PASSKEY }, { passkey: PASSKEY })).map(keysOf);
  const sealed = new FrameSealer(client.sendKey).seal(encoder.encode("x"));
  assert.throws(() => new FrameOpener(client.receiveKey).open(sealed));
  assert.throws(() =>
    new FrameOpener(client2.receiveKey).open(
      new FrameSealer(host.sendKey).seal(encoder.encode("x")),
    )
  );
  assert.notEqual(client.safety, client2.safety);
});

Deno.test("handshake: a wrong passkey fails on both sides with 'Wrong passkey'", async () => {
  const [client, host] = await pair({ passkey: PASSKEY }, { passkey: "8-orbit-lemon-cradle" });
  for (const result of [client, host]) {
    const error = errorOf(result);
    assert.equal(error.message, "Wrong passkey");
    assert.equal(error.code, "wrong-passkey");
  }
});

Deno.test("handshake: open mode on both sides is encrypted, unauthenticated", async () => {
  const [client, host] = (await pair({ passkey: null }, { passkey: null })).map(keysOf);
  assert.equal(client.authenticated, false);
  assert.equal(host.authenticated, false);
  assert.equal(client.safety, host.safety);
  interoperate(client, host);
  interoperate(host, client);
});

Deno.test("handshake: a client with a passkey is told the host runs --open", async () => {
  const [client, host] = await pair({ passkey: PASSKEY }, { passkey: null });
  assert.equal(
    errorOf(client).message,
    "The host does not use a passkey (it was started with --open); connect with --open",
  );
  assert.equal(errorOf(client).code, "mode-mismatch");
  assert.match(errorOf(host).message, /client uses a passkey.*--open/);
});

Deno.test("handshake: an --open client is told the host requires a passkey", async () => {
  const [client, host] = await pair({ passkey: null }, { passkey: PASSKEY });
  assert.equal(errorOf(client).message, "The host requires a passkey");
  assert.match(errorOf(host).message, /without a passkey.*requires one/);
});

Deno.test("handshake: a silent host makes the client time out", async () => {
  const ends = connection();
  const started = performance.now();
  await assert.rejects(
    run(ends.client, { role: "client", passkey: PASSKEY, timeoutMs: 100 }),
    (error: unknown) => error instanceof HandshakeError && error.message === "Handshake timed out",
  );
  assert.ok(performance.now() - started < 2000);
});

Deno.test("handshake: a client that goes silent after its hello makes the host time out", async () => {
  const ends = connection();
  const host = run(ends.host, { role: "host", passkey: PASSKEY, timeoutMs: 150 });
  host.catch(() => {});
  await ends.client.writer.write(clientHello(HANDSHAKE_VERSION, 1, goodElement()));
  await hostRead(ends.client); // the host's hello; then silence
  await assert.rejects(host, { name: "HandshakeError", message: "Handshake timed out" });
});

Deno.test("handshake: an aborted signal ends the handshake", async () => {
  const ends = connection();
  const controller = new AbortController();
  const client = run(ends.client, { role: "client", passkey: PASSKEY, signal: controller.signal });
  controller.abort();
  await assert.rejects(client, { name: "HandshakeError", message: "Handshake aborted" });
});

Deno.test("handshake: the peer closing mid-handshake is reported", async () => {
  const ends = connection();
  const host = run(ends.host, { role: "host", passkey: PASSKEY });
  await ends.client.writer.close();
  await assert.rejects(host, {
    name: "HandshakeError",
    message: "The connection closed during the handshake",
  });
});

Deno.test("handshake: an oversized frame is refused", async () => {
  const big = new Uint8Array(MAX_HANDSHAKE_FRAME + 1);
  big.set(clientHello(HANDSHAKE_VERSION, 1, goodElement()));
  const { error } = await hostAgainst([big]);
  assert.equal(error.message, "Handshake failed: the peer sent an oversized handshake frame");
});

Deno.test("handshake: garbage frames are refused with a plain message", async () => {
  const garbage = [
    new Uint8Array([0x47, 0x45, 0x54, 0x20, 0x2f]), // "GET /"
    new Uint8Array([1]),
    new Uint8Array(68),
    clientHello(HANDSHAKE_VERSION, 1, goodElement()).subarray(0, 60),
    clientHello(HANDSHAKE_VERSION, 9, goodElement()),
    new Uint8Array(0),
  ];
  for (const frame of garbage) {
    const { error } = await hostAgainst([frame]);
    assert.match(error.message, /^Handshake failed: the peer sent a malformed handshake frame/);
  }
});

Deno.test("handshake: a hello with a wrong version is refused and the peer is told", async () => {
  // Version 1 is the AES-256-GCM channel of earlier builds.
  const { error, replies } = await hostAgainst([clientHello(1, 1, goodElement())]);
  assert.equal(error.code, "version-mismatch");
  assert.match(error.message, /client speaks handshake version 1, this p2pchat speaks version 2/);
  assert.deepEqual(replies, [new Uint8Array([0x7f, 4, 2])]);
});

Deno.test("handshake: a probe is answered with the host's version and mode, then ended (no guess)", async () => {
  const passkeyHost = await hostAgainst([probeFrame({ open: false })]);
  assert.equal(passkeyHost.error.code, "probe");
  assert.equal(passkeyHost.error.guessed, false);
  assert.deepEqual(passkeyHost.replies, [new Uint8Array([6, HANDSHAKE_VERSION, 1])]);
  const openHost = await hostAgainst([probeFrame({ open: true })], { passkey: null });
  assert.deepEqual(openHost.replies, [new Uint8Array([6, HANDSHAKE_VERSION, 2])]);
  // A probe in the other mode: answered, and the host's log says what a hello would have.
  const mismatch = await hostAgainst([probeFrame({ open: true })]);
  assert.equal(mismatch.error.code, "mode-mismatch");
  assert.equal(mismatch.error.guessed, false);
  assert.deepEqual(mismatch.replies, [new Uint8Array([6, HANDSHAKE_VERSION, 1])]);
});

Deno.test("checkProbeAnswer: passes p2pchat in the same mode (or busy, or an older build); names a mismatch", () => {
  checkProbeAnswer(new Uint8Array([6, HANDSHAKE_VERSION, 1]), { open: false });
  checkProbeAnswer(new Uint8Array([6, HANDSHAKE_VERSION, 2]), { open: true });
  checkProbeAnswer(new Uint8Array([0x7f, 6, HANDSHAKE_VERSION]), { open: false });
  checkProbeAnswer(new Uint8Array([0x7f, 5, HANDSHAKE_VERSION]), { open: false });
  const code = (frame: number[], open: boolean) => {
    try {
      checkProbeAnswer(new Uint8Array(frame), { open });
    } catch (error) {
      assert.ok(error instanceof HandshakeError);
      return error.code;
    }
    assert.fail("expected a HandshakeError");
  };
  assert.equal(code([6, HANDSHAKE_VERSION, 2], false), "mode-mismatch");
  assert.equal(code([6, HANDSHAKE_VERSION, 1], true), "mode-mismatch");
  assert.equal(code([6, 9, 1], false), "version-mismatch");
  assert.equal(code([0x7f, 4, 9], false), "version-mismatch");
  assert.equal(code([6, HANDSHAKE_VERSION, 7], false), "protocol");
  assert.equal(code([2, HANDSHAKE_VERSION, 1], false), "protocol");
});

Deno.test("handshake: a client told of another version reports it", async () => {
  const ends = connection();
  const client = run(ends.client, { role: "client", passkey: PASSKEY });
  await hostRead(ends.host);
  await ends.host.writer.write(new Uint8Array([0x7f, 4, 3]));
  await assert.rejects(client, /host speaks handshake version 3/);
});

Deno.test("handshake: invalid and identity points in a hand-crafted hello are refused", async () => {
  const identity = new Uint8Array(65);
  identity[0] = 4;
  const offCurve = goodElement();
  offCurve[64] ^= 1;
  const compressed = new Uint8Array(65);
  compressed.set(goodElement().subarray(0, 33));
  compressed[0] = 2;
  for (const element of [identity, offCurve, compressed]) {
    const { error, replies } = await hostAgainst([clientHello(HANDSHAKE_VERSION, 1, element)]);
    assert.equal(error.message, "Handshake failed: the peer sent an invalid key share");
    assert.deepEqual(replies, [new Uint8Array([0x7f, 5, HANDSHAKE_VERSION])]);
  }
});

Deno.test("handshake: a host hello carrying the identity point is refused", async () => {
  const ends = connection();
  const client = run(ends.client, { role: "client", passkey: PASSKEY });
  await hostRead(ends.host);
  const reply = new Uint8Array(100);
  reply.set([2, HANDSHAKE_VERSION, 1, 4]);
  await ends.host.writer.write(reply);
  assert.deepEqual(await hostRead(ends.host), new Uint8Array([0x7f, 5, HANDSHAKE_VERSION]));
  await assert.rejects(client, { message: "Handshake failed: the peer sent an invalid key share" });
});

/** Relays frames between a real client and a real host, letting `rewrite` change them. */
async function throughMitm(
  rewrite: (frame: Uint8Array, direction: "toHost" | "toClient") => Uint8Array,
  client: Omit<HandshakeOptions, "role"> = { passkey: PASSKEY },
  host: Omit<HandshakeOptions, "role"> = { passkey: PASSKEY },
): Promise<[PromiseSettledResult<SecureKeys>, PromiseSettledResult<SecureKeys>]> {
  const left = connection();
  const right = connection();
  const relay = async (from: End, to: End, direction: "toHost" | "toClient") => {
    try {
      while (true) {
        const { value, done } = await from.reader.read();
        if (done) return;
        await to.writer.write(rewrite(value.slice(), direction));
      }
    } catch {
      // a side gave up; the relay just stops
    }
  };
  relay(left.host, right.client, "toHost");
  relay(right.client, left.host, "toClient");
  const results = await Promise.allSettled([
    run(left.client, { role: "client", timeoutMs: 2000, ...client }),
    run(right.host, { role: "host", timeoutMs: 2000, ...host }),
  ]);
  for (const end of [left.client, left.host, right.client, right.host]) {
    await end.reader.cancel().catch(() => {});
  }
  return results as [PromiseSettledResult<SecureKeys>, PromiseSettledResult<SecureKeys>];
}

Deno.test("handshake: a man in the middle rewriting the mode cannot downgrade", async () => {
  // The client asks for a passkey; the MITM claims it is an --open client, and claims to the
  // client that the host answered in passkey mode.
  const [client, host] = await throughMitm((frame) => {
    if (frame[0] === 1 || frame[0] === 2) frame[2] = frame[2] === 1 ? 2 : 1;
    return frame;
  });
  errorOf(client);
  errorOf(host);
  // Same against an --open host: neither side ends up with keys.
  const [client2, host2] = await throughMitm(
    (frame) => {
      if (frame[0] === 1 || frame[0] === 2) frame[2] = frame[2] === 1 ? 2 : 1;
      return frame;
    },
    { passkey: PASSKEY },
    { passkey: null },
  );
  errorOf(client2);
  errorOf(host2);
});

Deno.test("handshake: a tampered confirmation fails on both sides with 'Wrong passkey'", async () => {
  const [client, host] = await throughMitm((frame) => {
    if (frame[0] === 3) frame[10] ^= 1;
    return frame;
  });
  assert.equal(errorOf(client).message, "Wrong passkey");
  assert.equal(errorOf(host).message, "Wrong passkey");
});

Deno.test("handshake: a tampered host share fails on both sides with 'Wrong passkey'", async () => {
  // Replace pB with another valid point: the client's confirmation check catches it.
  const [client, host] = await throughMitm((frame) => {
    if (frame[0] === 2) frame.set(new Spake2({ role: "B", w: 9n }).message, 3);
    return frame;
  });
  assert.equal(errorOf(client).message, "Wrong passkey");
  assert.equal(errorOf(host).message, "Wrong passkey");
});

Deno.test("handshake: in open mode a man in the middle shows as different safety codes", async () => {
  // The MITM runs one open handshake with the client and another with the host.
  const left = connection();
  const right = connection();
  const [client, mitmAsHost, mitmAsClient, host] = await Promise.all([
    run(left.client, { role: "client", passkey: null }),
    run(left.host, { role: "host", passkey: null }),
    run(right.client, { role: "client", passkey: null }),
    run(right.host, { role: "host", passkey: null }),
  ]);
  assert.equal(client.safety, mitmAsHost.safety);
  assert.equal(host.safety, mitmAsClient.safety);
  assert.notEqual(client.safety, host.safety);
});

Deno.test("handshake: an empty passkey is refused before anything is sent", async () => {
  const ends = connection();
  await assert.rejects(run(ends.client, { role: "client", passkey: " - " }), {
    message: "The passkey is empty",
  });
});

Deno.test("handshake: nothing but handshake data goes in clear", async () => {
  const frames: Uint8Array[] = [];
  const [client, host] = await throughMitm((frame) => {
    frames.push(frame.slice());
    return frame;
  });
  keysOf(client);
  keysOf(host);
  assert.deepEqual(frames.map((frame) => [frame[0], frame.length]), [
    [1, 68],
    [2, 100],
    [3, 33],
    [4, 1],
  ]);
  const all = frames.map((frame) => decoder.decode(frame)).join("");
  assert.ok(!all.includes("p2pchat") && !all.includes("orbit"));
});
