/**
 * `p2pchat serve`: host a group hub through the front door. History and the shared-file
 * index live in SQLite (WAL) inside the data folder, beside the shared files; nothing else to
 * install. Runs until SIGINT or SIGTERM.
 *
 * @example
 * ```ts ignore
 * import { serveCommand } from "./serve_command.ts";
 * Deno.exit(await serveCommand(parseOptions("serve", ["5050"])));
 * ```
 * @module
 */

import { serveHub } from "../app/front_door.ts";
import { JsonView } from "./json_view.ts";
import type { Options } from "./options.ts";
import { givenHostPasskey } from "./passkey_source.ts";
import { TextView } from "./text_view.ts";
import { UsageError } from "./usage.ts";
import type { View } from "./view_event.ts";

/** Runs `serve`; resolves with the exit code once the hub has stopped (SIGINT/SIGTERM). */
export async function serveCommand(options: Options): Promise<number> {
  const passkey = givenHostPasskey(options);
  if (options.newPasskey && passkey !== undefined) {
    throw new UsageError(
      `--new-passkey cannot go with ${passkey === null ? "--open" : "a given passkey"}`,
      `--new-passkey makes a new passkey and keeps it in ${options.data}.`,
    );
  }
  const print = (line: string) => console.log(line);
  const view: View = options.json
    ? new JsonView(print, { hubLog: true })
    : new TextView({ print, status: () => {} });
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
  await hub.done;
  return 0;
}
