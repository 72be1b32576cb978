/**
 * What the command line shows: a room client's events plus the command line's own.
 *
 * @example
 * ```ts
 * import type { ViewEvent } from "./view_event.ts";
 * const event: ViewEvent = { type: "system", text: "Exiting." };
 * console.log(event.type);
 * ```
 * @module
 */

import type { ClientEvent } from "../room/room_client.ts";

/** An event of the command line itself. */
export type CliEvent =
  | {
    type: "listening";
    host: string;
    port: number;
    addresses: string[];
    passkey: string | null;
    hub: boolean;
  }
  | { type: "connected-to"; host: string; port: number }
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
  | { type: "system"; text: string }
  | { type: "error"; message: string };

/** Everything a view shows. */
export type ViewEvent = ClientEvent | CliEvent;

/** Turns events into output for a person or a program. */
export interface View {
  /** Shows one event. */
  show(event: ViewEvent): void;
}
