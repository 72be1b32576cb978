import assert from "node:assert/strict";
import { formatBytes, sizeUnit } from "../../lib/room/byte_size.ts";

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

Deno.test("sizeUnit() names the unit a size is shown in, and its bytes", () => {
  assert.deepEqual(sizeUnit(999), { unit: "B", bytes: 1 });
  assert.deepEqual(sizeUnit(1000), { unit: "kB", bytes: 1000 });
  assert.deepEqual(sizeUnit(999_950), { unit: "MB", bytes: 1_000_000 });
  assert.deepEqual(sizeUnit(10e9), { unit: "GB", bytes: 1e9 });
});
