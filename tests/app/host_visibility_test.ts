import assert from "node:assert/strict";
import { type HostKind, hostVisibility } from "../../lib/app/host_visibility.ts";
import { JsonView } from "../../lib/cli/json_view.ts";
import { TextView } from "../../lib/cli/text_view.ts";
import type { HostEvent } from "../../lib/room/room_host.ts";

/** What a host of `kind` sees of `events`: terminal lines, and the JSON (`hubLog` for serve). */
function consoleOf(kind: HostKind, ...events: HostEvent[]) {
  const printed: string[] = [];
  const json: unknown[] = [];
  const text = new TextView({ print: (line) => printed.push(line), status: () => {} });
  const programs = new JsonView((line) => json.push(JSON.parse(line)), {
    hubLog: kind === "hub-log",
  });
  const shown = hostVisibility(kind);
  for (const event of events) {
    const visible = shown(event);
    if (visible) {
      text.show(visible);
      programs.show(visible);
    }
  }
  return { printed, json };
}

Deno.test("host visibility: one readable line per room event in a hub's log", () => {
  const { printed } = consoleOf(
    "hub-log",
    { type: "room", event: { type: "joined", name: "bob", remote: "10.0.0.7:5000", count: 2 } },
    { type: "room", event: { type: "left", name: "bob", remote: "10.0.0.7:5000", count: 1 } },
    {
      type: "room",
      event: { type: "left", name: "bob", remote: "x", count: 0, reason: "timed out" },
    },
    { type: "room", event: { type: "renamed", from: "a", to: "b" } },
    {
      type: "room",
      event: { type: "refused", remote: "10.0.0.9:1", reason: "The hub is full (3 members)." },
    },
    { type: "room", event: { type: "shared", name: "a.txt", file: 4, from: "bob", size: 1500 } },
    {
      type: "room",
      event: { type: "file-failed", from: "bob", name: "a.txt", reason: "hash mismatch" },
    },
  );
  assert.deepEqual(printed, [
    "[System] bob joined from 10.0.0.7:5000. (Connected: 2)",
    "[System] bob left. (Connected: 1)",
    "[System] bob left (timed out). (Connected: 0)",
    "[System] a is now known as b.",
    "[System] Refused 10.0.0.9:1: The hub is full (3 members).",
    "[System] bob shared a.txt (1.5 kB) as file 4.",
    "[System] Upload of a.txt from bob failed: hash mismatch",
  ]);
});

Deno.test("host visibility: what members chose is escaped for the console", () => {
  const { printed } = consoleOf("hub-log", {
    type: "room",
    event: { type: "file-failed", from: "bob", name: "\x1b[2J.txt", reason: "x\ry" },
  });
  assert.deepEqual(printed, ["[System] Upload of \\x1b[2J.txt from bob failed: x\\x0dy"]);
});

Deno.test("host visibility: a direct chat shows the handshake and refusals only", () => {
  const { printed, json } = consoleOf(
    "direct",
    { type: "secured", peer: "10.0.0.7:5000", authenticated: true, safety: "1 2 3" },
    { type: "room", event: { type: "joined", name: "bob", remote: "x", count: 2 } },
    {
      type: "room",
      event: { type: "refused", remote: "10.0.0.9:1", reason: "This chat is busy." },
    },
    { type: "refused", remote: "10.0.0.9:2", reason: "too many connections from this address" },
  );
  assert.deepEqual(printed, [
    "[System] Passkey accepted: the connection with 10.0.0.7:5000 is encrypted and authenticated.",
    "[System] Refused 10.0.0.9:1: This chat is busy.",
    "[System] Error: Refused 10.0.0.9:2: too many connections from this address",
  ]);
  assert.deepEqual(json, [
    { type: "secured", peer: "10.0.0.7:5000", authenticated: true, safety: "1 2 3" },
    { type: "system", text: "Refused 10.0.0.9:1: This chat is busy." },
    { type: "error", message: "Refused 10.0.0.9:2: too many connections from this address" },
  ]);
});

Deno.test("host visibility: failed handshakes say when the address is slowed down", () => {
  const { printed, json } = consoleOf(
    "direct",
    {
      type: "handshake-failed",
      remote: "10.0.0.9:1",
      reason: "Wrong passkey",
      failures: 1,
      delayMs: 0,
    },
    {
      type: "handshake-failed",
      remote: "10.0.0.9:2",
      reason: "Wrong passkey",
      failures: 4,
      delayMs: 2000,
    },
  );
  assert.deepEqual(printed, [
    "[System] Error: Wrong passkey from 10.0.0.9:1",
    "[System] Error: Wrong passkey from 10.0.0.9:2 " +
    "(4 failures from this address; its next attempt waits 2 s)",
  ]);
  assert.deepEqual(json, [
    { type: "error", message: "Wrong passkey from 10.0.0.9:1" },
    {
      type: "error",
      message:
        "Wrong passkey from 10.0.0.9:2 (4 failures from this address; its next attempt waits 2 s)",
    },
  ]);
});

Deno.test("host visibility: a hub logs every room event, but not each handshake", () => {
  const { printed } = consoleOf(
    "hub-log",
    { type: "secured", peer: "10.0.0.7:5000", authenticated: true, safety: "1 2 3" },
    { type: "room", event: { type: "joined", name: "bob", remote: "10.0.0.7:5000", count: 1 } },
    { type: "room", event: { type: "renamed", from: "bob", to: "rob" } },
  );
  assert.deepEqual(printed, [
    "[System] bob joined from 10.0.0.7:5000. (Connected: 1)",
    "[System] bob is now known as rob.",
  ]);
});

Deno.test("host visibility: in open mode a hub shows each member's safety code as they join", () => {
  const joined = {
    type: "joined",
    name: "bob",
    remote: "10.0.0.7:5000",
    count: 1,
    safety: "4821 0937 5512",
  } as const;
  const { printed, json } = consoleOf("hub-log", { type: "room", event: joined });
  assert.deepEqual(printed, [
    "[System] bob joined from 10.0.0.7:5000 (not authenticated, safety code 4821 0937 5512). " +
    "(Connected: 1)",
  ]);
  assert.deepEqual(json, [{ ...joined, type: "hub-joined" }]);
});

Deno.test("host visibility: serve --json logs room events as hub-* JSON lines", () => {
  const { json } = consoleOf(
    "hub-log",
    { type: "room", event: { type: "joined", name: "bob", remote: "10.0.0.7:5000", count: 1 } },
    { type: "room", event: { type: "left", name: "bob", remote: "10.0.0.7:5000", count: 0 } },
    { type: "room", event: { type: "shared", name: "a.txt", file: 1, from: "bob", size: 3 } },
  );
  assert.deepEqual(json, [
    { type: "hub-joined", name: "bob", remote: "10.0.0.7:5000", count: 1 },
    { type: "hub-left", name: "bob", remote: "10.0.0.7:5000", count: 0 },
    { type: "hub-shared", name: "a.txt", file: 1, from: "bob", size: 3 },
  ]);
});

Deno.test("host visibility: guessing from many addresses and failing accepts are told to the host", () => {
  const { printed } = consoleOf(
    "hub-log",
    { type: "throttled", reason: "100 guesses failed in a short time" },
    { type: "accept-failed", reason: "Too many open files (os error 24)", retryMs: 10 },
    { type: "accept-resumed", failures: 7 },
  );
  assert.deepEqual(printed, [
    "[System] Error: Guessing suspected: 100 guesses failed in a short time",
    "[System] Error: Could not accept connections: Too many open files (os error 24); retrying, " +
    "at most a second apart (members already connected go on)",
    "[System] Accepting connections again (after 7 failed attempts).",
  ]);
});

Deno.test("host visibility: what a member sent that could not be read is shown to every kind of host", () => {
  for (const kind of ["hub-log", "direct", "hub-member"] as const) {
    const { printed } = consoleOf(
      kind,
      {
        type: "room",
        event: {
          type: "skipped",
          name: "mallory",
          remote: "10.0.0.6:4000",
          reason: 'unknown message type "\x1b[2J"',
          count: 1,
        },
      },
      {
        type: "room",
        event: { type: "skipped", remote: "10.0.0.6:4001", reason: "bad", count: 8 },
      },
      {
        type: "room",
        event: {
          type: "unsendable",
          name: "bob",
          remote: "10.0.0.7:1",
          message: "chat",
          bytes: 17000,
        },
      },
    );
    assert.deepEqual(printed, [
      "[System] Skipped a message from mallory (10.0.0.6:4000) that could not be read " +
      '(unknown message type "\\x1b[2J")',
      "[System] Skipped a message from 10.0.0.6:4001 that could not be read (bad; 8 so far)",
      "[System] Did not send a chat message to bob (10.0.0.7:1): its header (17000 bytes) is " +
      "over the limit",
    ], kind);
  }
});

Deno.test("host visibility: a hub's host taking part compares safety codes only in open mode", () => {
  const { printed } = consoleOf(
    "hub-member",
    { type: "secured", peer: "10.0.0.7:5000", authenticated: true, safety: "1 2 3" },
    { type: "secured", peer: "10.0.0.8:5000", authenticated: false, safety: "4821 0937 5512" },
    { type: "room", event: { type: "joined", name: "bob", remote: "10.0.0.7:5000", count: 2 } },
  );
  assert.equal(printed.length, 1);
  assert.match(printed[0], /^\[System\] Encrypted, but 10\.0\.0\.8:5000 is NOT authenticated/);
});
