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

import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { FileStore } from "../room/file_store.ts";
import { HubFiles } from "../room/hub_files.ts";
import { Room, type RoomEvent } from "../room/room.ts";
import { SqliteHistory } from "../room/sqlite_history.ts";
import { SessionListener } from "../session/session_listener.ts";
import { describeNetworkError, FatalError } from "./connection_error.ts";
import { formatBytes } from "./format.ts";
import { JsonView } from "./json_view.ts";
import { lanAddresses } from "./lan_addresses.ts";
import { listenerEventView } from "./listener_events.ts";
import type { Options } from "./options.ts";
import { hostPasskey } from "./passkey_source.ts";
import { escapeForTerminal as clean } from "./terminal_text.ts";
import { TextView } from "./text_view.ts";
import type { View } from "./view_event.ts";

/** Opens the hub's database in `dir` (created if needed). */
export function openHubDatabase(dir: string): DatabaseSync {
  Deno.mkdirSync(dir, { recursive: true });
  const db = new DatabaseSync(join(dir, "hub.db"));
  db.exec("PRAGMA journal_mode = WAL");
  // WAL with NORMAL survives a killed process; only an OS crash may lose the last lines.
  db.exec("PRAGMA synchronous = NORMAL");
  return db;
}

function roomEventText(event: RoomEvent): string {
  switch (event.type) {
    case "joined":
      return `${clean(event.name)} joined from ${event.remote}. (Connected: ${event.count})`;
    case "left":
      return `${clean(event.name)} left${
        event.reason ? ` (${clean(event.reason)})` : ""
      }. (Connected: ${event.count})`;
    case "renamed":
      return `${clean(event.from)} is now known as ${clean(event.to)}.`;
    case "refused":
      return `Refused ${event.remote}: ${clean(event.reason)}`;
    case "shared":
      return `${clean(event.from)} shared ${clean(event.name)} (${
        formatBytes(event.size)
      }) as file ${event.file}.`;
    case "file-failed":
      return `Upload of ${clean(event.name)} from ${clean(event.from)} failed: ${
        clean(event.reason)
      }`;
  }
}

/** Runs `serve`; resolves with the exit code once the hub has stopped. */
export async function serveCommand(options: Options): Promise<number> {
  const passkey = hostPasskey(options);
  let listener: Deno.Listener;
  try {
    listener = Deno.listen({ hostname: options.host, port: options.port });
  } catch (error) {
    throw new FatalError(
      `Could not listen on ${options.host}:${options.port}: ${describeNetworkError(error)}`,
    );
  }
  let db: DatabaseSync;
  try {
    db = openHubDatabase(options.data);
  } catch (error) {
    listener.close();
    throw new FatalError(
      `Could not open the data folder ${options.data}: ${
        error instanceof Error ? error.message : error
      }`,
    );
  }
  const print = (line: string) => console.log(line);
  const view: View = options.json ? new JsonView(print) : new TextView({ print, status: () => {} });
  const log = (event: RoomEvent) =>
    options.json
      ? print(JSON.stringify({ ...event, type: `hub-${event.type}` }))
      : view.show({ type: "system", text: roomEventText(event) });
  const history = new SqliteHistory(db);
  const room = new Room({
    kind: "hub",
    capacity: options.maxClients,
    history,
    historyLimit: options.history,
    rate: { perSecond: options.rate, burst: options.rate * 2 },
    files: new HubFiles(db, new FileStore(join(options.data, "files")), {
      maxBytes: options.maxFileBytes,
      onDelivered: (member, name, ok, reason) => {
        if (!ok) log({ type: "file-failed", from: member.name, name, reason: reason ?? "refused" });
      },
    }),
    onEvent: log,
  });
  const sessions = new SessionListener(listener, {
    passkey,
    onSession: (session) => room.admit(session),
    onEvent: listenerEventView(view),
  });
  const address = listener.addr as Deno.NetAddr;
  view.show({
    type: "listening",
    host: address.hostname,
    port: address.port,
    addresses: address.hostname === "0.0.0.0" ? lanAddresses() : [],
    passkey,
    hub: true,
  });
  const stop = async () => {
    view.show({ type: "system", text: "Stopping: telling members and flushing." });
    sessions.close();
    await room.close("The hub is stopping.");
  };
  const signals: Deno.Signal[] = Deno.build.os === "windows" ? ["SIGINT"] : ["SIGINT", "SIGTERM"];
  const stopped = new Promise<void>((resolve) => {
    for (const signal of signals) Deno.addSignalListener(signal, () => stop().then(resolve));
  });
  await sessions.serve();
  await stopped;
  db.close();
  view.show({ type: "system", text: "Hub stopped." });
  return 0;
}
