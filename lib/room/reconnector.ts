/**
 * Keeps a member connected: when the connection drops without `/quit` (hub restart, cable
 * pulled), or while it leaves with lines still to deliver, retries with backoff and jitter and
 * rejoins, and the client re-sends whatever the room had not acknowledged and offers again the
 * files it was sending (they continue where they stopped). A hub member and the connecting side
 * of a direct chat alike; a direct chat whose host said goodbye is over. In open
 * mode (no passkey) every new connection's safety code is reported, and whether it changed,
 * before anything from it is shown: a man in the middle could step in on any reconnect.
 *
 * @example
 * ```ts ignore
 * import { stayConnected } from "./reconnector.ts";
 * const fatal = await stayConnected(client, () => dial(host, port, passkey), {
 *   onEvent: (event) => console.log(event),
 * });
 * ```
 * @module
 */

import type { Session } from "../session/session.ts";
import { RefusedError, type RoomClient } from "./room_client.ts";

/**
 * The hub put this member out (kicked or banned): the message says why.
 *
 * @example
 * ```ts
 * import { KickedError } from "./reconnector.ts";
 * const error = new KickedError("You were kicked by the host (flooding).");
 * console.log(error.name, error.message);
 * ```
 */
export class KickedError extends Error {
  /** Creates the error. */
  constructor(message: string) {
    super(message);
    this.name = "KickedError";
  }
}

/** What the reconnector reports. */
export type ReconnectEvent =
  | { type: "reconnecting"; reason: string; delayMs: number; attempt: number }
  /** A new connection that is not authenticated (open mode): compare its code again. */
  | {
    type: "secured";
    peer: string;
    authenticated: false;
    safety: string;
    /** The code shown for the connection before. */
    previousSafety?: string;
    safetyChanged: boolean;
  }
  | { type: "reconnected" };

/** What a dialled session may tell of its handshake (a `NetSession` does). */
export interface HandshakeFacts {
  /** Whether the peer proved the passkey, and the code people compare when it did not. */
  readonly keys?: { readonly authenticated: boolean; readonly safety: string };
}

/** Options of {@linkcode stayConnected}. */
export interface ReconnectOptions {
  /** Shows progress to the person. */
  onEvent: (event: ReconnectEvent) => void;
  /** Whether a dial error can never succeed by retrying (e.g. wrong passkey). */
  isFatal?: (error: unknown) => boolean;
  /** Source of jitter, for tests. */
  random?: () => number;
  /** The safety code shown for the first connection, when it was not authenticated. */
  safety?: string;
}

/** Backoff before attempt `attempt` (1-based): 1, 2, 4 ... 30 s, with +-25% jitter. */
export function backoffMs(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(1000 * 2 ** (attempt - 1), 30_000);
  return Math.round(base * (0.75 + random() * 0.5));
}

/**
 * Resolves when the client is done for good: it quit, the host of its direct chat ended it,
 * or an error made retrying pointless (returned): a refusal, a wrong passkey, or a kick or ban
 * ({@linkcode KickedError}).
 */
export async function stayConnected(
  client: RoomClient,
  dial: () => Promise<Session & HandshakeFacts>,
  options: ReconnectOptions,
): Promise<Error | undefined> {
  client.willReconnect(true);
  try {
    return await reconnect(client, dial, options);
  } finally {
    // Files waiting for the next connection fail now: there will be none.
    client.willReconnect(false);
  }
}

async function reconnect(
  client: RoomClient,
  dial: () => Promise<Session & HandshakeFacts>,
  options: ReconnectOptions,
): Promise<Error | undefined> {
  let shownSafety = options.safety;
  while (true) {
    let reason = await client.ended() ?? "the connection closed";
    // Leaving with lines or files still to deliver: they are delivered after a reconnect.
    const done = () => client.leaving && !client.busy;
    if (done()) return undefined;
    // Put out by the host or an operator: coming back by ourselves would defy it.
    if (client.kicked !== undefined) return new KickedError(client.kicked);
    // The host of a direct chat said goodbye: the chat is over (a hub's goodbye is a restart).
    if (client.kind === "direct" && client.endedByHost) return undefined;
    for (let attempt = 1;; attempt++) {
      const delayMs = backoffMs(attempt, options.random);
      options.onEvent({ type: "reconnecting", reason, delayMs, attempt });
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      if (done()) return undefined;
      let session: Session & HandshakeFacts;
      try {
        session = await dial();
      } catch (error) {
        // The hub may still be starting: keep trying, unless retrying cannot help.
        if (options.isFatal?.(error)) {
          return error instanceof Error ? error : new Error(String(error));
        }
        reason = error instanceof Error ? error.message : String(error);
        continue;
      }
      if (session.keys && !session.keys.authenticated) {
        const safety = session.keys.safety;
        options.onEvent({
          type: "secured",
          peer: session.remote,
          authenticated: false,
          safety,
          ...(shownSafety !== undefined ? { previousSafety: shownSafety } : {}),
          safetyChanged: safety !== shownSafety,
        });
        shownSafety = safety;
      }
      try {
        await client.join(session);
      } catch (error) {
        await session.close();
        if (error instanceof RefusedError) return error;
        reason = error instanceof Error ? error.message : String(error);
        continue;
      }
      options.onEvent({ type: "reconnected" });
      break;
    }
  }
}
