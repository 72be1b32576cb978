import assert from "node:assert/strict";
import { JsonView } from "../../lib/cli/json_view.ts";
import type { ChatEvent } from "../../lib/app/chat_event.ts";
import { sampleEvents } from "../app/sample_events.ts";

const TIME = "2026-01-01T12:00:00.000Z";

/** Shows `events` on a fresh view; returns the lines written, parsed. */
function render(...events: ChatEvent[]): unknown[] {
  const lines: string[] = [];
  const view = new JsonView((line) => lines.push(line));
  for (const event of events) view.show(event);
  for (const line of lines) assert.ok(!line.includes("\n"), "one object per line");
  return lines.map((line) => JSON.parse(line));
}

Deno.test("JsonView: the welcome of a direct chat says who we are connected to", () => {
  assert.deepEqual(
    render({
      type: "welcome",
      you: "bob",
      kind: "direct",
      members: ["alice", "bob"],
      count: 2,
      history: 0,
      resumed: false,
    }),
    [{ type: "connected", peer: "alice" }],
  );
  // Alone in a direct chat (the listener, before anyone came): nothing to say yet.
  assert.deepEqual(
    render({
      type: "welcome",
      you: "alice",
      kind: "direct",
      members: ["alice"],
      count: 1,
      history: 0,
      resumed: false,
    }),
    [],
  );
});

Deno.test("JsonView: the welcome of a hub is passed on whole", () => {
  const welcome: ChatEvent = {
    type: "welcome",
    you: "bob",
    kind: "hub",
    members: ["alice", "bob"],
    count: 2,
    history: 3,
    resumed: true,
  };
  assert.deepEqual(render(welcome), [{ ...welcome }]);
});

Deno.test("JsonView: a hub's welcome says how many missed lines are not replayed", () => {
  const welcome: ChatEvent = {
    type: "welcome",
    you: "bob",
    kind: "hub",
    members: ["alice", "bob"],
    count: 2,
    history: 10_000,
    resumed: true,
    skipped: 486,
  };
  assert.deepEqual(render(welcome), [{ ...welcome }]);
  assert.equal((render(welcome)[0] as { skipped: number }).skipped, 486);
});

Deno.test("JsonView: someone joining a direct chat is 'connected', with their address", () => {
  assert.deepEqual(
    render({ type: "joined", name: "bob", count: 2, remote: "192.168.1.7:50483" }),
    [{ type: "connected", peer: "bob", address: "192.168.1.7:50483" }],
  );
  assert.deepEqual(
    render({ type: "joined", name: "carol", count: 3 }),
    [{ type: "joined", name: "carol", count: 3 }],
  );
  assert.deepEqual(
    render({ type: "crowd", joined: 280, left: 0, count: 283 }),
    [{ type: "crowd", joined: 280, left: 0, count: 283 }],
  );
});

Deno.test("JsonView: an error notice is an error, another notice is system text", () => {
  assert.deepEqual(render({ type: "notice", text: "The name bob is taken.", error: true }), [
    { type: "error", message: "The name bob is taken." },
  ]);
  assert.deepEqual(render({ type: "notice", text: "Welcome!", error: false }), [
    { type: "system", text: "Welcome!" },
  ]);
});

Deno.test("JsonView: a chat line, with me and history only when set", () => {
  const base = { type: "message", from: "alice", text: "hi", time: TIME, seq: 4 } as const;
  assert.deepEqual(render({ ...base, me: false, history: false }), [
    { type: "message", from: "alice", text: "hi", time: TIME, seq: 4 },
  ]);
  assert.deepEqual(render({ ...base, me: false, history: true }), [
    { type: "message", from: "alice", text: "hi", time: TIME, seq: 4, history: true },
  ]);
  assert.deepEqual(render({ ...base, me: true, history: false }), [
    { type: "message", from: "alice", text: "hi", time: TIME, seq: 4, me: true },
  ]);
});

Deno.test("JsonView: exact bytes of a line, control characters escaped by JSON", () => {
  const lines: string[] = [];
  new JsonView((line) => lines.push(line)).show({
    type: "message",
    from: "bob",
    text: "a\x1b[2J\nb",
    time: TIME,
    seq: 1,
    me: false,
    history: false,
  });
  assert.deepEqual(lines, [
    `{"type":"message","from":"bob","text":"a\\u001b[2J\\nb","time":"${TIME}","seq":1}`,
  ]);
});

Deno.test("JsonView: file events", () => {
  const sha256 = "ab".repeat(32);
  assert.deepEqual(
    render(
      { type: "file-incoming", from: "bob", name: "a.txt", bytes: 5 },
      {
        type: "progress",
        transfer: "receive-1",
        direction: "receive",
        name: "a.txt",
        done: 2,
        total: 5,
      },
      { type: "file", from: "bob", name: "a.txt", path: "received_files/a.txt", bytes: 5, sha256 },
      { type: "file-sent", name: "b.txt", bytes: 1, sha256, to: "bob" },
      { type: "file-failed", direction: "send", name: "c.txt", reason: "bob refused c.txt" },
      { type: "file-failed", direction: "receive", name: "d.txt", reason: "too large" },
    ),
    [
      { type: "file-incoming", from: "bob", name: "a.txt", bytes: 5 },
      { type: "file", from: "bob", name: "a.txt", path: "received_files/a.txt", bytes: 5, sha256 },
      { type: "file-sent", name: "b.txt", bytes: 1, sha256, to: "bob" },
      { type: "error", message: "Sending c.txt failed: bob refused c.txt", file: "c.txt" },
      { type: "error", message: "Receiving d.txt failed: too large", file: "d.txt" },
    ],
  );
});

Deno.test("JsonView: hub files, presence and connection events", () => {
  const file = { file: 1, from: "al", name: "a", size: 1, sha256: "ab".repeat(32), time: TIME };
  assert.deepEqual(
    render(
      { type: "file-list", files: [file], page: 1, pages: 1, total: 1 },
      { type: "left", name: "bob", count: 1, reason: "timed out" },
      { type: "renamed", from: "alice", to: "alicia" },
      { type: "members", names: ["alicia"], page: 1, pages: 1, total: 1 },
      { type: "private", from: "bob", to: "alicia", text: "psst", time: TIME },
      { type: "connected-to", host: "10.0.0.5", port: 5050 },
      { type: "reconnecting", reason: "connection refused", delayMs: 1000, attempt: 1 },
      { type: "reconnected" },
      { type: "closed", reason: "The hub is shutting down" },
      { type: "closed" },
    ),
    [
      { type: "files", files: [{ ...file, bytes: 1 }], page: 1, pages: 1, total: 1 },
      { type: "left", name: "bob", count: 1, reason: "timed out" },
      { type: "renamed", from: "alice", to: "alicia" },
      { type: "members", names: ["alicia"], page: 1, pages: 1, total: 1 },
      { type: "private", from: "bob", to: "alicia", text: "psst", time: TIME },
      { type: "system", text: "Connected to 10.0.0.5:5050" },
      { type: "reconnecting", reason: "connection refused", delayMs: 1000, attempt: 1 },
      { type: "reconnected" },
      { type: "closed", reason: "The hub is shutting down" },
      { type: "closed" },
    ],
  );
});

Deno.test("JsonView: listening and secured, for programs that start a chat", () => {
  assert.deepEqual(
    render(
      {
        type: "listening",
        host: "0.0.0.0",
        port: 5050,
        addresses: ["192.168.1.12"],
        passkey: null,
        hub: false,
      },
      { type: "secured", peer: "192.168.1.7:50483", authenticated: true, safety: "1234 5678 9012" },
    ),
    [
      {
        type: "listening",
        host: "0.0.0.0",
        port: 5050,
        addresses: ["192.168.1.12"],
        passkey: null,
        hub: false,
      },
      { type: "secured", peer: "192.168.1.7:50483", authenticated: true, safety: "1234 5678 9012" },
    ],
  );
});

Deno.test("JsonView: C1 controls and bidi overrides from a peer are written as \\u escapes", () => {
  const lines: string[] = [];
  const view = new JsonView((line) => lines.push(line));
  const text = "a\u009b2J\u202eb";
  view.show({ type: "private", from: "bob", to: "alice", text, time: TIME });
  assert.equal(
    lines[0],
    `{"type":"private","from":"bob","to":"alice","text":"a\\u009b2J\\u202eb","time":"${TIME}"}`,
  );
  assert.equal(JSON.parse(lines[0]).text, text);
});

Deno.test("JsonView: a page of /who or /files says which page, of how many, and the count", () => {
  const file = { file: 9, from: "al", name: "a", size: 1, sha256: "ab".repeat(32), time: TIME };
  assert.deepEqual(
    render(
      { type: "members", names: ["alice", "bob"], page: 2, pages: 101, total: 10_001 },
      { type: "file-list", files: [file], page: 50, pages: 50, total: 1000 },
    ),
    [
      { type: "members", names: ["alice", "bob"], page: 2, pages: 101, total: 10_001 },
      { type: "files", files: [{ ...file, bytes: 1 }], page: 50, pages: 50, total: 1000 },
    ],
  );
});

/** Every key of `value` and the objects in it, with the object it is in. */
function* keys(value: unknown): Generator<[string, Record<string, unknown>]> {
  if (Array.isArray(value)) { for (const item of value) yield* keys(item); }
  else if (value && typeof value === "object") {
    const object = value as Record<string, unknown>;
    for (const [key, inner] of Object.entries(object)) {
      yield [key, object];
      yield* keys(inner);
    }
  }
}

Deno.test("JsonView: a size is `bytes` in every event (`size` only as its old alias)", () => {
  let sizes = 0;
  for (const event of sampleEvents()) {
    for (const [key, object] of keys(render(event))) {
      if (key === "bytes") sizes++;
      if (key === "size") assert.equal(object.size, object.bytes, JSON.stringify(object));
      assert.ok(!["length", "fileSize", "sizeBytes"].includes(key), key);
    }
  }
  assert.ok(sizes >= 6, "the samples carry sizes");
});

Deno.test("JsonView: the room's acknowledgement of our line carries its seq; a refused one why", () => {
  assert.deepEqual(
    render(
      { type: "sent", text: "hello", seq: 12 },
      { type: "sent", text: "psst", to: "bob" },
      { type: "not-sent", text: "flood", reason: "Rate limiting is in effect." },
    ),
    [
      { type: "sent", text: "hello", seq: 12 },
      { type: "sent", text: "psst", to: "bob" },
      { type: "not-sent", text: "flood", reason: "Rate limiting is in effect." },
    ],
  );
});

Deno.test("JsonView: a line that mentions us is marked; moderation, topic, away and removed files pass on whole", () => {
  const base = { type: "message", from: "carol", text: "hi alice", time: TIME, seq: 5 } as const;
  assert.deepEqual(render({ ...base, me: false, history: false, mention: true }), [
    { type: "message", from: "carol", text: "hi alice", time: TIME, seq: 5, mention: true },
  ]);
  const events: ChatEvent[] = [
    {
      type: "moderated",
      action: "banned",
      name: "bob",
      by: "host",
      host: true,
      reason: "spam",
      until: TIME,
    },
    { type: "topic", text: "Release day", by: "host" },
    { type: "away", name: "bob", text: "lunch" },
    { type: "removed", file: 3, name: "a.txt", by: "host" },
    { type: "closed", reason: "You were kicked by the host.", kicked: true },
  ];
  assert.deepEqual(render(...events), events);
});
