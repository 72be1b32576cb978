/**
 * How a host's console shows what its listener and room report.
 *
 * @example
 * ```ts ignore
 * import { hostEventView } from "./host_events.ts";
 * const onEvent = hostEventView(view, { json: false, logRoom: true });
 * ```
 * @module
 */

import { untilText } from "../room/duration.ts";
import type { ConsoleEvent } from "../room/host_console.ts";
import { HOST_NAME, moderatedText } from "../room/moderation.ts";
import type { RoomEvent } from "../room/room.ts";
import type { HostEvent, HostRoomEvent } from "../room/room_host.ts";
import { formatBytes } from "./format.ts";
import { escapeForTerminal as clean, jsonForTerminal } from "./terminal_text.ts";
import type { View } from "./view_event.ts";

/** The console line of a room event. */
export function roomEventText(event: HostRoomEvent): string {
  switch (event.type) {
    case "joined":
      return `${clean(event.name)} joined from ${event.remote}` +
        // Open mode: the member compares this code with the one their screen shows.
        (event.safety ? ` (not authenticated, safety code ${event.safety})` : "") +
        `. (Connected: ${event.count})`;
    case "left":
      return `${clean(event.name)} left${event.reason ? ` (${clean(event.reason)})` : ""}. ` +
        `(Connected: ${event.count})`;
    case "renamed":
      return `${clean(event.from)} is now known as ${clean(event.to)}.`;
    case "refused":
      return `Refused ${event.remote}: ${clean(event.reason)}`;
    case "shared":
      return `${clean(event.from)} shared ${clean(event.name)} (${
        formatBytes(event.size)
      }) as file ${event.file}.`;
    case "file-failed":
      return `Upload of ${clean(event.name)} from ${clean(event.from)} failed: ${
        clean(event.reason)
      }`;
    case "history-failed":
      return `Could not keep a message from ${clean(event.from)} in the history: ${
        clean(event.reason)
      }`;
    case "skipped":
      return `Skipped a message from ${who(event)} that could not be read (${clean(event.reason)}${
        event.count > 1 ? `; ${event.count} so far` : ""
      })`;
    case "unsendable":
      return `Did not send a ${clean(event.message)} message to ${who(event)}: its header ` +
        `(${event.bytes} bytes) is over the limit`;
    case "kicked":
    case "muted":
    case "unbanned":
    case "unmuted":
    case "op":
    case "deop":
      return clean(moderatedText({ ...event, action: event.type }));
    case "banned":
      return clean(moderatedText({ ...event, action: "banned" })) +
        ` The ban holds ${held(event.client, event.address)}` +
        (event.kept === false ? "; the disk refused it: it holds until the hub stops." : ".");
    case "topic":
      return event.text
        ? `${byWhom(event.by)} set the topic: ${clean(event.text)}`
        : `${byWhom(event.by)} cleared the topic.`;
    case "said":
      return `[host] ${clean(event.text)}`;
    case "removed":
      return `${byWhom(event.by)} removed shared file ${event.file} (${clean(event.name)}).`;
    case "denied":
      return `Refused /${event.order} from ${clean(event.name)}: ${clean(event.reason)}`;
  }
}

/**
 * The console lines of what the host console answers; what members sent is escaped.
 *
 * @example
 * ```ts
 * import { consoleEventText } from "./host_events.ts";
 * console.log(consoleEventText({ type: "error", message: "No one called zed is here." }));
 * // ["Error: No one called zed is here."]
 * ```
 */
export function consoleEventText(event: ConsoleEvent, now: number = Date.now()): string[] {
  switch (event.type) {
    case "help":
      return [
        "Host commands (a line without / is said to everyone as host):",
        ...event.commands.map(({ usage, help }) => `  ${usage.padEnd(32)} ${help}`),
      ];
    case "who":
      return [
        `Members (${event.total}${
          event.pages > 1 ? `; page ${event.page} of ${event.pages}` : ""
        }):`,
        ...event.members.map((m) =>
          `  ${clean(m.name)} from ${clean(m.remote)}` +
          (m.role !== "member" ? ` (${m.role === "op" ? "operator" : "the host"})` : "") +
          (m.away !== undefined ? ` (away${m.away ? `: ${clean(m.away)}` : ""})` : "") +
          (m.muted ? " (muted)" : "")
        ),
      ];
    case "bans":
      return event.bans.length === 0 ? ["No bans."] : [
        `Bans (${event.total}${event.pages > 1 ? `; page ${event.page} of ${event.pages}` : ""}):`,
        ...event.bans.map((ban) =>
          `  ${clean(ban.name)}` +
          ` until ${ban.until ? untilText(Date.parse(ban.until), now) : "unbanned"}` +
          ` by ${clean(ban.by)}${ban.reason ? ` (${clean(ban.reason)})` : ""};` +
          ` holds ${held(ban.client, ban.address)}`
        ),
      ];
    case "files":
      return event.files.length === 0 ? ["No shared files."] : [
        `Shared files (${event.total}${
          event.pages > 1 ? `; page ${event.page} of ${event.pages}` : ""
        }):`,
        ...event.files.map((f) =>
          `  ${f.file}  ${clean(f.name)} (${formatBytes(f.size)}) from ${clean(f.from)}`
        ),
      ];
    case "passkey":
      return [
        event.passkey === null
          ? "Open mode: no passkey."
          : `Passkey: ${event.passkey} (give it to the person connecting)`,
      ];
    case "topic":
      return [
        event.text === undefined
          ? "No topic: /topic TEXT sets one."
          : `Topic: ${clean(event.text)} (set by ${clean(event.by ?? "?")})`,
      ];
    case "error":
      return [`Error: ${clean(event.message)}`];
  }
}

/** "the name, the client and the address 10.0.0.7": what a ban holds. */
function held(client: boolean, address: string | undefined): string {
  const parts = [
    "the name",
    ...(client ? ["the client"] : []),
    ...(address ? [`the address ${address}`] : []),
  ];
  return parts.length === 1 ? parts[0] : `${parts.slice(0, -1).join(", ")} and ${parts.at(-1)}`;
}

/** "The host", or the operator's name. */
function byWhom(by: string): string {
  return by === HOST_NAME ? "The host" : clean(by);
}

/** "bob (10.0.0.5:4000)", or the address alone before the member said who it is. */
function who(event: { name?: string; remote: string }): string {
  return event.name === undefined
    ? clean(event.remote)
    : `${clean(event.name)} (${clean(event.remote)})`;
}

/** The room events a direct chat's host is shown (a hub's console shows them all). */
const DIRECT_ROOM_EVENTS: ReadonlySet<RoomEvent["type"]> = new Set([
  "refused",
  "skipped",
  "unsendable",
]);

/** What to show of host events. */
export interface HostEventViewOptions {
  /** Write room events as JSON lines (`hub-joined`, ...) instead of text. */
  json?: (line: string) => void;
  /** Show every room event (a hub's log); a direct chat shows only refusals. */
  logRoom: boolean;
}

/** Returns a handler that shows host events on `view`. */
export function hostEventView(
  view: View,
  options: HostEventViewOptions,
): (event: HostEvent) => void {
  return (event) => {
    switch (event.type) {
      case "secured":
        // A hub does not announce each handshake; the join line follows.
        if (!options.logRoom) view.show(event);
        return;
      case "refused":
        return view.show({ type: "error", message: `Refused ${event.remote}: ${event.reason}` });
      case "handshake-failed": {
        const slowed = event.delayMs > 0
          ? ` (${event.failures} failures from this address; its next attempt waits ${
            event.delayMs / 1000
          } s)`
          : "";
        return view.show({
          type: "error",
          message: `${event.reason} from ${event.remote}${slowed}`,
        });
      }
      case "throttled":
        return view.show({ type: "error", message: `Guessing suspected: ${event.reason}` });
      case "accept-failed":
        return view.show({
          type: "error",
          message: `Could not accept connections: ${event.reason}; retrying, ` +
            "at most a second apart (members already connected go on)",
        });
      case "accept-resumed":
        return view.show({
          type: "system",
          text: `Accepting connections again (after ${event.failures} failed attempts).`,
        });
      case "room": {
        const room = event.event;
        // A direct chat's host hears of refusals, and of what its peer sent that was skipped.
        if (!options.logRoom && !DIRECT_ROOM_EVENTS.has(room.type)) return;
        if (options.json) options.json(jsonForTerminal({ ...room, type: `hub-${room.type}` }));
        else view.show({ type: "system", text: roomEventText(room) });
      }
    }
  };
}
