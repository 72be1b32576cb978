import assert from "node:assert/strict";
import { dial } from "../../lib/session/dial.ts";
import { PROTOCOL_VERSION } from "../../lib/session/message.ts";
import { AuthenticatedPeer } from "../e2e/authenticated_peer.ts";
import { PASSKEY, startConnector, tempDir } from "../e2e/cli_process.ts";
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

Deno.test("a member back after a hub restart gets every line it missed; a stranger claiming an old lastSeq gets only --history", async () => {
  await using dir = await tempDir();
  const args = ["--history", "3", "--rate", "0"];
  let hub = await startHub({ cwd: dir.path, args });
  const members: HubMember[] = [];
  let mallory: AuthenticatedPeer | undefined;
  try {
    const alice = await HubMember.join(hub.port, "alice", `${dir.path}/alice`);
    const bob = await HubMember.join(hub.port, "bob", `${dir.path}/bob`);
    members.push(alice, bob);
    alice.client.say("seen by bob");
    await bob.until(() => bob.messages().length === 1, "the first line");
    await bob.client.disconnect();
    const missed = Array.from({ length: 20 }, (_, i) => `missed ${i}`);
    for (const line of missed) alice.client.say(line);
    await alice.until(() => !alice.client.busy, "acks");

    hub.proc.kill("SIGKILL");
    await hub.proc.close();
    await alice.client.ended();
    hub = await startHub({ cwd: dir.path, port: hub.port, args });

    const from = bob.events.length;
    await bob.client.join(await dial("127.0.0.1", hub.port, PASSKEY));
    await bob.until(() => bob.messages().length === 1 + missed.length, "what bob missed");
    const welcome = bob.events[from];
    assert.deepEqual(
      welcome.type === "welcome" && [welcome.resumed, welcome.history],
      [true, missed.length],
    );
    assert.deepEqual(bob.messages().slice(1).map((line) => line.text), missed);

    mallory = await AuthenticatedPeer.connect(hub.port);
    const m = mallory;
    await m.send({
      t: "hello",
      v: PROTOCOL_VERSION,
      name: "mallory",
      client: crypto.randomUUID(),
      lastSeq: 1,
    });
    await m.until(() => m.messages("welcome").length === 1, "mallory's welcome");
    assert.deepEqual(
      [m.messages("welcome")[0].history, m.messages("welcome")[0].resumed],
      [3, undefined],
    );
    await m.send({ t: "who" });
    await m.until(() => m.messages("members").length === 1, "the answer to who");
    assert.deepEqual(m.messages("chat").map((line) => line.text), missed.slice(-3));
  } finally {
    await mallory?.close();
    await Promise.all(members.map((member) => member.client.disconnect()));
    await hub.proc.close();
  }
});
