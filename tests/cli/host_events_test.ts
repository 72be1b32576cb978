import assert from "node:assert/strict";
import { consoleEventText, hostEventView, roomEventText } from "../../lib/cli/host_events.ts";
import type { ViewEvent } from "../../lib/cli/view_event.ts";
import type { HostEvent } from "../../lib/room/room_host.ts";

function recorder() {
  const shown: ViewEvent[] = [];
  const json: unknown[] = [];
  return { shown, json, view: { show: (event: ViewEvent) => shown.push(event) } };
}

Deno.test("roomEventText: one readable console line per room event", () => {
  assert.equal(
    roomEventText({ type: "joined", name: "bob", remote: "10.0.0.7:5000", count: 2 }),
    "bob joined from 10.0.0.7:5000. (Connected: 2)",
  );
  assert.equal(
    roomEventText({ type: "left", name: "bob", remote: "10.0.0.7:5000", count: 1 }),
    "bob left. (Connected: 1)",
  );
  assert.equal(
    roomEventText({ type: "left", name: "bob", remote: "x", count: 0, reason: "timed out" }),
    "bob left (timed out). (Connected: 0)",
  );
  assert.equal(roomEventText({ type: "renamed", from: "a", to: "b" }), "a is now known as b.");
  assert.equal(
    roomEventText({
      type: "refused",
      remote: "10.0.0.9:1",
      reason: "The hub is full (3 members).",
    }),
    "Refused 10.0.0.9:1: The hub is full (3 members).",
  );
  assert.equal(
    roomEventText({ type: "shared", name: "a.txt", file: 4, from: "bob", size: 1500 }),
    "bob shared a.txt (1.5 kB) as file 4.",
  );
  assert.equal(
    roomEventText({ type: "file-failed", from: "bob", name: "a.txt", reason: "hash mismatch" }),
    "Upload of a.txt from bob failed: hash mismatch",
  );
});

Deno.test("roomEventText: what members chose is escaped for the console", () => {
  assert.equal(
    roomEventText({ type: "file-failed", from: "bob", name: "\x1b[2J.txt", reason: "x\ry" }),
    "Upload of \\x1b[2J.txt from bob failed: x\\x0dy",
  );
});

Deno.test("hostEventView: a direct chat shows the handshake and refusals only", () => {
  const { shown, view } = recorder();
  const onEvent = hostEventView(view, { logRoom: false });
  const secured: HostEvent = {
    type: "secured",
    peer: "10.0.0.7:5000",
    authenticated: true,
    safety: "1 2 3",
  };
  onEvent(secured);
  onEvent({ type: "room", event: { type: "joined", name: "bob", remote: "x", count: 2 } });
  onEvent({
    type: "room",
    event: { type: "refused", remote: "10.0.0.9:1", reason: "This chat is busy." },
  });
  onEvent({
    type: "refused",
    remote: "10.0.0.9:2",
    reason: "too many connections from this address",
  });
  assert.deepEqual(shown, [
    secured,
    { type: "system", text: "Refused 10.0.0.9:1: This chat is busy." },
    {
      type: "error",
      message: "Refused 10.0.0.9:2: too many connections from this address",
    },
  ]);
});

Deno.test("hostEventView: failed handshakes say when the address is slowed down", () => {
  const { shown, view } = recorder();
  const onEvent = hostEventView(view, { logRoom: false });
  onEvent({
    type: "handshake-failed",
    remote: "10.0.0.9:1",
    reason: "Wrong passkey",
    failures: 1,
    delayMs: 0,
  });
  onEvent({
    type: "handshake-failed",
    remote: "10.0.0.9:2",
    reason: "Wrong passkey",
    failures: 4,
    delayMs: 2000,
  });
  assert.deepEqual(shown, [
    { type: "error", message: "Wrong passkey from 10.0.0.9:1" },
    {
      type: "error",
      message:
        "Wrong passkey from 10.0.0.9:2 (4 failures from this address; its next attempt waits 2 s)",
    },
  ]);
});

Deno.test("hostEventView: a hub logs every room event, but not each handshake", () => {
  const { shown, view } = recorder();
  const onEvent = hostEventView(view, { logRoom: true });
  onEvent({ type: "secured", peer: "10.0.0.7:5000", authenticated: true, safety: "1 2 3" });
  onEvent({
    type: "room",
    event: { type: "joined", name: "bob", remote: "10.0.0.7:5000", count: 1 },
  });
  onEvent({ type: "room", event: { type: "renamed", from: "bob", to: "rob" } });
  assert.deepEqual(shown, [
    { type: "system", text: "bob joined from 10.0.0.7:5000. (Connected: 1)" },
    { type: "system", text: "bob is now known as rob." },
  ]);
});

Deno.test("hostEventView: in open mode a hub shows each member's safety code as they join", () => {
  const { shown, view } = recorder();
  const lines: string[] = [];
  const joined = {
    type: "joined",
    name: "bob",
    remote: "10.0.0.7:5000",
    count: 1,
    safety: "4821 0937 5512",
  } as const;
  hostEventView(view, { logRoom: true })({ type: "room", event: joined });
  hostEventView(view, { logRoom: true, json: (line) => lines.push(line) })({
    type: "room",
    event: joined,
  });
  assert.deepEqual(shown, [{
    type: "system",
    text: "bob joined from 10.0.0.7:5000 (not authenticated, safety code 4821 0937 5512). " +
      "(Connected: 1)",
  }]);
  assert.deepEqual(JSON.parse(lines[0]), { ...joined, type: "hub-joined" });
});

Deno.test("hostEventView: serve --json logs room events as hub-* JSON lines", () => {
  const { shown, view } = recorder();
  const lines: string[] = [];
  const onEvent = hostEventView(view, { logRoom: true, json: (line) => lines.push(line) });
  onEvent({
    type: "room",
    event: { type: "joined", name: "bob", remote: "10.0.0.7:5000", count: 1 },
  });
  onEvent({
    type: "room",
    event: { type: "left", name: "bob", remote: "10.0.0.7:5000", count: 0 },
  });
  onEvent({
    type: "room",
    event: { type: "shared", name: "a.txt", file: 1, from: "bob", size: 3 },
  });
  assert.deepEqual(shown, []);
  assert.deepEqual(lines.map((line) => JSON.parse(line)), [
    { type: "hub-joined", name: "bob", remote: "10.0.0.7:5000", count: 1 },
    { type: "hub-left", name: "bob", remote: "10.0.0.7:5000", count: 0 },
    { type: "hub-shared", name: "a.txt", file: 1, from: "bob", size: 3 },
  ]);
});

Deno.test("hostEventView: guessing from many addresses and failing accepts are told to the host", () => {
  const { shown, view } = recorder();
  const onEvent = hostEventView(view, { logRoom: true });
  onEvent({ type: "throttled", reason: "100 guesses failed in a short time" });
  onEvent({ type: "accept-failed", reason: "Too many open files (os error 24)", retryMs: 10 });
  onEvent({ type: "accept-resumed", failures: 7 });
  assert.deepEqual(shown, [
    { type: "error", message: "Guessing suspected: 100 guesses failed in a short time" },
    {
      type: "error",
      message: "Could not accept connections: Too many open files (os error 24); retrying, " +
        "at most a second apart (members already connected go on)",
    },
    { type: "system", text: "Accepting connections again (after 7 failed attempts)." },
  ]);
});

Deno.test("hostEventView: what a member sent that could not be read is shown, in a hub and in a direct chat", () => {
  for (const logRoom of [true, false]) {
    const { shown, view } = recorder();
    const onEvent = hostEventView(view, { logRoom });
    onEvent({
      type: "room",
      event: {
        type: "skipped",
        name: "mallory",
        remote: "10.0.0.6:4000",
        reason: 'unknown message type "\x1b[2J"',
        count: 1,
      },
    });
    onEvent({
      type: "room",
      event: { type: "skipped", remote: "10.0.0.6:4001", reason: "bad", count: 8 },
    });
    onEvent({
      type: "room",
      event: {
        type: "unsendable",
        name: "bob",
        remote: "10.0.0.7:1",
        message: "chat",
        bytes: 17000,
      },
    });
    assert.deepEqual(shown, [
      {
        type: "system",
        text: "Skipped a message from mallory (10.0.0.6:4000) that could not be read " +
          '(unknown message type "\\x1b[2J")',
      },
      {
        type: "system",
        text: "Skipped a message from 10.0.0.6:4001 that could not be read (bad; 8 so far)",
      },
      {
        type: "system",
        text: "Did not send a chat message to bob (10.0.0.7:1): its header (17000 bytes) is over " +
          "the limit",
      },
    ]);
  }
});

Deno.test("roomEventText: what the host and its operators did, as the hub's log shows it", () => {
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

Deno.test("consoleEventText: the console's answers, members' words escaped", () => {
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
