import assert from "node:assert/strict";
import { foundEvent, NOTHING_FOUND_HINT, scanText } from "../../lib/cli/scan_command.ts";
import type { FoundChat } from "../../lib/session/announcement.ts";
import { FoundChats } from "../../lib/session/found_chats.ts";

function chat(label: string, host: string, more: Partial<FoundChat> = {}): FoundChat {
  return {
    instance: `${label}._p2pchat._tcp.local`,
    host,
    port: 5050,
    label,
    kind: "hub",
    auth: "passkey",
    ...more,
  };
}

/** Whether `text` holds a control character other than a line break, or a bidi override. */
function hasRawControl(text: string): boolean {
  return [...text].some((ch) => {
    const code = ch.codePointAt(0)!;
    return (code < 0x20 && ch !== "\n") || (code >= 0x7f && code < 0xa0) || code === 0x202e;
  });
}

Deno.test("scan lists each chat: label, kind, address:port, members or busy, passkey or open", () => {
  const found = new FoundChats();
  found.add(chat("alice's hub", "192.168.1.12", { members: 3, version: 2 }));
  found.add(chat("bob", "192.168.1.20", { kind: "direct", busy: false, auth: "open", port: 5051 }));
  found.add(chat("carol", "192.168.1.30", { kind: "direct", busy: true }));
  assert.deepEqual(scanText(found, 2000), [
    "Found 3 chats within 2 s:",
    "  alice's hub  hub     192.168.1.12:5050  3 members  passkey",
    "  bob          direct  192.168.1.20:5051  waiting    open (no passkey)",
    "  carol        direct  192.168.1.30:5050  busy       passkey",
    "Join one with: p2pchat connect HOST PORT",
  ]);
});

Deno.test("scan shows two chats with one label with their addresses", () => {
  const found = new FoundChats();
  found.add(chat("alice", "10.0.0.2", { members: 1 }));
  found.add(chat("alice", "10.0.0.1", { members: 1 }));
  const lines = scanText(found, 1500);
  assert.equal(lines[0], "Found 2 chats within 1.5 s:");
  assert.match(lines[1], /^ {2}alice {2}hub {2}10\.0\.0\.1:5050 {2}1 member {2}passkey$/);
  assert.match(lines[2], /10\.0\.0\.2:5050/);
});

Deno.test("scan escapes what a label holds and says how many more it did not show", () => {
  const found = new FoundChats(1);
  found.add(chat("\x1b[2J\x1b]0;pwned\x07evil\u202e", "10.0.0.1"));
  found.add(chat("second", "10.0.0.2"));
  found.add(chat("third", "10.0.0.3"));
  const text = scanText(found, 2000).join("\n");
  assert.ok(!hasRawControl(text), text);
  assert.match(text, /\\x1b\[2J\\x1b\]0;pwned\\x07evil\\u202e/);
  assert.match(text, /\.\.\. and 2 more not shown \(at most 1 are listed\)\./);
});

Deno.test("scan with nothing found says so and gives the likely reasons", () => {
  const lines = scanText(new FoundChats(), 2000);
  assert.equal(lines[0], "No chats found on the local network within 2 s.");
  assert.equal(lines[1], NOTHING_FOUND_HINT);
  for (const reason of ["--no-announce", "another network", "client isolation", "firewall"]) {
    assert.ok(NOTHING_FOUND_HINT.includes(reason), reason);
  }
});

Deno.test("scan --json: a found event has the announced fields only", () => {
  assert.deepEqual(foundEvent(chat("alice", "10.0.0.1", { members: 2, version: 2 })), {
    type: "found",
    label: "alice",
    kind: "hub",
    host: "10.0.0.1",
    port: 5050,
    auth: "passkey",
    members: 2,
  });
  assert.deepEqual(foundEvent(chat("bob", "10.0.0.2", { kind: "direct", busy: true })), {
    type: "found",
    label: "bob",
    kind: "direct",
    host: "10.0.0.2",
    port: 5050,
    auth: "passkey",
    busy: true,
  });
});
