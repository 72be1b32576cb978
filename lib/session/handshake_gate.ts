/**
 * When an accepted connection may run its handshake. Before a peer is authenticated it costs
 * the host a handshake's CPU and memory, and after the host's hello it holds one passkey
 * guess (see `HandshakeError.guessed`). So:
 *
 * - at most `maxRunning` handshakes run at once; later ones wait in arrival order (at most
 *   `maxWaiting`, each at most `maxWaitMs`), the rest are refused;
 * - per address group (`address_group.ts`): `freeFailures` failures, then one attempt at a time,
 *   each `1 s`, `2 s`, `4 s` ... up to 30 s after the last failure; a handshake under way counts
 *   as a failure until it ends, so parallel attempts get no more guesses in than one after
 *   another; a stall (the deadline passed) counts like a failure; forgotten after 10 minutes
 *   without one, or after a success;
 * - for the whole listener: failed guesses spend a budget of `burst` that refills at
 *   `perSecond`; every handshake under way holds one unit of it, so however many addresses an
 *   attacker has, the listener takes at most `perSecond` guesses a second once it is spent.
 *
 * @example
 * ```ts
 * import { HandshakeGate } from "./handshake_gate.ts";
 * const gate = new HandshakeGate();
 * const answer = await gate.enter("10.0.0.5");
 * if ("pass" in answer) answer.pass.done("guessed"); // a wrong passkey
 * console.log(gate.failures("10.0.0.5")); // 1
 * gate.close();
 * ```
 * @module
 */

/** How a handshake let through by the gate ended. */
export type HandshakeOutcome =
  /** Authenticated: the group's failures are forgotten. */
  | "secured"
  /** Refused before anything could be learnt (malformed, hung up before the host's hello). */
  | "failed"
  /** The deadline passed before the host's hello: counts against the group, not a guess. */
  | "stalled"
  /** A passkey was tried (wrong, or abandoned after the host's hello): counts everywhere. */
  | "guessed";

/** A connection's place in the handshakes under way; `done` gives it back. */
export interface HandshakePass {
  /** Ends the handshake with its outcome (once). */
  done(outcome: HandshakeOutcome): void;
}

/** What {@linkcode HandshakeGate.enter} resolves with: a pass, or why there is none. */
export type GateAnswer = { pass: HandshakePass } | { refused: string };

/** Options of {@linkcode HandshakeGate}. */
export interface HandshakeGateOptions {
  /** Handshakes under way at once. Default 64. */
  maxRunning?: number;
  /** Connections waiting for a place. Default 1,024. */
  maxWaiting?: number;
  /** How long one may wait before it is refused. Default 10 s (a client's own deadline). */
  maxWaitMs?: number;
  /** Failures of one address group before its attempts are spaced out. Default 3. */
  freeFailures?: number;
  /** Failed guesses the whole listener allows at once, and refilled a second. Default 100, 1. */
  guessBudget?: { burst: number; perSecond: number };
  /** Told once when the listener's guess budget runs out (until it is full again). */
  onThrottled?: (budget: { burst: number; perSecond: number }) => void;
}

/** Forget a group's failures after this long without one. */
const FORGET_MS = 10 * 60_000;
/** The longest spacing imposed on a group that keeps failing. */
const MAX_DELAY_MS = 30_000;

interface Group {
  failures: number;
  lastFailure: number;
  running: number;
}

interface Waiter {
  group: string;
  since: number;
  resolve: (answer: GateAnswer) => void;
}

/**
 * Decides when each accepted connection may run its handshake.
 *
 * @example
 * ```ts
 * import { HandshakeGate } from "./handshake_gate.ts";
 * const gate = new HandshakeGate({ maxRunning: 1, maxWaiting: 0 });
 * const first = await gate.enter("10.0.0.5");
 * console.log(await gate.enter("10.0.0.6")); // { refused: "too many connections waiting ..." }
 * if ("pass" in first) first.pass.done("secured");
 * gate.close();
 * ```
 */
export class HandshakeGate {
  #maxRunning: number;
  #maxWaiting: number;
  #maxWaitMs: number;
  #free: number;
  #budget: { burst: number; perSecond: number };
  #onThrottled: HandshakeGateOptions["onThrottled"];
  #groups: Map<string, Group> = new Map();
  #waiting: Waiter[] = [];
  #running = 0;
  #tokens: number;
  #tokensAt = Date.now();
  #throttled = false;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #timerAt = Infinity;
  #lastSweep = Date.now();
  #closed = false;

  /** Creates a gate; see {@linkcode HandshakeGateOptions} for the defaults. */
  constructor(options: HandshakeGateOptions = {}) {
    this.#maxRunning = options.maxRunning ?? 64;
    this.#maxWaiting = options.maxWaiting ?? 1024;
    this.#maxWaitMs = options.maxWaitMs ?? 10_000;
    this.#free = options.freeFailures ?? 3;
    this.#budget = options.guessBudget ?? { burst: 100, perSecond: 1 };
    this.#tokens = this.#budget.burst;
    this.#onThrottled = options.onThrottled;
  }

  /** Handshakes under way. */
  get running(): number {
    return this.#running;
  }

  /** Connections waiting for a place. */
  get waiting(): number {
    return this.#waiting.length;
  }

  /** Failures counted against `group` (after forgetting old ones). */
  failures(group: string): number {
    return this.#group(group, Date.now())?.failures ?? 0;
  }

  /** The spacing `group`'s next attempt gets after its failures so far (0 while it has free ones). */
  delayFor(group: string): number {
    return this.#delay(this.failures(group));
  }

  /**
   * Resolves with a pass once a connection from `group` may run its handshake, or with the
   * reason it may not (too many waiting, waited too long, gate closed).
   */
  enter(group: string): Promise<GateAnswer> {
    if (this.#closed) return Promise.resolve({ refused: "the listener is closing" });
    const { promise, resolve } = Promise.withResolvers<GateAnswer>();
    const waiter = { group, since: Date.now(), resolve };
    this.#waiting.push(waiter);
    this.#pump();
    if (this.#waiting.length > this.#maxWaiting && this.#waiting.at(-1) === waiter) {
      this.#waiting.pop();
      resolve({
        refused: `too many connections waiting for their handshake (${this.#waiting.length} ` +
          `waiting, ${this.#running} under way)`,
      });
    }
    return promise;
  }

  /** Refuses every waiting connection and stops the timer; passes out may still end. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#timer);
    for (const waiter of this.#waiting.splice(0)) {
      waiter.resolve({ refused: "the listener is closing" });
    }
  }

  /** Starts whoever may start now, refuses whoever waited too long, and sets the next wake-up. */
  #pump(): void {
    if (this.#closed) return;
    const now = Date.now();
    this.#refill(now);
    this.#sweep(now);
    let wake = Infinity;
    // Arrival order is expiry order: the expired are at the front.
    while (this.#waiting.length > 0 && now - this.#waiting[0].since >= this.#maxWaitMs) {
      this.#waiting.shift()!.resolve({
        refused: "waited too long for a place to run its handshake",
      });
    }
    if (this.#waiting.length > 0) wake = this.#waiting[0].since + this.#maxWaitMs;
    if (this.#waiting.length > 0 && this.#running < this.#maxRunning) {
      const still: Waiter[] = [];
      for (const waiter of this.#waiting) {
        if (this.#running >= this.#maxRunning) {
          still.push(waiter);
          continue;
        }
        // Every handshake under way holds one unit of the listener's guess budget.
        const short = this.#running + 1 - this.#tokens;
        if (short > 0) {
          if (this.#budget.perSecond > 0) {
            wake = Math.min(wake, now + Math.ceil((1000 * short) / this.#budget.perSecond));
          }
          still.push(waiter);
          continue;
        }
        const readyAt = this.#readyAt(waiter.group, now);
        if (readyAt <= now) {
          this.#start(waiter, now);
        } else {
          wake = Math.min(wake, readyAt);
          still.push(waiter);
        }
      }
      this.#waiting = still;
    }
    this.#arm(wake, now);
  }

  #start(waiter: Waiter, now: number): void {
    this.#running++;
    let group = this.#group(waiter.group, now);
    if (group === undefined) {
      group = { failures: 0, lastFailure: 0, running: 0 };
      this.#groups.set(waiter.group, group);
    }
    group.running++;
    let ended = false;
    waiter.resolve({
      pass: {
        done: (outcome) => {
          if (ended) return;
          ended = true;
          this.#end(waiter.group, group, outcome);
        },
      },
    });
  }

  #end(key: string, group: Group, outcome: HandshakeOutcome): void {
    const now = Date.now();
    this.#running--;
    group.running--;
    if (outcome === "secured") group.failures = 0;
    if (outcome === "stalled" || outcome === "guessed") {
      group.failures++;
      group.lastFailure = now;
    }
    if (outcome === "guessed") {
      this.#refill(now);
      this.#tokens -= 1;
      if (this.#tokens < 1 && !this.#throttled) {
        this.#throttled = true;
        this.#onThrottled?.(this.#budget);
      }
    }
    if (group.failures === 0 && group.running === 0) this.#groups.delete(key);
    this.#pump();
  }

  /** When a new attempt from `key` may start: now, a time, or Infinity (after one ends). */
  #readyAt(key: string, now: number): number {
    const group = this.#group(key, now);
    if (group === undefined || group.running + group.failures < this.#free) return now;
    if (group.running > 0) return Infinity;
    return group.lastFailure + this.#delay(group.failures);
  }

  #delay(failures: number): number {
    const over = failures - this.#free;
    return over < 0 ? 0 : Math.min(1000 * 2 ** over, MAX_DELAY_MS);
  }

  /** The group's record, with its failures forgotten once they are old. */
  #group(key: string, now: number): Group | undefined {
    const group = this.#groups.get(key);
    if (group && group.failures > 0 && now - group.lastFailure > FORGET_MS) {
      group.failures = 0;
      if (group.running === 0) {
        this.#groups.delete(key);
        return undefined;
      }
    }
    return group;
  }

  #refill(now: number): void {
    const { burst, perSecond } = this.#budget;
    this.#tokens = Math.min(burst, this.#tokens + ((now - this.#tokensAt) / 1000) * perSecond);
    this.#tokensAt = now;
    if (this.#tokens >= burst) this.#throttled = false;
  }

  /** Drops forgotten groups now and then, so addresses that stopped trying cost nothing. */
  #sweep(now: number): void {
    if (now - this.#lastSweep < 60_000) return;
    this.#lastSweep = now;
    for (const key of this.#groups.keys()) this.#group(key, now);
  }

  #arm(wake: number, now: number): void {
    if (wake === this.#timerAt) return;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerAt = wake;
    if (wake === Infinity) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#timerAt = Infinity;
      this.#pump();
    }, Math.max(0, wake - now));
  }
}
