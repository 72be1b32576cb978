import assert from "node:assert/strict";
import { type ConsoleEvent, HOST_COMMANDS, HostConsole } from "../../lib/app/host_console.ts";
import { EventWords } from "../../lib/app/event_words.ts";
import { terminalLine } from "../../lib/cli/text_view.ts";
import { DatabaseSync } from "node:sqlite";
import { BanList } from "../../lib/room/ban_list.ts";
import { FileStore } from "../../lib/room/file_store.ts";
import { MemoryHistory } from "../../lib/room/history.ts";
import { HubFiles } from "../../lib/room/hub_files.ts";
import type { RoomOptions } from "../../lib/room/room.ts";
import { PROTOCOL_VERSION } from "../../lib/session/message.ts";
import { InMemoryRoom } from "../room/in_memory_room.ts";

const START = Date.UTC(2026, 11, 5, 12, 0, 0);

/** The console's lines of an answer as a terminal prints them (after `[System] `). */
function consoleEventText(event: ConsoleEvent, now: number = Date.now()): string[] {
  return new EventWords({ now: () => now }).lines({ type: "console", event })
    .map((line) => terminalLine(line).replace(/^\[System\] /, ""));
}

/** A hub in memory with its host's console, on a clock the test sets. */
function hosted(options: Partial<Omit<RoomOptions, "onEvent">> = {}) {
  const now = () => START;
  const chat = new InMemoryRoom({
    kind: "hub",
    capacity: 100,
    history: new MemoryHistory(100),
    now,
    bans: new BanList({ now }),
    ...options,
  });
  const shown: ConsoleEvent[] = [];
  const console = new HostConsole({
    room: chat.room,
    passkey: "7-orbit-lemon-cradle",
    show: (event) => shown.push(event),
  });
  return { chat, console, shown };
}

Deno.test("HostConsole: /kick, /ban, /mute, /op and /topic act on the room, and the room logs each", async () => {
  const { chat, console, shown } = hosted();
  try {
    const alice = await chat.join("alice", "10.0.0.1:1");
    const bob = await chat.join("bob", "10.0.0.2:1");
    const carol = await chat.join("carol", "10.0.0.3:1");
    await chat.join("dave", "10.0.0.4:1");
    assert.equal(await console.run("/topic Release day"), undefined);
    assert.equal(await console.run("/op carol"), undefined);
    assert.equal(await console.run("/mute dave 10m"), undefined);
    assert.equal(await console.run("/ban bob 2h flooding the room"), undefined);
    assert.equal(await console.run("/kick carol enough"), undefined);
    await bob.client.ended();
    await carol.client.ended();
    assert.deepEqual(shown, [], "nothing refused");
    assert.deepEqual(
      chat.roomEvents.items.filter((e) => e.type !== "joined" && e.type !== "left"),
      [
        { type: "topic", text: "Release day", by: "host" },
        { type: "op", name: "carol", by: "host" },
        { type: "muted", name: "dave", by: "host", until: "2026-12-05T12:10:00.000Z" },
        {
          type: "banned",
          name: "bob",
          by: "host",
          reason: "flooding the room",
          until: "2026-12-05T14:00:00.000Z",
          client: true,
          address: "10.0.0.2",
        },
        { type: "kicked", name: "carol", by: "host", reason: "enough" },
      ],
    );
    await alice.events.waitFor((e) => e.type === "moderated" && e.action === "kicked");
    assert.deepEqual(alice.seen("moderated").map((e) => e.action), [
      "op",
      "muted",
      "banned",
      "kicked",
    ]);
  } finally {
    await chat.close();
  }
});

Deno.test("HostConsole: every refusal says why; mistakes in a command are shown, nothing is done", async () => {
  const { chat, console, shown } = hosted();
  try {
    await chat.join("alice", "10.0.0.1:1");
    for (
      const line of [
        "/kick",
        "/kick zed",
        "/kick aIice",
        "/ban alice 2 days",
        "/ban alice 400d",
        "/mute alice 1.5h",
        "/unban alice",
        "/unmute alice",
        "/deop alice",
        "/op alice now",
        "/topic \x1b[2J",
        "/kick alice \u202eesrever",
        "/rm",
        "/rm x",
        "/who two",
        "/dance",
        "/bans please",
        "/bans 0",
        "/files",
        "/say \x07",
      ]
    ) {
      assert.equal(await console.run(line), undefined, line);
    }
    assert.deepEqual(shown.map((event) => event.type === "error" && event.message), [
      "Usage: /kick NAME [REASON]",
      "No one called zed is here.",
      "No one called aIice is here.",
      "Not a duration: 2 (use a whole number and s, m, h or d: 90s, 10m, 2h, 7d).",
      "Too long: 400d (at most 365d).",
      "Not a duration: 1.5h (use a whole number and s, m, h or d: 90s, 10m, 2h, 7d).",
      "alice is not banned.",
      "alice is not muted.",
      "alice is not an operator.",
      "Usage: /op NAME",
      "The topic may not hold control or bidi characters such as \\x1b.",
      "The reason may not hold control or bidi characters such as \\u202e.",
      "Usage: /rm FILE",
      "Usage: /rm FILE",
      "Usage: /who [PAGE]",
      "Unknown command /dance. /help lists the host's commands.",
      "Usage: /bans [PAGE]",
      "Usage: /bans [PAGE]",
      "This room keeps no files.",
      "Message rejected: control characters such as \\x07 are not allowed (tab is).",
    ]);
    assert.deepEqual(
      chat.roomEvents.items.filter((e) => e.type !== "joined"),
      [],
      "nothing was done",
    );
  } finally {
    await chat.close();
  }
});

Deno.test("HostConsole: /say and plain lines speak as host, kept in the history", async () => {
  const { chat, console, shown } = hosted();
  try {
    const alice = await chat.join("alice", "10.0.0.1:1");
    await console.run("/say Welcome, alice");
    await console.run("plain words");
    await console.run("//slash first");
    await console.run("   ");
    await alice.events.waitFor((e) => e.type === "message" && e.text === "/slash first");
    assert.deepEqual(alice.seen("message").map((m) => [m.from, m.text, m.mention ?? false]), [
      ["host", "Welcome, alice", true],
      ["host", "plain words", false],
      ["host", "/slash first", false],
    ]);
    const newcomer = await chat.join("bob", "10.0.0.2:1");
    await newcomer.events.waitFor((e) => e.type === "message" && e.text === "/slash first");
    assert.ok(newcomer.seen("message").every((m) => m.history && m.from === "host"));
    assert.deepEqual(
      chat.roomEvents.items.filter((e) => e.type === "said").map((e) =>
        e.type === "said" && e.text
      ),
      ["Welcome, alice", "plain words", "/slash first"],
    );
    assert.deepEqual(shown, []);
  } finally {
    await chat.close();
  }
});

Deno.test("HostConsole: /who shows addresses, roles, away and muted; /bans shows bans without client ids", async () => {
  const { chat, console, shown } = hosted();
  try {
    const alice = await chat.join("alice", "10.0.0.1:1");
    await chat.join("bob", "10.0.0.2:1");
    alice.client.away("lunch");
    await alice.sync();
    await console.run("/op bob");
    await console.run("/mute alice");
    await console.run("/ban zed 1d troll");
    await console.run("/names");
    await console.run("/bans");
    await console.run("/topic");
    assert.deepEqual(shown.slice(0, 2), [
      {
        type: "who",
        members: [
          { name: "alice", remote: "10.0.0.1:1", role: "member", away: "lunch", muted: true },
          { name: "bob", remote: "10.0.0.2:1", role: "op" },
        ],
        page: 1,
        pages: 1,
        total: 2,
      },
      {
        type: "bans",
        bans: [{
          name: "zed",
          client: false,
          reason: "troll",
          by: "host",
          since: "2026-12-05T12:00:00.000Z",
          until: "2026-12-06T12:00:00.000Z",
        }],
        page: 1,
        pages: 1,
        total: 1,
      },
    ]);
    assert.ok(!JSON.stringify(shown).includes("client-"), "no client id is shown");
    assert.deepEqual(consoleEventText(shown[0]), [
      "Members (2):",
      "  alice from 10.0.0.1:1 (away: lunch) (muted)",
      "  bob from 10.0.0.2:1 (operator)",
    ]);
    assert.deepEqual(consoleEventText(shown[1], START), [
      "Bans (1):",
      "  zed until 2026-12-06 12:00:00 UTC (another 1d 00h) by host (troll); holds the name",
    ]);
    assert.deepEqual(consoleEventText(shown[2]), ["No topic: /topic TEXT sets one."]);
  } finally {
    await chat.close();
  }
});

Deno.test("HostConsole: /rm removes a shared file's entry and data, and everyone is told", async () => {
  const dir = await Deno.makeTempDir({ prefix: "p2pchat_rm_" });
  const db = new DatabaseSync(":memory:");
  const files = new HubFiles(db, new FileStore(dir));
  const { chat, console, shown } = hosted({ files });
  try {
    const alice = await chat.join("alice", "10.0.0.1:1");
    const bob = await chat.join("bob", "10.0.0.2:1");
    const path = `${alice.dir}/notes.txt`;
    await Deno.writeTextFile(path, "secret plans");
    await alice.client.sendFile(path);
    await bob.events.waitFor((e) => e.type === "shared");
    const stored = [...Deno.readDirSync(dir)].filter((entry) => entry.isFile);
    assert.equal(stored.length, 1);
    assert.equal(files.storageUsed, 12);

    await console.run("/files");
    assert.equal(shown[0].type === "files" && shown[0].files[0].name, "notes.txt");
    assert.equal(await console.run("/rm 1"), undefined);
    await bob.events.waitFor((e) => e.type === "removed");
    assert.deepEqual(bob.seen("removed"), [
      { type: "removed", file: 1, name: "notes.txt", by: "host" },
    ]);
    assert.deepEqual([...Deno.readDirSync(dir)].filter((entry) => entry.isFile), []);
    assert.equal(files.count(), 0);
    assert.equal(files.storageUsed, 0, "its space is free again");
    assert.deepEqual(chat.roomEvents.items.at(-1), {
      type: "removed",
      file: 1,
      name: "notes.txt",
      by: "host",
    });
    await console.run("/rm 1");
    assert.deepEqual(shown.at(-1), {
      type: "error",
      message: "No shared file 1. /files lists them.",
    });
    await bob.client.fetch(1);
    await bob.sync();
    assert.ok(bob.seen("notice").some((n) => n.text === "No shared file 1. /files lists them."));
  } finally {
    await chat.close();
    db.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("HostConsole: /passkey, /help and /quit", async () => {
  const { chat, console, shown } = hosted();
  try {
    assert.equal(await console.run("/passkey"), undefined);
    assert.equal(await console.run("/HELP"), undefined);
    assert.equal(await console.run("/quit"), "stop");
    assert.equal(await console.run("/exit"), "stop");
    assert.deepEqual(shown[0], { type: "passkey", passkey: "7-orbit-lemon-cradle" });
    const help = shown[1];
    assert.ok(help.type === "help");
    assert.deepEqual(
      help.commands.map((c) => c.usage.split(" ")[0]),
      Object.keys(HOST_COMMANDS).map((name) => `/${name}`),
    );
    for (
      const name of [
        "kick",
        "ban",
        "unban",
        "bans",
        "mute",
        "unmute",
        "op",
        "deop",
        "topic",
        "say",
        "who",
        "files",
        "rm",
        "passkey",
        "help",
        "quit",
      ]
    ) {
      assert.ok(Object.hasOwn(HOST_COMMANDS, name), name);
    }
    assert.deepEqual(consoleEventText({ type: "passkey", passkey: null }), [
      "Open mode: no passkey.",
    ]);
    // Inherited names are not commands.
    await console.run("/constructor");
    assert.deepEqual(shown.at(-1), {
      type: "error",
      message: "Unknown command /constructor. /help lists the host's commands.",
    });
  } finally {
    await chat.close();
  }
});

Deno.test("HostConsole: a command that throws is shown as an error, and the console goes on", async () => {
  const dir = await Deno.makeTempDir({ prefix: "p2pchat_rm_" });
  const db = new DatabaseSync(":memory:");
  const { chat, console, shown } = hosted({ files: new HubFiles(db, new FileStore(dir)) });
  try {
    db.close(); // the database fails under the console
    assert.equal(await console.run("/files"), undefined);
    assert.match(shown[0].type === "error" ? shown[0].message : "", /^\/files failed: /);
    assert.equal(await console.run("/passkey"), undefined);
    assert.equal(shown[1].type, "passkey");
  } finally {
    await chat.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("HostConsole: /bans among thousands answers a page at a time, oldest first", async () => {
  const { chat, console, shown } = hosted();
  try {
    for (let i = 0; i < 250; i++) chat.room.moderate({ action: "ban", name: `troll${i}` });
    await console.run("/bans");
    await console.run("/bans 3");
    await console.run("/bans 99");
    const pages = shown.map((event) =>
      event.type === "bans"
        ? [event.page, event.pages, event.total, event.bans.length, event.bans[0].name]
        : []
    );
    assert.deepEqual(pages, [
      [1, 3, 250, 100, "troll0"],
      [3, 3, 250, 50, "troll200"],
      [3, 3, 250, 50, "troll200"],
    ]);
    assert.deepEqual(consoleEventText(shown[1]).slice(0, 1), ["Bans (250; page 3 of 3):"]);
  } finally {
    await chat.close();
  }
});

Deno.test("HostConsole: orders from a script wait while a member is behind, instead of piling up in its queue", async () => {
  // Memory sessions count 64 bytes a message: 32 topics put a member that reads nothing behind.
  const { chat, console } = hosted({
    backlog: { behindBytes: 2000, caughtUpBytes: 500, stalledMs: 60_000, maxHoldMs: 60_000 },
  });
  try {
    const slow = chat.connect("10.0.0.2:1");
    slow.post({ t: "hello", v: PROTOCOL_VERSION, name: "slow", client: "slow-1" });
    await chat.roomEvents.waitFor((event) => event.type === "joined" && event.name === "slow");
    let done = 0;
    const script = (async () => {
      for (let i = 0; i < 50; i++) {
        await console.run(`/topic number ${i}`);
        done++;
      }
    })();
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.ok(done < 50, "the script waits while the member is behind");
    const topics: string[] = [];
    for await (const { message } of slow.incoming) {
      if (message.t === "topic") topics.push(message.text);
      if (topics.length === 50) break;
    }
    await script;
    assert.deepEqual(topics, Array.from({ length: 50 }, (_, i) => `number ${i}`));
    assert.ok(!chat.roomEvents.items.some((event) => event.type === "left"), "nobody cut off");
  } finally {
    await chat.close();
  }
});
