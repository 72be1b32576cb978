import assert from "node:assert/strict";
import {
  clashReason,
  MAX_KEPT_NAMES,
  NAME_GRACE_MS,
  NameRegistry,
} from "../../lib/room/name_registry.ts";

interface Person {
  name: string;
  client: string;
}

function clock() {
  let now = 1_000_000;
  return { now: () => now, advance: (ms: number) => now += ms };
}

Deno.test("NameRegistry: the grace period is two minutes", () => {
  assert.equal(NAME_GRACE_MS, 120_000);
  assert.ok(MAX_KEPT_NAMES >= 10_000, "a hub of 10,000 that loses its network keeps every name");
});

Deno.test("NameRegistry: a name present is taken, and one like it too; not for its own client", () => {
  const names = new NameRegistry<Person>();
  const alice = { name: "alice", client: "c1" };
  names.add(alice);
  assert.deepEqual(names.clash("ALICE", "c2"), { kind: "taken", holder: "alice" });
  assert.deepEqual(names.clash("aIice", "c2"), { kind: "similar", holder: "alice" });
  assert.deepEqual(names.clash("a1ice", undefined), { kind: "similar", holder: "alice" });
  assert.equal(names.clash("aIice", "c1"), undefined, "her own client may change how it looks");
  assert.equal(names.clash("alicia", "c2"), undefined);
  assert.equal(names.find("Alice"), alice);
  assert.equal(
    names.find("a1ice"),
    undefined,
    "a message goes to the name itself, not one like it",
  );
});

Deno.test("NameRegistry: a dropped member's name is kept for its client only, for the grace period", () => {
  const time = clock();
  const names = new NameRegistry<Person>({ graceMs: 120_000, now: time.now });
  const alice = { name: "alice", client: "c1" };
  names.add(alice);
  names.remove(alice, true);
  assert.equal(names.find("alice"), undefined, "nobody is reached under it meanwhile");
  assert.deepEqual(names.clash("alice", "c2"), { kind: "kept", holder: "alice", seconds: 120 });
  time.advance(30_500);
  assert.deepEqual(names.clash("A1ice", "mallory"), { kind: "kept", holder: "alice", seconds: 90 });
  assert.deepEqual(names.clash("alice", undefined), { kind: "kept", holder: "alice", seconds: 90 });
  assert.equal(names.clash("alice", "c1"), undefined, "her own client gets it back");
  assert.equal(names.kept, 1);
  time.advance(89_500);
  assert.equal(names.clash("alice", "c2"), undefined, "free once the period is over");
  assert.equal(names.kept, 0);
});

Deno.test("NameRegistry: the owner's return ends the keeping, under the same name or another", () => {
  const time = clock();
  const names = new NameRegistry<Person>({ now: time.now });
  const alice = { name: "alice", client: "c1" };
  names.add(alice);
  names.remove(alice, true);
  const back = { name: "alice", client: "c1" };
  names.add(back);
  assert.equal(names.find("alice"), back);
  assert.equal(names.kept, 0);
  // Dropped again, she comes back under another name: the old one is free at once.
  names.remove(back, true);
  names.add({ name: "alicia", client: "c1" });
  assert.equal(names.kept, 0);
  assert.equal(names.clash("alice", "c2"), undefined);
});

Deno.test("NameRegistry: a goodbye, a rename or a replaced connection keeps nothing", () => {
  const names = new NameRegistry<Person>();
  const bob = { name: "bob", client: "c2" };
  names.add(bob);
  names.remove(bob, false);
  assert.equal(names.clash("bob", "c3"), undefined);
  // Her reconnect took her name over before the old connection was let go.
  const carol = { name: "carol", client: "c4" };
  names.add(carol);
  const again = { name: "carol", client: "c4" };
  names.add(again);
  names.remove(carol, true);
  assert.equal(names.find("carol"), again);
  assert.equal(names.kept, 0);
});

Deno.test("NameRegistry: a direct chat (grace 0) keeps no names", () => {
  const names = new NameRegistry<Person>({ graceMs: 0 });
  const bob = { name: "bob", client: "c2" };
  names.add(bob);
  names.remove(bob, true);
  assert.equal(names.clash("bob", "c3"), undefined);
});

Deno.test("NameRegistry: past the most names kept, the oldest is let go", () => {
  const names = new NameRegistry<Person>({ maxKept: 3 });
  for (const name of ["a", "b", "c", "e"]) {
    const person = { name, client: `client-${name}` };
    names.add(person);
    names.remove(person, true);
  }
  assert.equal(names.kept, 3);
  assert.equal(names.clash("a", "x"), undefined);
  assert.equal(names.clash("b", "x")?.kind, "kept");
  assert.equal(names.clash("e", "x")?.kind, "kept");
});

Deno.test("clashReason(): what a person is told, joining or renaming", () => {
  assert.equal(
    clashReason("ALICE", { kind: "taken", holder: "alice" }, "join"),
    "The name ALICE is taken in this chat; choose another with --name.",
  );
  assert.equal(
    clashReason("Bob", { kind: "taken", holder: "bob" }, "nick"),
    "The name Bob is taken.",
  );
  assert.equal(
    clashReason("aIice", { kind: "similar", holder: "alice" }, "join"),
    "The name aIice is too similar to alice, who is in this chat; choose another with --name.",
  );
  assert.equal(
    clashReason("alice", { kind: "kept", holder: "alice", seconds: 97 }, "nick"),
    "The name alice is kept for its owner for another 97 s (their connection dropped).",
  );
  assert.equal(
    clashReason("a1ice", { kind: "kept", holder: "alice", seconds: 5 }, "join"),
    "The name a1ice is too similar to alice, kept for its owner for another 5 s " +
      "(their connection dropped); choose another with --name.",
  );
});
