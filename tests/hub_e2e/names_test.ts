import assert from "node:assert/strict";
import {
  CliProcess,
  type JsonEvent,
  PASSKEY,
  startConnector,
  tempDir,
} from "../e2e/cli_process.ts";
import { terminalTest, TmuxTerminal } from "../e2e/tmux_terminal.ts";
import { RecordingProxy } from "../secure_e2e/recording_proxy.ts";
import { hubLog, startHub } from "./hub_process.ts";

const isEvent = (type: string) => (event: JsonEvent) => event.type === type;

Deno.test("a member whose connection drops comes back as herself; nobody can take her name or one like it", async () => {
  await using dir = await tempDir();
  const hub = await startHub({ cwd: dir.path });
  // alice reaches the hub through a proxy that can cut her connection as a network would.
  let cutting = false;
  const proxy = RecordingProxy.start(hub.port, {
    // Connection 0 is connect's probe of the address; alice chats over connection 1.
    tamper: (frame) => cutting && frame.connection === 1 ? { cut: 0 } : [frame.payload],
  });
  const alice = startConnector("alice", proxy.port, { cwd: dir.path });
  const bob = startConnector("bob", hub.port, { cwd: dir.path });
  const mallory = startConnector("mallory", hub.port, { cwd: dir.path });
  const procs = [alice, bob, mallory];
  try {
    for (const proc of procs) await proc.waitFor(isEvent("welcome"));
    await hub.proc.waitFor(() => hubLog(hub.proc, "hub-joined").length === 3);

    cutting = true;
    await bob.writeLine("the next frame to alice cuts her connection");
    await alice.waitFor(isEvent("reconnecting"));
    await hub.proc.waitFor(() => hubLog(hub.proc, "hub-left").some((e) => e.name === "alice"));
    // Before her client is back (its first retry waits about a second), mallory tries.
    await mallory.writeLine("/nick alice");
    const kept = await mallory.waitFor(isEvent("error"));
    assert.match(
      String(kept.message),
      /^The name alice is kept for its owner for another 1[12]\d s \(their connection dropped\)\.$/,
    );

    await alice.waitFor(isEvent("reconnected"));
    await bob.writeLine("/msg alice only for alice");
    const whisper = await alice.waitFor(isEvent("private"));
    assert.deepEqual([whisper.from, whisper.to, whisper.text], ["bob", "alice", "only for alice"]);
    assert.ok(!mallory.stdout.includes("only for alice"), mallory.stdout);
    assert.deepEqual(hubLog(hub.proc, "hub-renamed"), [], "nobody was renamed");

    // A look-alike is refused at the door, with the reason.
    const impostor = startConnector("aIice", hub.port, { cwd: dir.path });
    try {
      assert.equal((await impostor.exit()).code, 1);
      assert.match(
        impostor.stderr,
        /The name aIice is too similar to alice, who is in this chat; choose another with --name\./,
      );
    } finally {
      await impostor.close();
    }

    for (const proc of procs) await proc.closeStdin();
    for (const proc of procs) assert.equal((await proc.exit()).code, 0);
  } finally {
    for (const proc of procs) await proc.close();
    await proxy.close();
    await hub.proc.close();
  }
});

Deno.test("renames in a flood are refused like lines, with the rate-limit notice", async () => {
  await using dir = await tempDir();
  const hub = await startHub({ cwd: dir.path }); // default --rate 5 (burst 10)
  const bob = startConnector("bob", hub.port, { cwd: dir.path });
  const mallory = startConnector("mallory", hub.port, { cwd: dir.path });
  const procs = [bob, mallory];
  try {
    for (const proc of procs) await proc.waitFor(isEvent("welcome"));
    for (let i = 0; i < 30; i++) await mallory.writeLine(`/nick m${i}`);
    // Her goodbye follows the renames: once bob sees her leave, the hub has handled them all.
    await mallory.closeStdin();
    assert.equal((await mallory.exit()).code, 0);
    await bob.waitFor((event) => event.type === "left");
    const renames = bob.events.filter(isEvent("renamed"));
    const refused = mallory.events.filter((event) =>
      event.type === "error" && event.message === "Message rejected: Rate limiting is in effect."
    );
    assert.ok(renames.length >= 10 && renames.length <= 20, `${renames.length} renames shown`);
    assert.ok(refused.length >= 10, `${refused.length} refused`);
    assert.deepEqual(renames.slice(0, 10).map((event) => event.to), [
      ...Array.from({ length: 10 }, (_, i) => `m${i}`),
    ]);
    await bob.closeStdin();
    assert.equal((await bob.exit()).code, 0);
  } finally {
    for (const proc of procs) await proc.close();
    await hub.proc.close();
  }
});

terminalTest(
  "two people with the same login name and no --name join as NAME and NAME-2, said on screen",
  async () => {
    await using dir = await tempDir();
    const hub = await startHub({ cwd: dir.path });
    // The first student, a program; its default name comes from the login name.
    const first = CliProcess.start(["connect", `127.0.0.1:${hub.port}`, "--json"], {
      cwd: dir.path,
      env: { USER: "student" },
    });
    try {
      const welcome = await first.waitFor(isEvent("welcome"));
      assert.equal(welcome.you, "student");
      // The second, at a terminal.
      await using second = await TmuxTerminal.start(["connect", `127.0.0.1:${hub.port}`], {
        cwd: dir.path,
        env: { USER: "student", P2PCHAT_PASSKEY: PASSKEY },
      });
      const screen = await second.waitFor(
        "[System] The name student is taken here; you are student-2 (choose another with /nick).",
      );
      assert.match(screen, /Joined the hub as student-2\./);
      await second.typeLine("hello from the second student");
      const heard = await first.waitFor(isEvent("message"));
      assert.deepEqual([heard.from, heard.text], ["student-2", "hello from the second student"]);
      // A third program gets the next number, and is told so on stdout.
      const third = CliProcess.start(["connect", `127.0.0.1:${hub.port}`, "--json"], {
        cwd: dir.path,
        env: { USER: "student" },
      });
      try {
        assert.equal((await third.waitFor(isEvent("welcome"))).you, "student-3");
        assert.deepEqual(await third.waitFor(isEvent("name-numbered")), {
          type: "name-numbered",
          taken: "student",
          name: "student-3",
        });
      } finally {
        await third.close();
      }
      // A name chosen on purpose is not numbered: a program exits 1 with the reason.
      const chosen = CliProcess.start(
        ["connect", `127.0.0.1:${hub.port}`, "--json", "--name", "student"],
        { cwd: dir.path },
      );
      await chosen.closeStdin();
      assert.equal((await chosen.exit()).code, 1);
      assert.match(chosen.stderr, /The name student is taken/);
    } finally {
      await first.close();
      await hub.proc.close();
    }
  },
);
