import assert from "node:assert/strict";
import { SendQueue } from "../../lib/session/send_queue.ts";

/** A record of `size` bytes, all set to `tag`, to tell records apart. */
function record(tag: number, size = 1): Uint8Array {
  return new Uint8Array(size).fill(tag);
}

function tags(records: Uint8Array[]): number[] {
  return records.map((r) => r[0]);
}

/** Whether `promise` has settled once pending callbacks and timers have run. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  promise.then(() => done = true);
  await new Promise((resolve) => setTimeout(resolve, 0));
  return done;
}

Deno.test("SendQueue: control records overtake queued bulk records", () => {
  const queue = new SendQueue({ maxBytes: 1000, bulkLowWater: 100 });
  queue.push(record(1), true);
  queue.push(record(2), true);
  queue.push(record(3), false);
  queue.push(record(4), true);
  queue.push(record(5), false);
  assert.deepEqual(tags(queue.take(10)), [3, 5, 1, 2, 4]);
  assert.equal(queue.empty, true);
  assert.equal(queue.bytes, 0);
});

Deno.test("SendQueue: each lane keeps its own order across partial takes", () => {
  const queue = new SendQueue({ maxBytes: 1000, bulkLowWater: 100 });
  for (const tag of [1, 2, 3]) queue.push(record(tag), true);
  queue.push(record(10), false);
  assert.deepEqual(tags(queue.take(2)), [10, 1]);
  queue.push(record(11), false); // arrives while bulk 2 and 3 wait: goes first
  assert.deepEqual(tags(queue.take(2)), [11, 2]);
  assert.deepEqual(tags(queue.take(2)), [3]);
  assert.deepEqual(queue.take(2), []);
});

Deno.test("SendQueue: push reports overflow once more than maxBytes of chat and notices are queued", () => {
  const queue = new SendQueue({ maxBytes: 10, bulkLowWater: 5 });
  // File data is paced by drained(), so it never counts as overflow.
  assert.equal(queue.push(record(1, 60), true), true);
  assert.equal(queue.push(record(2, 10), false), true, "exactly maxBytes is still fine");
  assert.equal(queue.bytes, 70);
  assert.equal(queue.push(record(3, 1), false), false);
  // Taking relieves the queue again.
  queue.take(3);
  assert.equal(queue.push(record(4, 10), false), true);
});

Deno.test("SendQueue: take stops at a byte budget but always takes one record", () => {
  const queue = new SendQueue({ maxBytes: 1000, bulkLowWater: 10 });
  for (const tag of [1, 2, 3]) queue.push(record(tag, 96), false);
  assert.deepEqual(tags(queue.take(10, 200)), [1, 2], "two framed records are 200 bytes");
  assert.deepEqual(tags(queue.take(10, 50)), [3], "one record even over the budget");
});

Deno.test("SendQueue: drained() waits until the bulk lane is below the low-water mark", async () => {
  const queue = new SendQueue({ maxBytes: 1000, bulkLowWater: 10 });
  assert.equal(await settled(queue.drained()), true, "an empty queue is drained");
  for (const tag of [1, 2, 3]) queue.push(record(tag, 5), true);
  queue.push(record(9, 50), false); // control bytes do not count towards bulk
  const drained = queue.drained();
  assert.equal(await settled(drained), false);
  queue.take(2); // control + 1 bulk: 10 bulk bytes left, not below 10
  assert.equal(await settled(drained), false);
  queue.take(1); // 5 left
  assert.equal(await settled(drained), true);
});

Deno.test("SendQueue: release() frees every waiter, e.g. on close", async () => {
  const queue = new SendQueue({ maxBytes: 1000, bulkLowWater: 1 });
  queue.push(record(1, 5), true);
  const drained = [queue.drained(), queue.drained()];
  assert.equal(await settled(Promise.all(drained)), false);
  queue.release();
  assert.equal(await settled(Promise.all(drained)), true);
});

Deno.test("SendQueue: controlBytes counts the chat and notices waiting, bulkBytes the file data", () => {
  const queue = new SendQueue({ maxBytes: 1000, bulkLowWater: 100 });
  queue.push(record(1, 500), true);
  queue.push(record(2, 30), false);
  queue.push(record(3, 20), false);
  assert.equal(queue.controlBytes, 50);
  assert.equal(queue.bulkBytes, 500);
  queue.take(1);
  assert.equal(queue.controlBytes, 20);
  queue.take(10);
  assert.equal(queue.controlBytes, 0);
  assert.equal(queue.bulkBytes, 0);
});

Deno.test("SendQueue: takeInto appends to the given list, and drained lanes take new records", () => {
  const queue = new SendQueue({ maxBytes: 1000, bulkLowWater: 100 });
  const taken: Uint8Array[] = [record(9)];
  queue.push(record(1), false);
  queue.push(record(2), true);
  assert.equal(queue.takeInto(taken, 10), taken);
  assert.deepEqual(tags(taken), [9, 1, 2]);
  // Both lanes were drained in place; what comes next is taken once, in order.
  for (let round = 0; round < 3; round++) {
    queue.push(record(round + 20), true);
    queue.push(record(round + 10), false);
    assert.deepEqual(tags(queue.take(10)), [round + 10, round + 20]);
    assert.equal(queue.empty, true);
  }
});

Deno.test("SendQueue: controlBelow waits until the chat queued is down to the mark", async () => {
  const queue = new SendQueue({ maxBytes: 1000, bulkLowWater: 100 });
  for (const tag of [1, 2, 3]) queue.push(record(tag, 100), false);
  queue.push(record(4, 500), true);
  assert.equal(await settled(queue.controlBelow(300)), true, "already there");
  const to100 = queue.controlBelow(100);
  const to0 = queue.controlBelow(0);
  queue.take(1);
  assert.equal(await settled(to100), false);
  queue.take(1);
  assert.equal(await settled(to100), true);
  assert.equal(await settled(to0), false, "file data does not count, the last line does");
  queue.release();
  assert.equal(await settled(to0), true, "freed when the session closes");
});
