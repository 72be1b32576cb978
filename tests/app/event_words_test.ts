import assert from "node:assert/strict";
import type { ChatEvent } from "../../lib/app/chat_event.ts";
import { EventWords, plainText, sizesOf, WORDS } from "../../lib/app/event_words.ts";
import { JsonView } from "../../lib/cli/json_view.ts";
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
    // Progress is the status line's; a line the room took or refused is shown by what was
    // typed and by the refusal's notice; a hub's lost connection by the reconnect notice.
    if (!["progress", "sent", "not-sent", "closed"].includes(event.type)) {
      assert.ok(lines.length > 0, event.type);
    }
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
