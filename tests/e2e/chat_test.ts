import assert from "node:assert/strict";
import { startConnector, startListener, tempDir } from "./cli_process.ts";

const UNICODE = "héllo 🌍 مرحبا 日本語 👨‍👩‍👧 ok";

Deno.test("text mode: two processes chat both ways, bob /quits, alice sees him leave", async () => {
  await using dir = await tempDir();
  const { proc: alice, port } = await startListener("alice", { cwd: dir.path, json: false });
  const bob = startConnector("bob", port, { cwd: dir.path, json: false });
  try {
    const connected = await alice.waitForLine((line) => line.includes("Connected by"));
    assert.match(connected, /^\[System\] Connected by 127\.0\.0\.1:\d+ \(bob\)$/);
    await bob.waitForLine((line) => line === "[System] Chatting with alice.");

    await bob.writeLine("hi 👋");
    await alice.waitForLine((line) => line === "[bob] hi 👋");
    await alice.writeLine(UNICODE);
    await bob.waitForLine((line) => line === `[alice] ${UNICODE}`);

    await bob.writeLine("/quit");
    assert.deepEqual((await bob.exit()).code, 0);
    assert.ok(bob.lines.includes("[System] Exiting."), bob.stdout);
    await alice.waitForLine((line) => line === "[System] bob has left the chat.");

    await alice.closeStdin();
    assert.deepEqual((await alice.exit()).code, 0);
    assert.deepEqual(alice.stderr, "");
    assert.deepEqual(bob.stderr, "");
  } finally {
    await bob.close();
    await alice.close();
  }
});

Deno.test("--json: two processes chat both ways, alice /quits, bob is told once", async () => {
  await using dir = await tempDir();
  const { proc: alice, port } = await startListener("alice", { cwd: dir.path });
  const bob = startConnector("bob", port, { cwd: dir.path });
  try {
    const joined = await alice.waitFor((event) => event.type === "connected");
    assert.deepEqual(joined.peer, "bob");
    assert.match(String(joined.address), /^127\.0\.0\.1:\d+$/);
    assert.deepEqual(await bob.waitFor((event) => event.type === "connected"), {
      type: "connected",
      peer: "alice",
    });
    const secured = await bob.waitFor((event) => event.type === "secured");
    assert.deepEqual(secured.authenticated, true);

    await bob.writeLine("hi 👋");
    const fromBob = await alice.waitFor((event) => event.type === "message");
    assert.deepEqual([fromBob.from, fromBob.text], ["bob", "hi 👋"]);
    // bob learns the number his line has in the chat: the one alice saw it with.
    const sent = await bob.waitFor((event) => event.type === "sent");
    assert.deepEqual(sent, { type: "sent", text: "hi 👋", seq: fromBob.seq });
    await alice.writeLine(UNICODE);
    const fromAlice = await bob.waitFor((event) => event.type === "message");
    assert.deepEqual([fromAlice.from, fromAlice.text], ["alice", UNICODE]);

    await alice.writeLine("/quit");
    assert.deepEqual((await alice.exit()).code, 0);
    const closed = await bob.waitFor((event) => event.type === "closed");
    assert.deepEqual(closed.reason, "alice ended the chat.");
    // The host is gone: bob's chat ends by itself, cleanly, told once (no `left` before it).
    assert.deepEqual((await bob.exit()).code, 0);
    assert.deepEqual(bob.events.filter((event) => event.type === "left"), []);
    assert.deepEqual(alice.events.at(-1), { type: "system", text: "Exiting." });
    assert.deepEqual(bob.events.at(-1), { type: "system", text: "Exiting." });
    assert.deepEqual(alice.stderr, "");
    assert.deepEqual(bob.stderr, "");
  } finally {
    await bob.close();
    await alice.close();
  }
});

Deno.test("end of input quits after the queued lines are delivered", async () => {
  await using dir = await tempDir();
  const { proc: alice, port } = await startListener("alice", { cwd: dir.path });
  const bob = startConnector("bob", port, { cwd: dir.path });
  try {
    await bob.waitFor((event) => event.type === "connected");
    const lines = Array.from({ length: 20 }, (_, i) => `line ${i} ✓`);
    for (const line of lines) await bob.writeLine(line);
    await bob.closeStdin();
    assert.deepEqual((await bob.exit()).code, 0);
    await alice.waitFor((event) => event.type === "left");
    const received = alice.events.filter((event) => event.type === "message");
    assert.deepEqual(received.map((event) => event.text), lines);
  } finally {
    await bob.close();
    await alice.close();
  }
});

Deno.test("listen: after the peer leaves it says it waits for the next person, who then joins", async () => {
  await using dir = await tempDir();
  const { proc: alice, port } = await startListener("alice", { cwd: dir.path, json: false });
  const bob = startConnector("bob", port, { cwd: dir.path, json: false });
  let cara: ReturnType<typeof startConnector> | undefined;
  try {
    await bob.waitForLine((line) => line === "[System] Chatting with alice.");
    await bob.writeLine("/quit");
    assert.equal((await bob.exit()).code, 0);
    await alice.waitForLine((line) => line === "[System] bob has left the chat.");
    await alice.waitForLine((line) =>
      line === `[System] Waiting for the next person on port ${port} ...`
    );
    cara = startConnector("cara", port, { cwd: dir.path, json: false });
    await cara.waitForLine((line) => line === "[System] Chatting with alice.");
    await alice.waitForLine((line) =>
      /^\[System\] Connected by 127\.0\.0\.1:\d+ \(cara\)$/.test(line)
    );
  } finally {
    await cara?.close();
    await bob.close();
    await alice.close();
  }
});

Deno.test("a program (stdin not a terminal) whose name is taken exits 1 with the reason", async () => {
  await using dir = await tempDir();
  const { proc: alice, port } = await startListener("alice", { cwd: dir.path });
  const other = startConnector("alice", port, { cwd: dir.path });
  try {
    assert.equal((await other.exit()).code, 1);
    const reason = "The name alice is taken in this chat; choose another with --name.";
    assert.equal(other.stderr, `p2pchat: ${reason}\n`);
    // --json: the outcome is the last event on stdout too.
    assert.deepEqual(other.events.at(-1), { type: "fatal", message: reason, exit: 1 });
  } finally {
    await other.close();
    await alice.close();
  }
});

Deno.test("--json: a wrong passkey and a busy chat end with a fatal event on stdout, exit 1", async () => {
  await using dir = await tempDir();
  const { proc: alice, port } = await startListener("alice", { cwd: dir.path });
  const wrong = startConnector("mallory", port, {
    cwd: dir.path,
    env: { P2PCHAT_PASSKEY: "1-wrong-guess-here" },
  });
  const bob = startConnector("bob", port, { cwd: dir.path });
  let carol;
  try {
    assert.equal((await wrong.exit()).code, 1);
    assert.deepEqual(wrong.events.at(-1), { type: "fatal", message: "Wrong passkey", exit: 1 });
    await bob.waitFor((event) => event.type === "connected");
    carol = startConnector("carol", port, { cwd: dir.path });
    assert.equal((await carol.exit()).code, 1);
    const last = carol.events.at(-1)!;
    assert.deepEqual([last.type, last.exit], ["fatal", 1]);
    assert.match(String(last.message), /^This chat is busy/);
  } finally {
    await carol?.close();
    await bob.close();
    await wrong.close();
    await alice.close();
  }
});

Deno.test("text mode: the host leaving is told once", async () => {
  await using dir = await tempDir();
  const { proc: alice, port } = await startListener("alice", { cwd: dir.path, json: false });
  const bob = startConnector("bob", port, { cwd: dir.path, json: false });
  try {
    await bob.waitForLine((line) => line === "[System] Chatting with alice.");
    await alice.writeLine("/quit");
    assert.deepEqual((await alice.exit()).code, 0);
    assert.deepEqual((await bob.exit()).code, 0);
    const told = bob.lines.filter((line) => /alice|disconnected|left/i.test(line));
    assert.deepEqual(told, [
      "[System] Chatting with alice.",
      "[System] Peer disconnected: alice ended the chat.",
    ]);
  } finally {
    await bob.close();
    await alice.close();
  }
});
