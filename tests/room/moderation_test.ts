import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { TextView } from "../../lib/cli/text_view.ts";
import { BanList } from "../../lib/room/ban_list.ts";
import { MemoryHistory } from "../../lib/room/history.ts";
import {
  expelledText,
  isReservedName,
  orderDenied,
  parseOrder,
} from "../../lib/room/moderation.ts";
import { KickedError, type ReconnectEvent, stayConnected } from "../../lib/room/reconnector.ts";
import type { RoomOptions } from "../../lib/room/room.ts";
import type { ClientEvent } from "../../lib/room/room_client.ts";
import { SqliteBanStore } from "../../lib/room/sqlite_ban_store.ts";
import { memorySessionPair } from "../../lib/session/memory_session.ts";
import { FileStore } from "../../lib/room/file_store.ts";
import { RoomClient } from "../../lib/room/room_client.ts";
import { WHO_PAGE_NAMES } from "../../lib/room/list_page.ts";
import { MAX_NAME_LENGTH } from "../../lib/room/member_name.ts";
import {
  MAX_AWAY_CHARS,
  MAX_REASON_CHARS,
  MAX_TOPIC_CHARS,
  shortTextProblem,
} from "../../lib/room/short_text.ts";
import { type Message, parseMessage, PROTOCOL_VERSION } from "../../lib/session/message.ts";
import { decodeRecord, encodeRecord } from "../../lib/wire/codec.ts";
import { MAX_HEADER_BYTES } from "../../lib/wire/limits.ts";
import { InMemoryRoom, type Person, type RawMember, refusal } from "./in_memory_room.ts";

const START = Date.UTC(2026, 11, 5, 12, 0, 0);

/** A hub in memory on a clock the test moves. */
function hub(options: Partial<Omit<RoomOptions, "onEvent" | "now">> = {}) {
  let now = START;
  const clock = {
    now: () => now,
    advance: (ms: number) => now += ms,
  };
  const chat = new InMemoryRoom({
    kind: "hub",
    capacity: 100,
    history: new MemoryHistory(100),
    now: clock.now,
    bans: new BanList({ now: clock.now }),
    ...options,
  });
  return { chat, clock };
}

/** What a person's terminal shows for its events. */
function printed(events: ClientEvent[]): string[] {
  const lines: string[] = [];
  const view = new TextView({ print: (line) => lines.push(line), status: () => {} });
  // In a hub (departures are worded as a hub's), from its welcome on.
  view.show({
    type: "welcome",
    you: "",
    kind: "hub",
    members: [],
    count: 0,
    history: 0,
    resumed: true,
  });
  lines.length = 0;
  for (const event of events) view.show(event);
  // How long is left is reckoned on the reader's clock, not the room's made-up one.
  return lines.map((line) => line.replace(/\(another [^)]+\)/, "(another ...)"));
}

/** The events of one type a person saw after `from`. */
function seenAfter<T extends ClientEvent["type"]>(person: Person, type: T, from = 0) {
  return person.events.items.slice(from).filter((event): event is Extract<
    ClientEvent,
    { type: T }
  > => event.type === type);
}

/** The notices (errors) a person was shown, from `from` on. */
function errors(person: Person, from = 0): string[] {
  return seenAfter(person, "notice", from).filter((n) => n.error).map((n) => n.text);
}

Deno.test("parseOrder: names, strict durations and reasons, as typed", () => {
  assert.deepEqual(parseOrder("kick", "  bob  "), { action: "kick", name: "bob" });
  assert.deepEqual(parseOrder("kick", "bob  was rude "), {
    action: "kick",
    name: "bob",
    reason: "was rude",
  });
  assert.deepEqual(parseOrder("ban", "bob 7d"), { action: "ban", name: "bob", seconds: 604_800 });
  assert.deepEqual(parseOrder("mute", "bob too loud"), {
    action: "mute",
    name: "bob",
    reason: "too loud",
  });
  assert.deepEqual(parseOrder("ban", "bob 2nd warning"), {
    error: "Not a duration: 2nd (use a whole number and s, m, h or d: 90s, 10m, 2h, 7d).",
  });
  assert.deepEqual(parseOrder("ban", ""), { error: "Usage: /ban NAME [DURATION] [REASON]" });
  assert.deepEqual(parseOrder("op", "carol extra"), { error: "Usage: /op NAME" });
  assert.deepEqual(parseOrder("topic", "  "), { error: "Usage: /topic TEXT" });
  assert.deepEqual(parseOrder("topic", " a  b "), { action: "topic", text: "a  b" });
});

Deno.test("orderDenied: the host everything, operators all but /op and /deop, members nothing", () => {
  for (const action of ["kick", "ban", "unban", "mute", "unmute", "topic", "op", "deop"] as const) {
    assert.equal(orderDenied(action, "host"), undefined, action);
    assert.equal(orderDenied(action, "op") === undefined, action !== "op" && action !== "deop");
    assert.ok(orderDenied(action, "member"), action);
  }
  assert.equal(orderDenied("ban", "member"), "Only operators may ban: ask the host.");
  assert.equal(orderDenied("deop", "op"), "Only the host may unmake operators.");
});

Deno.test("isReservedName: host and System, and what looks like them", () => {
  assert.deepEqual(
    ["host", "HOST", "h0st", "System", "5ystem", "hosts", "sys"].map(isReservedName),
    [
      true,
      true,
      true,
      true,
      true,
      false,
      false,
    ],
  );
});

Deno.test("expelledText: what the member put out reads", () => {
  const until = START + 2 * 3600_000;
  assert.equal(
    expelledText({ banned: true, by: "alice", host: false, reason: "spam", until }, START),
    "You were banned by alice until 2026-12-05 14:00:00 UTC (another 2h 00m) (spam).",
  );
  assert.equal(
    expelledText({ banned: true, by: "host", host: true }, START),
    "You were banned by the host until unbanned.",
  );
});

Deno.test("Room: a kicked member is put out with the reason, everyone else is told, and its client does not come back by itself", async () => {
  const { chat } = hub();
  try {
    const alice = await chat.join("alice", "10.0.0.1:1001");
    const bob = await chat.join("bob", "10.0.0.2:1002");
    const reconnects: ReconnectEvent[] = [];
    let dials = 0;
    const staying = stayConnected(bob.client, () => {
      dials++;
      return Promise.resolve(chat.connect("10.0.0.2:1003"));
    }, { onEvent: (event) => reconnects.push(event), random: () => 0 });

    assert.equal(
      chat.room.moderate({ action: "kick", name: "bob", reason: "flooding" }),
      undefined,
    );
    const fatal = await staying;
    assert.ok(fatal instanceof KickedError);
    assert.equal(fatal.message, "You were kicked by the host (flooding).");
    assert.equal(bob.client.kicked, "You were kicked by the host (flooding).");
    assert.deepEqual([reconnects, dials], [[], 0], "no reconnect was tried");
    assert.deepEqual(bob.seen("closed"), [
      { type: "closed", reason: "You were kicked by the host (flooding).", kicked: true },
    ]);
    assert.deepEqual(bob.seen("moderated"), [], "its own goodbye says it");

    await alice.events.waitFor((e) => e.type === "left");
    assert.deepEqual(printed(alice.events.items.slice(-2)), [
      "[System] bob was kicked by the host (flooding).",
      "[System] bob left (kicked). (Connected: 1)",
    ]);
    assert.deepEqual(
      chat.roomEvents.items.filter((e) => e.type === "kicked" || e.type === "left"),
      [
        { type: "kicked", name: "bob", by: "host", reason: "flooding" },
        { type: "left", name: "bob", remote: "10.0.0.2:1002", count: 1, reason: "kicked" },
      ],
    );
    // A kick is not a ban: joining again by hand works, and the name was not kept for him.
    const again = await chat.join("bob", "10.0.0.2:1004");
    assert.equal(again.seen("welcome")[0].you, "bob");
  } finally {
    await chat.close();
  }
});

Deno.test("Room: a ban holds by client, name and address, ends at its time, and a rejoin is told why and until when", async () => {
  const { chat, clock } = hub();
  try {
    const alice = await chat.join("alice", "10.0.0.1:1001");
    const bob = await chat.join("bob", "10.0.0.2:1002");
    assert.equal(
      chat.room.moderate({ action: "ban", name: "bob", seconds: 600, reason: "flooding" }),
      undefined,
    );
    await bob.client.ended();
    assert.equal(
      bob.client.kicked,
      "You were banned by the host until 2026-12-05 12:10:00 UTC (another 10m 00s) (flooding).",
    );
    await alice.events.waitFor((e) => e.type === "moderated");
    assert.deepEqual(printed(seenAfter(alice, "moderated")), [
      "[System] bob was banned by the host until 2026-12-05 12:10:00 UTC " +
      "(another ...) (flooding).",
    ]);
    const banned = chat.roomEvents.items.find((e) => e.type === "banned");
    assert.deepEqual(banned, {
      type: "banned",
      name: "bob",
      by: "host",
      reason: "flooding",
      until: "2026-12-05T12:10:00.000Z",
      client: true,
      address: "10.0.0.2",
    });

    clock.advance(60_000);
    const reason =
      "You are banned from this hub until 2026-12-05 12:10:00 UTC (another 9m 00s): flooding.";
    // The same client under a new name, from elsewhere.
    await bob.client.disconnect();
    const sameClient = await refusal(bob.client.join(chat.connect("10.0.0.9:1")));
    assert.equal(sameClient, reason);
    // A new client (the program started again) from the same address, under a new name.
    assert.equal(await refusal(chat.join("robert", "10.0.0.2:2000")), reason);
    // A new client, a new address, the same name (or one like it).
    assert.equal(await refusal(chat.join("B0B", "10.0.0.8:3000")), reason);
    // Someone else is not caught.
    await chat.join("carol", "10.0.0.3:1003");
    // Nobody takes the banned name by renaming either.
    alice.client.nick("bob");
    await alice.sync();
    assert.deepEqual(errors(alice).at(-1), "The name bob is banned from this hub.");

    clock.advance(9 * 60_000 - 1);
    assert.equal(await refusal(chat.join("bob", "10.0.0.2:2001")), reason.replace("9m 00s", "1s"));
    clock.advance(1);
    const back = await chat.join("bob", "10.0.0.2:2002");
    assert.equal(back.seen("welcome")[0].you, "bob", "after the ban, bob may join again");
  } finally {
    await chat.close();
  }
});

Deno.test("Room: a ban on someone who just left holds the client and address they had; /unban lets them in", async () => {
  const { chat } = hub();
  try {
    await chat.join("alice", "10.0.0.1:1001");
    const mallory = await chat.join("mallory", "10.0.0.66:1002");
    await mallory.client.quit();
    assert.equal(chat.room.moderate({ action: "ban", name: "Mallory" }), undefined);
    assert.deepEqual(chat.roomEvents.items.at(-1), {
      type: "banned",
      name: "mallory",
      by: "host",
      client: true,
      address: "10.0.0.66",
    });
    const reason = "You are banned from this hub until unbanned.";
    assert.equal(await refusal(chat.join("innocent", "10.0.0.66:2000")), reason);
    // Someone never seen is banned by name only.
    assert.equal(chat.room.moderate({ action: "ban", name: "zed", reason: "troll" }), undefined);
    assert.deepEqual(chat.roomEvents.items.at(-1), {
      type: "banned",
      name: "zed",
      by: "host",
      reason: "troll",
      client: false,
    });
    assert.equal(
      chat.room.moderate({ action: "unban", name: "malIory" }),
      "malIory is not banned.",
      "a look-alike is not the name",
    );
    assert.equal(chat.room.moderate({ action: "unban", name: "mallory" }), undefined);
    const back = await chat.join("mallory", "10.0.0.66:2001");
    assert.equal(back.seen("welcome")[0].you, "mallory");
    assert.deepEqual(chat.room.bans().map((ban) => ban.name), ["zed"]);
  } finally {
    await chat.close();
  }
});

Deno.test("Room: bans kept in the hub's database hold after a restart", async () => {
  const db = new DatabaseSync(":memory:");
  try {
    const first = hub({ bans: new BanList({ store: new SqliteBanStore(db) }) });
    try {
      await first.chat.join("bob", "10.0.0.2:1002");
      first.chat.room.moderate({ action: "ban", name: "bob", seconds: 3600 });
    } finally {
      await first.chat.close();
    }
    const { chat } = hub({
      bans: new BanList({ store: new SqliteBanStore(db), now: () => START }),
    });
    try {
      assert.match(
        await refusal(chat.join("robert", "10.0.0.2:5000")),
        /^You are banned from this hub until 2026-12-05 13:00:00 UTC \(another 1h 00m\)\.$/,
      );
    } finally {
      await chat.close();
    }
  } finally {
    db.close();
  }
});

Deno.test("Room: a muted member's lines, actions, private lines, renames and files are refused with a notice; it still reads", async () => {
  const { chat, clock } = hub();
  try {
    const alice = await chat.join("alice", "10.0.0.1:1001");
    const bob = await chat.join("bob", "10.0.0.2:1002");
    assert.equal(chat.room.moderate({ action: "mute", name: "bob", seconds: 300 }), undefined);
    await bob.events.waitFor((e) => e.type === "moderated");
    assert.deepEqual(printed(bob.seen("moderated")), [
      "[System] bob was muted by the host until 2026-12-05 12:05:00 UTC (another ...).",
    ]);
    const from = bob.events.items.length;
    bob.client.say("can you hear me");
    bob.client.say("waves", true);
    bob.client.whisper("alice", "psst");
    bob.client.nick("shouting_bob");
    await bob.sync();
    const muted = "You are muted (by the host, until 2026-12-05 12:05:00 UTC (another 5m 00s)): " +
      "you can still read.";
    assert.deepEqual(errors(bob, from), [muted, muted, muted, muted]);
    const file = `${bob.dir}/a.txt`;
    await Deno.writeTextFile(file, "hello");
    await assert.rejects(bob.client.sendFile(file), /refused a\.txt: You are muted/);
    alice.client.say("bob, you still read this");
    await bob.events.waitFor((e) => e.type === "message");
    await alice.sync();
    assert.deepEqual(alice.seen("message"), [], "alice saw nothing of bob's");
    assert.deepEqual(alice.seen("private"), []);
    assert.deepEqual(alice.seen("shared"), []);

    // Muted by name and client: coming back, even as a new client, does not end it.
    await bob.client.quit();
    const bob2 = await chat.join("bob", "10.0.0.2:1003");
    bob2.client.say("again?");
    await bob2.sync();
    assert.match(errors(bob2)[0], /^You are muted/);

    assert.equal(chat.room.moderate({ action: "unmute", name: "bob" }), undefined);
    bob2.client.say("thank you");
    const line = await alice.events.waitFor((e) => e.type === "message");
    assert.equal(line.type === "message" && line.text, "thank you");
    assert.deepEqual(printed(alice.seen("moderated")), [
      "[System] bob was muted by the host until 2026-12-05 12:05:00 UTC (another ...).",
      "[System] bob may speak again (unmuted by the host).",
    ]);

    // A mute for a while ends by itself.
    chat.room.moderate({ action: "mute", name: "bob", seconds: 60 });
    clock.advance(60_000);
    bob2.client.say("time is up");
    await alice.events.waitFor((e) => e.type === "message" && e.text === "time is up");
    assert.equal(chat.room.moderate({ action: "unmute", name: "bob" }), "bob is not muted.");
  } finally {
    await chat.close();
  }
});

Deno.test("Room: an operator made with /op kicks and mutes; a member may not, and is told why", async () => {
  const { chat } = hub();
  try {
    const carol = await chat.join("carol", "10.0.0.3:1");
    const bob = await chat.join("bob", "10.0.0.2:1");
    const dave = await chat.join("dave", "10.0.0.4:1");
    const eve = await chat.join("eve", "10.0.0.5:1");

    eve.client.order({ action: "kick", name: "bob" });
    eve.client.order({ action: "topic", text: "eve rules" });
    await eve.sync();
    assert.deepEqual(errors(eve), [
      "Only operators may kick: ask the host.",
      "Only operators may set the topic: ask the host.",
    ]);
    assert.deepEqual(
      chat.roomEvents.items.filter((e) => e.type === "denied"),
      [
        {
          type: "denied",
          name: "eve",
          order: "kick",
          reason: "Only operators may kick: ask the host.",
        },
        {
          type: "denied",
          name: "eve",
          order: "topic",
          reason: "Only operators may set the topic: ask the host.",
        },
      ],
    );

    assert.equal(chat.room.moderate({ action: "op", name: "carol" }), undefined);
    await carol.events.waitFor((e) => e.type === "moderated");
    assert.equal(carol.client.role, "op");
    carol.client.order({ action: "kick", name: "bob", reason: "enough" });
    carol.client.order({ action: "mute", name: "dave", seconds: 600 });
    await bob.client.ended();
    assert.equal(bob.client.kicked, "You were kicked by carol (enough).");
    await dave.events.waitFor((e) => e.type === "moderated" && e.action === "muted");
    await eve.events.waitFor((e) => e.type === "moderated" && e.action === "muted");
    assert.deepEqual(printed(seenAfter(eve, "moderated")).slice(-3), [
      "[System] carol is now an operator (made by the host).",
      "[System] bob was kicked by carol (enough).",
      "[System] dave was muted by carol until 2026-12-05 12:10:00 UTC (another ...).",
    ]);

    // An operator may not make operators, touch another, or lift what the host did.
    chat.room.moderate({ action: "op", name: "eve" });
    chat.room.moderate({ action: "ban", name: "zed" });
    const from = carol.events.items.length;
    carol.client.order({ action: "op", name: "dave" });
    carol.client.order({ action: "kick", name: "eve" });
    carol.client.order({ action: "mute", name: "EVE" });
    carol.client.order({ action: "unban", name: "zed" });
    carol.client.order({ action: "kick", name: "carol" });
    carol.client.order({ action: "kick", name: "nobody" });
    carol.client.order({ action: "kick", name: "bad name!" });
    await carol.sync();
    assert.deepEqual(errors(carol, from), [
      "Only the host may make operators.",
      "eve is an operator: only the host can do that.",
      "EVE is an operator: only the host can do that.",
      "Only the host may lift the host's ban on zed.",
      "carol is an operator: only the host can do that.",
      "No one called nobody is here.",
      '"bad name!" is not a name: names are 1-16 of A-Z a-z 0-9 _ . -',
    ]);

    // An operator stays one across a reconnect of the same client.
    await carol.client.disconnect();
    await carol.client.join(chat.connect("10.0.0.3:2"));
    assert.equal(carol.seen("welcome").at(-1)?.role, "op");
    carol.client.order({ action: "unmute", name: "dave" });
    await dave.events.waitFor((e) => e.type === "moderated" && e.action === "unmuted");

    assert.equal(chat.room.moderate({ action: "deop", name: "carol" }), undefined);
    await carol.events.waitFor((e) => e.type === "moderated" && e.action === "deop");
    assert.equal(carol.client.role, "member");
    const later = carol.events.items.length;
    carol.client.order({ action: "kick", name: "dave" });
    await carol.sync();
    assert.deepEqual(errors(carol, later), ["Only operators may kick: ask the host."]);
  } finally {
    await chat.close();
  }
});

Deno.test("Room: the host taking part cannot be touched by an operator, and may give every order", async () => {
  const { chat } = hub();
  const dir = await Deno.makeTempDir({ prefix: "p2pchat_host_" });
  try {
    const [hostSide, ownSide] = memorySessionPair("this computer");
    const admitted = chat.room.admit(hostSide, { host: true });
    // The host's own client may be called host: the name is kept for it, not from it.
    const host = new RoomClient({ name: "host", files: new FileStore(dir) });
    const hostEvents: ClientEvent[] = [];
    host.subscribe((event) => hostEvents.push(event));
    await host.join(ownSide);
    assert.equal(host.role, "host");
    const carol = await chat.join("carol", "10.0.0.3:1");
    const bob = await chat.join("bob", "10.0.0.2:1");
    host.order({ action: "op", name: "carol" });
    await carol.events.waitFor((e) => e.type === "moderated");
    for (const action of ["kick", "ban", "mute"] as const) {
      carol.client.order({ action, name: "host" });
    }
    await carol.sync();
    assert.deepEqual(errors(carol), [
      "host is the host.",
      "host is the host.",
      "host is the host.",
    ]);
    host.order({ action: "kick", name: "carol", reason: "demo" });
    await carol.client.ended();
    assert.equal(carol.client.kicked, "You were kicked by the host (demo).");
    await bob.events.waitFor((e) => e.type === "moderated" && e.action === "kicked");
    await host.quit();
    await admitted;
  } finally {
    await chat.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("Room: the topic reaches everyone now and each newcomer in the welcome; a bad one is refused", async () => {
  const { chat } = hub();
  try {
    const alice = await chat.join("alice", "10.0.0.1:1");
    assert.equal(chat.room.moderate({ action: "topic", text: "Friday: release 🚀" }), undefined);
    await alice.events.waitFor((e) => e.type === "topic");
    assert.deepEqual(printed(alice.seen("topic")), [
      "[System] The host set the topic: Friday: release 🚀",
    ]);
    const bob = await chat.join("bob", "10.0.0.2:1");
    assert.equal(bob.seen("welcome")[0].topic, "Friday: release 🚀");
    assert.equal(bob.client.topic, "Friday: release 🚀");
    assert.ok(printed(bob.seen("welcome")).includes("[System] Topic: Friday: release 🚀"));
    assert.equal(
      chat.room.moderate({ action: "topic", text: "x".repeat(301) }),
      "The topic is too long (301 characters; the limit is 300).",
    );
    assert.equal(
      chat.room.moderate({ action: "topic", text: "fake\u202e" }),
      "The topic may not hold control or bidi characters such as \\u202e.",
    );
    assert.equal(
      chat.room.moderate({ action: "kick", name: "bob", reason: "a\x1b[2J" }),
      "The reason may not hold control or bidi characters such as \\x1b.",
    );
    assert.equal(chat.room.topic?.text, "Friday: release 🚀");
    assert.equal(chat.room.moderate({ action: "topic", text: "" }), undefined);
    await bob.events.waitFor((e) => e.type === "topic");
    assert.equal(bob.client.topic, undefined);
    assert.deepEqual(printed(bob.seen("topic")), ["[System] The host cleared the topic."]);
  } finally {
    await chat.close();
  }
});

Deno.test("Room: an away member is marked in /who, and a private line to it gets the away message back", async () => {
  const { chat } = hub();
  try {
    const alice = await chat.join("alice", "10.0.0.1:1");
    const bob = await chat.join("bob", "10.0.0.2:1");
    bob.client.away("at lunch");
    await bob.sync();
    assert.deepEqual(bob.seen("notice").map((n) => n.text), [
      "You are marked as away (at lunch); /back when you return.",
    ]);
    const who = await (async () => {
      alice.client.who();
      return await alice.events.waitFor((e) => e.type === "members");
    })();
    assert.deepEqual(printed([who]), ["[System] Connected: alice, bob (away) (2)"]);
    alice.client.whisper("bob", "coffee?");
    const answer = await alice.events.waitFor((e) => e.type === "away");
    assert.deepEqual(answer, { type: "away", name: "bob", text: "at lunch" });
    assert.deepEqual(printed([answer]), ["[System] bob is away: at lunch"]);
    const delivered = await bob.events.waitFor((e) => e.type === "private");
    assert.equal(delivered.type === "private" && delivered.text, "coffee?", "delivered anyway");

    // Still away after a reconnect: the client tells the hub again.
    await bob.client.disconnect();
    await bob.client.join(chat.connect("10.0.0.2:2"));
    await bob.sync();
    alice.client.whisper("bob", "still?");
    await alice.events.waitFor((e) => e.type === "away" && e !== answer);

    bob.client.back();
    bob.client.back();
    bob.client.away("x".repeat(161));
    await bob.sync();
    assert.deepEqual(errors(bob), [
      "You were not marked as away.",
      "The away message is too long (161 characters; the limit is 160).",
    ]);
    const from = alice.events.items.length;
    alice.client.whisper("bob", "back?");
    await alice.sync();
    assert.deepEqual(seenAfter(alice, "away", from), []);
  } finally {
    await chat.close();
  }
});

Deno.test("Room: an ignored member's lines and private lines are not shown, through renames; a mention is marked", async () => {
  const { chat } = hub();
  try {
    const alice = await chat.join("alice", "10.0.0.1:1");
    const mallory = await chat.join("mallory", "10.0.0.66:1");
    const carol = await chat.join("carol", "10.0.0.3:1");
    assert.equal(alice.client.ignore("mallory"), undefined);
    assert.equal(alice.client.ignore("Alice"), "You cannot ignore yourself.");
    mallory.client.say("spam 1");
    mallory.client.whisper("alice", "psst");
    mallory.client.nick("m4llory");
    await mallory.sync();
    mallory.client.say("spam 2, alice!");
    mallory.client.away("gone");
    await mallory.sync();
    alice.client.whisper("m4llory", "hm");
    carol.client.say("hi Alice, see @alice's notes");
    carol.client.say("alicex is not you");
    await alice.events.waitFor((e) => e.type === "message" && e.text === "alicex is not you");
    await alice.sync();
    assert.deepEqual(
      alice.seen("message").map((m) => [m.from, m.text, m.mention ?? false]),
      [["carol", "hi Alice, see @alice's notes", true], ["carol", "alicex is not you", false]],
    );
    assert.deepEqual(alice.seen("private"), []);
    assert.deepEqual(alice.seen("away"), [], "not even its away message");
    assert.deepEqual(alice.client.ignored, ["m4llory"], "the ignore followed the rename");
    await carol.events.waitFor((e) => e.type === "message" && e.text === "spam 2, alice!");
    assert.equal(carol.seen("message").length, 2, "carol ignores no one");

    assert.equal(alice.client.unignore("M4LLORY"), true);
    mallory.client.say("let me back");
    await alice.events.waitFor((e) => e.type === "message" && e.text === "let me back");
  } finally {
    await chat.close();
  }
});

Deno.test("Room: no member may be called host or System, nor anything like them: its lines would pass for the hub's own", async () => {
  const chat = new InMemoryRoom({ kind: "hub", capacity: 10, history: new MemoryHistory(10) });
  try {
    for (const name of ["host", "H0ST", "System", "5ystem"]) {
      assert.equal(
        await refusal(chat.join(name, "10.0.0.9:1")),
        `The name ${name} is reserved: it could be taken for the hub's own; choose another with --name.`,
      );
    }
    const alice = await chat.join("alice", "10.0.0.1:1");
    alice.client.nick("system");
    await alice.sync();
    assert.deepEqual(
      alice.seen("notice").filter((n) => n.error).map((n) => n.text),
      ["The name system is reserved: it could be taken for the hub's own."],
    );
    assert.deepEqual(alice.seen("renamed"), []);
  } finally {
    await chat.close();
  }
});

Deno.test("Room: orders find a member by its exact name (ignoring case), not by a look-alike", async () => {
  const { chat } = hub();
  try {
    await chat.join("alice", "10.0.0.1:1");
    assert.equal(
      chat.room.moderate({ action: "kick", name: "aIice" }),
      "No one called aIice is here.",
    );
    assert.equal(chat.room.moderate({ action: "mute", name: "ALICE" }), undefined);
  } finally {
    await chat.close();
  }
});

Deno.test("Room: orders count against the rate limit like lines; a flood of refused ones is not a flood of the log", async () => {
  const { chat } = hub({ rate: { perSecond: 1, burst: 3 } });
  try {
    const eve = await chat.join("eve", "10.0.0.5:1");
    await chat.join("bob", "10.0.0.2:1");
    for (let i = 0; i < 20; i++) eve.client.order({ action: "kick", name: "bob" });
    eve.client.away();
    await eve.sync();
    const shown = errors(eve);
    assert.equal(shown.filter((text) => text.startsWith("Only operators")).length, 3);
    assert.equal(
      shown.filter((text) => text === "Message rejected: Rate limiting is in effect.").length,
      18,
      "the away order too",
    );
    assert.equal(chat.roomEvents.items.filter((e) => e.type === "denied").length, 3);
  } finally {
    await chat.close();
  }
});

Deno.test("Room (direct): there is no one to moderate", async () => {
  const chat = new InMemoryRoom({ kind: "direct", capacity: 2, history: new MemoryHistory(1) });
  try {
    await chat.join("alice", "this computer");
    await chat.join("bob", "10.0.0.2:1");
    assert.equal(
      chat.room.moderate({ action: "kick", name: "bob" }),
      "This is a direct chat: there is no one to moderate.",
    );
  } finally {
    await chat.close();
  }
});

/** The allowed character of a short text (reason, topic, away) that JSON makes the longest. */
function worstShortCharacter(): string {
  const bytes = (text: string) => new TextEncoder().encode(text).length;
  const cost = (ch: string) => bytes(JSON.stringify(ch)) - 2;
  let worst = "x";
  for (let code = 0; code <= 0xffff; code++) {
    const ch = String.fromCharCode(code);
    if (shortTextProblem(`x${ch}`, "reason", MAX_REASON_CHARS) === undefined) {
      if (cost(ch) > cost(worst)) worst = ch;
    }
  }
  return worst;
}

Deno.test("Room: every message about moderation, topics and away marks fits the header limit and the receiver's checks, at its worst", async () => {
  const ch = worstShortCharacter();
  assert.equal(new TextEncoder().encode(JSON.stringify(ch)).length - 2, 3, "3 bytes per unit");
  const reason = `x${ch.repeat(MAX_REASON_CHARS - 1)}`;
  const topic = `x${ch.repeat(MAX_TOPIC_CHARS - 1)}`;
  const away = `x${ch.repeat(MAX_AWAY_CHARS - 1)}`;
  const name = (i: number) => `m${String(i).padStart(3, "0")}`.padEnd(MAX_NAME_LENGTH, "x");
  const { chat } = hub();
  const heard: Message[] = [];
  try {
    const members: RawMember[] = [];
    for (let i = 0; i < WHO_PAGE_NAMES; i++) {
      const member = chat.raw(
        { t: "hello", v: PROTOCOL_VERSION, name: name(i), client: `c${i}` },
        `10.0.${i}.1:1`,
      );
      await member.received.waitFor((e) => e.message.t === "welcome");
      member.post({ t: "away", text: away });
      members.push(member);
    }
    for (let i = 1; i < WHO_PAGE_NAMES; i++) {
      assert.equal(chat.room.moderate({ action: "op", name: name(i) }), undefined);
      assert.equal(
        chat.room.moderate({ action: "mute", name: name(i), seconds: 31_536_000, reason }),
        undefined,
      );
    }
    assert.equal(chat.room.moderate({ action: "topic", text: topic }), undefined);
    const asker = members[0];
    const sync = async () => {
      const from = asker.received.items.length;
      asker.post({ t: "who" });
      await asker.received.waitFor((e) => e.message.t === "members", from);
    };
    await sync();
    const page = asker.received.items.map((e) => e.message).findLast((m) => m.t === "members");
    assert.ok(page?.t === "members");
    assert.deepEqual(
      [page.names.length, page.away?.length, page.ops?.length, page.muted?.length],
      [100, 100, 99, 99],
    );
    // Private lines to an away member, banned names, kicks, bans of someone present.
    asker.post({ t: "private", id: "p", to: name(5), text: "hi" });
    assert.equal(
      chat.room.moderate({ action: "ban", name: "absentname123456", reason, seconds: 31_536_000 }),
      undefined,
    );
    assert.equal(chat.room.moderate({ action: "kick", name: name(98), reason }), undefined);
    assert.equal(
      chat.room.moderate({ action: "ban", name: name(99), seconds: 31_536_000, reason }),
      undefined,
    );
    await sync();
    // The newcomer's welcome with the topic, and a refused rejoin's notice and goodbye.
    const newcomer = chat.raw({ t: "hello", v: PROTOCOL_VERSION, name: "newcomerxxxxxxxx" });
    const { message: welcome } = await newcomer.received.waitFor((e) => e.message.t === "welcome");
    // Its first 49 names and its own, marked: all away but itself; operators and muted but m000.
    assert.ok(welcome.t === "welcome");
    assert.deepEqual(
      [welcome.members.length, welcome.away?.length, welcome.ops?.length, welcome.muted?.length],
      [50, 49, 48, 48],
    );
    const refused = chat.raw({ t: "hello", v: PROTOCOL_VERSION, name: name(99), client: "new" });
    await refused.received.waitFor((e) => e.message.t === "bye");
    const bye = members[99].received.items.find((e) => e.message.t === "bye");
    assert.ok(bye, "the banned member was told");
    heard.push(
      ...asker.received.items.map((e) => e.message),
      ...newcomer.received.items.map((e) => e.message),
      ...refused.received.items.map((e) => e.message),
      ...members[98].received.items.map((e) => e.message),
      bye.message,
    );
    const types = new Set(heard.map((m) => m.t));
    for (const type of ["members", "away", "moderated", "topic", "welcome", "notice", "bye"]) {
      assert.ok(types.has(type as Message["t"]), type);
    }
    for (const message of heard) {
      const worst = message.t === "moderated" && message.until
        ? { ...message, until: new Date(8.64e15).toISOString() }
        : message;
      const record = encodeRecord(worst);
      const header = new DataView(record.buffer).getUint32(0);
      assert.ok(header <= MAX_HEADER_BYTES, `${message.t}: ${header} bytes of header`);
      assert.deepEqual(parseMessage(decodeRecord(record).header), worst, message.t);
    }
    const largest = Math.max(...heard.map((m) => encodeRecord(m).length));
    assert.ok(largest < MAX_HEADER_BYTES / 2, `the largest is ${largest} bytes`);
  } finally {
    await chat.close();
  }
});

Deno.test("Room: a ban on one IPv6 member does not shut out the rest of its LAN, which shares its /64", async () => {
  const { chat } = hub();
  try {
    await chat.join("bob", "[2001:db8:1:2::b0b]:1");
    chat.room.moderate({ action: "ban", name: "bob" });
    assert.match(await refusal(chat.join("robert", "[2001:db8:1:2::b0b]:2")), /^You are banned/);
    const neighbour = await chat.join("carol", "[2001:db8:1:2::ca1]:1");
    assert.equal(neighbour.seen("welcome")[0].you, "carol");
  } finally {
    await chat.close();
  }
});

Deno.test("Room: an operator who renamed and left is unmade by its new name", async () => {
  const { chat } = hub();
  try {
    const carol = await chat.join("carol", "10.0.0.3:1");
    chat.room.moderate({ action: "op", name: "carol" });
    carol.client.nick("caroline");
    await carol.sync();
    await carol.client.quit();
    assert.equal(
      chat.room.moderate({ action: "deop", name: "carol" }),
      "carol is not an operator.",
    );
    assert.equal(chat.room.moderate({ action: "deop", name: "caroline" }), undefined);
  } finally {
    await chat.close();
  }
});

Deno.test("Room (direct): a direct chat has no powers: the listener's own client is told no role, and no one is marked", async () => {
  const chat = new InMemoryRoom({ kind: "direct", capacity: 2, history: new MemoryHistory(1) });
  const dir = await Deno.makeTempDir({ prefix: "p2pchat_host_" });
  try {
    const [hostSide, ownSide] = memorySessionPair("this computer");
    const admitted = chat.room.admit(hostSide, { host: true });
    const alice = new RoomClient({ name: "alice", files: new FileStore(dir) });
    const events: ClientEvent[] = [];
    alice.subscribe((event) => events.push(event));
    await alice.join(ownSide);
    assert.equal(events[0].type === "welcome" && events[0].role, undefined);
    assert.equal(alice.role, "member");
    // Not even the listener is marked, in a welcome or in /who.
    const bob = await chat.join("bob", "10.0.0.2:1");
    const welcome = bob.seen("welcome")[0];
    assert.deepEqual([welcome.ops, welcome.away, welcome.muted], [undefined, undefined, undefined]);
    bob.client.who();
    const who = await bob.events.waitFor((e) => e.type === "members");
    assert.deepEqual(printed([who]), ["[System] Connected: alice, bob (2)"]);
    await alice.quit();
    await admitted;
  } finally {
    await chat.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("Room: a welcome marks who of the names it lists is an operator, away or muted", async () => {
  const { chat } = hub();
  try {
    const alice = await chat.join("alice", "10.0.0.1:1");
    const bob = await chat.join("bob", "10.0.0.2:1");
    await chat.join("carol", "10.0.0.3:1");
    bob.client.away("at lunch");
    await bob.sync();
    assert.equal(chat.room.moderate({ action: "op", name: "alice" }), undefined);
    assert.equal(chat.room.moderate({ action: "mute", name: "bob" }), undefined);
    await bob.events.waitFor((e) => e.type === "moderated" && e.action === "muted");
    const dave = await chat.join("dave", "10.0.0.4:1");
    const [welcome] = dave.seen("welcome");
    assert.deepEqual(
      [welcome.members, welcome.ops, welcome.away, welcome.muted],
      [["alice", "bob", "carol", "dave"], ["alice"], ["bob"], ["bob"]],
    );
    assert.ok(
      printed([welcome]).includes(
        "[System] Connected: alice (op), bob (away, muted), carol, dave (4)",
      ),
      printed([welcome]).join("\n"),
    );
    await alice.sync();
  } finally {
    await chat.close();
  }
});
