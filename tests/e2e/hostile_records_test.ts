import assert from "node:assert/strict";
import { PROTOCOL_VERSION } from "../../lib/session/message.ts";
import { MAX_UNREADABLE_IN_A_ROW } from "../../lib/session/unreadable_records.ts";
import { encodeRecord } from "../../lib/wire/codec.ts";
import { MAX_FRAME_BYTES } from "../../lib/wire/limits.ts";
import { AuthenticatedPeer } from "./authenticated_peer.ts";
import { type CliProcess, startConnector, startListener, tempDir } from "./cli_process.ts";
import { seededRandom, sendBarrage } from "./mutated_records.ts";

/** The battery's seed; set P2PCHAT_BATTERY_SEED to replay another run. */
const SEED = Number(Deno.env.get("P2PCHAT_BATTERY_SEED") ?? 17);

Deno.test(`thousands of mutated records from the person connected break nothing: the listener stays up, chats on, and the next person joins (listen, seed ${SEED})`, async () => {
  await using dir = await tempDir();
  const { proc: alice, port } = await startListener("alice", { cwd: dir.path });
  let mallory: AuthenticatedPeer | undefined;
  let bob: CliProcess | undefined;
  try {
    mallory = await AuthenticatedPeer.connect(port);
    const m = mallory;
    await m.send({ t: "hello", v: PROTOCOL_VERSION, name: "mallory" });
    await alice.waitFor((e) => e.type === "connected" && e.peer === "mallory");
    const before = await alice.memory();
    const said: string[] = [];
    await sendBarrage(m, seededRandom(SEED), 4_000, MAX_FRAME_BYTES, async (frame) => {
      if (frame % 10 !== 0) return;
      said.push(`still here ${frame}`);
      await m.send({ t: "chat", id: `ok-${frame}`, text: said.at(-1) });
      await alice.writeLine(`alice ${frame}`);
    });
    // (Under whatever name mallory goes by: the barrage holds valid renames too.)
    const heard = () =>
      alice.events.filter((e) => e.type === "message" && said.includes(String(e.text)));
    await alice.waitFor(() => heard().length === said.length, 60_000);
    assert.deepEqual(heard().map((e) => e.text), said);
    await m.until(
      () => m.messages("chat").filter((line) => line.from === "alice").length === said.length,
      "alice's lines",
      60_000,
    );
    assert.deepEqual(m.unreadable, [], "the listener sent nothing the peer cannot read");
    assert.equal(m.closed, false, "each bad record was skipped, the chat went on");
    const reports = alice.events.filter((e) =>
      e.type === "system" && /^Skipped/.test(String(e.text))
    );
    assert.ok(reports.length >= 5 && reports.length <= 14, `${reports.length} reports`);
    const after = await alice.memory();
    assert.ok(after - before < 64 * 1024 * 1024, `the listener grew by ${after - before} bytes`);

    // Only garbage, 64 records in a row: that peer is cut off; the listener waits for the next.
    await m.sendRecords(Array(MAX_UNREADABLE_IN_A_ROW).fill(encodeRecord({ t: "garbage" })));
    await m.ended;
    const left = await alice.waitFor((e) => e.type === "left");
    assert.match(String(left.reason), /^protocol error: 64 unreadable messages in a row/);

    bob = startConnector("bob", port, { cwd: dir.path });
    await bob.waitFor((e) => e.type === "connected");
    await bob.writeLine("hello alice");
    await alice.waitFor((e) => e.type === "message" && e.text === "hello alice");
    await alice.writeLine("hi bob");
    await bob.waitFor((e) => e.type === "message" && e.text === "hi bob");
    await bob.closeStdin();
    assert.deepEqual((await bob.exit()).code, 0);
    await alice.closeStdin();
    assert.deepEqual((await alice.exit()).code, 0);
  } finally {
    await mallory?.close();
    await bob?.close();
    await alice.close();
  }
});
