/**
 * `p2pchat connect`: join a listening peer or a hub. In a hub, a dropped connection is
 * retried with backoff and jitter; what the hub had not acknowledged is sent again.
 *
 * @example
 * ```ts ignore
 * import { connectCommand } from "./connect_command.ts";
 * Deno.exit(await connectCommand(parseOptions("connect", ["192.168.1.12", "5050"])));
 * ```
 * @module
 */

import { FileStore } from "../room/file_store.ts";
import { RefusedError, RoomClient } from "../room/room_client.ts";
import { HandshakeError } from "../secure/handshake.ts";
import { NetSession } from "../session/net_session.ts";
import { chatLoop, routeEvents } from "./chat_loop.ts";
import { describeNetworkError, FatalError } from "./connection_error.ts";
import type { Options } from "./options.ts";
import { openOutput } from "./output.ts";
import { clientPasskey } from "./passkey_source.ts";
import type { View } from "./view_event.ts";

const CONNECT_TIMEOUT_MS = 10_000;

/** Backoff before reconnect attempt `attempt` (1-based): 1, 2, 4 ... 30 s, with +-25% jitter. */
export function backoffMs(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(1000 * 2 ** (attempt - 1), 30_000);
  return Math.round(base * (0.75 + random() * 0.5));
}

/** Opens a TCP connection and secures it; throws {@linkcode FatalError} with plain words. */
export async function openSession(
  host: string,
  port: number,
  passkey: string | null,
): Promise<NetSession> {
  let conn: Deno.TcpConn;
  try {
    conn = await Deno.connect({
      hostname: host,
      port,
      signal: AbortSignal.timeout(CONNECT_TIMEOUT_MS),
    });
  } catch (error) {
    const words = error instanceof DOMException && error.name === "TimeoutError"
      ? "timed out"
      : describeNetworkError(error);
    throw new FatalError(`Could not connect to ${host}:${port}: ${words}`);
  }
  conn.setNoDelay(true);
  try {
    return await NetSession.start(conn, { role: "client", passkey });
  } catch (error) {
    if (error instanceof HandshakeError) throw new FatalError(error.message);
    throw new FatalError(`Could not connect to ${host}:${port}: ${describeNetworkError(error)}`);
  }
}

function showSecured(view: View, session: NetSession): void {
  view.show({
    type: "secured",
    peer: session.remote,
    authenticated: session.keys.authenticated,
    safety: session.keys.safety,
  });
}

/** Runs `connect`; resolves with the exit code. */
export async function connectCommand(options: Options): Promise<number> {
  const passkey = await clientPasskey(options);
  const session = await openSession(options.host, options.port, passkey);
  const { terminal, view } = openOutput(options.json);
  view.show({ type: "connected-to", host: options.host, port: options.port });
  showSecured(view, session);
  const client = new RoomClient({ name: options.name, files: new FileStore(options.dir) });
  routeEvents(client, view);
  try {
    await client.join(session);
  } catch (error) {
    terminal.close();
    await session.close();
    throw new FatalError(error instanceof Error ? error.message : String(error));
  }
  let fatal: FatalError | undefined;
  const finished = (async () => {
    while (true) {
      const reason = await client.ended();
      if (client.leaving || client.kind !== "hub") return;
      fatal = await reconnect(client, options, passkey, view, reason ?? "connection closed");
      if (fatal || client.leaving) return;
    }
  })();
  const how = await chatLoop({ client, terminal, view, finished });
  await finished;
  if (fatal) throw fatal;
  if (how === "ended") view.show({ type: "system", text: "Exiting." });
  else view.show({ type: "system", text: "Exiting." });
  return 0;
}

/** Retries until back in the hub, the person quits, or a retry cannot succeed. */
async function reconnect(
  client: RoomClient,
  options: Options,
  passkey: string | null,
  view: View,
  reason: string,
): Promise<FatalError | undefined> {
  for (let attempt = 1; !client.leaving; attempt++) {
    const delayMs = backoffMs(attempt);
    view.show({ type: "reconnecting", reason, delayMs, attempt });
    await new Promise((resolve) => setTimeout(resolve, delayMs));
    if (client.leaving) return undefined;
    let session: NetSession;
    try {
      session = await openSession(options.host, options.port, passkey);
    } catch (error) {
      // The hub may still be starting: keep trying, unless the passkey itself is wrong.
      if (error instanceof FatalError && /passkey|--open/i.test(error.message)) return error;
      reason = error instanceof Error ? error.message : String(error);
      continue;
    }
    try {
      await client.join(session);
    } catch (error) {
      await session.close();
      if (error instanceof RefusedError) return new FatalError(error.message);
      reason = error instanceof Error ? error.message : String(error);
      continue;
    }
    view.show({ type: "reconnected" });
    return undefined;
  }
  return undefined;
}
