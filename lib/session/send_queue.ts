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
  /** Bytes queued beyond which `push` reports overflow. */
  maxBytes: number;
  /** `drained()` resolves when the bulk lane holds fewer bytes than this. */
  bulkLowWater: number;
}

/** Queue of records waiting to be written to a peer. */
export class SendQueue {
  #control: Uint8Array[] = [];
  #bulk: Uint8Array[] = [];
  #controlHead = 0;
  #bulkHead = 0;
  #bytes = 0;
  #bulkBytes = 0;
  #options: SendQueueOptions;
  #drainWaiters: (() => void)[] = [];
  #itemWaiter: (() => void) | undefined;

  /** Creates an empty queue. */
  constructor(options: SendQueueOptions) {
    this.#options = options;
  }

  /** Bytes waiting in both lanes. */
  get bytes(): number {
    return this.#bytes;
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
    const waiter = this.#itemWaiter;
    this.#itemWaiter = undefined;
    waiter?.();
    return this.#bytes <= this.#options.maxBytes;
  }

  /** Removes up to `max` records, control lane first. */
  take(max: number): Uint8Array[] {
    const out: Uint8Array[] = [];
    while (out.length < max && this.#controlHead < this.#control.length) {
      out.push(this.#control[this.#controlHead++]);
    }
    let bulkTaken = 0;
    while (out.length < max && this.#bulkHead < this.#bulk.length) {
      const record = this.#bulk[this.#bulkHead++];
      bulkTaken += record.length;
      out.push(record);
    }
    if (this.#controlHead === this.#control.length) this.#control = [], this.#controlHead = 0;
    if (this.#bulkHead === this.#bulk.length) this.#bulk = [], this.#bulkHead = 0;
    for (const record of out) this.#bytes -= record.length;
    this.#bulkBytes -= bulkTaken;
    if (this.#bulkBytes < this.#options.bulkLowWater) this.#wakeDrained();
    return out;
  }

  /** Resolves when something is queued. */
  nextItem(): Promise<void> {
    if (!this.empty) return Promise.resolve();
    return new Promise((resolve) => this.#itemWaiter = resolve);
  }

  /** Resolves when the bulk lane is below its low-water mark. */
  drained(): Promise<void> {
    if (this.#bulkBytes < this.#options.bulkLowWater) return Promise.resolve();
    return new Promise((resolve) => this.#drainWaiters.push(resolve));
  }

  /** Releases every waiter, e.g. when the session closes. */
  release(): void {
    this.#wakeDrained();
    const waiter = this.#itemWaiter;
    this.#itemWaiter = undefined;
    waiter?.();
  }

  #wakeDrained(): void {
    const waiters = this.#drainWaiters;
    this.#drainWaiters = [];
    for (const wake of waiters) wake();
  }
}
