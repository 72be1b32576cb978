/**
 * The signals that stop a chat or a hub (SIGINT, SIGTERM): the one place that listens for them,
 * so whatever stops on them does it in its own order (goodbye to the LAN, leave, remove
 * unfinished temporary files) instead of the runtime ending the process at once.
 *
 * @example
 * ```ts ignore
 * import { StopSignals } from "./stop_signals.ts";
 * using signals = StopSignals.listen();
 * const { signal, status } = await signals.received;
 * ```
 * @module
 */

/** A stop signal and the exit status a shell gives a process it ended (128 + its number). */
export interface StopSignal {
  signal: Deno.Signal;
  status: number;
}

const SIGNALS: readonly StopSignal[] = Deno.build.os === "windows"
  ? [{ signal: "SIGINT", status: 130 }]
  : [{ signal: "SIGINT", status: 130 }, { signal: "SIGTERM", status: 143 }];

/** Listens for the stop signals until closed. */
export class StopSignals implements Disposable {
  /** Resolves with the first stop signal received. */
  readonly received: Promise<StopSignal>;
  #handlers: [Deno.Signal, () => void][];

  private constructor(each?: (stop: StopSignal) => void) {
    const { promise, resolve } = Promise.withResolvers<StopSignal>();
    this.received = promise;
    this.#handlers = SIGNALS.map((stop) => [stop.signal, () => {
      resolve(stop);
      each?.(stop);
    }]);
    for (const [signal, handler] of this.#handlers) Deno.addSignalListener(signal, handler);
  }

  /**
   * Starts listening; `each` is called for every signal (a second Ctrl-C may mean more than
   * the first), {@linkcode received} resolves with the first.
   */
  static listen(each?: (stop: StopSignal) => void): StopSignals {
    return new StopSignals(each);
  }

  /** Stops listening (the runtime's default, ending the process, applies again). */
  close(): void {
    for (const [signal, handler] of this.#handlers) Deno.removeSignalListener(signal, handler);
    this.#handlers = [];
  }

  /** Same as {@linkcode close}. */
  [Symbol.dispose](): void {
    this.close();
  }
}
