/**
 * `p2pchat connect`: join a listening peer or a hub. In a hub, a dropped connection is
 * retried by {@linkcode stayConnected}.
 *
 * @example
 * ```ts ignore
 * import { connectCommand } from "./connect_command.ts";
 * Deno.exit(await connectCommand(parseOptions("connect", ["192.168.1.12", "5050"])));
 * ```
 * @module
 */

import { FileStore } from "../room/file_store.ts";
import { stayConnected } from "../room/reconnector.ts";
import { RoomClient } from "../room/room_client.ts";
import { dial, DialError } from "../session/dial.ts";
import type { NetSession } from "../session/net_session.ts";
import { chatLoop, routeEvents } from "./chat_loop.ts";
import { FatalError } from "./fatal_error.ts";
import type { Options } from "./options.ts";
import { openOutput } from "./output.ts";
import { clientPasskey } from "./passkey_source.ts";

/** Runs `connect`; resolves with the exit code. */
export async function connectCommand(options: Options): Promise<number> {
  const passkey = await clientPasskey(options);
  const open = () => dial(options.host, options.port, passkey);
  let session: NetSession;
  try {
    session = await open();
  } catch (error) {
    throw new FatalError(error instanceof Error ? error.message : String(error));
  }
  const { terminal, view } = openOutput(options.json);
  view.show({ type: "connected-to", host: options.host, port: options.port });
  view.show({
    type: "secured",
    peer: session.remote,
    authenticated: session.keys.authenticated,
    safety: session.keys.safety,
  });
  const client = new RoomClient({ name: options.name, files: new FileStore(options.dir) });
  routeEvents(client, view);
  try {
    await client.join(session);
  } catch (error) {
    terminal.close();
    await session.close();
    throw new FatalError(error instanceof Error ? error.message : String(error));
  }
  const finished = stayConnected(client, open, {
    onEvent: (event) => view.show(event),
    // Open mode: each reconnect shows its new safety code against this one.
    safety: session.keys.authenticated ? undefined : session.keys.safety,
    // A wrong passkey or mode will not fix itself by retrying.
    isFatal: (error) => error instanceof DialError && error.handshake !== undefined,
  });
  const how = await chatLoop({ client, terminal, view, finished });
  const fatal = await finished;
  if (fatal) throw new FatalError(fatal.message);
  view.show({ type: "system", text: "Exiting." });
  // A direct chat that ended without the host's goodbye was lost (killed, tampered with).
  return how === "ended" && !client.endedCleanly ? 1 : 0;
}
