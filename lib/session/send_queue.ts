/**
 * A two-lane bounded queue of encoded records: control first, bulk (file data) after.
 *
 * @example
 * ```ts
 * import { SendQueue } from "./send_queue.ts";
 * const queue = new SendQueue({ maxBytes: 1024, bulkLowWater: 512 });
 * queue.push(new Uint8Array(10), false);
 * console.log(queue.take(8).length); // 1
 * ```
 * @module
 */

/** Options of {@linkcode SendQueue}. */
export interface SendQueueOptions {
  /**
   * Bytes of the control lane beyond which `push` reports overflow. The bulk lane is paced by
   * its producers through `drained()`, so only unpaced chat and notices can pile up.
   */
  maxBytes: number;
  /** `drained()` resolves when the bulk lane holds fewer bytes than this. */
  bulkLowWater: number;
}

/** Queue of records waiting to be written to a peer. */
export class SendQueue {
  readonly #control: Uint8Array[] = [];
  readonly #bulk: Uint8Array[] = [];
  #controlHead = 0;
  #bulkHead = 0;
  #bytes = 0;
  #bulkBytes = 0;
  #controlBytes = 0;
  #options: SendQueueOptions;
  #drainWaiters: (() => void)[] = [];
  /** Who waits for the control lane to shrink, and to what. */
  #controlWaiters: { bytes: number; wake: () => void }[] = [];

  /** Creates an empty queue. */
  constructor(options: SendQueueOptions) {
    this.#options = options;
  }

  /** Bytes waiting in both lanes. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Bytes waiting in the control lane (chat and notices). */
  get controlBytes(): number {
    return this.#controlBytes;
  }

  /** Bytes waiting in the bulk lane (file data). */
  get bulkBytes(): number {
    return this.#bulkBytes;
  }

  /** Whether nothing is waiting. */
  get empty(): boolean {
    return this.#bytes === 0 && this.#control.length === this.#controlHead &&
      this.#bulk.length === this.#bulkHead;
  }

  /** Adds a record; returns `false` when the queue is over its limit (the peer is too slow). */
  push(record: Uint8Array, bulk: boolean): boolean {
    (bulk ? this.#bulk : this.#control).push(record);
    this.#bytes += record.length;
    if (bulk) this.#bulkBytes += record.length;
    else this.#controlBytes += record.length;
    return this.#controlBytes <= this.#options.maxBytes;
  }

  /**
   * Removes up to `max` records, control lane first, stopping before their framed size
   * (4-byte prefix each) would pass `maxBytes`; always takes at least one if any is queued.
   */
  take(max: number, maxBytes = Infinity): Uint8Array[] {
    return this.takeInto([], max, maxBytes);
  }

  /**
   * {@linkcode SendQueue.take} into `out` (appended to, and returned): a caller that seals at
   * once can reuse one array for every take.
   *
   * @example
   * ```ts
   * import { SendQueue } from "./send_queue.ts";
   * const queue = new SendQueue({ maxBytes: 1024, bulkLowWater: 1024 });
   * queue.push(new Uint8Array(3), false);
   * const taken: Uint8Array[] = [];
   * console.log(queue.takeInto(taken, 8).length); // 1
   * ```
   */
  takeInto(out: Uint8Array[], max: number, maxBytes = Infinity): Uint8Array[] {
    // No closure and no new lanes per call: a broadcast takes from every member's queue.
    let size = 0;
    const control = this.#control;
    while (this.#controlHead < control.length && out.length < max) {
      const record = control[this.#controlHead];
      if (out.length > 0 && size + 4 + record.length > maxBytes) break;
      this.#controlHead++;
      size += 4 + record.length;
      this.#controlBytes -= record.length;
      this.#bytes -= record.length;
      out.push(record);
    }
    // Bulk only after the whole control lane: file data never overtakes a chat line.
    const bulk = this.#bulk;
    while (
      this.#controlHead === control.length && this.#bulkHead < bulk.length && out.length < max
    ) {
      const record = bulk[this.#bulkHead];
      if (out.length > 0 && size + 4 + record.length > maxBytes) break;
      this.#bulkHead++;
      size += 4 + record.length;
      this.#bulkBytes -= record.length;
      this.#bytes -= record.length;
      out.push(record);
    }
    // A drained lane is emptied in place, keeping its storage (`length = 0` would drop it, and
    // the next push allocate it again); its records are the caller's now.
    if (this.#controlHead === control.length) emptyLane(control), this.#controlHead = 0;
    if (this.#bulkHead === bulk.length) emptyLane(bulk), this.#bulkHead = 0;
    if (this.#bulkBytes < this.#options.bulkLowWater) this.#wakeDrained();
    if (this.#controlWaiters.length > 0) this.#wakeControl(false);
    return out;
  }

  /** Resolves when the bulk lane is below its low-water mark. */
  drained(): Promise<void> {
    if (this.#bulkBytes < this.#options.bulkLowWater) return Promise.resolve();
    return new Promise((resolve) => this.#drainWaiters.push(resolve));
  }

  /**
   * Resolves once the control lane holds at most `bytes` (at once if it does): a producer of
   * many lines waits here instead of filling the lane to its limit.
   */
  controlBelow(bytes: number): Promise<void> {
    if (this.#controlBytes <= bytes) return Promise.resolve();
    return new Promise((wake) => this.#controlWaiters.push({ bytes, wake }));
  }

  /** Releases every waiter, e.g. when the session closes. */
  release(): void {
    this.#wakeDrained();
    this.#wakeControl(true);
  }

  #wakeControl(all: boolean): void {
    const waiting = this.#controlWaiters;
    this.#controlWaiters = [];
    for (const waiter of waiting) {
      if (all || this.#controlBytes <= waiter.bytes) waiter.wake();
      else this.#controlWaiters.push(waiter);
    }
  }

  #wakeDrained(): void {
    const waiters = this.#drainWaiters;
    this.#drainWaiters = [];
    for (const wake of waiters) wake();
  }
}

function emptyLane(lane: Uint8Array[]): void {
  while (lane.length > 0) lane.pop();
}
