/**
 * A host's announcement on the local network, for `listen` and `serve`: started once the
 * chat listens (unless `--no-announce`), kept current from the room's joins and departures
 * (a direct chat's busy flag, a hub's member count), and ended with a goodbye when the host
 * stops. A failure to announce is a notice, never a reason to stop hosting.
 *
 * @example
 * ```ts ignore
 * import { announceHost } from "./host_announcement.ts";
 * const announcing = await announceHost(options, listener, { kind: "hub", passkey, view });
 * announcing?.hostEvent(event); // from RoomHost's onEvent
 * await announcing?.close();
 * ```
 * @module
 */

import type { HostEvent } from "../room/room_host.ts";
import { HANDSHAKE_VERSION } from "../secure/handshake.ts";
import { Announcer } from "../session/announcer.ts";
import type { Options } from "./options.ts";
import { escapeForTerminal } from "./terminal_text.ts";
import type { View } from "./view_event.ts";

/** A running announcement. */
export interface HostAnnouncement {
  /** Feeds the host's events in, to keep the announcement current. */
  hostEvent(event: HostEvent): void;
  /** Says goodbye and stops announcing. */
  close(): Promise<void>;
}

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

/** Starts announcing; `undefined` with `--no-announce` or when it could not start. */
export async function announceHost(
  options: Options,
  listener: Deno.Listener,
  context: AnnounceContext,
): Promise<HostAnnouncement | undefined> {
  if (!options.announce) return undefined;
  const bound = listener.addr as Deno.NetAddr;
  let announcer: Announcer;
  try {
    announcer = await Announcer.start({
      bound: bound.hostname,
      announcement: {
        label: options.label,
        kind: context.kind,
        port: bound.port,
        version: HANDSHAKE_VERSION,
        auth: context.passkey === null ? "open" : "passkey",
        ...(context.kind === "hub" ? { members: 0 } : { busy: false }),
      },
    });
  } catch (error) {
    context.view.show({
      type: "error",
      message: `Could not announce the chat on the local network (${
        error instanceof Error ? error.message : error
      }); others can still connect with the address.`,
    });
    return undefined;
  }
  context.view.show({
    type: "system",
    text: `Announced on the local network as "${
      escapeForTerminal(options.label)
    }" (p2pchat scan lists it; --no-announce turns this off).`,
  });
  // The exit status a shell gives a process ended by the signal (128 + its number).
  const signals: [Deno.Signal, number][] = Deno.build.os === "windows"
    ? [["SIGINT", 130]]
    : [["SIGINT", 130], ["SIGTERM", 143]];
  const handlers = signals.map(([signal, status]) =>
    [signal, () => void announcer.close().finally(() => Deno.exit(status))] as const
  );
  if (context.exitOnSignal) {
    for (const [signal, handler] of handlers) Deno.addSignalListener(signal, handler);
  }
  return {
    hostEvent(event) {
      if (event.type !== "room") return;
      const room = event.event;
      if (room.type !== "joined" && room.type !== "left") return;
      // A direct chat's host is one of its two members.
      announcer.update(context.kind === "hub" ? { members: room.count } : { busy: room.count > 1 });
    },
    async close() {
      if (context.exitOnSignal) {
        for (const [signal, handler] of handlers) Deno.removeSignalListener(signal, handler);
      }
      await announcer.close();
    },
  };
}
