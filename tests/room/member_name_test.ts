import assert from "node:assert/strict";
import { isValidName, sameName, sanitizeName } from "../../lib/room/member_name.ts";

Deno.test("sanitizeName() keeps [A-Za-z0-9_.-] and at most 16 characters", () => {
  assert.equal(sanitizeName("alice"), "alice");
  assert.equal(sanitizeName("Alice Smith!"), "AliceSmith");
  assert.equal(sanitizeName("bob_the-builder.2"), "bob_the-builder.");
  assert.equal(sanitizeName("a".repeat(40)), "a".repeat(16));
  assert.equal(sanitizeName("\x1b[31mred\x1b[0m"), "31mred0m");
  assert.equal(sanitizeName("évè\u202ename"), "vname");
  assert.equal(sanitizeName("../../etc"), "....etc");
});

Deno.test("sanitizeName() may return an empty string", () => {
  assert.equal(sanitizeName(""), "");
  assert.equal(sanitizeName("😀 日本"), "");
  assert.equal(sanitizeName("   "), "");
});

Deno.test("isValidName() accepts 1 to 16 allowed characters only", () => {
  assert.ok(isValidName("alice"));
  assert.ok(isValidName("A_b.c-9"));
  assert.ok(isValidName("x".repeat(16)));
  assert.ok(!isValidName(""));
  assert.ok(!isValidName("x".repeat(17)));
  assert.ok(!isValidName("al ice"));
  assert.ok(!isValidName("alice\n"));
  assert.ok(!isValidName("ålice"));
});

Deno.test("sameName() compares ignoring case", () => {
  assert.ok(sameName("Alice", "alice"));
  assert.ok(sameName("BOB.1", "bob.1"));
  assert.ok(!sameName("alice", "alicia"));
  assert.ok(!sameName("alice", "alice "));
  // Only ASCII folds: the Kelvin sign is not "k".
  assert.ok(!sameName("\u212a", "k"));
});
