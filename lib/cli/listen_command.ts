/**
 * `p2pchat listen`: host a direct chat, a room of two, and take part in it.
 *
 * @example
 * ```ts ignore
 * import { listenCommand } from "./listen_command.ts";
 * Deno.exit(await listenCommand(parseOptions("listen", ["5050"])));
 * ```
 * @module
 */

import { FileStore } from "../room/file_store.ts";
import { MemoryHistory } from "../room/history.ts";
import { Room } from "../room/room.ts";
import { RoomClient } from "../room/room_client.ts";
import { memorySessionPair } from "../session/memory_session.ts";
import { SessionListener } from "../session/session_listener.ts";
import { chatLoop, routeEvents } from "./chat_loop.ts";
import { describeNetworkError, FatalError } from "./connection_error.ts";
import { lanAddresses } from "./lan_addresses.ts";
import type { Options } from "./options.ts";
import { openOutput } from "./output.ts";
import { hostPasskey } from "./passkey_source.ts";
import { listenerEventView } from "./listener_events.ts";

/** Runs `listen`; resolves with the exit code. */
export async function listenCommand(options: Options): Promise<number> {
  const passkey = hostPasskey(options);
  let listener: Deno.Listener;
  try {
    listener = Deno.listen({ hostname: options.host, port: options.port });
  } catch (error) {
    throw new FatalError(
      `Could not listen on ${options.host}:${options.port}: ${describeNetworkError(error)}`,
    );
  }
  const { terminal, view } = openOutput(options.json);
  // No history in a direct chat: the next person must not read the previous conversation.
  const room = new Room({
    kind: "direct",
    capacity: 2,
    history: new MemoryHistory(1),
    historyLimit: 0,
    onEvent: (event) => {
      if (event.type === "refused") {
        view.show({ type: "system", text: `Refused ${event.remote}: ${event.reason}` });
      }
    },
  });
  const [hostSide, ownSide] = memorySessionPair("this computer");
  const hosting = room.admit(hostSide);
  const client = new RoomClient({ name: options.name, files: new FileStore(options.dir) });
  routeEvents(client, view);
  const address = listener.addr as Deno.NetAddr;
  view.show({
    type: "listening",
    host: address.hostname,
    port: address.port,
    addresses: address.hostname === "0.0.0.0" ? lanAddresses() : [],
    passkey,
    hub: false,
  });
  await client.join(ownSide);
  const sessions = new SessionListener(listener, {
    passkey,
    maxPerAddress: 4,
    onSession: (session) => {
      view.show({
        type: "secured",
        peer: session.remote,
        authenticated: session.keys.authenticated,
        safety: session.keys.safety,
      });
      room.admit(session);
    },
    onEvent: listenerEventView(view),
  });
  const serving = sessions.serve();
  await chatLoop({ client, terminal, view, finished: client.ended() });
  sessions.close();
  await room.close(`${client.name} ended the chat.`);
  await Promise.all([serving, hosting]);
  view.show({ type: "system", text: "Exiting." });
  return 0;
}
