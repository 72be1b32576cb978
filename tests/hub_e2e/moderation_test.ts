import assert from "node:assert/strict";
import {
  type CliProcess,
  type JsonEvent,
  PASSKEY,
  startConnector,
  tempDir,
  writeRandomFile,
} from "../e2e/cli_process.ts";
import { hubLog, joinHub, startHub, withHub } from "./hub_process.ts";

const isEvent = (type: string) => (event: JsonEvent) => event.type === type;
const errorsOf = (proc: CliProcess) =>
  proc.events.filter(isEvent("error")).map((event) => event.message);
const messagesOf = (proc: CliProcess) =>
  proc.events.filter(isEvent("message")).map((event) => `${event.from}: ${event.text}`);

/** `2026-12-05 14:03:20 UTC`: how a ban's end is written, from its ISO time. */
const utc = (iso: string) => iso.replace("T", " ").replace(/\.\d+Z$/, " UTC");

/** Starts `connect` as `name`, expecting the hub to refuse it: resolves with what it printed. */
async function refusedJoin(name: string, port: number, cwd: string): Promise<string> {
  const proc = startConnector(name, port, { cwd });
  try {
    assert.equal((await proc.exit()).code, 1, proc.stdout);
    assert.ok(!proc.events.some(isEvent("welcome")), "it did not get in");
    return proc.stderr.trim();
  } finally {
    await proc.close();
  }
}

Deno.test("a kicked member exits 1 with the reason and does not rejoin by itself; the others see the notice", async () => {
  await withHub(async ({ hub, join }) => {
    const alice = await join("alice");
    const bob = await join("bob");
    await hub.proc.waitFor(() => hubLog(hub.proc, "hub-joined").length === 2);

    await hub.proc.writeLine("/kick bob flooding the room");
    assert.equal((await bob.exit()).code, 1);
    assert.equal(bob.stderr, "p2pchat: You were kicked by the host (flooding the room).\n");
    assert.deepEqual(bob.events.filter(isEvent("closed")), [
      { type: "closed", reason: "You were kicked by the host (flooding the room).", kicked: true },
    ]);
    assert.deepEqual(bob.events.filter(isEvent("reconnecting")), [], "no reconnect was tried");

    assert.deepEqual(await alice.waitFor(isEvent("moderated")), {
      type: "moderated",
      action: "kicked",
      name: "bob",
      by: "host",
      host: true,
      reason: "flooding the room",
    });
    await alice.waitFor((event) => event.type === "left" && event.name === "bob");
    assert.deepEqual(await hub.proc.waitFor(isEvent("hub-kicked")), {
      type: "hub-kicked",
      name: "bob",
      by: "host",
      reason: "flooding the room",
    });
    // The room goes on, and bob did not come back.
    await alice.writeLine("still here");
    await alice.writeLine("/who");
    const who = await alice.waitFor(isEvent("members"));
    assert.deepEqual(who.names, ["alice"]);
    assert.equal(hubLog(hub.proc, "hub-joined").length, 2);

    await alice.closeStdin();
    assert.equal((await alice.exit()).code, 0);
  });
});

Deno.test("a ban for a duration refuses the rejoin with reason and end time, also after the hub is SIGKILLed; then it ends; /unban", async () => {
  await using dir = await tempDir();
  let hub = await startHub({ cwd: dir.path });
  const port = hub.port;
  const procs: CliProcess[] = [];
  try {
    const bob = await joinHub("bob", port, dir.path);
    procs.push(bob);
    await hub.proc.writeLine("/ban bob 30s flooding");
    const banned = await hub.proc.waitFor(isEvent("hub-banned"));
    const until = String(banned.until);
    assert.deepEqual(banned, {
      type: "hub-banned",
      name: "bob",
      by: "host",
      reason: "flooding",
      until,
      client: true, // loopback: no address is banned
    });
    assert.equal((await bob.exit()).code, 1);
    assert.match(
      bob.stderr,
      new RegExp(
        `^p2pchat: You were banned by the host until ${
          utc(until)
        } \\(another \\d+s\\) \\(flooding\\)\\.\\n$`,
      ),
    );
    const refusal = new RegExp(
      `^p2pchat: You are banned from this hub until ${
        utc(until)
      } \\(another \\d+s\\): flooding\\.$`,
    );
    // A new connect (a new client id) under the same name is refused.
    assert.match(await refusedJoin("bob", port, dir.path), refusal);
    assert.match(await refusedJoin("B0B", port, dir.path), refusal, "nor one that looks like it");

    hub.proc.kill("SIGKILL");
    assert.equal((await hub.proc.close()).signal, "SIGKILL");
    hub = await startHub({ cwd: dir.path, port });
    assert.ok(Date.now() < Date.parse(until) - 2_000, "the restart took too long to tell");
    assert.match(await refusedJoin("bob", port, dir.path), refusal, "kept after the restart");
    await hub.proc.writeLine("/bans");
    const bans = await hub.proc.waitFor(isEvent("console-bans"));
    assert.deepEqual(
      (bans.bans as { name: string; until: string; reason: string }[]).map((ban) => [
        ban.name,
        ban.until,
        ban.reason,
      ]),
      [["bob", until, "flooding"]],
    );

    // Once its time is up, bob may join again.
    await new Promise((resolve) => setTimeout(resolve, Date.parse(until) - Date.now() + 100));
    const back = await joinHub("bob", port, dir.path);
    procs.push(back);

    // A ban without a duration holds until /unban.
    await hub.proc.writeLine("/ban bob");
    assert.equal((await back.exit()).code, 1);
    assert.equal(back.stderr, "p2pchat: You were banned by the host until unbanned.\n");
    assert.equal(
      await refusedJoin("bob", port, dir.path),
      "p2pchat: You are banned from this hub until unbanned.",
    );
    await hub.proc.writeLine("/unban bob");
    await hub.proc.waitFor(isEvent("hub-unbanned"));
    const free = await joinHub("bob", port, dir.path);
    procs.push(free);
    await free.closeStdin();
    assert.equal((await free.exit()).code, 0);
  } finally {
    for (const proc of procs) await proc.close();
    await hub.proc.close();
  }
});

Deno.test("a muted member's lines are refused with a notice while it reads on; /unmute; an operator made with /op kicks and mutes, a member may not", async () => {
  await withHub(async ({ hub, join }) => {
    const alice = await join("alice");
    const bob = await join("bob");
    const carol = await join("carol");
    const eve = await join("eve");

    await hub.proc.writeLine("/mute bob");
    await bob.waitFor((event) => event.type === "moderated" && event.action === "muted");
    await bob.writeLine("can anyone hear me?");
    await bob.writeLine("/msg alice psst");
    await bob.writeLine("/nick loud_bob");
    await alice.writeLine("bob still reads this");
    await bob.waitFor((event) => event.type === "message" && event.text === "bob still reads this");
    await bob.waitFor(() => errorsOf(bob).length === 3);
    assert.deepEqual(
      errorsOf(bob),
      Array(3).fill("You are muted (by the host, until unmuted): you can still read."),
    );
    await hub.proc.writeLine("/unmute bob");
    await bob.waitFor((event) => event.type === "moderated" && event.action === "unmuted");
    await bob.writeLine("thank you");
    await alice.waitFor((event) => event.type === "message" && event.text === "thank you");
    assert.deepEqual(messagesOf(alice), ["bob: thank you"], "nothing bob said while muted");
    assert.deepEqual(alice.events.filter(isEvent("private")), []);

    // A member may not; an operator may, from connect.
    await eve.writeLine("/kick bob");
    await eve.writeLine("/mute alice 10m");
    await eve.waitFor(() => errorsOf(eve).length === 2);
    assert.deepEqual(errorsOf(eve), [
      "Only operators may kick: ask the host.",
      "Only operators may mute: ask the host.",
    ]);
    await hub.proc.waitFor(() => hubLog(hub.proc, "hub-denied").length === 2);
    assert.deepEqual(hubLog(hub.proc, "hub-denied").map((event) => event.order), ["kick", "mute"]);

    await hub.proc.writeLine("/op carol");
    await carol.waitFor((event) => event.type === "moderated" && event.action === "op");
    await carol.writeLine("/help");
    await carol.waitFor((event) =>
      event.type === "system" && /\/kick NAME/.test(String(event.text))
    );
    await carol.writeLine("/mute alice 10m too chatty");
    await alice.waitFor((event) =>
      event.type === "moderated" && event.action === "muted" && event.name === "alice"
    );
    await alice.writeLine("hello?");
    await alice.waitFor((event) => event.type === "error");
    assert.match(
      String(errorsOf(alice)[0]),
      /^You are muted \(by carol, until \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC \(another (9m 5\d|10m 00)s\)\): you can still read\.$/,
    );
    await carol.writeLine("/kick bob enough");
    assert.equal((await bob.exit()).code, 1);
    assert.equal(bob.stderr, "p2pchat: You were kicked by carol (enough).\n");
    await eve.waitFor((event) => event.type === "moderated" && event.action === "kicked");
    assert.deepEqual(await hub.proc.waitFor(isEvent("hub-kicked")), {
      type: "hub-kicked",
      name: "bob",
      by: "carol",
      reason: "enough",
    });
    // An operator does not make operators.
    await carol.writeLine("/op eve");
    await carol.waitFor(
      (event) => event.type === "error" && event.message === "Only the host may make operators.",
    );

    for (const proc of [alice, carol, eve]) await proc.closeStdin();
    for (const proc of [alice, carol, eve]) assert.equal((await proc.exit()).code, 0);
  });
});

Deno.test("the topic on join, away in /who and as the answer to a private message, ignore, and a mention marked in --json", async () => {
  await withHub(async ({ hub, join }) => {
    const alice = await join("alice");
    await hub.proc.writeLine("/topic Release day: v2 ships at 5");
    assert.deepEqual(await alice.waitFor(isEvent("topic")), {
      type: "topic",
      text: "Release day: v2 ships at 5",
      by: "host",
    });
    const bob = await join("bob");
    const mallory = await join("mallory");
    const carol = await join("carol");
    assert.equal(bob.events.find(isEvent("welcome"))?.topic, "Release day: v2 ships at 5");

    await bob.writeLine("/away at lunch");
    await bob.waitFor((event) =>
      event.type === "system" && /marked as away/.test(String(event.text))
    );
    await alice.writeLine("/who");
    const who = await alice.waitFor(isEvent("members"));
    assert.deepEqual([who.names, who.away], [["alice", "bob", "mallory", "carol"], ["bob"]]);
    await alice.writeLine("/msg bob are you coming?");
    assert.deepEqual(await alice.waitFor(isEvent("away")), {
      type: "away",
      name: "bob",
      text: "at lunch",
    });
    await bob.waitFor(isEvent("private"));

    await alice.writeLine("/ignore mallory");
    await alice.waitFor((event) =>
      event.type === "system" && /You ignore mallory/.test(String(event.text))
    );
    await mallory.writeLine("spam spam spam");
    await mallory.writeLine("/msg alice psst");
    await carol.waitFor((event) => event.type === "message" && event.text === "spam spam spam");
    await carol.writeLine("Alice, the build is green");
    await carol.writeLine("nothing for you here");
    await alice.waitFor((event) =>
      event.type === "message" && event.text === "nothing for you here"
    );
    await hub.proc.writeLine("good luck everyone");
    await alice.waitFor((event) => event.type === "message" && event.text === "good luck everyone");
    assert.deepEqual(
      alice.events.filter(isEvent("message")).map(({ from, text, mention }) => ({
        from,
        text,
        mention,
      })),
      [
        { from: "carol", text: "Alice, the build is green", mention: true },
        { from: "carol", text: "nothing for you here", mention: undefined },
        { from: "host", text: "good luck everyone", mention: undefined },
      ],
    );
    assert.deepEqual(alice.events.filter(isEvent("private")), [], "mallory's private line too");
    const said = await hub.proc.waitFor(isEvent("hub-said"));
    assert.deepEqual(said, { type: "hub-said", text: "good luck everyone" });

    for (const proc of [alice, bob, mallory, carol]) await proc.closeStdin();
    for (const proc of [alice, bob, mallory, carol]) assert.equal((await proc.exit()).code, 0);
  });
});

Deno.test("serve's stdin: /passkey and /who answer in the log, /quit stops the hub as SIGINT does; end of input alone stops nothing", async () => {
  await using dir = await tempDir();
  const hub = await startHub({ cwd: dir.path });
  const procs: CliProcess[] = [];
  try {
    const alice = await joinHub("alice", hub.port, dir.path);
    procs.push(alice);
    await hub.proc.writeLine("/passkey");
    assert.deepEqual(await hub.proc.waitFor(isEvent("console-passkey")), {
      type: "console-passkey",
      passkey: PASSKEY,
    });
    await hub.proc.writeLine("/who");
    const who = await hub.proc.waitFor(isEvent("console-who"));
    assert.deepEqual(
      (who.members as { name: string; role: string }[]).map((m) => [m.name, m.role]),
      [["alice", "member"]],
    );
    await hub.proc.writeLine("/kick nobody");
    assert.deepEqual(await hub.proc.waitFor(isEvent("console-error")), {
      type: "console-error",
      message: "No one called nobody is here.",
    });
    await hub.proc.writeLine("/quit");
    assert.equal((await hub.proc.exit()).code, 0);
    assert.ok(hub.proc.events.some((e) => e.type === "system" && e.text === "Hub stopped."));
    await alice.waitFor((event) => event.type === "reconnecting");
  } finally {
    for (const proc of procs) await proc.close();
    await hub.proc.close();
  }

  const again = await startHub({ cwd: dir.path });
  try {
    await again.proc.closeStdin();
    // Still serving: a member joins and is answered.
    const bob = await joinHub("bob", again.port, dir.path);
    procs.push(bob);
    await bob.writeLine("/who");
    await bob.waitFor(isEvent("members"));
    await bob.closeStdin();
    assert.equal((await bob.exit()).code, 0);
    again.proc.kill("SIGINT");
    // As a shell reports SIGINT (`/quit` above exits 0).
    assert.equal((await again.proc.exit()).code, 130);
  } finally {
    for (const proc of procs) await proc.close();
    await again.proc.close();
  }
});

Deno.test("serve --json logs each moderation action as an event, and each refused command with why", async () => {
  await withHub(async ({ hub, dir, join }) => {
    /** Gives the console `line` and waits for the next log event of `type`. */
    const order = async (line: string, type: string) => {
      const before = hubLog(hub.proc, type).length;
      await hub.proc.writeLine(line);
      await hub.proc.waitFor(() => hubLog(hub.proc, type).length > before);
      return hubLog(hub.proc, type)[before];
    };
    const alice = await join("alice");
    const bob = await join("bob");
    await writeRandomFile(`${dir}/notes.bin`, 1000);
    await bob.writeLine(`/send ${dir}/notes.bin`);
    const shared = await hub.proc.waitFor(isEvent("hub-shared"));

    const muted = await order("/mute bob 10m shouting", "hub-muted");
    assert.match(String(muted.until), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.deepEqual(muted, {
      type: "hub-muted",
      name: "bob",
      by: "host",
      reason: "shouting",
      until: muted.until,
    });
    // Each order, the event the log gets (every one of them by the host).
    const logged: [string, JsonEvent][] = [
      ["/unmute bob", { type: "hub-unmuted", name: "bob" }],
      ["/op alice", { type: "hub-op", name: "alice" }],
      ["/deop alice", { type: "hub-deop", name: "alice" }],
      ["/topic Standup at ten", { type: "hub-topic", text: "Standup at ten" }],
      ["/topic", { type: "console-topic", text: "Standup at ten" }],
      ["/topic --clear", { type: "hub-topic", text: "" }],
    ];
    for (const [line, event] of logged) {
      assert.deepEqual(await order(line, event.type), { ...event, by: "host" }, line);
    }
    const files = await order("/files", "console-files");
    assert.deepEqual(
      (files.files as { name: string; from: string }[]).map(({ name, from }) => [name, from]),
      [["notes.bin", "bob"]],
    );
    assert.deepEqual(await order(`/rm ${shared.file}`, "hub-removed"), {
      type: "hub-removed",
      file: shared.file,
      name: "notes.bin",
      by: "host",
    });
    await alice.waitFor(isEvent("removed"));
    const help = await order("/help", "console-help");
    assert.deepEqual(
      (help.commands as { usage: string }[]).map(({ usage }) => usage.split(" ")[0]),
      [
        ...["/kick", "/ban", "/unban", "/mute", "/unmute", "/op", "/deop", "/topic", "/say"],
        ...["/who", "/bans", "/files", "/rm", "/passkey", "/help", "/quit"],
      ],
    );

    // Every refusal says why, in the log.
    const refusals: [string, string][] = [
      ["/mute zed", "No one called zed is here."],
      ["/unmute bob", "bob is not muted."],
      ["/unban bob", "bob is not banned."],
      [
        "/ban bob 1.5h",
        "Not a duration: 1.5h (use a whole number and s, m, h or d: 90s, 10m, 2h, 7d).",
      ],
      ["/topic " + "x".repeat(301), "The topic is too long (301 characters; the limit is 300)."],
      ["/rm 999", "No shared file 999. /files lists them."],
      ["/frobnicate", "Unknown command /frobnicate. /help lists the host's commands."],
    ];
    for (const [line, why] of refusals) {
      const { message } = await order(line, "console-error");
      assert.equal(message, why, line);
    }
    // A member's order is refused with why, to the member and in the log.
    await bob.writeLine("/ban alice 1h");
    await bob.waitFor((event) =>
      event.type === "error" && event.message === "Only operators may ban: ask the host."
    );
    assert.deepEqual(await hub.proc.waitFor(isEvent("hub-denied")), {
      type: "hub-denied",
      name: "bob",
      order: "ban",
      reason: "Only operators may ban: ask the host.",
    });
    // A banned member's join is refused, and the log says whom and why.
    await order("/ban bob 1h spam", "hub-banned");
    assert.equal((await bob.exit()).code, 1);
    await refusedJoin("bob", hub.port, dir);
    const refused = await hub.proc.waitFor(isEvent("hub-refused"));
    assert.match(
      String(refused.reason),
      /^You are banned from this hub until \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC \(another (5\dm \d\ds|1h 00m)\): spam\.$/,
    );

    await alice.closeStdin();
    assert.equal((await alice.exit()).code, 0);
  });
});
