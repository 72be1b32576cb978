/**
 * A budget of open files: a hub takes a slot for each file it holds open for a transfer and
 * gives it back when the file is closed.
 *
 * @example
 * ```ts
 * import { FileSlots } from "./file_slots.ts";
 * const slots = new FileSlots(2);
 * console.log(slots.tryTake(), slots.tryTake(), slots.tryTake()); // true true false
 * slots.release();
 * await slots.take(); // a slot was free
 * ```
 * @module
 */

/** A fixed number of slots; waiters are served in order. */
export class FileSlots {
  #free: number;
  #waiters: (() => void)[] = [];

  /**
   * @param count How many slots there are.
   *
   * @example
   * ```ts
   * import { FileSlots } from "./file_slots.ts";
   * console.log(new FileSlots(3).free); // 3
   * ```
   */
  constructor(count: number) {
    this.#free = count;
  }

  /**
   * Slots not taken.
   *
   * @example
   * ```ts
   * import { FileSlots } from "./file_slots.ts";
   * const slots = new FileSlots(3);
   * slots.tryTake();
   * console.log(slots.free); // 2
   * ```
   */
  get free(): number {
    return this.#free;
  }

  /**
   * Takes a slot if one is free (and nobody waits for one).
   *
   * @example
   * ```ts
   * import { FileSlots } from "./file_slots.ts";
   * console.log(new FileSlots(0).tryTake()); // false
   * ```
   */
  tryTake(): boolean {
    if (this.#free === 0 || this.#waiters.length > 0) return false;
    this.#free--;
    return true;
  }

  /**
   * Takes a slot, waiting for one to be released if none is free.
   *
   * @example
   * ```ts
   * import { FileSlots } from "./file_slots.ts";
   * const slots = new FileSlots(1);
   * await slots.take();
   * slots.release();
   * ```
   */
  take(): Promise<void> {
    if (this.tryTake()) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /**
   * Gives a slot back: to the first waiter, else to the free ones.
   *
   * @example
   * ```ts
   * import { FileSlots } from "./file_slots.ts";
   * const slots = new FileSlots(1);
   * slots.tryTake();
   * slots.release();
   * console.log(slots.free); // 1
   * ```
   */
  release(): void {
    const next = this.#waiters.shift();
    if (next) next();
    else this.#free++;
  }
}
