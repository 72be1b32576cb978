import assert from "node:assert/strict";
import { type CliProcess, type JsonEvent, startConnector, tempDir } from "../e2e/cli_process.ts";
import { hubLog, startHub } from "./hub_process.ts";

const isEvent = (type: string) => (event: JsonEvent) => event.type === type;
const messagesFrom = (proc: CliProcess, from: string) =>
  proc.events.filter((event) => event.type === "message" && event.from === from);

Deno.test("private lines reach only their addressee; floods are refused; overlong lines go as several", async () => {
  await using dir = await tempDir();
  const hub = await startHub({ cwd: dir.path }); // default --rate 5 (burst 10)
  const names = ["alice", "bob", "carol", "dave"];
  const procs = names.map((name) => startConnector(name, hub.port, { cwd: dir.path }));
  const [alice, bob, carol, dave] = procs;
  try {
    for (const proc of procs) await proc.waitFor(isEvent("welcome"));
    await hub.proc.waitFor(() => hubLog(hub.proc, "hub-joined").length === names.length);

    // A private line, then a public one: whoever would have got the first has it by the second.
    await alice.writeLine("/msg bob psst: only for bob 🤫");
    await alice.writeLine("/msg zed hello?");
    await alice.writeLine("public after");
    for (const proc of [bob, carol, dave]) {
      await proc.waitFor((event) => event.type === "message" && event.text === "public after");
    }
    const whisper = await bob.waitFor(isEvent("private"));
    assert.deepEqual(
      [whisper.from, whisper.to, whisper.text],
      ["alice", "bob", "psst: only for bob 🤫"],
    );
    // alice is told the hub took her private line (no `seq`: it is not in the room's order).
    const sent = await alice.waitFor(isEvent("sent"));
    assert.deepEqual(sent, { type: "sent", text: "psst: only for bob 🤫", to: "bob" });
    for (const proc of [alice, carol, dave, hub.proc]) {
      const shown = proc.lines.filter((line) =>
        proc !== alice || !line.startsWith('{"type":"sent"')
      );
      assert.ok(!shown.join("\n").includes("psst"), `the private line leaked:\n${proc.stdout}`);
    }
    assert.deepEqual(
      (await alice.waitFor(isEvent("error"))).message,
      "No one called zed is here.",
    );

    // Thirty lines at once: the burst passes, the rest is refused with the reason.
    const flood = Array.from({ length: 30 }, (_, i) => `flood ${i}`);
    for (const line of flood) await dave.writeLine(line);
    await dave.closeStdin();
    assert.deepEqual((await dave.exit()).code, 0);
    const rejected = dave.events.filter((event) =>
      event.type === "error" && event.message === "Message rejected: Rate limiting is in effect."
    );
    assert.ok(rejected.length >= 5, `only ${rejected.length} of 30 refused`);
    assert.ok(rejected.length <= 20, `${rejected.length} of 30 refused`);
    const accepted = flood.length - rejected.length;
    await carol.waitFor((event) => event.type === "left" && event.name === "dave");
    const got = messagesFrom(carol, "dave").map((event) => event.text as string);
    assert.deepEqual(got.length, accepted);
    assert.deepEqual(got, flood.filter((line) => got.includes(line)), "in the order typed");
    assert.deepEqual(got.slice(0, 10), flood.slice(0, 10), "the burst passes");

    // 4096 bytes go as one line; one byte more goes as two, and bob is told.
    const longest = "é".repeat(2048);
    await bob.writeLine(longest);
    await bob.writeLine(`${longest}!`);
    const split = "Your line is over 4096 bytes: it goes as 2 lines.";
    await bob.waitFor((event) => event.type === "system" && event.text === split);
    await bob.writeLine("still here");
    await carol.waitFor((event) => event.type === "message" && event.text === "still here");
    assert.deepEqual(messagesFrom(carol, "bob").map((event) => event.text), [
      longest,
      longest,
      "!",
      "still here",
    ]);

    for (const proc of [alice, bob, carol]) await proc.closeStdin();
    for (const proc of [alice, bob, carol]) assert.deepEqual((await proc.exit()).code, 0);
  } finally {
    for (const proc of procs) await proc.close();
    await hub.proc.close();
  }
});
