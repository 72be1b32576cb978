import assert from "node:assert/strict";
import { FileSlots } from "../../lib/room/file_slots.ts";

Deno.test("FileSlots: slots run out, and come back when released", () => {
  const slots = new FileSlots(2);
  assert.deepEqual([slots.tryTake(), slots.tryTake(), slots.tryTake()], [true, true, false]);
  assert.equal(slots.free, 0);
  slots.release();
  assert.equal(slots.free, 1);
  assert.equal(slots.tryTake(), true);
});

Deno.test("FileSlots: waiters get released slots in order, before anyone who only tries", async () => {
  const slots = new FileSlots(1);
  await slots.take();
  const order: string[] = [];
  const first = slots.take().then(() => order.push("first"));
  const second = slots.take().then(() => order.push("second"));
  assert.equal(slots.tryTake(), false, "waiters come first");
  slots.release();
  await first;
  slots.release();
  await second;
  assert.deepEqual(order, ["first", "second"]);
  slots.release();
  assert.equal(slots.free, 1);
});
