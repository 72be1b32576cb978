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

import { RoomHost } from "../room/room_host.ts";
import { describeNetworkError } from "../session/network_error.ts";
import { chatLoop } from "./chat_loop.ts";
import { FatalError } from "./fatal_error.ts";
import { hostEventView } from "./host_events.ts";
import { HostAnnouncement } from "./host_announcement.ts";
import { lanAddresses } from "../session/lan_addresses.ts";
import type { Options } from "./options.ts";
import type { ViewEvent } from "./view_event.ts";
import { openOutput } from "./output.ts";
import { hostPasskey } from "./passkey_source.ts";

/** Opens a TCP listener, or throws {@linkcode FatalError} in plain words. */
export function listenOn(host: string, port: number): Deno.Listener {
  try {
    return Deno.listen({ hostname: host, port });
  } catch (error) {
    throw new FatalError(`Could not listen on ${host}:${port}: ${describeNetworkError(error)}`);
  }
}

/** What a host shows once it listens: where, how others reach it, and the passkey. */
export function listeningEvent(
  listener: Deno.Listener,
  passkey: string | null,
  hub: boolean,
): Extract<ViewEvent, { type: "listening" }> {
  const address = listener.addr as Deno.NetAddr;
  return {
    type: "listening",
    host: address.hostname,
    port: address.port,
    // Listening on every network: list them, so the other person knows what to type.
    addresses: address.hostname === "0.0.0.0" ? lanAddresses() : [],
    passkey,
    hub,
  };
}

/** Runs `listen`; resolves with the exit code. */
export async function listenCommand(options: Options): Promise<number> {
  const passkey = hostPasskey(options);
  const listener = listenOn(options.host, options.port);
  const { terminal, view } = openOutput(options.json);
  const address = listener.addr as Deno.NetAddr;
  view.show(listeningEvent(listener, passkey, false));
  const showHostEvent = hostEventView(view, { logRoom: false });
  const announcing = new HostAnnouncement(options, {
    kind: "direct",
    passkey,
    view,
    exitOnSignal: true,
  });
  const host = await RoomHost.direct({
    listener,
    passkey,
    name: options.name,
    receiveDir: options.dir,
    onEvent: (event) => {
      showHostEvent(event);
      announcing.hostEvent(event);
    },
    onClientEvent: (event) => {
      view.show(event);
      if (event.type === "left") {
        view.show({
          type: "system",
          text: `Waiting for the next person on port ${address.port} ...`,
        });
      }
    },
  });
  await announcing.start(listener);
  const client = host.client!;
  await chatLoop({ client, terminal, view, finished: client.ended() });
  await announcing.close(); // goodbye first: scanners forget the chat at once
  await host.close(`${client.name} ended the chat.`);
  view.show({ type: "system", text: "Exiting." });
  return 0;
}
