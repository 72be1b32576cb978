import assert from "node:assert/strict";
import { PROTOCOL_VERSION } from "../../lib/session/message.ts";
import { AuthenticatedPeer, rawRecord, record } from "./authenticated_peer.ts";
import { startConnector, startListener, tempDir } from "./cli_process.ts";

const encoder = new TextEncoder();
/** ~2,720 control characters: under 4,096 bytes, but six times that once escaped in JSON. */
const POISON = "\x01".repeat(2720);

Deno.test("a poisoned line cuts no one off in a direct chat: its sender is told, the next person joins (listen)", async () => {
  await using dir = await tempDir();
  const { proc: alice, port } = await startListener("alice", { cwd: dir.path, json: false });
  let mallory: AuthenticatedPeer | undefined;
  const bob = { proc: undefined as ReturnType<typeof startConnector> | undefined };
  try {
    mallory = await AuthenticatedPeer.connect(port);
    const m = mallory;
    await m.send({ t: "hello", v: PROTOCOL_VERSION, name: "mallory" });
    await alice.waitForLine((line) => line.includes("(mallory)"));

    await m.send({ t: "chat", id: "m1", text: POISON });
    await m.sendRecords([rawRecord(encoder.encode("{not json")), record({ t: "no-such-type" })]);
    await m.send({ t: "chat", id: "m2", text: "still here" });
    await alice.waitForLine((line) => line === "[mallory] still here");
    const refused = m.messages("notice").filter((notice) => notice.error);
    assert.equal(refused.length, 1);
    assert.match(refused[0].text, /control character/);
    assert.ok(!alice.stdout.includes("\\x01"), alice.stdout);
    const skipped = await alice.waitForLine((line) => line.includes("Skipped"));
    assert.match(
      skipped,
      /^\[System\] Skipped a message from mallory \(127\.0\.0\.1:\d+\) that could not be read \(.*not valid JSON.*\)$/,
    );
    assert.ok(!alice.stdout.includes("has left"), alice.stdout);
    await m.close();
    await alice.waitForLine((line) => line.startsWith("[System] mallory has left the chat."));

    // The next person joins; the host's own paste of control characters cuts them off no more.
    bob.proc = startConnector("bob", port, { cwd: dir.path });
    const b = bob.proc;
    await b.waitFor((event) => event.type === "connected");
    await alice.writeLine(POISON);
    await alice.waitForLine((line) => line.includes("control character"));
    await alice.writeLine("hi bob");
    const line = await b.waitFor((event) => event.type === "message");
    assert.deepEqual([line.from, line.text], ["alice", "hi bob"]);
    assert.deepEqual(b.events.filter((event) => event.type === "closed"), []);
    await b.closeStdin();
    assert.deepEqual((await b.exit()).code, 0);
    await alice.closeStdin();
    assert.deepEqual((await alice.exit()).code, 0);
  } finally {
    await mallory?.close();
    await bob.proc?.close();
    await alice.close();
  }
});
