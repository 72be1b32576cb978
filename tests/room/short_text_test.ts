import assert from "node:assert/strict";
import {
  MAX_AWAY_CHARS,
  MAX_REASON_CHARS,
  MAX_TOPIC_CHARS,
  shortTextProblem,
} from "../../lib/room/short_text.ts";

Deno.test("shortTextProblem: ordinary text of any script passes", () => {
  for (const text of ["flooding", "héllo 👋 مرحبا", '"quoted" \\ back', "x".repeat(160)]) {
    assert.equal(shortTextProblem(text, "reason", MAX_REASON_CHARS), undefined, text);
  }
});

Deno.test("shortTextProblem: blank, too long, controls, separators, bidi and lone surrogates are refused", () => {
  assert.equal(shortTextProblem("  ", "topic", MAX_TOPIC_CHARS), "The topic is empty.");
  assert.equal(
    shortTextProblem("x".repeat(MAX_TOPIC_CHARS + 1), "topic", MAX_TOPIC_CHARS),
    "The topic is too long (301 characters; the limit is 300).",
  );
  const cases: [string, string][] = [
    ["a\tb", "\\x09"],
    ["a\nb", "\\x0a"],
    ["a\x1b[2Jb", "\\x1b"],
    ["a\x7fb", "\\x7f"],
    ["a\u0085b", "\\x85"],
    ["a\u2028b", "\\u2028"],
    ["a\u2029b", "\\u2029"],
    ["evil\u202etxt", "\\u202e"],
    ["a\u2066b", "\\u2066"],
    ["a\u200fb", "\\u200f"],
    ["a\u061cb", "\\u061c"],
  ];
  for (const [text, shown] of cases) {
    assert.equal(
      shortTextProblem(text, "away message", MAX_AWAY_CHARS),
      `The away message may not hold control or bidi characters such as ${shown}.`,
      JSON.stringify(text),
    );
  }
  assert.equal(
    shortTextProblem("half \ud83d", "reason", MAX_REASON_CHARS),
    "The reason is not valid Unicode (a lone surrogate).",
  );
});
