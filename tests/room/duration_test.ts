import assert from "node:assert/strict";
import {
  looksLikeDuration,
  MAX_DURATION_SECONDS,
  parseDuration,
  spanText,
  untilText,
} from "../../lib/room/duration.ts";

Deno.test("parseDuration: a whole number and one unit, 1 s to 365 days", () => {
  assert.deepEqual(parseDuration("90s"), { seconds: 90 });
  assert.deepEqual(parseDuration("10m"), { seconds: 600 });
  assert.deepEqual(parseDuration("2h"), { seconds: 7200 });
  assert.deepEqual(parseDuration("7d"), { seconds: 604_800 });
  assert.deepEqual(parseDuration("365d"), { seconds: MAX_DURATION_SECONDS });
  assert.deepEqual(parseDuration("8760h"), { seconds: MAX_DURATION_SECONDS });
});

Deno.test("parseDuration: anything else is a mistake, said plainly", () => {
  const notOne = (text: string) =>
    `Not a duration: ${text} (use a whole number and s, m, h or d: 90s, 10m, 2h, 7d).`;
  for (const text of ["10", "1.5h", "10 m", "10M", "-5m", "1e3s", "10mm", "m", "", "0x10s", "٣m"]) {
    assert.deepEqual(parseDuration(text), { error: notOne(text) }, text);
  }
  assert.deepEqual(parseDuration("0m"), { error: "Too short: 0m." });
  assert.deepEqual(parseDuration("366d"), { error: "Too long: 366d (at most 365d)." });
  assert.deepEqual(parseDuration("999999999d"), { error: "Too long: 999999999d (at most 365d)." });
  // Digits without end are not parsed into a huge number.
  assert.ok("error" in parseDuration(`${"9".repeat(400)}s`));
  assert.equal(
    (parseDuration("x".repeat(1000)) as { error: string }).error.length < 150,
    true,
    "a long word is cut in the message",
  );
});

Deno.test("looksLikeDuration: a word that starts with a digit", () => {
  assert.deepEqual(["10m", "2nd", "spam", "", "-1"].map(looksLikeDuration), [
    true,
    true,
    false,
    false,
    false,
  ]);
});

Deno.test("spanText and untilText: to the second under an hour, in UTC", () => {
  assert.deepEqual([0, 999, 45_000, 598_000, 7_500_000, 604_000_000].map(spanText), [
    "0s",
    "1s",
    "45s",
    "9m 58s",
    "2h 05m",
    "6d 23h",
  ]);
  const now = Date.UTC(2026, 11, 5, 13, 53, 22);
  assert.equal(untilText(now + 598_000, now), "2026-12-05 14:03:20 UTC (another 9m 58s)");
});
