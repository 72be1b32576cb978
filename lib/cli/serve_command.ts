/**
 * `p2pchat serve`: host a group hub through the front door. History and the shared-file
 * index live in SQLite (WAL) inside the data folder, beside the shared files; nothing else to
 * install. The host's console reads what is typed: on a terminal at a prompt, the log printing
 * above it; otherwise each line of stdin, so a script can moderate. Runs until SIGINT,
 * SIGTERM or `/quit`.
 *
 * @example
 * ```ts ignore
 * import { serveCommand } from "./serve_command.ts";
 * Deno.exit(await serveCommand(parseOptions("serve", ["5050"])));
 * ```
 * @module
 */

import { serveHub } from "../app/front_door.ts";
import type { Hub } from "../app/hub.ts";
import { JsonView } from "./json_view.ts";
import type { Options } from "./options.ts";
import { givenHostPasskey } from "./passkey_source.ts";
import { openTerminal, type Terminal } from "./terminal.ts";
import { TextView } from "./text_view.ts";
import { UsageError } from "./usage.ts";
import type { View } from "./view_event.ts";

/** Runs `serve`; resolves with the exit code once the hub has stopped. */
export async function serveCommand(options: Options): Promise<number> {
  const passkey = givenHostPasskey(options);
  if (options.newPasskey && passkey !== undefined) {
    throw new UsageError(
      `--new-passkey cannot go with ${passkey === null ? "--open" : "a given passkey"}`,
      `--new-passkey makes a new passkey and keeps it in ${options.data}.`,
    );
  }
  const terminal = openTerminal();
  const view: View = options.json
    ? new JsonView((line) => terminal.print(line), { hubLog: true })
    : new TextView(terminal);
  const hub = await serveHub({
    host: options.host,
    port: options.port,
    passkey,
    label: options.label,
    announce: options.announce,
    dataDir: options.data,
    keepPasskey: { renew: options.newPasskey },
    history: options.history,
    rate: options.rate,
    maxClients: options.maxClients,
    maxFileBytes: options.maxFileBytes,
    maxStorageBytes: options.maxStorageBytes,
  }, { onEvent: (event) => view.show(event), signals: true });
  hostCommands(hub, terminal);
  const stop = await hub.done;
  terminal.close();
  // Stopped by a signal: as the shell reports one (130 for SIGINT, 143 for SIGTERM).
  return stop?.status ?? 0;
}

/**
 * Runs each line typed (or each line of stdin) as a host command until the hub stops or the
 * input ends, which stops nothing: a hub started with no input goes on, its log printed plainly.
 */
async function hostCommands(hub: Hub, terminal: Terminal): Promise<void> {
  try {
    for await (const line of terminal.lines()) await hub.run(line);
  } catch { /* stdin failed: the hub goes on without commands */ }
  terminal.close();
}
