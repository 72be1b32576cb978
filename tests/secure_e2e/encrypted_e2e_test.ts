import assert from "node:assert/strict";
import { AUTHENTICATION_FAILED } from "../../lib/secure/encrypted_channel.ts";
import {
  CliProcess,
  type JsonEvent,
  PASSKEY,
  sha256File,
  startConnector,
  startListener,
  tempDir,
} from "../e2e/cli_process.ts";
import {
  containsBytes,
  type Direction,
  flipBit,
  type FrameAction,
  type ProxiedFrame,
  RecordingProxy,
} from "./recording_proxy.ts";
import { listing } from "../e2e/folder_listing.ts";

const encoder = new TextEncoder();
const isEvent = (type: string) => (event: JsonEvent) => event.type === type;
const SAFETY = /^\d{4} \d{4} \d{4}$/;
/** Frames this large carry file chunks (128 KiB each); chat records are far smaller. */
const CHUNK_FRAME = 64 * 1024;
/** Handshake frames and chat records are shorter than this. */
const SMALL_FRAME = 1024;

/** Writes a file of `bytes` bytes made of `marker` repeated, so any plaintext leak shows it. */
async function writeMarkedFile(path: string, marker: string, bytes: number): Promise<void> {
  const unit = encoder.encode(`${marker}\n`);
  const data = new Uint8Array(bytes);
  for (let offset = 0; offset < bytes; offset += unit.length) {
    data.set(unit.subarray(0, Math.min(unit.length, bytes - offset)), offset);
  }
  await Deno.writeFile(path, data);
}

/** Two folders (alice's and bob's) and one file in each to send. */
async function setUp(base: string): Promise<{ aliceDir: string; bobDir: string }> {
  const aliceDir = `${base}/alice`;
  const bobDir = `${base}/bob`;
  await Deno.mkdir(aliceDir);
  await Deno.mkdir(bobDir);
  return { aliceDir, bobDir };
}

Deno.test("no chat text, name, file content or passkey crosses the wire in the clear", async () => {
  await using base = await tempDir();
  const { aliceDir, bobDir } = await setUp(base.path);
  const bobSecret = "BOB-FILE-CONTENT-q8w7e6r5t4";
  const aliceSecret = "ALICE-FILE-CONTENT-z1x2c3v4b5";
  const fileBytes = 3 * 128 * 1024; // three whole chunks
  await writeMarkedFile(`${bobDir}/bob_notes.txt`, bobSecret, fileBytes);
  await writeMarkedFile(`${aliceDir}/alice_notes.txt`, aliceSecret, fileBytes);
  const bobLine = "meet me at the old mill at midnight 🌙";
  const aliceLine = "d'accord, très discret ✓";

  const { proc: alice, port } = await startListener("alice", { cwd: aliceDir });
  const proxy = RecordingProxy.start(port);
  const bob = startConnector("bob", proxy.port, { cwd: bobDir });
  try {
    await alice.waitFor(isEvent("connected"));
    await bob.waitFor(isEvent("connected"));
    await bob.writeLine(bobLine);
    assert.equal((await alice.waitFor(isEvent("message"))).text, bobLine);
    await alice.writeLine(aliceLine);
    assert.equal((await bob.waitFor(isEvent("message"))).text, aliceLine);
    await bob.writeLine(`/send ${bobDir}/bob_notes.txt`);
    await alice.writeLine(`/send ${aliceDir}/alice_notes.txt`);
    const atAlice = await alice.waitFor(isEvent("file"));
    const atBob = await bob.waitFor(isEvent("file"));
    assert.equal(atAlice.sha256, await sha256File(`${bobDir}/bob_notes.txt`));
    assert.equal(atBob.sha256, await sha256File(`${aliceDir}/alice_notes.txt`));
    await bob.waitFor(isEvent("file-sent"));
    await alice.waitFor(isEvent("file-sent"));

    // Both sides say the channel is authenticated and show the same safety code.
    const aliceSecured = await alice.waitFor(isEvent("secured"));
    const bobSecured = await bob.waitFor(isEvent("secured"));
    assert.equal(aliceSecured.authenticated, true);
    assert.equal(bobSecured.authenticated, true);
    assert.match(String(bobSecured.safety), SAFETY);
    assert.equal(aliceSecured.safety, bobSecured.safety);
    assert.deepEqual(Object.keys(bobSecured).sort(), ["authenticated", "peer", "safety", "type"]);
    assert.equal(bobSecured.peer, `127.0.0.1:${proxy.port}`);

    await bob.writeLine("/quit");
    assert.equal((await bob.exit()).code, 0);
    await alice.waitFor(isEvent("left"));
    await alice.closeStdin();
    assert.equal((await alice.exit()).code, 0);
  } finally {
    await bob.close();
    await alice.close();
    await proxy.close();
  }

  const wire = [proxy.captured("client-to-host"), proxy.captured("host-to-client")];
  // The files did go through the proxy (three chunks each way, plus framing and tags).
  assert.ok(wire.every((bytes) => bytes.length > fileBytes), "the capture misses the files");
  const secrets = [bobLine, aliceLine, bobSecret, aliceSecret, "alice", '"bob"', PASSKEY];
  for (const [i, bytes] of wire.entries()) {
    for (const secret of secrets) {
      assert.ok(!containsBytes(bytes, encoder.encode(secret)), `${secret} seen in capture ${i}`);
    }
  }
  // "bob" is only three bytes: random ciphertext of a file would contain it now and then, so
  // look for it where it would travel, in the small (handshake and chat) frames only.
  const small = [...smallFrames(wire[0]), ...smallFrames(wire[1])];
  assert.ok(small.length >= 6, `only ${small.length} small frames captured`);
  for (const frame of small) assert.ok(!containsBytes(frame, encoder.encode("bob")));
});

/** The payloads of the frames of `stream` shorter than {@linkcode SMALL_FRAME}. */
function smallFrames(stream: Uint8Array): Uint8Array[] {
  const frames: Uint8Array[] = [];
  const view = new DataView(stream.buffer, stream.byteOffset);
  for (let offset = 0; offset + 4 <= stream.length;) {
    const length = view.getUint32(offset);
    if (length < SMALL_FRAME) frames.push(stream.subarray(offset + 4, offset + 4 + length));
    offset += 4 + length;
  }
  return frames;
}

/** How a test damages the stream: on the 3rd chunk frame of the file sent in `direction`. */
interface Attack {
  name: string;
  direction: Direction;
  action: (frame: ProxiedFrame) => FrameAction;
  /** What the receiving side gives as the reason the session ended. */
  reason: string;
}

const ATTACKS: Attack[] = [
  ["client-to-host", "host-to-client"].flatMap((direction) =>
    [
      {
        name: "one flipped bit",
        direction,
        action: (frame: ProxiedFrame) => [flipBit(frame.payload, 1000, 3)],
        reason: AUTHENTICATION_FAILED,
      },
      {
        name: "a replayed frame",
        direction,
        action: (frame: ProxiedFrame) => [frame.payload, frame.payload],
        reason: AUTHENTICATION_FAILED,
      },
      {
        name: "a stream cut in the middle of a frame",
        direction,
        action: () => ({ cut: 5000 }),
        reason: "connection ended in the middle of a frame",
      },
    ] as Attack[]
  ),
].flat();

for (const attack of ATTACKS) {
  const bobSends = attack.direction === "client-to-host";
  Deno.test(`${attack.name} in a file going ${attack.direction} ends the session with a clear error; only authenticated bytes are kept, and the file resumed from them arrives whole`, async () => {
    await using base = await tempDir();
    const { aliceDir, bobDir } = await setUp(base.path);
    const source = `${base.path}/report.bin`;
    await writeMarkedFile(source, "file content", 2 * 1024 * 1024); // 16 chunks
    const { proc: alice, port } = await startListener("alice", { cwd: aliceDir });
    let chunks = 0;
    const proxy = RecordingProxy.start(port, {
      tamper: (frame) =>
        frame.direction === attack.direction && frame.payload.length > CHUNK_FRAME &&
          ++chunks === 3
          ? attack.action(frame)
          : [frame.payload],
    });
    const bob = startConnector("bob", proxy.port, { cwd: bobDir });
    try {
      await alice.waitFor(isEvent("connected"));
      await bob.waitFor(isEvent("connected"));
      const [sender, receiver] = bobSends ? [bob, alice] : [alice, bob];
      await sender.writeLine(`/send ${source}`);

      if (bobSends) {
        // The host noticed: bob is gone, with the reason, and the file was dropped.
        const left = await alice.waitFor(isEvent("left"));
        assert.deepEqual([left.name, left.reason], ["bob", attack.reason]);
        await bob.waitFor(isEvent("closed"));
      } else {
        const closed = await bob.waitFor(isEvent("closed"));
        assert.equal(closed.reason, attack.reason);
        await alice.waitFor(isEvent("left"));
      }
      // What came before the damage is kept, hidden: the receiver says so.
      const stopped = await receiver.waitFor((e) => e.type === "system" && e.file === "report.bin");
      assert.match(String(stopped.text), /^Receiving report\.bin stopped: .*What came is kept/);
      const folder = `${bobSends ? aliceDir : bobDir}/received_files`;
      const sent = await Deno.readFile(source);
      for (const name of await listing(folder)) {
        // Hidden and private, and only bytes that passed authentication: the start of the file.
        assert.match(name, /^\.p2pchat-[0-9a-f]{32}\.part$/);
        assert.equal((await Deno.stat(`${folder}/${name}`)).mode! & 0o777, 0o600);
        const held = await Deno.readFile(`${folder}/${name}`);
        assert.ok(held.length < sent.length);
        assert.deepEqual(held, sent.subarray(0, held.length));
      }

      // bob reconnects by itself and the file continues from what was kept, whole in the end.
      await bob.waitFor(isEvent("reconnected"));
      const saved = await receiver.waitFor(isEvent("file"));
      assert.equal(saved.sha256, await sha256File(source));
      await sender.waitFor(isEvent("file-sent"));
      assert.deepEqual(await listing(folder), ["report.bin"]);
      assert.deepEqual(await Deno.readFile(`${folder}/report.bin`), sent);

      await bob.closeStdin();
      await alice.closeStdin();
      assert.equal((await bob.exit()).code, 0);
      assert.equal((await alice.exit()).code, 0);
    } finally {
      await bob.close();
      await alice.close();
      await proxy.close();
    }
  });
}

Deno.test("a flipped bit in the first chat line after the handshake: the damaged line is never shown; the line sent again after the reconnect is, once", async () => {
  await using base = await tempDir();
  const { aliceDir, bobDir } = await setUp(base.path);
  const { proc: alice, port } = await startListener("alice", { cwd: aliceDir });
  // Client frames: 0 hello, 1 confirm (handshake), 2 the room hello, 3 the first line; only
  // on the first connection that gets that far.
  let tampered = false;
  const proxy = RecordingProxy.start(port, {
    tamper: (frame) =>
      !tampered && frame.direction === "client-to-host" && frame.index === 3
        ? (tampered = true, [flipBit(frame.payload, frame.payload.length - 1, 7)]) // in the tag
        : [frame.payload],
  });
  const bob = startConnector("bob", proxy.port, { cwd: bobDir });
  try {
    await alice.waitFor(isEvent("connected"));
    await bob.writeLine("transfer 500 to account 42");
    const left = await alice.waitFor(isEvent("left"));
    assert.equal(left.reason, AUTHENTICATION_FAILED);
    assert.equal(alice.events.filter(isEvent("message")).length, 0);
    await bob.waitFor(isEvent("closed"));
    // bob's side never had the line acknowledged: it comes back and sends it again, intact.
    await bob.waitFor(isEvent("reconnected"));
    await alice.waitFor((e) => e.type === "message" && e.text === "transfer 500 to account 42");
    await bob.closeStdin();
    await alice.closeStdin();
    assert.equal((await bob.exit()).code, 0);
    assert.equal((await alice.exit()).code, 0);
    assert.equal(alice.events.filter(isEvent("message")).length, 1);
  } finally {
    await bob.close();
    await alice.close();
    await proxy.close();
  }
});

Deno.test("text mode: the host shows why a tampered peer was dropped", async () => {
  await using base = await tempDir();
  const { aliceDir, bobDir } = await setUp(base.path);
  const { proc: alice, port } = await startListener("alice", { cwd: aliceDir, json: false });
  let tampered = false;
  const proxy = RecordingProxy.start(port, {
    tamper: (frame) =>
      !tampered && frame.direction === "client-to-host" && frame.index === 3
        ? (tampered = true, [flipBit(frame.payload, 0)])
        : [frame.payload],
  });
  const bob = startConnector("bob", proxy.port, { cwd: bobDir, json: false });
  try {
    await alice.waitForLine((line) => line.includes("Connected by"));
    await bob.writeLine("hello?");
    await alice.waitForLine((line) =>
      line === `[System] bob has left the chat. (${AUTHENTICATION_FAILED})`
    );
    await bob.closeStdin();
    await bob.exit();
    await alice.closeStdin();
    await alice.exit();
  } finally {
    await bob.close();
    await alice.close();
    await proxy.close();
  }
});

Deno.test("text mode: the connecting side shows why the session ended when it detects tampering", async () => {
  await using base = await tempDir();
  const { aliceDir, bobDir } = await setUp(base.path);
  const { proc: alice, port } = await startListener("alice", { cwd: aliceDir, json: false });
  // Once bob is in the chat, every frame to him is damaged.
  let armed = false;
  const proxy = RecordingProxy.start(port, {
    tamper: (frame) =>
      armed && frame.direction === "host-to-client" ? [flipBit(frame.payload, 0)] : [frame.payload],
  });
  const bob = startConnector("bob", proxy.port, { cwd: bobDir, json: false });
  try {
    await bob.waitForLine((line) => line === "[System] Chatting with alice.");
    armed = true;
    await alice.writeLine("are you there?");
    await bob.exit();
    const output = `${bob.stdout}\n${bob.stderr}`;
    assert.ok(output.includes(AUTHENTICATION_FAILED), output);
    assert.ok(!output.includes("are you there?"), output);
  } finally {
    await bob.close();
    await alice.close();
    await proxy.close();
  }
});

/** Starts a host with extra `args` (e.g. --open) and returns it with its port. */
async function startHost(
  args: string[],
  cwd: string,
  env?: Record<string, string>,
): Promise<{ alice: CliProcess; port: number }> {
  const alice = CliProcess.start(
    ["listen", "0", "--host", "127.0.0.1", "--name", "alice", "--json", ...args],
    { cwd, env },
  );
  const listening = await alice.waitFor(isEvent("listening"));
  return { alice, port: listening.port as number };
}

function startClient(port: number, args: string[], cwd: string): CliProcess {
  return CliProcess.start(
    ["connect", "127.0.0.1", String(port), "--name", "bob", "--json", ...args],
    { cwd },
  );
}

Deno.test("--open on both sides: encrypted, not authenticated, equal safety codes on both sides", async () => {
  await using dir = await tempDir();
  const { alice, port } = await startHost(["--open"], dir.path);
  const proxy = RecordingProxy.start(port);
  const bob = startClient(proxy.port, ["--open"], dir.path);
  try {
    assert.equal((await alice.waitFor(isEvent("listening"))).passkey, null);
    const aliceSecured = await alice.waitFor(isEvent("secured"));
    const bobSecured = await bob.waitFor(isEvent("secured"));
    assert.equal(aliceSecured.authenticated, false);
    assert.equal(bobSecured.authenticated, false);
    assert.match(String(aliceSecured.safety), SAFETY);
    assert.equal(aliceSecured.safety, bobSecured.safety);
    await bob.waitFor(isEvent("connected"));
    await bob.writeLine("open but still private");
    assert.equal((await alice.waitFor(isEvent("message"))).text, "open but still private");
    await bob.closeStdin();
    assert.equal((await bob.exit()).code, 0);
    await alice.closeStdin();
    assert.equal((await alice.exit()).code, 0);
  } finally {
    await bob.close();
    await alice.close();
    await proxy.close();
  }
  const needle = encoder.encode("open but still private");
  assert.ok(!containsBytes(proxy.captured("client-to-host"), needle));
});

Deno.test("host --open, client with a passkey: refused with a clear message on both sides", async () => {
  await using dir = await tempDir();
  const { alice, port } = await startHost(["--open"], dir.path);
  const bob = startClient(port, [], dir.path); // P2PCHAT_PASSKEY is set
  try {
    assert.equal((await bob.exit()).code, 1);
    assert.equal(
      bob.stderr,
      "p2pchat: The host does not use a passkey (it was started with --open); connect with --open\n",
    );
    const error = await alice.waitFor(isEvent("error"));
    assert.match(
      String(error.message),
      /^The client uses a passkey, but this host was started with --open from 127\.0\.0\.1:\d+$/,
    );
    assert.equal(alice.events.filter(isEvent("secured")).length, 0);
    // Still listening: an --open client gets in.
    const carol = startClient(port, ["--open"], dir.path);
    try {
      await carol.waitFor(isEvent("connected"));
      await carol.closeStdin();
      assert.equal((await carol.exit()).code, 0);
    } finally {
      await carol.close();
    }
  } finally {
    await bob.close();
    await alice.close();
  }
});

Deno.test("host with a passkey, client --open: refused with a clear message on both sides", async () => {
  await using dir = await tempDir();
  const { alice, port } = await startHost([], dir.path);
  const bob = startClient(port, ["--open"], dir.path);
  try {
    assert.equal((await bob.exit()).code, 1);
    // Found out by connect's probe, before any passkey would be asked for.
    assert.equal(bob.stderr, "p2pchat: The host requires a passkey: connect without --open\n");
    const error = await alice.waitFor(isEvent("error"));
    assert.match(
      String(error.message),
      /^The client connected without a passkey \(--open\), but this host requires one from 127\.0\.0\.1:\d+$/,
    );
    assert.equal(alice.events.filter(isEvent("secured")).length, 0);
  } finally {
    await bob.close();
    await alice.close();
  }
});
