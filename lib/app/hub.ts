/**
 * A hub hosted without taking part (`serve`): its log as events for any number of listeners,
 * the host's console (a typed line is a command, or said to everyone as `host`), and stopping
 * in order: goodbye to the LAN, members told and history flushed, done.
 *
 * @example
 * ```ts ignore
 * import { serveHub } from "./front_door.ts";
 * const hub = await serveHub(plan, { onEvent: (event) => console.log(event), signals: true });
 * await hub.run("/kick bob flooding");
 * await hub.done; // after SIGINT, SIGTERM or /quit, once stopped
 * ```
 * @module
 */

import type { Listeners } from "../room/listeners.ts";
import type { RoomHost } from "../room/room_host.ts";
import type { ChatEvent } from "./chat_event.ts";
import type { HostAnnouncement } from "./host_announcement.ts";
import type { HostConsole } from "./host_console.ts";
import { type StopSignal, StopSignals } from "./stop_signals.ts";

/** What the front door builds a {@linkcode Hub} from. */
export interface HubParts {
  feed: Listeners<ChatEvent>;
  host: RoomHost;
  announcement: HostAnnouncement;
  /** The host's commands; its answers go to the feed. */
  console: HostConsole;
  /** Stop on SIGINT/SIGTERM. */
  signals?: boolean;
}

/** A hub being served. */
export class Hub {
  #parts: HubParts;
  #closing: Promise<void> | undefined;
  #end = Promise.withResolvers<StopSignal | undefined>();
  #signals: StopSignals | undefined;

  /** Made by the front door (front_door.ts). */
  constructor(parts: HubParts) {
    this.#parts = parts;
    if (parts.signals) {
      const signals = StopSignals.listen();
      this.#signals = signals;
      signals.received.then((stop) => this.#stop(stop));
    }
  }

  /** The bound address. */
  get addr(): Deno.NetAddr {
    return this.#parts.host.addr;
  }

  /** Listens to the hub's log from now on; the function returned stops it. */
  subscribe(listener: (event: ChatEvent) => void): () => void {
    return this.#parts.feed.subscribe(listener);
  }

  /**
   * Runs one line the host typed: a command (`/kick bob`), or a line said to everyone as the
   * host. What it did is logged, a refusal with why; `/quit` stops the hub as SIGINT does.
   * Resolves once done (a script's next order waits while a member is behind).
   */
  async run(line: string): Promise<void> {
    if (this.#closing) return;
    if (await this.#parts.console.run(line) === "stop") await this.#stop(undefined);
  }

  /** Resolves once the hub has stopped: with the signal that stopped it, if one did. */
  get done(): Promise<StopSignal | undefined> {
    return this.#end.promise;
  }

  /** Stops: goodbye to the LAN, members told why, history flushed. */
  close(): Promise<void> {
    return this.#stop(undefined);
  }

  async #close(): Promise<void> {
    const { feed, announcement, host } = this.#parts;
    feed.emit({ type: "stopping" });
    await announcement.close(); // goodbye first: scanners forget the hub at once
    await host.close("The hub is stopping.");
    feed.emit({ type: "stopped" });
  }

  #stop(stop: StopSignal | undefined): Promise<void> {
    this.#closing ??= this.#close().then(() => {
      this.#signals?.close();
      this.#end.resolve(stop);
    });
    return this.#closing;
  }
}
