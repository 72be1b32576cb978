import assert from "node:assert/strict";
import {
  MAX_UNREADABLE_IN_A_ROW,
  UnreadableRecords,
} from "../../lib/session/unreadable_records.ts";

Deno.test("UnreadableRecords: reports the 1st, 2nd, 4th, 8th ... and counts them all", () => {
  const unreadable = new UnreadableRecords();
  const reported: number[] = [];
  for (let i = 0; i < 1000; i++) {
    const verdict = unreadable.skip();
    if (verdict.report) reported.push(verdict.count);
    unreadable.read(); // each between two good records: never cut off
    assert.equal(verdict.cutOff, false);
  }
  assert.deepEqual(reported, [1, 2, 4, 8, 16, 32, 64, 128, 256, 512]);
  assert.equal(unreadable.count, 1000);
});

Deno.test("UnreadableRecords: cuts off at 64 in a row; a readable record starts the run again", () => {
  const unreadable = new UnreadableRecords();
  for (let i = 1; i < MAX_UNREADABLE_IN_A_ROW; i++) assert.equal(unreadable.skip().cutOff, false);
  unreadable.read();
  for (let i = 1; i < MAX_UNREADABLE_IN_A_ROW; i++) assert.equal(unreadable.skip().cutOff, false);
  assert.equal(unreadable.skip().cutOff, true);
});
