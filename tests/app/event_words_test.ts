import assert from "node:assert/strict";
import type { ChatEvent } from "../../lib/app/chat_event.ts";
import { EventWords, plainText, sizesOf, WORDS } from "../../lib/app/event_words.ts";
import type { ConsoleEvent } from "../../lib/app/host_console.ts";
import { JsonView } from "../../lib/cli/json_view.ts";
import { terminalLine } from "../../lib/cli/text_view.ts";
import type { HostRoomEvent } from "../../lib/room/room_host.ts";
import { EVENT_TYPES, sampleEvents } from "./sample_events.ts";

Deno.test("event words: the table has words for exactly the events the faces show", () => {
  assert.deepEqual(Object.keys(WORDS).sort(), [...EVENT_TYPES].sort());
});

Deno.test("event words: every sample is worded, and programs get every one it has JSON for", () => {
  const words = new EventWords();
  const json: string[] = [];
  const view = new JsonView((line) => json.push(line));
  for (const event of sampleEvents()) {
    const lines = words.lines(event);
    // Unsaid: progress (the status line's), a line the room took or refused (shown by what
    // was typed and by the refusal's notice), a hub's lost connection (the reconnect notice),
    // and an offer nobody is asked about (what was decided follows).
    const silent = ["progress", "sent", "not-sent", "closed"].includes(event.type) ||
      (event.type === "file-offer" && !event.ask);
    if (!silent) assert.ok(lines.length > 0, event.type);
    for (const line of lines) assert.ok(plainText(line.text).length > 0, event.type);
    view.show(event);
  }
  for (const line of json) assert.equal(typeof JSON.parse(line).type, "string");
});

/** Fields of events that peers (or members, or the host) choose. */
const PEER_FIELDS = new Set([
  "from",
  "to",
  "name",
  "text",
  "reason",
  "peer",
  "remote",
  "names",
  "members",
  "path",
  "message",
  "by",
  "until",
  "away",
  "ops",
  "muted",
  "address",
  "topic",
]);

/** `event` with every string a peer chose marked with a right-to-left override. */
function marked<T>(value: T, key = ""): T {
  if (typeof value === "string") return (PEER_FIELDS.has(key) ? `\u202e${value}` : value) as T;
  if (Array.isArray(value)) {
    return value.map((item) => marked(item, PEER_FIELDS.has(key) ? key : "")) as T;
  }
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(
      Object.entries(value).map(([field, item]) => [field, marked(item, field)]),
    ) as T;
  }
  return value;
}

Deno.test("event words: what a peer chose is always a segment of its own (escaped, isolated)", () => {
  const words = new EventWords();
  for (const sample of sampleEvents()) {
    // Our own notices and errors are ours, whatever their fields are called.
    const event: ChatEvent = sample.type === "system" || sample.type === "error"
      ? sample
      : marked(sample);
    for (const line of words.lines(event)) {
      for (const part of [...line.text, ...(line.from ?? []), line.label ?? ""]) {
        if (typeof part === "string") {
          assert.ok(!part.includes("\u202e"), `${event.type}: ${JSON.stringify(part)}`);
        }
      }
    }
  }
});

Deno.test("event words: a direct chat and a hub word departures and endings their own way", () => {
  const [direct, hub] = (["direct", "hub"] as const).map((kind) => {
    const words = new EventWords();
    const you = "alice";
    words.lines({
      type: "welcome",
      you,
      kind,
      members: [you],
      count: 1,
      history: 0,
      resumed: false,
    });
    return words;
  });
  const say = (words: EventWords, event: ChatEvent) =>
    words.lines(event).map((line) => plainText(line.text));
  const left: ChatEvent = { type: "left", name: "bob", count: 1, reason: "timed out" };
  const closed: ChatEvent = { type: "closed", reason: "alice ended the chat." };
  assert.deepEqual(say(direct, left), ["bob has left the chat. (timed out)"]);
  assert.deepEqual(say(hub, left), ["bob left (timed out). (Connected: 1)"]);
  // The browser used to drop a direct chat's reason: one wording now.
  assert.deepEqual(say(direct, closed), ["Peer disconnected: alice ended the chat."]);
  // A hub member reconnects: the reconnect notice says why, once.
  assert.deepEqual(say(hub, closed), []);
  // Both reconnect, and may meet a host restarted with a new passkey.
  const changed: ChatEvent = { type: "passkey-changed", queued: 1, asking: false };
  assert.deepEqual(say(direct, changed), [
    "The host's passkey changed (it was restarted with a new one): 1 line not delivered.",
  ]);
  assert.deepEqual(say(hub, changed), [
    "The hub's passkey changed (it was restarted with a new one): 1 line not delivered.",
  ]);
});

Deno.test("event words: a wrong passkey says how many tries are left", () => {
  const words = new EventWords();
  const retry = (triesLeft: number) =>
    plainText(
      words.lines({ type: "retry", ask: "passkey", reason: "Wrong passkey", triesLeft })[0].text,
    );
  assert.equal(retry(2), "Wrong passkey, try again (2 tries left)");
  assert.equal(retry(1), "Wrong passkey, try again (1 try left)");
});

Deno.test("sizesOf: the sizes an event carries, worded once for the page", () => {
  assert.deepEqual(sizesOf({ type: "file-incoming", from: "a", name: "x", bytes: 1234 }), [
    "1.2 kB",
  ]);
  assert.deepEqual(
    sizesOf({
      type: "progress",
      transfer: "t",
      direction: "send",
      name: "x",
      done: 1,
      total: 50_000_000,
    }),
    ["50.0 MB"],
  );
  assert.deepEqual(sizesOf({ type: "reconnected" }), []);
});

const START = Date.UTC(2026, 11, 5, 12, 0, 0);

/** A hub log's line for a room event, as a terminal prints it (after `[System] `). */
function roomEventText(event: HostRoomEvent): string {
  const [line] = new EventWords({ now: () => START }).lines({ type: "room", event });
  return terminalLine(line).replace(/^\[System\] /, "");
}

/** The host's console's lines for an answer, as a terminal prints them. */
function consoleEventText(event: ConsoleEvent): string[] {
  return new EventWords({ now: () => START }).lines({ type: "console", event })
    .map((line) => terminalLine(line).replace(/^\[System\] /, ""));
}

Deno.test("event words: what the host and its operators did, as the hub's log shows it", () => {
  assert.equal(
    roomEventText({ type: "kicked", name: "bob", by: "host", reason: "spam" }),
    "bob was kicked by the host (spam).",
  );
  assert.equal(
    roomEventText({
      type: "banned",
      name: "bob",
      by: "carol",
      client: true,
      address: "10.0.0.7",
    }),
    "bob was banned by carol until unbanned. The ban holds the name, the client and the " +
      "address 10.0.0.7.",
  );
  assert.equal(
    roomEventText({ type: "banned", name: "zed", by: "host", client: false, kept: false }),
    "zed was banned by the host until unbanned. The ban holds the name; the disk refused it: " +
      "it holds until the hub stops.",
  );
  assert.equal(
    roomEventText({ type: "banned", name: "bob", by: "host", client: true, until: "x" }),
    "bob was banned by the host until x. The ban holds the name and the client.",
  );
  assert.equal(
    roomEventText({
      type: "muted",
      name: "bob",
      by: "alice",
      until: new Date(START + 2 * 3600_000).toISOString(),
    }),
    "bob was muted by alice until 2026-12-05 14:00:00 UTC (another 2h 00m).",
  );
  assert.equal(
    roomEventText({ type: "op", name: "carol", by: "host" }),
    "carol is now an operator (made by the host).",
  );
  assert.equal(
    roomEventText({ type: "denied", name: "eve", order: "kick", reason: "Only operators..." }),
    "Refused /kick from eve: Only operators...",
  );
  assert.equal(roomEventText({ type: "said", text: "hi\x1b[2J" }), "[host] hi\\x1b[2J");
  assert.equal(
    roomEventText({ type: "topic", text: "plans\u202e", by: "carol" }),
    "carol set the topic: plans\\u202e",
  );
  assert.equal(
    roomEventText({ type: "removed", file: 2, name: "a.txt", by: "host" }),
    "The host removed shared file 2 (a.txt).",
  );
});

Deno.test("event words: the host console's answers, members' words escaped", () => {
  assert.deepEqual(
    consoleEventText({
      type: "who",
      members: [{ name: "bob", remote: "10.0.0.7:1", role: "op", away: "a\x1bb" }],
      page: 1,
      pages: 3,
      total: 201,
    }),
    ["Members (201; page 1 of 3):", "  bob from 10.0.0.7:1 (operator) (away: a\\x1bb)"],
  );
  assert.deepEqual(
    consoleEventText({
      type: "files",
      files: [{
        file: 3,
        from: "bob",
        name: "a\x1bb.txt",
        size: 1,
        sha256: "0".repeat(64),
        time: "t",
      }],
      page: 1,
      pages: 1,
      total: 1,
    }),
    ["Shared files (1):", "  3  a\\x1bb.txt (1 B) from bob"],
  );
  assert.deepEqual(consoleEventText({ type: "bans", bans: [], page: 1, pages: 1, total: 0 }), [
    "No bans.",
  ]);
  assert.deepEqual(consoleEventText({ type: "error", message: "x\x07" }), ["Error: x\\x07"]);
  assert.deepEqual(consoleEventText({ type: "topic", text: "t", by: "carol" }), [
    "Topic: t (set by carol)",
  ]);
  const help = consoleEventText({ type: "help", commands: [{ usage: "/kick NAME", help: "out" }] });
  assert.equal(help[1], `  ${"/kick NAME".padEnd(32)} out`);
});

Deno.test("event words: a line that mentions us is marked as such, for every face to show", () => {
  const words = new EventWords();
  const line = {
    type: "message",
    from: "carol",
    text: "hi bob",
    time: "2026-01-01T12:34:00.000Z",
    seq: 1,
    me: false,
    history: false,
  } as const;
  assert.equal(words.lines({ ...line, mention: true })[0].mention, true);
  assert.equal(words.lines(line)[0].mention, undefined);
});
