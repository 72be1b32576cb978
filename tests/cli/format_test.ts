import assert from "node:assert/strict";
import { formatBytes, formatDuration, formatRate } from "../../lib/cli/format.ts";

Deno.test("formatBytes() uses SI units with one decimal from kB up", () => {
  assert.equal(formatBytes(0), "0 B");
  assert.equal(formatBytes(20), "20 B");
  assert.equal(formatBytes(999), "999 B");
  assert.equal(formatBytes(1000), "1.0 kB");
  assert.equal(formatBytes(1234), "1.2 kB");
  assert.equal(formatBytes(1_200_000), "1.2 MB");
  assert.equal(formatBytes(50_000_000), "50.0 MB");
  assert.equal(formatBytes(52_428_800), "52.4 MB");
  assert.equal(formatBytes(1_100_000_000), "1.1 GB");
  assert.equal(formatBytes(3e12), "3.0 TB");
});

Deno.test("formatBytes() never shows 1000.0 of a unit", () => {
  assert.equal(formatBytes(999_949), "999.9 kB");
  assert.equal(formatBytes(999_950), "1.0 MB");
  assert.equal(formatBytes(999_999_999), "1.0 GB");
});

Deno.test("formatBytes() handles odd input", () => {
  assert.equal(formatBytes(-1500), "-1.5 kB");
  assert.equal(formatBytes(NaN), "--");
  assert.equal(formatBytes(Infinity), "--");
});

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
