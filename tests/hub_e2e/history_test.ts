import assert from "node:assert/strict";
import { startConnector, tempDir } from "../e2e/cli_process.ts";
import { HubMember } from "./hub_member.ts";
import { startHub } from "./hub_process.ts";

const HISTORY = 5;

Deno.test("a newcomer gets the last N lines as history, also after a SIGKILL and restart", async () => {
  await using dir = await tempDir();
  let hub = await startHub({ cwd: dir.path, args: ["--history", String(HISTORY), "--rate", "0"] });
  const members: HubMember[] = [];
  try {
    const alice = await HubMember.join(hub.port, "alice", `${dir.path}/alice`);
    members.push(alice);
    const lines = Array.from({ length: 15 }, (_, i) => `line ${i} é🌍`);
    for (const line of lines.slice(0, 12)) alice.client.say(line);
    await alice.until(() => !alice.client.busy, "acks");

    const bob = await HubMember.join(hub.port, "bob", `${dir.path}/bob`);
    members.push(bob);
    const welcome = bob.events[0];
    assert.deepEqual(welcome.type === "welcome" && welcome.history, HISTORY);
    await bob.until(() => bob.messages().length === HISTORY, "history");
    const replayed = bob.messages();
    assert.deepEqual(replayed.map((line) => line.text), lines.slice(12 - HISTORY, 12));
    assert.deepEqual(replayed.map((line) => line.from), Array(HISTORY).fill("alice"));
    assert.ok(replayed.every((line) => line.history), "replayed lines are marked as history");
    assert.deepEqual(
      replayed.map((line) => line.seq),
      [...replayed.map((line) => line.seq)].sort((a, b) => a - b),
    );
    // History comes before the live lines that follow it, which are not marked.
    for (const line of lines.slice(12)) alice.client.say(line);
    await bob.until(() => bob.messages().length === HISTORY + 3, "live lines");
    assert.deepEqual(bob.messages().slice(HISTORY).map((line) => [line.text, line.history]), [
      [lines[12], false],
      [lines[13], false],
      [lines[14], false],
    ]);
    await alice.until(() => !alice.client.busy, "acks");
    const stored = new Map(bob.messages().map((line) => [line.text, line.seq]));

    // The hub dies without a chance to flush anything; the lines are already stored.
    hub.proc.kill("SIGKILL");
    assert.deepEqual((await hub.proc.close()).signal, "SIGKILL");
    await Promise.all(members.map((member) => member.client.ended()));
    hub = await startHub({
      cwd: dir.path,
      args: ["--history", String(HISTORY), "--rate", "0"],
    });

    const carol = startConnector("carol", hub.port, { cwd: dir.path });
    try {
      const carolWelcome = await carol.waitFor((event) => event.type === "welcome");
      assert.deepEqual(carolWelcome.history, HISTORY);
      await carol.waitFor(() =>
        carol.events.filter((event) => event.type === "message").length === HISTORY
      );
      const expected = lines.slice(15 - HISTORY);
      assert.deepEqual(
        carol.events.filter((event) => event.type === "message").map((event) => ({
          from: event.from,
          text: event.text,
          seq: event.seq,
          history: event.history,
        })),
        expected.map((text) => ({ from: "alice", text, seq: stored.get(text), history: true })),
      );
      await carol.closeStdin();
      assert.deepEqual((await carol.exit()).code, 0);
    } finally {
      await carol.close();
    }
  } finally {
    await Promise.all(members.map((member) => member.client.disconnect()));
    await hub.proc.close();
  }
});
