/**
 * Keeps a hub member connected: when the connection drops without `/quit` (hub restart,
 * cable pulled), retries with backoff and jitter and rejoins, and the client re-sends
 * whatever the hub had not acknowledged.
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

/** What the reconnector reports. */
export type ReconnectEvent =
  | { type: "reconnecting"; reason: string; delayMs: number; attempt: number }
  | { type: "reconnected" };

/** Options of {@linkcode stayConnected}. */
export interface ReconnectOptions {
  /** Shows progress to the person. */
  onEvent: (event: ReconnectEvent) => void;
  /** Whether a dial error can never succeed by retrying (e.g. wrong passkey). */
  isFatal?: (error: unknown) => boolean;
  /** Source of jitter, for tests. */
  random?: () => number;
}

/** Backoff before attempt `attempt` (1-based): 1, 2, 4 ... 30 s, with +-25% jitter. */
export function backoffMs(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(1000 * 2 ** (attempt - 1), 30_000);
  return Math.round(base * (0.75 + random() * 0.5));
}

/**
 * Resolves when the client is done for good: it quit, it was in a direct chat (which ends
 * with the connection), or an error made retrying pointless (returned).
 */
export async function stayConnected(
  client: RoomClient,
  dial: () => Promise<Session>,
  options: ReconnectOptions,
): Promise<Error | undefined> {
  while (true) {
    let reason = await client.ended() ?? "the connection closed";
    if (client.leaving || client.kind !== "hub") return undefined;
    for (let attempt = 1;; attempt++) {
      const delayMs = backoffMs(attempt, options.random);
      options.onEvent({ type: "reconnecting", reason, delayMs, attempt });
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      if (client.leaving) return undefined;
      let session: Session;
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
