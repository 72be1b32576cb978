/**
 * A host's announcement on the local network, for `listen`, `serve` and the browser's
 * hosting: started once the chat listens (unless `--no-announce`), kept current from the
 * room's joins and departures (a direct chat's busy flag, a hub's member count), and ended
 * with a goodbye when the host stops. A failure to announce is a notice, never a reason to
 * stop hosting.
 *
 * @example
 * ```ts ignore
 * import { HostAnnouncement } from "./host_announcement.ts";
 * const announcing = new HostAnnouncement(
 *   { label: "alice's hub", announce: true, kind: "hub", passkey },
 *   (event) => console.log(event),
 * );
 * await announcing.start(listener);
 * announcing.hostEvent(event); // from RoomHost's onEvent
 * await announcing.close();
 * ```
 * @module
 */

import type { HostEvent } from "../room/room_host.ts";
import { HANDSHAKE_VERSION } from "../secure/handshake.ts";
import { Announcer } from "../session/announcer.ts";
import type { ChatEvent } from "./chat_event.ts";

/** What is announced. */
export interface AnnouncePlan {
  /** What scans show (listen/serve `--label`). */
  label: string;
  /** `false` for `--no-announce`. */
  announce: boolean;
  kind: "direct" | "hub";
  passkey: string | null;
}

/** A host's announcement: made before the room (which reports to it), started after. */
export class HostAnnouncement {
  #plan: AnnouncePlan;
  #emit: (event: ChatEvent) => void;
  #announcer: Announcer | undefined;
  #started = false;

  /** Prepares the announcement of a host; `emit` shows whether it worked. */
  constructor(plan: AnnouncePlan, emit: (event: ChatEvent) => void) {
    this.#plan = plan;
    this.#emit = emit;
  }

  /** Whether the chat was announced (also after the goodbye). */
  get announced(): boolean {
    return this.#started;
  }

  /** Starts announcing `listener`'s port, unless `--no-announce`; failures are a notice. */
  async start(listener: Deno.Listener): Promise<void> {
    const { label, announce, kind, passkey } = this.#plan;
    const bound = listener.addr as Deno.NetAddr;
    // A host bound to loopback is reachable from this computer only: nothing to announce.
    if (!announce || isLoopback(bound.hostname)) return;
    try {
      this.#announcer = await Announcer.start({
        bound: bound.hostname,
        announcement: {
          label,
          kind,
          port: bound.port,
          version: HANDSHAKE_VERSION,
          auth: passkey === null ? "open" : "passkey",
          ...(kind === "hub" ? { members: 0 } : { busy: false }),
        },
      });
    } catch (error) {
      this.#emit({
        type: "announce-failed",
        reason: error instanceof Error ? error.message : String(error),
      });
      return;
    }
    this.#started = true;
    this.#emit({ type: "announced", label });
  }

  /** Feeds a host event in: joins and departures keep the announcement current. */
  hostEvent(event: HostEvent): void {
    if (event.type !== "room" || !this.#announcer) return;
    const room = event.event;
    if (room.type !== "joined" && room.type !== "left") return;
    // A direct chat's host is one of its two members.
    this.#announcer.update(
      this.#plan.kind === "hub" ? { members: room.count } : { busy: room.count > 1 },
    );
  }

  /** Says goodbye and stops announcing. */
  async close(): Promise<void> {
    const announcer = this.#announcer;
    this.#announcer = undefined;
    await announcer?.close();
  }
}

function isLoopback(hostname: string): boolean {
  return hostname.startsWith("127.") || hostname === "::1" || hostname === "localhost";
}
