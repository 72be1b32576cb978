/**
 * What a host is shown of its listener and room: a hub's log shows everything; a person who
 * hosts and takes part (a direct chat, or a hub hosted from the browser) sees what only the
 * host can know (handshakes, refusals, what a member sent that was skipped), and hears of
 * joins and departures as a member does.
 *
 * @example
 * ```ts
 * import { hostVisibility } from "./host_visibility.ts";
 * const show = hostVisibility("hub-log");
 * console.log(show({ type: "throttled", reason: "100 guesses failed" })?.type); // "throttled"
 * ```
 * @module
 */

import type { RoomEvent } from "../room/room.ts";
import type { HostEvent } from "../room/room_host.ts";
import type { ChatEvent } from "./chat_event.ts";

/** Who reads the console: a hub's log, a direct chat's host, a hub's host taking part. */
export type HostKind = "hub-log" | "direct" | "hub-member";

/** The room events a host that takes part is shown (a hub's log shows them all). */
const TAKING_PART_ROOM_EVENTS: ReadonlySet<RoomEvent["type"]> = new Set([
  "refused",
  "skipped",
  "unsendable",
]);

/** Returns what `kind` of host is shown of each host event (`undefined`: nothing). */
export function hostVisibility(kind: HostKind): (event: HostEvent) => ChatEvent | undefined {
  return (event) => {
    switch (event.type) {
      case "secured":
        // A hub's log has the join line, with the safety code in open mode. A hub's member
        // compares codes only in open mode; a direct chat's host sees every handshake.
        if (kind === "hub-log" || (kind === "hub-member" && event.authenticated)) return;
        return event;
      case "room":
        if (kind !== "hub-log" && !TAKING_PART_ROOM_EVENTS.has(event.event.type)) return;
        return event;
      default:
        return event;
    }
  };
}
