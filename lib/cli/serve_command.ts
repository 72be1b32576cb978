/**
 * `p2pchat serve`: host a group hub. History and the shared-file index live in SQLite
 * (WAL) inside the data folder, beside the shared files; nothing else to install.
 *
 * @example
 * ```ts ignore
 * import { serveCommand } from "./serve_command.ts";
 * Deno.exit(await serveCommand(parseOptions("serve", ["5050"])));
 * ```
 * @module
 */

import { HostConsole } from "../room/host_console.ts";
import { RoomHost } from "../room/room_host.ts";
import { FatalError } from "./fatal_error.ts";
import { consoleEventText, hostEventView } from "./host_events.ts";
import { HostAnnouncement } from "./host_announcement.ts";
import { JsonView } from "./json_view.ts";
import { LineSplitter } from "./line_splitter.ts";
import { listeningEvent, listenOn } from "./listen_command.ts";
import type { Options } from "./options.ts";
import { hostPasskey } from "./passkey_source.ts";
import { jsonForTerminal } from "./terminal_text.ts";
import { TextView } from "./text_view.ts";
import type { View } from "./view_event.ts";

/** Runs `serve`; resolves with the exit code once the hub has stopped (SIGINT/SIGTERM). */
export async function serveCommand(options: Options): Promise<number> {
  const passkey = hostPasskey(options);
  const listener = listenOn(options.host, options.port);
  const print = (line: string) => console.log(line);
  const view: View = options.json ? new JsonView(print) : new TextView({ print, status: () => {} });
  let host: RoomHost;
  const announcing = new HostAnnouncement(options, { kind: "hub", passkey, view });
  const showHostEvent = hostEventView(view, {
    logRoom: true,
    json: options.json ? print : undefined,
  });
  try {
    host = await RoomHost.hub({
      listener,
      passkey,
      dataDir: options.data,
      historyLimit: options.history,
      rate: options.rate,
      maxClients: options.maxClients,
      maxFileBytes: options.maxFileBytes,
      maxStorageBytes: options.maxStorageBytes,
      onEvent: (event) => {
        showHostEvent(event);
        announcing.hostEvent(event);
      },
    });
  } catch (error) {
    listener.close();
    throw new FatalError(
      `Could not open the data folder ${options.data}: ${
        error instanceof Error ? error.message : error
      }`,
    );
  }
  view.show(listeningEvent(listener, passkey, true));
  await announcing.start(listener);
  const signals: Deno.Signal[] = Deno.build.os === "windows" ? ["SIGINT"] : ["SIGINT", "SIGTERM"];
  const stop = Promise.withResolvers<void>();
  for (const signal of signals) Deno.addSignalListener(signal, stop.resolve);
  const hostConsole = new HostConsole({
    room: host.room,
    passkey,
    show: (event) => {
      if (options.json) print(jsonForTerminal({ ...event, type: `console-${event.type}` }));
      else for (const text of consoleEventText(event)) view.show({ type: "system", text });
    },
  });
  // A script moderates through stdin; the prompt on a terminal comes with the console's face.
  if (!Deno.stdin.isTerminal()) hostCommands(hostConsole, stop.resolve);
  await stop.promise;
  view.show({ type: "system", text: "Stopping: telling members and flushing." });
  await announcing.close(); // goodbye first: scanners forget the hub at once
  await host.close("The hub is stopping.");
  view.show({ type: "system", text: "Hub stopped." });
  return 0;
}

/**
 * Runs each line of stdin as a host command until `/quit` (then `stop`) or the end of input,
 * which stops nothing: a hub started with no input goes on.
 */
async function hostCommands(hostConsole: HostConsole, stop: () => void): Promise<void> {
  const lines = Deno.stdin.readable.pipeThrough(new TextDecoderStream()).pipeThrough(
    new LineSplitter(),
  );
  try {
    for await (const line of lines) {
      if (await hostConsole.run(line) === "stop") return stop();
    }
  } catch { /* stdin failed: the hub goes on without commands */ }
}
