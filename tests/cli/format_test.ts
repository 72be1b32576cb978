import assert from "node:assert/strict";
import { formatDuration, formatRate } from "../../lib/cli/format.ts";

Deno.test("formatDuration() gives s, m ss and h mm", () => {
  assert.equal(formatDuration(0), "0s");
  assert.equal(formatDuration(2), "2s");
  assert.equal(formatDuration(2.4), "2s");
  assert.equal(formatDuration(59), "59s");
  assert.equal(formatDuration(60), "1m 00s");
  assert.equal(formatDuration(65), "1m 05s");
  assert.equal(formatDuration(3599), "59m 59s");
  assert.equal(formatDuration(3600), "1h 00m");
  assert.equal(formatDuration(3720), "1h 02m");
  assert.equal(formatDuration(90_000), "25h 00m");
  assert.equal(formatDuration(-1), "--");
  assert.equal(formatDuration(Infinity), "--");
});

Deno.test("formatRate() is bytes per second", () => {
  assert.equal(formatRate(12_300_000), "12.3 MB/s");
  assert.equal(formatRate(512), "512 B/s");
});
