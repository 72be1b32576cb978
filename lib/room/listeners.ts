/**
 * A set of listeners to one stream of events: each gets every event, in order, and may leave
 * at any time. A listener that throws does not keep the event from the others.
 *
 * @example
 * ```ts
 * import { Listeners } from "./listeners.ts";
 * const listeners = new Listeners<string>();
 * const leave = listeners.subscribe((event) => console.log(event));
 * listeners.emit("hello"); // hello
 * leave();
 * ```
 * @module
 */

/** Listeners of events of type `T`. */
export class Listeners<T> {
  #listeners: Set<(event: T) => void> = new Set();

  /** Adds `listener`; the function returned removes it again. */
  subscribe(listener: (event: T) => void): () => void {
    // A wrapper of its own: the same function subscribed twice is two subscriptions.
    const entry = (event: T) => listener(event);
    this.#listeners.add(entry);
    return () => this.#listeners.delete(entry);
  }

  /** Gives `event` to every listener, in the order they subscribed. */
  emit(event: T): void {
    let failed: { error: unknown } | undefined;
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch (error) {
        failed ??= { error };
      }
    }
    // Thrown to the emitter as before, once everyone had the event.
    if (failed) throw failed.error;
  }
}
