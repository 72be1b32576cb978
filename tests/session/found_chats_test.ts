import assert from "node:assert/strict";
import type { FoundChat } from "../../lib/session/announcement.ts";
import { FOUND_LIMIT, FoundChats, HIDDEN_TRACKED } from "../../lib/session/found_chats.ts";

function chat(label: string, host = "10.0.0.1", more: Partial<FoundChat> = {}): FoundChat {
  return {
    instance: `${label}._p2pchat._tcp.local`,
    host,
    port: 5050,
    label,
    kind: "hub",
    auth: "passkey",
    members: 1,
    ...more,
  };
}

Deno.test("FoundChats keeps two chats with one name apart by their addresses", () => {
  const found = new FoundChats();
  assert.equal(found.add(chat("alice", "10.0.0.9")), "found");
  assert.equal(found.add(chat("alice", "10.0.0.10")), "found");
  assert.deepEqual(found.list.map((c) => c.host), ["10.0.0.9", "10.0.0.10"]);
});

Deno.test("FoundChats updates a chat that announces again, and forgets one that says goodbye", () => {
  const found = new FoundChats();
  found.add(chat("alice"));
  assert.equal(found.add(chat("alice")), "same");
  assert.equal(
    found.add(chat("ALICE", "10.0.0.1", { instance: "Alice._p2pchat._tcp.local" })),
    "changed",
  );
  assert.equal(found.add(chat("alice", "10.0.0.1", { members: 5 })), "changed");
  assert.equal(found.list[0].members, 5);
  assert.equal(found.remove(chat("alice"))?.members, 5);
  assert.equal(found.size, 0);
  assert.equal(found.remove(chat("alice")), undefined);
});

Deno.test("FoundChats lists by label, then address", () => {
  const found = new FoundChats();
  for (
    const c of [chat("carol"), chat("alice", "10.0.0.20"), chat("bob"), chat("alice", "10.0.0.3")]
  ) {
    found.add(c);
  }
  assert.deepEqual(
    found.list.map((c) => `${c.label}@${c.host}`),
    ["alice@10.0.0.3", "alice@10.0.0.20", "bob@10.0.0.1", "carol@10.0.0.1"],
  );
});

Deno.test("FoundChats shows at most 256 and counts the others once each", () => {
  const found = new FoundChats();
  for (let i = 0; i < FOUND_LIMIT + 100; i++) found.add(chat(`fake${i}`));
  for (let i = 0; i < FOUND_LIMIT + 100; i++) found.add(chat(`fake${i}`)); // announced again
  assert.equal(found.size, FOUND_LIMIT);
  assert.equal(found.list.length, FOUND_LIMIT);
  assert.equal(found.hidden, 100);
  assert.equal(found.hiddenCapped, false);
  // A shown one leaves: room for the next one heard again.
  found.remove(chat("fake0"));
  assert.equal(found.add(chat(`fake${FOUND_LIMIT + 5}`)), "found");
  assert.equal(found.hidden, 99);
});

Deno.test("FoundChats's count of hidden chats is bounded too (a flood of fakes)", () => {
  const found = new FoundChats(2, 10);
  for (let i = 0; i < 10_000; i++) found.add(chat(`flood${i}`));
  assert.equal(found.size, 2);
  assert.equal(found.hidden, 10);
  assert.equal(found.hiddenCapped, true);
  assert.equal(HIDDEN_TRACKED, 4096);
});
