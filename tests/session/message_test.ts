import assert from "node:assert/strict";
import {
  type Message,
  type MessageType,
  parseMessage,
  PROTOCOL_VERSION,
  ProtocolError,
} from "../../lib/session/message.ts";
import { MAX_TEXT_BYTES } from "../../lib/wire/limits.ts";

const HASH = "ab".repeat(32);

/** Every message type; the compiler fails this when a type is added to the protocol. */
const ALL_TYPES: { [T in MessageType]: true } = {
  hello: true,
  welcome: true,
  chat: true,
  private: true,
  ack: true,
  presence: true,
  nick: true,
  renamed: true,
  who: true,
  members: true,
  notice: true,
  offer: true,
  ready: true,
  asking: true,
  check: true,
  start: true,
  chunk: true,
  end: true,
  cancel: true,
  received: true,
  shared: true,
  files: true,
  "file-list": true,
  get: true,
  ping: true,
  pong: true,
  bye: true,
  kick: true,
  ban: true,
  unban: true,
  mute: true,
  unmute: true,
  op: true,
  deop: true,
  topic: true,
  away: true,
  back: true,
  moderated: true,
  removed: true,
};

/** One valid example of every message type, with all optional fields used somewhere. */
const VALID: Message[] = [
  { t: "hello", v: PROTOCOL_VERSION, name: "alice", client: "c-1", lastSeq: 4 },
  { t: "hello", v: 1, name: "bob" },
  { t: "welcome", you: "alice", kind: "direct", members: ["alice", "bob"], history: 0 },
  { t: "welcome", you: "alice", kind: "hub", members: [], history: 3, resumed: true },
  {
    t: "chat",
    id: "c-1:1",
    seq: 1,
    from: "bob",
    text: "hi",
    time: "2026-01-01T00:00:00.000Z",
    me: true,
    history: true,
  },
  { t: "chat", id: "1", text: "" },
  { t: "private", id: "2", to: "bob", from: "alice", text: "psst", time: "t" },
  { t: "ack", id: "1", seq: 7, rejected: false },
  {
    t: "presence",
    joined: [{ name: "bob", remote: "127.0.0.1:5050" }, { name: "carol" }],
    left: [{ name: "dave", reason: "quit" }],
    count: 2,
  },
  { t: "nick", name: "alicia" },
  { t: "renamed", from: "alice", to: "alicia" },
  { t: "who" },
  { t: "who", page: 2 },
  { t: "members", names: ["alice", "bob"] },
  { t: "members", names: ["alice", "bob"], page: 2, pages: 101, total: 10_001 },
  { t: "notice", text: "hello", error: true },
  { t: "offer", fid: 1, name: "report.pdf", size: 0, from: "alice" },
  { t: "offer", fid: 2, name: "pics", size: 90, folder: { files: 2, bytes: 9 }, key: "k" },
  { t: "offer", fid: 1, name: "report.pdf", size: 9, key: "k".repeat(32), file: 4 },
  { t: "ready", fid: 1, offset: 0 },
  { t: "asking", fid: 1 },
  { t: "ready", fid: 1, offset: 5, nonce: HASH, proof: HASH, same: true },
  { t: "check", fid: 1, sha256: HASH },
  { t: "start", fid: 1, offset: 5 },
  { t: "chunk", fid: 1 },
  { t: "end", fid: 1, sha256: HASH },
  { t: "cancel", fid: 1, reason: "stopped" },
  { t: "cancel", fid: 1, reason: "bob left", keep: true },
  { t: "received", fid: 1, ok: true, sha256: HASH, reason: "fine", by: "bob" },
  { t: "received", fid: 2, ok: false, reason: "declined", declined: true },
  { t: "received", fid: 1, ok: true, sha256: HASH, resumedFrom: 5, skipped: true },
  { t: "shared", file: 2, from: "alice", name: "a.txt", size: 10, sha256: HASH },
  { t: "files" },
  { t: "files", page: 3 },
  {
    t: "file-list",
    files: [{ file: 1, from: "alice", name: "a.txt", size: 3, sha256: HASH, time: "t" }],
  },
  { t: "file-list", files: [], page: 1, pages: 1, total: 0 },
  { t: "get", file: 1 },
  { t: "ping" },
  { t: "pong" },
  { t: "bye" },
  { t: "bye", reason: "The room is closing" },
  { t: "bye", reason: "You were kicked by the host.", kicked: true },
  {
    t: "welcome",
    you: "alice",
    kind: "hub",
    members: ["alice"],
    history: 0,
    topic: "planning",
    role: "op",
    away: ["alice"],
    ops: ["alice"],
    muted: [],
  },
  {
    t: "members",
    names: ["alice", "bob", "carol"],
    away: ["bob"],
    ops: ["alice"],
    muted: ["carol"],
  },
  { t: "kick", name: "bob" },
  { t: "kick", name: "bob", reason: "flooding" },
  { t: "ban", name: "bob", seconds: 600, reason: "flooding" },
  { t: "ban", name: "bob" },
  { t: "unban", name: "bob" },
  { t: "mute", name: "bob", seconds: 365 * 86_400 },
  { t: "unmute", name: "bob" },
  { t: "op", name: "carol" },
  { t: "deop", name: "carol" },
  { t: "topic", text: "" },
  { t: "topic", text: "Friday's plan", by: "host" },
  { t: "away", text: "lunch" },
  { t: "away", name: "bob", text: "lunch" },
  { t: "away" },
  { t: "back" },
  {
    t: "moderated",
    action: "banned",
    name: "bob",
    by: "host",
    host: true,
    reason: "flooding",
    until: "2026-12-05T14:03:20.000Z",
  },
  { t: "moderated", action: "op", name: "carol", by: "alice" },
  { t: "removed", file: 3, name: "report.pdf", by: "host" },
];

function problem(header: unknown): string {
  try {
    parseMessage(header);
  } catch (error) {
    assert.ok(error instanceof ProtocolError, String(error));
    return error.message;
  }
  assert.fail(`parseMessage accepted ${JSON.stringify(header)}`);
}

Deno.test("parseMessage() accepts a valid message of every type", () => {
  const types = new Set<string>();
  for (const message of VALID) {
    // What arrives is JSON: parse a JSON copy, as the session does.
    const header = JSON.parse(JSON.stringify(message));
    assert.deepEqual(parseMessage(header), message);
    types.add(message.t);
  }
  assert.deepEqual([...types].sort(), Object.keys(ALL_TYPES).sort(), "every type is covered");
});

Deno.test("parseMessage() refuses what is not an object", () => {
  for (const header of [null, 1, "chat", [], [{ t: "ping" }], true]) {
    assert.equal(problem(header), "message is not an object");
  }
});

Deno.test("parseMessage() refuses an unknown or missing type", () => {
  assert.equal(problem({ t: "hack" }), 'unknown message type "hack"');
  assert.equal(problem({}), 'unknown message type "undefined"');
  assert.equal(problem({ t: 5 }), 'unknown message type "5"');
  // Inherited names are not message types.
  assert.equal(problem({ t: "constructor" }), 'unknown message type "constructor"');
  assert.equal(problem({ t: "__proto__" }), 'unknown message type "__proto__"');
  // A long type is cut in the message, which is shown to people.
  assert.equal(problem({ t: "x".repeat(1000) }), `unknown message type "${"x".repeat(32)}"`);
});

Deno.test("parseMessage() refuses a message without a required field", () => {
  assert.equal(problem({ t: "chat", text: "hi" }), "chat message lacks id");
  assert.equal(problem({ t: "chat", id: "1" }), "chat message lacks text");
  assert.equal(problem({ t: "hello", name: "alice" }), "hello message lacks v");
  assert.equal(problem({ t: "end", fid: 1 }), "end message lacks sha256");
  assert.equal(problem({ t: "received", fid: 1 }), "received message lacks ok");
  assert.equal(problem({ t: "file-list" }), "file-list message lacks files");
});

Deno.test("parseMessage() refuses fields of the wrong kind", () => {
  assert.equal(problem({ t: "chat", id: 1, text: "hi" }), "chat message has an invalid id");
  assert.equal(
    problem({ t: "chat", id: "1", text: "hi", me: "yes" }),
    "chat message has an invalid me",
  );
  assert.equal(
    problem({ t: "chat", id: "1", text: "hi", seq: -1 }),
    "chat message has an invalid seq",
  );
  assert.equal(
    problem({ t: "chat", id: "1", text: "hi", seq: 1.5 }),
    "chat message has an invalid seq",
  );
  assert.equal(
    problem({ t: "chat", id: "1", text: "hi", seq: null }),
    "chat message has an invalid seq",
  );
  assert.equal(problem({ t: "hello", v: "1", name: "a" }), "hello message has an invalid v");
  assert.equal(
    problem({ t: "welcome", you: "a", kind: "group", members: [], history: 0 }),
    "welcome message has an invalid kind",
  );
  assert.equal(
    problem({ t: "welcome", you: "a", kind: "hub", members: [1], history: 0 }),
    "welcome message has an invalid members",
  );
  assert.equal(
    problem({ t: "end", fid: 1, sha256: "AB".repeat(32) }),
    "end message has an invalid sha256",
  );
  assert.equal(problem({ t: "end", fid: 1, sha256: "ab" }), "end message has an invalid sha256");
  assert.equal(
    problem({ t: "offer", fid: 1, name: "a", size: 2 ** 53 }),
    "offer message has an invalid size",
  );
  assert.equal(
    problem({ t: "offer", fid: 1, name: "a", size: 1, folder: { files: -1, bytes: 1 } }),
    "offer message has an invalid folder",
  );
  assert.equal(
    problem({
      t: "file-list",
      files: [{ file: 1, from: "a", name: "b", size: 1, sha256: "x", time: "t" }],
    }),
    "file-list message has an invalid files",
  );
  assert.equal(
    problem({ t: "file-list", files: [null] }),
    "file-list message has an invalid files",
  );
});

Deno.test("parseMessage() refuses oversized fields", () => {
  assert.equal(
    problem({ t: "hello", v: 1, name: "n".repeat(65) }),
    "hello message has an invalid name",
  );
  assert.equal(
    problem({ t: "chat", id: "i".repeat(65), text: "hi" }),
    "chat message has an invalid id",
  );
  assert.equal(
    problem({ t: "chat", id: "1", text: "x".repeat(4 * MAX_TEXT_BYTES + 1) }),
    "chat message has an invalid text",
  );
  assert.equal(
    problem({ t: "notice", text: "x".repeat(1025) }),
    "notice message has an invalid text",
  );
  assert.equal(
    problem({ t: "offer", fid: 1, name: "n".repeat(1025), size: 1 }),
    "offer message has an invalid name",
  );
  assert.equal(problem({ t: "bye", reason: "r".repeat(257) }), "bye message has an invalid reason");
  assert.equal(
    problem({ t: "members", names: ["ok", "n".repeat(65)] }),
    "members message has an invalid names",
  );
});

Deno.test("parseMessage() refuses moderation orders and notices out of bounds", () => {
  // A ban or mute lasts 1 s to 365 days, in whole seconds.
  for (const seconds of [0, -1, 1.5, 365 * 86_400 + 1, "600", null]) {
    assert.equal(problem({ t: "ban", name: "bob", seconds }), "ban message has an invalid seconds");
    assert.equal(
      problem({ t: "mute", name: "bob", seconds }),
      "mute message has an invalid seconds",
    );
  }
  assert.equal(problem({ t: "kick" }), "kick message lacks name");
  assert.equal(problem({ t: "kick", name: "n".repeat(65) }), "kick message has an invalid name");
  assert.equal(
    problem({ t: "kick", name: "bob", reason: "r".repeat(1025) }),
    "kick message has an invalid reason",
  );
  assert.equal(problem({ t: "topic", text: 5 }), "topic message has an invalid text");
  assert.equal(problem({ t: "away", text: "x".repeat(1025) }), "away message has an invalid text");
  assert.equal(
    problem({ t: "moderated", action: "shot", name: "bob", by: "host" }),
    "moderated message has an invalid action",
  );
  assert.equal(
    problem({ t: "moderated", action: "constructor", name: "bob", by: "host" }),
    "moderated message has an invalid action",
  );
  assert.equal(
    problem({ t: "moderated", action: "op", name: "bob" }),
    "moderated message lacks by",
  );
  assert.equal(
    problem({ t: "welcome", you: "a", kind: "hub", members: [], history: 0, role: "admin" }),
    "welcome message has an invalid role",
  );
  assert.equal(
    problem({ t: "members", names: [], away: [1] }),
    "members message has an invalid away",
  );
  assert.equal(
    problem({ t: "welcome", you: "a", kind: "hub", members: [], history: 0, ops: [1] }),
    "welcome message has an invalid ops",
  );
  assert.equal(problem({ t: "bye", kicked: "yes" }), "bye message has an invalid kicked");
});

Deno.test("parseMessage() leaves overlong chat lines below the hard cap to the room", () => {
  // The room answers these with "Input too long"; the protocol must not cut the peer off.
  const text = "x".repeat(MAX_TEXT_BYTES + 1);
  assert.equal((parseMessage({ t: "chat", id: "1", text }) as { text: string }).text, text);
});

Deno.test("parseMessage() tolerates unknown extra fields (newer peers)", () => {
  const message = parseMessage({ t: "ping", extra: 1 });
  assert.equal(message.t, "ping");
});

Deno.test("parseMessage() refuses a page that is not a whole number", () => {
  assert.equal(problem({ t: "who", page: -1 }), "who message has an invalid page");
  assert.equal(problem({ t: "files", page: "2" }), "files message has an invalid page");
  assert.equal(
    problem({ t: "members", names: [], page: 1, pages: 1.5, total: 0 }),
    "members message has an invalid pages",
  );
  assert.equal(
    problem({ t: "file-list", files: [], total: null }),
    "file-list message has an invalid total",
  );
});
