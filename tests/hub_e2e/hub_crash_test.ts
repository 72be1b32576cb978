import assert from "node:assert/strict";
import { type CliProcess, type JsonEvent, startConnector, tempDir } from "../e2e/cli_process.ts";
import { until } from "./hub_member.ts";
import { startHub } from "./hub_process.ts";

const SENDERS = 5;
const LINES_EACH = 200;

const messagesOf = (proc: CliProcess) => proc.events.filter((event) => event.type === "message");

Deno.test("hub SIGKILLed mid-flood and restarted: everyone reconnects, no line lost or doubled", async () => {
  await using dir = await tempDir();
  let hub = await startHub({ cwd: dir.path, args: ["--rate", "0"] });
  const port = hub.port;
  const names = Array.from({ length: SENDERS }, (_, i) => `s${i}`);
  const senders = names.map((name) => startConnector(name, port, { cwd: dir.path }));
  try {
    for (const sender of senders) await sender.waitFor((event) => event.type === "welcome");
    await hub.proc.waitFor(() =>
      hub.proc.events.filter((event) => event.type === "hub-joined").length === SENDERS
    );

    // Every sender types its lines in small bursts for about 2 s: before the kill, while the
    // hub is down, and while the clients rejoin (lines typed then must not overtake the backlog).
    const lineOf = (name: string, i: number) => `${name} #${i} ✓`;
    const typed = senders.map(() => 0);
    const typing = senders.map(async (sender, s) => {
      for (let i = 0; i < LINES_EACH; i++) {
        await sender.writeLine(lineOf(names[s], i));
        typed[s]++;
        if (i % 10 === 9) await new Promise((resolve) => setTimeout(resolve, 100));
      }
    });
    await until(
      () => messagesOf(senders[0]).length >= 100,
      "the flood under way before the kill",
    );
    hub.proc.kill("SIGKILL");
    assert.ok(typed.every((n) => n < LINES_EACH), `killed after typing ended: ${typed}`);
    assert.deepEqual((await hub.proc.close()).signal, "SIGKILL");

    hub = await startHub({ cwd: dir.path, port, args: ["--rate", "0"] });
    await Promise.all(typing);
    for (const sender of senders) {
      await sender.waitFor((event) => event.type === "reconnecting");
      await sender.waitFor((event) => event.type === "reconnected", 20_000);
    }
    const expected = (SENDERS - 1) * LINES_EACH;
    for (const sender of senders) {
      await sender.waitFor(() => messagesOf(sender).length >= expected, 30_000);
    }
    // End of input: each quits once the hub acknowledged all its lines.
    for (const sender of senders) await sender.closeStdin();
    for (const sender of senders) assert.deepEqual((await sender.exit()).code, 0);

    for (const [s, sender] of senders.entries()) {
      const seen = messagesOf(sender);
      const seqs = seen.map((event) => event.seq as number);
      assert.deepEqual(seqs, [...new Set(seqs)].sort((a, b) => a - b), `${names[s]}: seq order`);
      for (const other of names.filter((name) => name !== names[s])) {
        const texts = seen.filter((event: JsonEvent) => event.from === other).map((event) =>
          event.text
        );
        assert.deepEqual(
          texts,
          Array.from({ length: LINES_EACH }, (_, i) => lineOf(other, i)),
          `${names[s]} did not see each line of ${other} exactly once, in the order typed`,
        );
      }
      assert.deepEqual(seen.length, expected);
      assert.deepEqual(sender.stderr, "");
    }
    // One order for everybody, whatever was replayed after the restart.
    const bySeq = new Map<number, string>();
    for (const sender of senders) {
      for (const event of messagesOf(sender)) {
        const key = `${event.from}: ${event.text}`;
        assert.deepEqual(bySeq.get(event.seq as number) ?? key, key);
        bySeq.set(event.seq as number, key);
      }
    }
    assert.deepEqual(bySeq.size, SENDERS * LINES_EACH);
  } finally {
    for (const sender of senders) await sender.close();
    await hub.proc.close();
  }
});

Deno.test("a program's /quit then end of input while the hub is down: it waits, and delivers once back", async () => {
  await using dir = await tempDir();
  let hub = await startHub({ cwd: dir.path });
  const port = hub.port;
  const bob = startConnector("bob", port, { cwd: dir.path });
  let carol: CliProcess | undefined;
  try {
    await bob.waitFor((event) => event.type === "welcome");
    hub.proc.kill("SIGKILL");
    await hub.proc.close();
    await bob.waitFor((event) => event.type === "reconnecting");
    await bob.writeLine("said while the hub was down");
    await bob.writeLine("/quit");
    await bob.closeStdin();
    const quitting = await bob.waitFor((event) => event.type === "quitting");
    assert.deepEqual([quitting.lines, quitting.connected, quitting.files], [1, false, []]);
    hub = await startHub({ cwd: dir.path, port });
    assert.equal((await bob.exit()).code, 0);
    assert.deepEqual(bob.events.filter((event) => event.type === "dropped"), []);
    const sent = bob.events.find((event) => event.type === "sent");
    assert.equal(sent?.text, "said while the hub was down");
    carol = startConnector("carol", port, { cwd: dir.path });
    const line = await carol.waitFor((event) => event.type === "message");
    assert.deepEqual([line.from, line.text, line.seq], ["bob", sent?.text, sent?.seq]);
  } finally {
    await carol?.close();
    await bob.close();
    await hub.proc.close();
  }
});
