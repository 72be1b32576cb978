/**
 * A host's announcement on the local network, for `listen` and `serve`: started once the
 * chat listens (unless `--no-announce`), kept current from the room's joins and departures
 * (a direct chat's busy flag, a hub's member count), and ended with a goodbye when the host
 * stops. A failure to announce is a notice, never a reason to stop hosting.
 *
 * @example
 * ```ts ignore
 * import { HostAnnouncement } from "./host_announcement.ts";
 * const announcing = new HostAnnouncement(options, { kind: "hub", passkey, view });
 * await announcing.start(listener);
 * announcing.hostEvent(event); // from RoomHost's onEvent
 * await announcing.close();
 * ```
 * @module
 */

import type { HostEvent } from "../room/room_host.ts";
import { HANDSHAKE_VERSION } from "../secure/handshake.ts";
import { Announcer } from "../session/announcer.ts";
import type { Options } from "./options.ts";
import { escapeForTerminal } from "./terminal_text.ts";
import type { View } from "./view_event.ts";

/** What is announced besides the options. */
export interface AnnounceContext {
  kind: "direct" | "hub";
  passkey: string | null;
  view: View;
  /**
   * Say goodbye when SIGINT or SIGTERM stops the process, then exit. For `listen`, whose
   * signals otherwise end the process at once; `serve` stops on them by itself.
   */
  exitOnSignal?: boolean;
}

/** A host's announcement: made before the room (which reports to it), started after. */
export class HostAnnouncement {
  #options: Options;
  #context: AnnounceContext;
  #announcer: Announcer | undefined;
  #handlers: (readonly [Deno.Signal, () => void])[] = [];

  /** Prepares the announcement of a host with these options. */
  constructor(options: Options, context: AnnounceContext) {
    this.#options = options;
    this.#context = context;
  }

  /** Starts announcing `listener`'s port, unless `--no-announce`; failures are a notice. */
  async start(listener: Deno.Listener): Promise<void> {
    const { options, view, kind, passkey } = { ...this.#context, options: this.#options };
    const bound = listener.addr as Deno.NetAddr;
    // A host bound to loopback is reachable from this computer only: nothing to announce.
    if (!options.announce || isLoopback(bound.hostname)) return;
    try {
      this.#announcer = await Announcer.start({
        bound: bound.hostname,
        announcement: {
          label: options.label,
          kind,
          port: bound.port,
          version: HANDSHAKE_VERSION,
          auth: passkey === null ? "open" : "passkey",
          ...(kind === "hub" ? { members: 0 } : { busy: false }),
        },
      });
    } catch (error) {
      view.show({
        type: "error",
        message: `Could not announce the chat on the local network (${
          error instanceof Error ? error.message : error
        }); others can still connect with the address.`,
      });
      return;
    }
    view.show({
      type: "system",
      text: `Announced on the local network as "${
        escapeForTerminal(options.label)
      }" (p2pchat scan lists it; --no-announce turns this off).`,
    });
    if (this.#context.exitOnSignal) {
      // The exit status a shell gives a process ended by the signal (128 + its number).
      const signals: [Deno.Signal, number][] = Deno.build.os === "windows"
        ? [["SIGINT", 130]]
        : [["SIGINT", 130], ["SIGTERM", 143]];
      const announcer = this.#announcer;
      this.#handlers = signals.map(([signal, status]) =>
        [signal, () => void announcer.close().finally(() => Deno.exit(status))] as const
      );
      for (const [signal, handler] of this.#handlers) Deno.addSignalListener(signal, handler);
    }
  }

  /** Feeds a host event in: joins and departures keep the announcement current. */
  hostEvent(event: HostEvent): void {
    if (event.type !== "room" || !this.#announcer) return;
    const room = event.event;
    if (room.type !== "joined" && room.type !== "left") return;
    // A direct chat's host is one of its two members.
    this.#announcer.update(
      this.#context.kind === "hub" ? { members: room.count } : { busy: room.count > 1 },
    );
  }

  /** Says goodbye and stops announcing. */
  async close(): Promise<void> {
    for (const [signal, handler] of this.#handlers) Deno.removeSignalListener(signal, handler);
    this.#handlers = [];
    await this.#announcer?.close();
  }
}

function isLoopback(hostname: string): boolean {
  return hostname.startsWith("127.") || hostname === "::1" || hostname === "localhost";
}
