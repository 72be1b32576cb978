import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { NetSession } from "../../lib/session/net_session.ts";
import { type Message, PROTOCOL_VERSION } from "../../lib/session/message.ts";
import {
  type CliProcess,
  type JsonEvent,
  PASSKEY,
  startConnector,
  startListener,
  tempDir,
  WAIT_MS,
} from "./cli_process.ts";
import { listing } from "./folder_listing.ts";

const encoder = new TextEncoder();
const ESC = "\x1b";

/** Offers a well-behaved peer never makes, each with its content, sent in full. */
const HOSTILE_OFFERS: { name: string; size: number; data: Uint8Array }[] = [
  { name: "../x", size: 5, data: encoder.encode("owned") },
  { name: "/etc/x", size: 5, data: encoder.encode("owned") },
  { name: "a\x1b[2Jb", size: 5, data: encoder.encode("owned") },
  { name: "CON", size: 5, data: encoder.encode("owned") },
  { name: `${"n".repeat(296)}.txt`, size: 5, data: encoder.encode("owned") },
  // Announces 10 bytes, sends 20.
  { name: "liar.txt", size: 10, data: new Uint8Array(20).fill(65) },
];

const sha256 = (data: Uint8Array) => createHash("sha256").update(data).digest("hex");

/** A peer that speaks the real protocol: handshake, hello, then whatever the test posts. */
async function hostilePeer(port: number, name: string) {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const session = await NetSession.start(conn, { role: "client", passkey: PASSKEY });
  session.post({ t: "hello", v: PROTOCOL_VERSION, name });
  const received: Message[] = [];
  const reading = (async () => {
    for await (const { message } of session.incoming) received.push(message);
  })();
  return {
    conn,
    session,
    received,
    /** Closes the session and waits for its reader to finish. */
    async close() {
      await session.close();
      await reading;
    },
  };
}

/** Polls `ready` (state of the test's own peer, which prints nothing) until it holds. */
async function until(ready: () => boolean, timeoutMs = WAIT_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ready()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Raw bytes on a plain socket; waits until the listener hangs up. */
async function sendRaw(port: number, bytes: Uint8Array): Promise<void> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    await conn.write(bytes);
    const buffer = new Uint8Array(1024);
    try {
      while (await conn.read(buffer) !== null) { /* the host may answer with a failure frame */ }
    } catch { /* reset by the host: also a hang-up */ }
  } finally {
    conn.close();
  }
}

/** A frame header announcing 2 GiB: far over the frame limit. */
const OVERSIZED_FRAME = new Uint8Array([0x7f, 0xff, 0xff, 0xff, 1, 2, 3, 4]);

/** A frame of the right shape holding random bytes. */
function garbageFrame(): Uint8Array {
  const frame = new Uint8Array(4 + 64);
  new DataView(frame.buffer).setUint32(0, 64);
  crypto.getRandomValues(frame.subarray(4));
  return frame;
}

/** Errors shown so far (JSON mode). */
const errors = (proc: CliProcess) => proc.events.filter((event) => event.type === "error");

/** Waits until `count` more `left` events were shown than `before`. */
async function waitLeft(proc: CliProcess, before: number): Promise<JsonEvent> {
  await proc.waitFor(() => proc.events.filter((event) => event.type === "left").length > before);
  return proc.events.filter((event) => event.type === "left").at(-1)!;
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}

/** Nothing escaped the receive folder, and nothing (not even a `.tmp`) stayed in it. */
async function assertNothingWritten(base: string, cwd: string): Promise<void> {
  assert.deepEqual(await listing(`${cwd}/received_files`), []);
  assert.deepEqual(
    await listing(cwd),
    (await exists(`${cwd}/received_files`)) ? ["received_files"] : [],
  );
  assert.deepEqual(await listing(base), ["alice"]);
  assert.equal(await exists("/etc/x"), false);
}

Deno.test("hostile frames and offers are refused, nothing lands outside the folder, the listener serves on", async () => {
  await using base = await tempDir();
  const cwd = `${base.path}/alice`;
  await Deno.mkdir(cwd);
  const { proc: alice, port } = await startListener("alice", { cwd });
  try {
    // Before the handshake: a 2 GiB frame header, then random bytes in a frame.
    await sendRaw(port, OVERSIZED_FRAME);
    const oversized = await alice.waitFor((event) => event.type === "error");
    assert.match(String(oversized.message), /from 127\.0\.0\.1:\d+/);
    await sendRaw(port, garbageFrame());
    await alice.waitFor(() => errors(alice).length === 2);
    assert.match(String(errors(alice)[1].message), /from 127\.0\.0\.1:\d+/);

    // After the handshake: offers with hostile names and a lying size.
    const mallory = await hostilePeer(port, "mallory");
    const joined = await alice.waitFor((e) => e.type === "connected" && e.peer === "mallory");
    assert.ok(joined);
    let fid = 1;
    for (const offer of HOSTILE_OFFERS) {
      mallory.session.post({ t: "offer", fid, name: offer.name, size: offer.size });
      mallory.session.post({ t: "chunk", fid }, offer.data);
      mallory.session.post({ t: "end", fid, sha256: sha256(offer.data) });
      fid++;
    }
    mallory.session.post({ t: "chat", id: "1", text: "still here" });
    const line = await alice.waitFor((event) => event.type === "message");
    assert.deepEqual([line.from, line.text], ["mallory", "still here"]);
    await alice.waitFor(() => errors(alice).length === 2 + HOSTILE_OFFERS.length);
    const refusals = errors(alice).slice(2).map((event) => String(event.message));
    for (const [i, offer] of HOSTILE_OFFERS.entries()) {
      assert.ok(refusals[i].startsWith(`Receiving ${offer.name} failed: refused`), refusals[i]);
    }
    assert.match(refusals[0], /path separator/);
    assert.match(refusals[1], /path separator/);
    assert.match(refusals[2], /control character U\+001B/);
    assert.match(refusals[3], /reserved device name/);
    assert.match(refusals[4], /longer than 255 bytes/);
    assert.match(refusals[5], /sent more than the announced 10 B/);
    // The sender hears that each one was refused.
    await until(() =>
      mallory.received.filter((m) => m.t === "received" && !m.ok).length === HOSTILE_OFFERS.length
    );
    assert.equal(alice.events.filter((e) => e.type === "file").length, 0);

    // Then a frame header over the limit on the encrypted connection.
    let lefts = alice.events.filter((event) => event.type === "left").length;
    await mallory.conn.write(OVERSIZED_FRAME);
    const cut = await waitLeft(alice, lefts++);
    assert.equal(cut.name, "mallory");
    assert.match(String(cut.reason), /exceeds the limit/);
    await mallory.close();

    // And random bytes where an encrypted frame should be.
    const eve = await hostilePeer(port, "eve");
    await alice.waitFor((e) => e.type === "connected" && e.peer === "eve");
    await eve.conn.write(garbageFrame());
    const garbled = await waitLeft(alice, lefts++);
    assert.equal(garbled.name, "eve");
    assert.ok(garbled.reason, "a reason is shown");
    await eve.close();

    await assertNothingWritten(base.path, cwd);
    assert.ok(!alice.stdout.includes(ESC), "no raw escape reaches the terminal");

    // The listener still takes a normal peer.
    const bob = startConnector("bob", port, { cwd: base.path });
    try {
      await alice.waitFor((e) => e.type === "connected" && e.peer === "bob");
      await bob.writeLine("hello after all that");
      await alice.waitFor((e) => e.type === "message" && e.text === "hello after all that");
      await alice.writeLine("welcome, bob");
      await bob.waitFor((e) => e.type === "message" && e.text === "welcome, bob");
      await bob.writeLine("/quit");
      assert.equal((await bob.exit()).code, 0);
    } finally {
      await bob.close();
    }
    await alice.closeStdin();
    assert.equal((await alice.exit()).code, 0);
    assert.equal(alice.stderr, "");
  } finally {
    await alice.close();
  }
});

Deno.test("text mode shows hostile names escaped, never raw", async () => {
  await using base = await tempDir();
  const cwd = `${base.path}/alice`;
  await Deno.mkdir(cwd);
  const { proc: alice, port } = await startListener("alice", { cwd, json: false });
  try {
    const mallory = await hostilePeer(port, "mallory");
    await alice.waitForLine((line) => line.endsWith("(mallory)"));
    const names = ["a\x1b[2Jb", "../x", "evil\u202etxt.exe"];
    names.forEach((name, i) => {
      mallory.session.post({ t: "offer", fid: i + 1, name, size: 1 });
      mallory.session.post({ t: "chunk", fid: i + 1 }, new Uint8Array(1));
      mallory.session.post({ t: "end", fid: i + 1, sha256: sha256(new Uint8Array(1)) });
    });
    // A line with control characters is refused (its sender is told); a bidi override is
    // allowed in a line, and shown escaped.
    mallory.session.post({ t: "chat", id: "1", text: `bye${ESC}[2J` });
    mallory.session.post({ t: "chat", id: "2", text: "bye\u202eevil" });
    await alice.waitForLine((line) => line.startsWith("[mallory] bye"));
    await until(() =>
      mallory.received.some((m) => m.t === "notice" && /control character/.test(m.text))
    );
    await alice.waitForLine((line) => line.startsWith("[System] Receiving evil"));
    assert.ok(
      alice.lines.includes(
        "[System] Receiving a\\x1b[2Jb failed: refused: unsafe file name: " +
          "contains control character U+001B",
      ),
      alice.stdout,
    );
    assert.ok(
      alice.lines.some((line) => line.startsWith("[System] Receiving ../x failed: refused")),
    );
    assert.ok(alice.lines.some((line) => line.startsWith("[System] Receiving evil\\u202etxt.exe")));
    assert.ok(alice.lines.includes("[mallory] bye\\u202eevil"), alice.stdout);
    assert.ok(!alice.stdout.includes("bye\\x1b"), "the line with controls was not shown");
    assert.ok(!alice.stdout.includes(ESC), "no raw escape reaches the terminal");
    assert.ok(!alice.stdout.includes("\u202e"), "no raw bidi override reaches the terminal");
    await mallory.close();
    await alice.waitForLine((line) => line.startsWith("[System] mallory has left the chat."));
    await assertNothingWritten(base.path, cwd);
  } finally {
    await alice.close();
  }
});
