import assert from "node:assert/strict";
import { TextView } from "../../lib/cli/text_view.ts";
import type { ChatEvent } from "../../lib/app/chat_event.ts";

const TIME = "2026-01-01T12:34:00.000Z";

/** A terminal that records printed lines and the status line. */
function terminal() {
  const printed: string[] = [];
  const statuses: (string | undefined)[] = [];
  const view = new TextView({
    print: (line) => printed.push(line),
    // The status line at 80 columns, as a terminal of that width would draw it.
    status: (text) => statuses.push(typeof text === "function" ? text(80) : text),
  });
  const show = (...events: ChatEvent[]) => {
    for (const event of events) view.show(event);
  };
  return { view, printed, statuses, show };
}

function message(from: string, text: string, flags: { me?: boolean; history?: boolean } = {}) {
  const event: ChatEvent = {
    type: "message",
    from,
    text,
    time: TIME,
    seq: 1,
    me: flags.me ?? false,
    history: flags.history ?? false,
  };
  return event;
}

/** Local time of `iso` as the view prints it. */
function clock(iso: string): string {
  const date = new Date(iso);
  return `${String(date.getHours()).padStart(2, "0")}:${
    String(date.getMinutes()).padStart(2, "0")
  }`;
}

Deno.test("TextView: a peer's line is printed with their name", () => {
  const { printed, show } = terminal();
  show(message("bob", "hi alice"), message("bob", "waves", { me: true }));
  assert.deepEqual(printed, ["[bob] hi alice", "* bob waves"]);
});

Deno.test("TextView: escape sequences from a peer are printed escaped, never raw", () => {
  const { printed, show } = terminal();
  show(
    message("bob", "hi\x1b[2J\x1b[31mowned\rfake"),
    { type: "private", from: "bob", to: "alice", text: "\x07bell", time: TIME },
    { type: "notice", text: "\x1b]0;title\x07", error: false },
    { type: "file-incoming", from: "bob", name: "evil\u202etxt.exe", bytes: 10 },
    { type: "renamed", from: "bob", to: "b\x1bob" },
  );
  assert.deepEqual(printed, [
    "[bob] hi\\x1b[2J\\x1b[31mowned\\x0dfake",
    "[bob -> you] \\x07bell",
    "[System] \\x1b]0;title\\x07",
    "[System] Incoming file evil\\u202etxt.exe (10 B) from bob...",
    "[System] bob is now known as b\\x1bob.",
  ]);
  for (const line of printed) assert.doesNotMatch(line, /[\p{Cc}\u202e]/u);
});

Deno.test("TextView: history is framed, each replayed line with its time", () => {
  const { printed, show } = terminal();
  show(
    {
      type: "welcome",
      you: "bob",
      kind: "hub",
      members: ["alice", "bob"],
      count: 2,
      history: 2,
      resumed: false,
    },
    message("alice", "first", { history: true }),
    message("alice", "second", { history: true }),
    message("alice", "live"),
  );
  assert.deepEqual(printed, [
    "[System] Joined the hub as bob.",
    "[System] Connected: alice, bob (2)",
    "[System] Replaying 2 lines of earlier history",
    "[System] Type /help for commands.",
    `[${clock(TIME)}] [alice] first`,
    `[${clock(TIME)}] [alice] second`,
    "[System] End of history",
    "[alice] live",
  ]);
});

Deno.test("TextView: a resumed hub session says 'Back in' and skips the help hint", () => {
  const { printed, show } = terminal();
  show({
    type: "welcome",
    you: "bob",
    kind: "hub",
    members: ["bob"],
    count: 1,
    history: 0,
    resumed: true,
  });
  assert.deepEqual(printed, ["[System] Back in the hub as bob.", "[System] Connected: bob (1)"]);
});

Deno.test("TextView: back after a long absence, the lines not replayed are counted", () => {
  const { printed, show } = terminal();
  show({
    type: "welcome",
    you: "bob",
    kind: "hub",
    members: ["alice", "bob"],
    count: 2,
    history: 10_000,
    resumed: true,
    skipped: 486,
  });
  assert.deepEqual(printed, [
    "[System] Back in the hub as bob.",
    "[System] Connected: alice, bob (2)",
    "[System] 486 earlier lines not shown.",
    "[System] Replaying 10000 lines of earlier history",
  ]);
});

Deno.test("TextView: a direct chat's welcome, arrival, departure and end", () => {
  const { printed, show } = terminal();
  show(
    {
      type: "welcome",
      you: "alice",
      kind: "direct",
      members: ["alice"],
      count: 1,
      history: 0,
      resumed: false,
    },
    { type: "joined", name: "bob", count: 2, remote: "192.168.1.7:50483" },
    { type: "left", name: "bob", count: 1 },
    { type: "left", name: "carol", count: 1, reason: "the connection was reset" },
    { type: "closed", reason: "alice ended the chat." },
  );
  assert.deepEqual(printed, [
    "[System] Type /help for commands.",
    "[System] Connected by 192.168.1.7:50483 (bob)",
    "[System] bob has left the chat.",
    "[System] carol has left the chat. (the connection was reset)",
    "[System] Peer disconnected: alice ended the chat.",
  ]);
});

Deno.test("TextView: the one connecting sees who they are chatting with", () => {
  const { printed, show } = terminal();
  show({
    type: "welcome",
    you: "bob",
    kind: "direct",
    members: ["alice", "bob"],
    count: 2,
    history: 0,
    resumed: false,
  });
  assert.deepEqual(printed, ["[System] Chatting with alice.", "[System] Type /help for commands."]);
});

Deno.test("TextView: presence in a hub shows the count", () => {
  const { printed, show } = terminal();
  show(
    {
      type: "welcome",
      you: "bob",
      kind: "hub",
      members: ["bob"],
      count: 1,
      history: 0,
      resumed: true,
    },
    { type: "joined", name: "carol", count: 2 },
    { type: "left", name: "carol", count: 1, reason: "quit" },
    { type: "crowd", joined: 280, left: 3, count: 278 },
    { type: "crowd", joined: 0, left: 40, count: 238 },
    // Told once, by the reconnect notice that follows.
    { type: "closed", reason: "connection reset" },
  );
  assert.deepEqual(printed.slice(2), [
    "[System] carol joined. (Connected: 2)",
    "[System] carol left (quit). (Connected: 1)",
    "[System] 280 more joined, 3 more left. (Connected: 278)",
    "[System] 40 more left. (Connected: 238)",
  ]);
});

Deno.test("TextView: system, error and file lines", () => {
  const { printed, show } = terminal();
  show(
    { type: "system", text: "Exiting." },
    { type: "error", message: "Wrong passkey" },
    {
      type: "file",
      from: "bob",
      name: "a.txt",
      path: "received_files/a.txt",
      bytes: 1234,
      sha256: "0123456789abcdef".repeat(4),
    },
    { type: "file-sent", name: "b.txt", bytes: 20, sha256: "0".repeat(64), to: "bob" },
    { type: "file-failed", direction: "receive", name: "c.txt", reason: "too large" },
    {
      type: "shared",
      file: 3,
      from: "bob",
      name: "d.txt",
      bytes: 50_000_000,
      sha256: "0".repeat(64),
    },
    { type: "file-list", files: [], page: 1, pages: 1, total: 0 },
  );
  assert.deepEqual(printed, [
    "[System] Exiting.",
    "[System] Error: Wrong passkey",
    "[System] File saved to received_files/a.txt (1.2 kB, SHA-256 0123456789ab... verified)",
    "[System] Sent file b.txt (20 B) to bob, hash verified",
    "[System] Receiving c.txt failed: too large",
    "[System] bob shared d.txt (50.0 MB): /get 3",
    "[System] No shared files yet.",
  ]);
});

Deno.test("TextView: open mode shows the safety code to compare", () => {
  const { printed, show } = terminal();
  show(
    { type: "secured", peer: "10.0.0.5:5050", authenticated: false, safety: "4821 0937 5512" },
    { type: "secured", peer: "10.0.0.5:5050", authenticated: true, safety: "4821 0937 5512" },
  );
  assert.match(printed[0], /NOT authenticated.*Safety code: 4821 0937 5512/);
  assert.equal(
    printed[1],
    "[System] Passkey accepted: the connection with 10.0.0.5:5050 is encrypted and authenticated.",
  );
});

Deno.test("TextView: a reconnect in open mode shows the new safety code and that it changed", () => {
  const { printed, show } = terminal();
  const secured = { type: "secured", peer: "10.0.0.5:5050", authenticated: false } as const;
  show(
    { ...secured, safety: "1111 2222 3333", previousSafety: "4821 0937 5512", safetyChanged: true },
    {
      ...secured,
      safety: "1111 2222 3333",
      previousSafety: "1111 2222 3333",
      safetyChanged: false,
    },
  );
  assert.deepEqual(printed, [
    "[System] New connection to 10.0.0.5:5050, NOT authenticated (open mode). " +
    "The safety code CHANGED: now 1111 2222 3333 (was 4821 0937 5512) - " +
    "check that the other screen shows the new code.",
    "[System] New connection to 10.0.0.5:5050, NOT authenticated (open mode). " +
    "The safety code is the same as before: 1111 2222 3333 - check the other screen.",
  ]);
});

Deno.test("TextView: transfer progress goes to the status line until the file is saved", () => {
  const { printed, statuses, show } = terminal();
  const progress = (done: number): ChatEvent => ({
    type: "progress",
    transfer: "receive-1",
    direction: "receive",
    name: "big.iso",
    done,
    total: 1000,
  });
  show(progress(100), progress(500), progress(1000));
  assert.deepEqual(printed, [], "progress is not printed as lines");
  assert.equal(statuses.length, 3);
  assert.match(statuses[0] ?? "", /^big\.iso 10 % \[#-+\]/);
  assert.match(statuses[2] ?? "", /^big\.iso 100 % /, "all bytes through: not saved yet");
  show({
    type: "file",
    from: "bob",
    name: "big.iso",
    path: "received_files/big.iso",
    bytes: 1000,
    sha256: "0".repeat(64),
  });
  assert.equal(statuses.at(-1), undefined, "cleared once saved");
});

Deno.test("TextView: a sent file stays in the status line until the receiver confirms it", () => {
  const { statuses, show } = terminal();
  show(
    {
      type: "progress",
      transfer: "send-1",
      direction: "send",
      name: "a.bin",
      done: 1000,
      total: 1000,
    },
    {
      type: "progress",
      transfer: "send-2",
      direction: "send",
      name: "b.bin",
      done: 0,
      total: 1000,
    },
  );
  assert.match(statuses.at(-1) ?? "", /^2 files, 50 % /);
  show({ type: "file-sent", name: "a.bin", bytes: 1000, sha256: "0".repeat(64) });
  assert.match(statuses.at(-1) ?? "", /^b\.bin 0 % /);
});

Deno.test("TextView: a folder is one progress line, with how many of its files are in", () => {
  const { statuses, show } = terminal();
  show({
    type: "progress",
    transfer: "receive-2",
    direction: "receive",
    name: "photos",
    done: 400,
    total: 1000,
    files: { done: 3, total: 12 },
  });
  assert.match(statuses[0] ?? "", /^photos 40 % \[.*\] .* 3\/12 files$/);
});

Deno.test("TextView: a failed transfer clears its progress", () => {
  const { statuses, show } = terminal();
  show(
    {
      type: "progress",
      transfer: "send-1",
      direction: "send",
      name: "big.iso",
      done: 10,
      total: 1000,
    },
    { type: "file-failed", direction: "send", name: "big.iso", reason: "refused" },
  );
  assert.equal(statuses.at(-1), undefined);
});

Deno.test("TextView: notices and errors that quote a peer are escaped too", () => {
  const { printed, show } = terminal();
  show(
    { type: "error", message: "Refused 10.0.0.9:1: \x1b[2Jgone\u202e" },
    { type: "system", text: "Commands:\n  /who\x07" },
  );
  assert.deepEqual(printed, [
    "[System] Error: Refused 10.0.0.9:1: \\x1b[2Jgone\\u202e",
    "[System] Commands:\n  /who\\x07",
  ]);
});

Deno.test("TextView: /who and /files show a page, the count, and how to see the next", () => {
  const { printed, show } = terminal();
  const file = (id: number, name: string) => ({
    file: id,
    from: "bob",
    name,
    size: 2000,
    sha256: "0".repeat(64),
    time: TIME,
  });
  show(
    { type: "members", names: ["alice", "bob"], page: 1, pages: 1, total: 2 },
    { type: "members", names: ["alice", "bob"], page: 1, pages: 3, total: 250 },
    { type: "members", names: ["zed"], page: 3, pages: 3, total: 250 },
    { type: "file-list", files: [file(2, "b.txt"), file(1, "a.txt")], page: 1, pages: 1, total: 2 },
    { type: "file-list", files: [file(40, "new.txt")], page: 1, pages: 2, total: 21 },
    { type: "file-list", files: [file(1, "old\x1b[2J.txt")], page: 2, pages: 2, total: 21 },
  );
  assert.deepEqual(printed, [
    "[System] Connected: alice, bob (2)",
    "[System] Connected (page 1 of 3): alice, bob (250 in all; /who 2 for more)",
    "[System] Connected (page 3 of 3): zed (250 in all)",
    "[System] Shared files (2):",
    "[System]   /get 2  b.txt (2.0 kB) from bob",
    "[System]   /get 1  a.txt (2.0 kB) from bob",
    "[System] Shared files, newest first (page 1 of 2, 21 in all; /files 2 for older):",
    "[System]   /get 40  new.txt (2.0 kB) from bob",
    "[System] Shared files, newest first (page 2 of 2, 21 in all):",
    "[System]   /get 1  old\\x1b[2J.txt (2.0 kB) from bob",
  ]);
});

Deno.test("TextView: moderation, the topic, away marks and removed files, peers' words escaped", () => {
  const { printed, show } = terminal();
  show(
    {
      type: "welcome",
      you: "alice",
      kind: "hub",
      members: ["alice"],
      count: 1,
      history: 0,
      resumed: false,
      topic: "plans\x1b[2J",
      role: "op",
    },
    { type: "moderated", action: "kicked", name: "bob", by: "host", host: true, reason: "a\x07" },
    { type: "moderated", action: "muted", name: "eve", by: "carol", host: false },
    { type: "moderated", action: "op", name: "carol", by: "host", host: true },
    { type: "topic", text: "Release \u202eday", by: "carol" },
    { type: "topic", text: "", by: "host" },
    { type: "away", name: "bob", text: "lunch" },
    { type: "away", name: "dave" },
    { type: "removed", file: 3, name: "a\x1b.txt", by: "host" },
    {
      type: "members",
      names: ["alice", "bob", "carol", "eve"],
      page: 1,
      pages: 1,
      total: 4,
      away: ["bob"],
      ops: ["alice", "carol"],
      muted: ["eve"],
    },
  );
  assert.deepEqual(printed, [
    "[System] Joined the hub as alice.",
    "[System] Connected: alice (1)",
    "[System] Topic: plans\\x1b[2J",
    "[System] You are an operator.",
    "[System] Type /help for commands.",
    "[System] bob was kicked by the host (a\\x07).",
    "[System] eve was muted by carol until unmuted.",
    "[System] carol is now an operator (made by the host).",
    "[System] carol set the topic: Release \\u202eday",
    "[System] The host cleared the topic.",
    "[System] bob is away: lunch",
    "[System] dave is away.",
    "[System] The host removed shared file 3 (a\\x1b.txt).",
    "[System] Connected: alice (op), bob (away), carol (op), eve (muted) (4)",
  ]);
});

Deno.test("TextView: a line that mentions you is marked, and rings only when said now", () => {
  const printed: string[] = [];
  const view = new TextView({ print: (line) => printed.push(line), status: () => {} }, {
    mention: { bell: true, styled: false },
  });
  const line = {
    type: "message",
    from: "carol",
    time: TIME,
    seq: 5,
    me: false,
    history: false,
  } as const;
  view.show({ ...line, text: "hi bob\x07", mention: true });
  view.show({ ...line, text: "earlier, bob", history: true, mention: true });
  view.show({ ...line, text: "hi all" });
  view.show({ ...line, text: "waves at bob", me: true, mention: true });
  assert.deepEqual(printed, [
    "\x07* [carol] hi bob\\x07",
    `* [${clock(TIME)}] [carol] earlier, bob`,
    "[carol] hi all",
    "\x07* * carol waves at bob",
  ]);
  // Without a mark (a view that was given none), the line is as any other.
  const plain: string[] = [];
  new TextView({ print: (text) => plain.push(text), status: () => {} })
    .show({ ...line, text: "hi bob", mention: true });
  assert.deepEqual(plain, ["[carol] hi bob"]);
});
