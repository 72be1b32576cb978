/**
 * Everything a face (the terminal, a JSON stream, the browser) is told about a chat: the room
 * client's events, the host's console and the front door's own. Each has one sentence in
 * {@linkcode WORDS} (event_words.ts); the compiler lists every place a new one must be added.
 *
 * @example
 * ```ts
 * import type { ChatEvent } from "./chat_event.ts";
 * const event: ChatEvent = { type: "waiting", port: 5050 };
 * console.log(event.type);
 * ```
 * @module
 */

import type { ClientEvent, Transfer } from "../room/room_client.ts";
import type { HostRoomEvent } from "../room/room_host.ts";
import type { ListenerEvent } from "../session/session_listener.ts";
import type { ConsoleEvent } from "./host_console.ts";

/** An event of the front door itself: hosting, dialling, staying connected, ending. */
export type DoorEvent =
  /** A host listens: where, how others reach it, and the passkey to give them. */
  | {
    type: "listening";
    host: string;
    port: number;
    addresses: string[];
    passkey: string | null;
    hub: boolean;
    /**
     * A hub that keeps its passkey in its data folder `dir` (`serve`); `given`: the passkey in
     * use was given at start instead, and is not kept.
     */
    kept?: { dir: string; given: boolean };
    /** A hub served with the host's console (`serve`): the host joins as a member to chat. */
    served?: true;
  }
  /** `connect` without an address looks for chats announced on the LAN (by label, if given). */
  | { type: "scanning"; timeoutMs: number; label?: string }
  /** The chat `connect` goes to, found on the LAN: `label` is what its host announced. */
  | { type: "found-chat"; label: string; kind: "direct" | "hub"; host: string; port: number }
  /** Connecting to `host:port` begins: said at once, before anything is asked. */
  | { type: "connecting"; host: string; port: number }
  /** The connection to `host:port` is up and secured. */
  | { type: "connected-to"; host: string; port: number }
  /** A connection was secured; in open mode, the safety code people compare. */
  | {
    type: "secured";
    peer: string;
    authenticated: boolean;
    safety: string;
    /** On a reconnect in open mode: the code shown for the connection before. */
    previousSafety?: string;
    /** On a reconnect in open mode: whether the code differs from the one before. */
    safetyChanged?: boolean;
  }
  | { type: "reconnecting"; reason: string; delayMs: number; attempt: number }
  | { type: "reconnected" }
  /** The default name `taken` was taken here: this person joined as `name` (`root-2`). */
  | { type: "name-numbered"; taken: string; name: string }
  /**
   * A reconnect to the hub met a passkey that no longer works (the hub was restarted with a
   * new one): `queued` lines typed are not delivered yet; `asking`: the new passkey is asked
   * for (they are kept and delivered after rejoining), otherwise the chat ends.
   */
  | { type: "passkey-changed"; queued: number; asking: boolean }
  /** A direct chat's host, after its peer left: the next person may connect. */
  | { type: "waiting"; port: number }
  /** The host is announced on the local network as `label`. */
  | { type: "announced"; label: string }
  | { type: "announce-failed"; reason: string }
  /** A failed join is asked again: the passkey (with the tries left) or another name. */
  | { type: "retry"; ask: "passkey" | "name"; reason: string; triesLeft?: number }
  /** A line we sent (the room does not echo them), for faces that show them (the browser). */
  | { type: "own"; from: string; text: string; me: boolean; to?: string; time: string }
  /** What the room of a hosted chat reports (a hub's log). */
  | { type: "room"; event: HostRoomEvent }
  /** What the host's console answers a command (who is here, the bans, a refusal and why). */
  | { type: "console"; event: ConsoleEvent }
  /** A hub stops (a signal): members are told, history is flushed. */
  | { type: "stopping" }
  | { type: "stopped" }
  /**
   * Leaving waits for what is in flight (lines not delivered yet, files under way, and
   * whether the connection is up); asked `how` (`/quit` or Ctrl-C), asked again it gives it up.
   */
  | {
    type: "quitting";
    lines: number;
    transfers: Transfer[];
    connected: boolean;
    how: "quit" | "signal";
  }
  /** Leaving without waiting: `lines` lines not delivered were dropped. */
  | { type: "dropped"; lines: number }
  /** The program ends. */
  | { type: "exiting" }
  /** Feedback of a command (help, usage). */
  | { type: "system"; text: string }
  | { type: "error"; message: string };

/** Everything a face shows. */
export type ChatEvent = ClientEvent | ListenerEvent | DoorEvent;
