import assert from "node:assert/strict";
import { NetSession, type NetSessionOptions } from "../../lib/session/net_session.ts";
import type { Envelope, Message } from "../../lib/session/message.ts";
import type { SessionProblem } from "../../lib/session/session.ts";
import { MAX_UNREADABLE_IN_A_ROW } from "../../lib/session/unreadable_records.ts";
import { handshake, type SecureKeys } from "../../lib/secure/handshake.ts";
import { FrameSealer } from "../../lib/secure/encrypted_channel.ts";
import { FrameSplitter } from "../../dev/stream_forms.ts";
import { encodeFrame, encodeFrames } from "../../lib/wire/frame_encoder.ts";
import { encodeRecord } from "../../lib/wire/codec.ts";
import { MAX_HEADER_BYTES } from "../../lib/wire/limits.ts";
import { writeAll } from "../../lib/wire/write_all.ts";

const PASSKEY = "7-orbit-lemon-cradle";
const FAST: NetSessionOptions = { keepaliveMs: 100, silenceMs: 300 };

/** Accepts one loopback TCP connection; returns both ends. */
async function tcpPair(): Promise<{ server: Deno.TcpConn; client: Deno.TcpConn }> {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  try {
    const [server, client] = await Promise.all([
      listener.accept(),
      Deno.connect({ hostname: "127.0.0.1", port: listener.addr.port }),
    ]);
    return { server, client };
  } finally {
    listener.close();
  }
}

/** Two NetSessions over a real TCP connection, host and client, with the same passkey. */
async function sessionPair(
  options: NetSessionOptions = {},
): Promise<{ host: NetSession; client: NetSession }> {
  const { server, client } = await tcpPair();
  const [hostSession, clientSession] = await Promise.all([
    NetSession.start(server, { role: "host", passkey: PASSKEY, ...options }),
    NetSession.start(client, { role: "client", passkey: PASSKEY, ...options }),
  ]);
  return { host: hostSession, client: clientSession };
}

/** Whether `promise` settles within `ms`. */
async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const result = await Promise.race([
    promise.then(() => true, () => true),
    new Promise<false>((resolve) => timer = setTimeout(() => resolve(false), ms)),
  ]);
  clearTimeout(timer);
  return result;
}

/** A peer that completes the handshake by hand on a raw socket; the test drives the rest. */
interface RawPeer {
  keys: SecureKeys;
  /** Sends one record, sealed like a NetSession would. */
  send(header: unknown): Promise<void>;
  /** Seals `plain` as one frame, whatever it holds. */
  sendPlain(plain: Uint8Array): Promise<void>;
  close(): Promise<void>;
}

async function rawPeer(conn: Deno.TcpConn, role: "host" | "client"): Promise<RawPeer> {
  const reader = conn.readable.pipeThrough(new FrameSplitter()).getReader();
  const writer = new WritableStream<Uint8Array>({
    write: (frame) => writeAll(conn, encodeFrame(frame)),
  })
    .getWriter();
  const keys = await handshake(reader, writer, { role, passkey: PASSKEY });
  writer.releaseLock();
  const sealer = new FrameSealer(keys.sendKey);
  return {
    keys,
    // A sealed frame carries a batch of length-prefixed records; here a batch of one.
    send: async (header) =>
      await writeAll(conn, encodeFrame(sealer.seal(encodeFrame(encodeRecord(header))))),
    sendPlain: async (plain) => await writeAll(conn, encodeFrame(sealer.seal(plain))),
    close: async () => {
      // Cancelling the unread stream closes the socket too.
      await reader.cancel().catch(() => {});
      try {
        conn.close();
      } catch { /* already closed */ }
    },
  };
}

Deno.test("NetSession: messages with bodies arrive in order, both ways", async () => {
  const { host, client } = await sessionPair();
  assert.equal(host.keys.authenticated, true);
  assert.equal(host.keys.safety, client.keys.safety);
  assert.match(client.remote, /^127\.0\.0\.1:\d+$/);

  const file = new Uint8Array(200_000).map((_, i) => i % 251);
  client.post({ t: "hello", v: 1, name: "bob" });
  client.post({ t: "offer", fid: 1, name: "a.bin", size: file.length });
  client.post({ t: "chunk", fid: 1 }, file.subarray(0, 100_000));
  client.post({ t: "chunk", fid: 1 }, file.subarray(100_000));
  client.post({ t: "end", fid: 1, sha256: "0".repeat(64) });
  for (let i = 0; i < 100; i++) client.post({ t: "chat", id: String(i), text: `line ${i}` });
  host.post({ t: "welcome", you: "bob", kind: "direct", members: ["alice", "bob"], history: 0 });

  const reader = host.incoming.getReader();
  const received: Envelope[] = [];
  for (let i = 0; i < 105; i++) {
    const { value, done } = await reader.read();
    assert.ok(!done, `only ${i} messages arrived`);
    received.push(value);
  }
  reader.releaseLock();
  assert.deepEqual(received[0].message, { t: "hello", v: 1, name: "bob" });
  // Chat lines may overtake file data, but each kind keeps its own order.
  const chats = received.filter((e) => e.message.t === "chat").map((e) =>
    (e.message as { text: string }).text
  );
  assert.deepEqual(chats, Array.from({ length: 100 }, (_, i) => `line ${i}`));
  const fileTypes = received.filter((e) => ["offer", "chunk", "end"].includes(e.message.t));
  assert.deepEqual(fileTypes.map((e) => e.message.t), ["offer", "chunk", "chunk", "end"]);
  const body = new Uint8Array([...fileTypes[1].body, ...fileTypes[2].body]);
  assert.deepEqual(body, file);

  const { value: welcome } = await client.incoming.getReader().read();
  assert.equal(welcome?.message.t, "welcome");

  await client.close();
  assert.equal(await client.closed, undefined);
  // The host notices the end when it reads on, as a room always does.
  assert.deepEqual(await Array.fromAsync(host.incoming), []);
  assert.equal(await host.closed, "the connection closed");
});

Deno.test("NetSession: one write after another, long and short, each arrives as sent", async () => {
  // A session reuses a finished write's buffer for its next write: a shorter line after a
  // longer one must not carry any of the longer one's bytes.
  const { host, client } = await sessionPair();
  const texts = ["a".repeat(700), "b", "c".repeat(300), "", "d".repeat(40), "e".repeat(2000), "f"];
  const got: string[] = [];
  let ended = false;
  const received = host.receive(({ message }) => {
    if (message.t === "chat") got.push(message.text);
    if (got.length === texts.length) return false;
  }).finally(() => ended = true);
  for (const [i, text] of texts.entries()) {
    client.post({ t: "chat", id: String(i), text });
    // The next line goes out only after this one was written and read.
    while (got.length <= i && !ended) await new Promise((resolve) => setTimeout(resolve, 1));
  }
  await received.catch(() => {});
  assert.deepEqual(got, texts);
  await client.close();
  await host.close();
});

Deno.test("NetSession: close() delivers what was queued before closing", async () => {
  const { host, client } = await sessionPair();
  for (let i = 0; i < 10; i++) client.post({ t: "chat", id: String(i), text: "x" });
  client.post({ t: "bye", reason: "quit" });
  await client.close();
  const messages = (await Array.fromAsync(host.incoming)).map((e) => e.message.t);
  assert.deepEqual(messages, [...Array(10).fill("chat"), "bye"]);
  assert.equal(await host.closed, "the connection closed");
});

Deno.test("NetSession.receive: stopping mid-frame loses nothing; the next call goes on", async () => {
  const { host, client } = await sessionPair();
  // Posted in one turn: the first is written at once, the rest share the next sealed frame.
  for (let i = 0; i < 5; i++) client.post({ t: "chat", id: String(i), text: `line ${i}` });
  client.post({ t: "bye", reason: "quit" });
  const first: string[] = [];
  await host.receive(({ message }) => {
    if (message.t === "chat") first.push(message.text);
    return first.length < 2;
  });
  const rest: string[] = [];
  await host.receive(async ({ message }) => {
    await new Promise((resolve) => setTimeout(resolve, 1)); // a slow handler holds the next one
    rest.push(message.t === "chat" ? message.text : message.t);
    return message.t !== "bye";
  });
  assert.deepEqual(first, ["line 0", "line 1"]);
  assert.deepEqual(rest, ["line 2", "line 3", "line 4", "bye"]);
  await client.close();
  await host.close();
});

Deno.test("NetSession.receive: ends when the peer closes; a throwing handler rejects", async () => {
  const { host, client } = await sessionPair();
  client.post({ t: "chat", id: "1", text: "hi" });
  await assert.rejects(
    host.receive(() => {
      throw new Error("handler broke");
    }),
    /handler broke/,
  );
  await client.close();
  await host.receive(() => assert.fail("nothing more was sent"));
  assert.equal(await host.closed, "the connection closed");
});

Deno.test("NetSession: keepalive keeps an idle session open past keepaliveMs", async () => {
  // Idle for twice silenceMs: only the pings and pongs can keep it open. silenceMs is not cut
  // to the bone, so a busy machine pausing the whole test process does not count as silence.
  const { host, client } = await sessionPair({ keepaliveMs: 100, silenceMs: 1000 });
  // Both people are waiting for messages, as a chat does, but nobody says anything.
  const hostRead = host.incoming.getReader().read();
  const clientRead = client.incoming.getReader().read();
  let hostOpen = false;
  let clientOpen = false;
  try {
    hostOpen = !await settlesWithin(host.closed, 2000);
    clientOpen = !await settlesWithin(client.closed, 0);
  } finally {
    await client.close();
    await host.close();
  }
  assert.equal(hostOpen, true, `the host closed: ${await host.closed}`);
  assert.equal(clientOpen, true, `the client closed: ${await client.closed}`);
  // Pings and pongs were never handed to the readers as messages.
  assert.equal((await clientRead).done, true);
  assert.equal((await hostRead).done, true);
});

Deno.test("NetSession: a peer that goes silent is closed after silenceMs", async () => {
  const { server, client } = await tcpPair();
  const [session, silent] = await Promise.all([
    NetSession.start(server, { role: "host", passkey: PASSKEY, ...FAST }),
    rawPeer(client, "client"),
  ]);
  try {
    const started = Date.now();
    const reading = session.incoming.getReader().read();
    const reason = await session.closed;
    const elapsed = Date.now() - started;
    assert.match(reason ?? "", /^no response from the peer/);
    assert.ok(elapsed >= 250 && elapsed < 5000, `closed after ${elapsed} ms`);
    assert.equal((await reading).done, true, "incoming ends when the session closes");
  } finally {
    await silent.close();
  }
});

Deno.test("NetSession: a silent peer is given up when the silence is due, saying how long", async () => {
  const { server, client } = await tcpPair();
  const [session, silent] = await Promise.all([
    NetSession.start(server, {
      role: "host",
      passkey: PASSKEY,
      keepaliveMs: 2000,
      silenceMs: 3000,
    }),
    rawPeer(client, "client"),
  ]);
  try {
    const reading = session.incoming.getReader().read();
    // Heard from between two of the session's checks (a second apart), then silent: the
    // next check after the 3 s would come 0.7 s late.
    await new Promise((resolve) => setTimeout(resolve, 1300));
    await silent.send({ t: "pong" });
    assert.equal(await session.closed, "no response from the peer for 3 s");
    assert.equal((await reading).done, true);
  } finally {
    await silent.close();
  }
});

Deno.test("NetSession: what the peer sends that cannot be read is skipped and reported, and the session goes on", async () => {
  const { server, client } = await tcpPair();
  const [session, peer] = await Promise.all([
    NetSession.start(server, { role: "host", passkey: PASSKEY }),
    rawPeer(client, "client"),
  ]);
  const problems: SessionProblem[] = [];
  session.onProblem = (problem) => problems.push(problem);
  try {
    await peer.send({ t: "chat", id: "1", text: "fine" });
    const header = (json: Uint8Array) => {
      const record = new Uint8Array(4 + json.length);
      new DataView(record.buffer).setUint32(0, json.length);
      record.set(json, 4);
      return record;
    };
    const tooLong = new Uint8Array(4);
    new DataView(tooLong.buffer).setUint32(0, MAX_HEADER_BYTES + 1);
    await peer.sendPlain(encodeFrames([
      header(new TextEncoder().encode("{not json")),
      encodeRecord({ t: "rm -rf", id: "2" }),
      encodeRecord({ t: "chat", id: "3", text: 42 }),
      header(new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d])), // {"..."} not UTF-8
      tooLong,
    ]));
    // A good record, then one cut short: the rest of that batch is lost, as one.
    const good = encodeFrame(encodeRecord({ t: "chat", id: "4", text: "kept" }));
    const cut = encodeFrame(encodeRecord({ t: "chat", id: "5", text: "cut" })).subarray(0, 12);
    await peer.sendPlain(new Uint8Array([...good, ...cut]));
    await peer.send({ t: "chat", id: "6", text: "after" });

    const received: Envelope[] = [];
    await session.receive((envelope) => {
      received.push(envelope);
      if (received.length === 3) return false;
    });
    assert.deepEqual(received.map((e) => (e.message as { text: string }).text), [
      "fine",
      "kept",
      "after",
    ]);
    // Six skipped; told of the 1st, 2nd and 4th.
    assert.deepEqual(problems, [
      { kind: "unreadable", reason: "record header is not valid JSON", count: 1 },
      { kind: "unreadable", reason: 'unknown message type "rm -rf"', count: 2 },
      { kind: "unreadable", reason: "record header is not valid JSON", count: 4 },
    ]);
    assert.equal(await settlesWithin(session.closed, 100), false, "the session goes on");
  } finally {
    await peer.close();
    await session.close();
  }
});

Deno.test("NetSession: a peer that sends nothing readable is cut off after 64 in a row", async () => {
  const { server, client } = await tcpPair();
  const [session, peer] = await Promise.all([
    NetSession.start(server, { role: "host", passkey: PASSKEY }),
    rawPeer(client, "client"),
  ]);
  try {
    const bad = encodeRecord({ t: "nonsense" });
    // 63 in a row, a good one, 63 more: never 64 in a row.
    const almost = Array(MAX_UNREADABLE_IN_A_ROW - 1).fill(bad);
    await peer.sendPlain(encodeFrames([...almost, encodeRecord({ t: "who" }), ...almost]));
    await peer.send({ t: "who" });
    await peer.sendPlain(encodeFrames(Array(MAX_UNREADABLE_IN_A_ROW).fill(bad)));
    await peer.send({ t: "chat", id: "1", text: "too late" });
    const received = await Array.fromAsync(session.incoming);
    assert.deepEqual(received.map((e) => e.message), [{ t: "who" }, { t: "who" }]);
    assert.equal(
      await session.closed,
      `protocol error: ${MAX_UNREADABLE_IN_A_ROW} unreadable messages in a row ` +
        '(the last: unknown message type "nonsense")',
    );
  } finally {
    await peer.close();
  }
});

Deno.test("NetSession: a message too large for the peer to read is not sent, is reported, and the session goes on", async () => {
  const { host, client } = await sessionPair();
  const problems: SessionProblem[] = [];
  client.onProblem = (problem) => problems.push(problem);
  try {
    // 2,800 control characters: 16,800 bytes of header once escaped (\u0001 each).
    const poisoned: Message = { t: "notice", text: "\x01".repeat(2800) };
    client.post(poisoned); // with nothing queued: the path that writes at once
    client.cork();
    client.post({ t: "chat", id: "1", text: "first" });
    client.post(poisoned); // queued
    client.post(poisoned, undefined, encodeRecord(poisoned)); // already encoded (a broadcast)
    client.uncork();
    client.post({ t: "chat", id: "2", text: "second" });
    const received: Envelope[] = [];
    await host.receive((envelope) => {
      received.push(envelope);
      if (received.length === 2) return false;
    });
    assert.deepEqual(received.map((e) => e.message.t === "chat" && e.message.text), [
      "first",
      "second",
    ]);
    const bytes = JSON.stringify(poisoned).length;
    assert.ok(bytes > MAX_HEADER_BYTES);
    assert.deepEqual(problems, Array(3).fill({ kind: "unsendable", message: poisoned, bytes }));
    assert.equal(await settlesWithin(host.closed, 100), false, "the session goes on");
  } finally {
    await client.close();
    await host.close();
  }
});

Deno.test("NetSession.backlogBelow: waits until the peer has taken the chat queued for it", async () => {
  const { host, client } = await sessionPair();
  try {
    client.cork();
    for (let i = 0; i < 100; i++) client.post({ t: "chat", id: String(i), text: "x".repeat(1000) });
    assert.ok(client.backlog > 100_000);
    await client.backlogBelow(client.backlog); // at once: already there
    const below = client.backlogBelow(10_000);
    assert.equal(await settlesWithin(below, 50), false, "nothing was written yet");
    client.uncork();
    let count = 0;
    await host.receive(() => ++count < 100);
    assert.equal(await settlesWithin(below, 1000), true);
    assert.ok(client.backlog <= 10_000);
    // A wait still under way ends with the session.
    client.cork();
    for (let i = 0; i < 100; i++) client.post({ t: "chat", id: String(i), text: "x".repeat(1000) });
    const pending = client.backlogBelow(0);
    await client.abort("gone");
    assert.equal(await settlesWithin(pending, 1000), true);
  } finally {
    await client.close();
    await host.close();
  }
});

Deno.test("NetSession: small bodies from two peers stay intact while later lines arrive", async () => {
  const a = await sessionPair();
  const b = await sessionPair();
  try {
    const kept: Envelope[] = [];
    const receiving = Promise.all([a.host, b.host].map((host) => {
      let count = 0;
      return host.receive((envelope) => {
        kept.push(envelope);
        if (++count === 100) return false;
      });
    }));
    for (let i = 0; i < 50; i++) {
      for (const [index, pair] of [a, b].entries()) {
        const fill = index * 100 + (i % 100);
        pair.client.post({ t: "chunk", fid: 1 }, new Uint8Array(40).fill(fill));
        pair.client.post({ t: "chat", id: String(i), text: `line ${i}` });
      }
    }
    await receiving;
    const chunks = kept.filter((e) => e.message.t === "chunk");
    assert.equal(chunks.length, 100);
    // Each body still holds the one value it was sent with.
    for (const chunk of chunks) {
      assert.equal(chunk.body.length, 40);
      assert.ok(chunk.body.every((byte) => byte === chunk.body[0]), "a body was overwritten");
    }
    const values = chunks.map((chunk) => chunk.body[0]).sort((x, y) => x - y);
    const expected = [...Array(50).keys(), ...Array.from({ length: 50 }, (_, i) => 100 + i)];
    assert.deepEqual(values, expected);
  } finally {
    for (const pair of [a, b]) {
      await pair.client.close();
      await pair.host.close();
    }
  }
});

Deno.test("NetSession.start: a wrong passkey fails on both sides and closes the connection", async () => {
  const { server, client } = await tcpPair();
  const [host, dialer] = await Promise.allSettled([
    NetSession.start(server, { role: "host", passkey: PASSKEY }),
    NetSession.start(client, { role: "client", passkey: "3-other-words-here" }),
  ]);
  assert.equal(host.status, "rejected");
  assert.equal(dialer.status, "rejected");
  assert.equal((host as PromiseRejectedResult).reason.message, "Wrong passkey");
  assert.equal((dialer as PromiseRejectedResult).reason.message, "Wrong passkey");
});
