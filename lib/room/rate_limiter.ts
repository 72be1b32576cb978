/**
 * Flood control: a token bucket per member.
 *
 * @example
 * ```ts
 * import { RateLimiter } from "./rate_limiter.ts";
 * const limiter = new RateLimiter({ perSecond: 1, burst: 2 });
 * console.log(limiter.allow(), limiter.allow(), limiter.allow()); // true true false
 * ```
 * @module
 */

/** Options of {@linkcode RateLimiter}; `perSecond: 0` disables the limit. */
export interface RateLimit {
  /** Sustained lines per second. */
  perSecond: number;
  /** Lines allowed at once after a quiet spell. */
  burst: number;
}

/** Allows `burst` events at once and `perSecond` on average. */
export class RateLimiter {
  #limit: RateLimit;
  #tokens: number;
  #last: number;
  #now: () => number;

  /** Creates a full bucket; `now` is injectable for tests. */
  constructor(limit: RateLimit, now: () => number = Date.now) {
    this.#limit = limit;
    this.#tokens = limit.burst;
    this.#now = now;
    this.#last = now();
  }

  /** Takes a token if one is available. */
  allow(): boolean {
    if (this.#limit.perSecond <= 0) return true;
    const now = this.#now();
    this.#tokens = Math.min(
      this.#limit.burst,
      this.#tokens + (now - this.#last) / 1000 * this.#limit.perSecond,
    );
    this.#last = now;
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }
}
