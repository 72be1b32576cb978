import assert from "node:assert/strict";
import {
  isValidName,
  numberedName,
  sameName,
  sanitizeName,
  skeleton,
} from "../../lib/room/member_name.ts";

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

Deno.test("skeleton(): names a person could take for one another share one", () => {
  // [one name, a name that looks like it]: each pair must clash.
  const alike: [string, string][] = [
    ["alice", "ALICE"], // case
    ["alice", "aIice"], // capital i for l
    ["alice", "a1ice"], // one for l
    ["alice", "alIce"], // capital i for i
    ["bill", "biIl"],
    ["li", "Il"],
    ["bob", "b0b"], // zero for o
    ["ODIN", "0din"],
    ["sam", "5am"], // five for S
    ["zed", "2ed"], // two for Z
    ["bob", "8ob"], // eight for B
    ["greg", "9reg"], // nine for g
    ["mary", "rnary"], // rn for m
    ["wes", "vves"], // vv for w
    ["dan", "clan"], // cl for d
    ["dan", "c1an"],
    ["mark", "rnark"],
    ["a_b", "a-b"], // the three separators
    ["a_b", "a.b"],
    ["vvv", "wv"], // however a pair is split
    ["vvv", "vw"],
    ["rnm", "mrn"],
  ];
  for (const [a, b] of alike) {
    assert.equal(skeleton(a), skeleton(b), `${a} and ${b} look alike`);
  }
});

Deno.test("skeleton(): names that look different stay apart", () => {
  const apart: [string, string][] = [
    ["alice", "alicia"],
    ["bob", "rob"],
    ["m6", "m8"], // six is not eight
    ["anna", "arma"],
    ["q", "g"],
    ["u", "v"],
    ["nn", "m"],
    ["a_b", "ab"], // a separator is seen
    ["player1", "player7"],
    ["x3", "xe"],
  ];
  for (const [a, b] of apart) {
    assert.notEqual(skeleton(a), skeleton(b), `${a} and ${b} look different`);
  }
});

Deno.test("skeleton(): the table of look-alikes", () => {
  const table: [string, string][] = [
    ["Alice", "allce"],
    ["0Oo", "ooo"],
    ["1Iil", "llll"],
    ["2Zz", "zzz"],
    ["5Ss", "sss"],
    ["8Bb", "bbb"],
    ["9g", "gg"],
    ["mM", "rnrn"],
    ["wW", "vvvv"],
    ["dD", "clcl"],
    ["_-.", "___"],
    ["3467", "3467"],
  ];
  for (const [name, expected] of table) assert.equal(skeleton(name), expected, name);
});

Deno.test("skeleton(): distinct numbers stay distinct (a hub of 10,000 numbered members)", () => {
  const seen = new Set<string>();
  for (let i = 0; i < 10_000; i++) seen.add(skeleton(`m${i}`));
  assert.equal(seen.size, 10_000);
});

Deno.test("numberedName: NAME-2, cut to stay a valid name of at most 16 characters", () => {
  assert.equal(numberedName("root", 2), "root-2");
  assert.equal(numberedName("a-very-long-name", 2), "a-very-long-na-2");
  assert.equal(numberedName("sixteen-letters1", 9), "sixteen-letter-9");
  for (const name of ["root", "a-very-long-name", "x"]) {
    for (let n = 2; n <= 9; n++) assert.ok(isValidName(numberedName(name, n)));
  }
});
