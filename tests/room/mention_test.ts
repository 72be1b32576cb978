import assert from "node:assert/strict";
import { mentions } from "../../lib/room/mention.ts";

Deno.test("mentions: the name as a word, ignoring case", () => {
  for (
    const text of [
      "bob",
      "Bob, look",
      "hey @BOB!",
      "thanks bob.",
      "(bob)",
      "ask bob-",
      "bob: here",
      "tab\tbob",
      "👋bob",
    ]
  ) {
    assert.equal(mentions(text, "bob"), true, text);
  }
});

Deno.test("mentions: not inside a longer word or another name", () => {
  for (
    const text of [
      "bobby",
      "kabob",
      "bob_2",
      "bob2",
      "bob.smith",
      "bob-smith",
      "x.bob",
      "b o b",
      "",
    ]
  ) {
    assert.equal(mentions(text, "bob"), false, text);
  }
});

Deno.test("mentions: names with dots and dashes match themselves only", () => {
  assert.equal(mentions("hi a.b", "a.b"), true);
  assert.equal(mentions("hi axb", "a.b"), false, "a dot in a name is not any character");
  assert.equal(mentions("hi j-r!", "j-r"), true);
  // No Unicode case folding: the Kelvin sign is not a k.
  assert.equal(mentions("\u212aate", "kate"), false);
  assert.equal(mentions("KATE?", "kate"), true);
});
