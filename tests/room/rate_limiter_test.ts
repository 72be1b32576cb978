import assert from "node:assert/strict";
import { RateLimiter } from "../../lib/room/rate_limiter.ts";

/** A clock the test moves by hand. */
function fakeClock(start = 1_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => now += ms };
}

Deno.test("RateLimiter: allows a burst, then refuses", () => {
  const clock = fakeClock();
  const limiter = new RateLimiter({ perSecond: 1, burst: 3 }, clock.now);
  assert.deepEqual([1, 2, 3, 4].map(() => limiter.allow()), [true, true, true, false]);
});

Deno.test("RateLimiter: refills at perSecond", () => {
  const clock = fakeClock();
  const limiter = new RateLimiter({ perSecond: 2, burst: 2 }, clock.now);
  limiter.allow();
  limiter.allow();
  assert.equal(limiter.allow(), false);
  clock.advance(400); // 0.8 of a token
  assert.equal(limiter.allow(), false);
  clock.advance(100); // 1 token (the refused attempt cost nothing)
  assert.equal(limiter.allow(), true);
  assert.equal(limiter.allow(), false);
});

Deno.test("RateLimiter: a quiet spell refills no more than the burst", () => {
  const clock = fakeClock();
  const limiter = new RateLimiter({ perSecond: 5, burst: 2 }, clock.now);
  clock.advance(60_000);
  assert.deepEqual([1, 2, 3].map(() => limiter.allow()), [true, true, false]);
});

Deno.test("RateLimiter: a steady pace at the limit is always allowed", () => {
  const clock = fakeClock();
  const limiter = new RateLimiter({ perSecond: 5, burst: 1 }, clock.now);
  for (let i = 0; i < 50; i++) {
    assert.equal(limiter.allow(), true, `line ${i}`);
    clock.advance(200);
  }
});

Deno.test("RateLimiter: perSecond 0 means no limit", () => {
  const clock = fakeClock();
  const limiter = new RateLimiter({ perSecond: 0, burst: 0 }, clock.now);
  for (let i = 0; i < 1000; i++) assert.equal(limiter.allow(), true);
});
