/**
 * Writes what a load client sends, in order: items pushed while a write is under way leave
 * together in the next one, as a session's send queue batches them.
 *
 * @example
 * ```ts ignore
 * import { BatchWriter } from "./batch_writer.ts";
 * const conn = await Deno.connect({ hostname: "127.0.0.1", port: 7000 });
 * const writer = new BatchWriter<string>(conn, (queued) => ({
 *   bytes: new TextEncoder().encode(queued.join("")),
 *   taken: queued.length,
 * }));
 * writer.push("hello\n");
 * ```
 * @module
 */

import { writeAll } from "../lib/wire/write_all.ts";

/** One write made of the first `taken` of the waiting items. */
export interface Packed {
  bytes: Uint8Array;
  taken: number;
}

/** A queue of items written to one connection, a batch per write. */
export class BatchWriter<T> {
  #conn: Deno.Conn;
  #pack: (queued: readonly T[]) => Packed;
  #queued: T[] = [];
  #writing = false;
  #failed: string | undefined;

  /** Writes to `conn`; `pack` turns the items waiting into one write (at least one item). */
  constructor(conn: Deno.Conn, pack: (queued: readonly T[]) => Packed) {
    this.#conn = conn;
    this.#pack = pack;
  }

  /** Why writing failed, once it has. */
  get failed(): string | undefined {
    return this.#failed;
  }

  /** Queues `item`, and starts writing unless a write is under way. */
  push(item: T): void {
    this.#queued.push(item);
    if (!this.#writing) this.#flush();
  }

  async #flush(): Promise<void> {
    this.#writing = true;
    try {
      while (this.#queued.length > 0 && !this.#failed) {
        const { bytes, taken } = this.#pack(this.#queued);
        this.#queued = this.#queued.slice(taken);
        await writeAll(this.#conn, bytes);
      }
    } catch (error) {
      this.#failed = error instanceof Error ? error.message : String(error);
    } finally {
      this.#writing = false;
    }
  }
}
