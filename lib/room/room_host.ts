/**
 * Hosting a room on a TCP listener: a direct chat (a room of two that the host takes part
 * in) or a hub (many members, history and files in a data folder). The terminal and the
 * browser both host through here.
 *
 * @example
 * ```ts ignore
 * import { RoomHost } from "./room_host.ts";
 * const host = await RoomHost.direct({ listener: Deno.listen({ port: 5050 }), passkey: null,
 *   name: "alice", receiveDir: "received_files" });
 * host.client!.say("hello");
 * await host.close("alice ended the chat.");
 * ```
 * @module
 */

import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { memorySessionPair } from "../session/memory_session.ts";
import type { NetSession } from "../session/net_session.ts";
import { type ListenerEvent, SessionListener } from "../session/session_listener.ts";
import { FileStore } from "./file_store.ts";
import { MemoryHistory } from "./history.ts";
import { HubFiles } from "./hub_files.ts";
import { Room, type RoomEvent } from "./room.ts";
import { type ClientEvent, RoomClient } from "./room_client.ts";
import { LineJournal } from "./line_journal.ts";
import { SqliteHistory } from "./sqlite_history.ts";
import { SqliteKnownClients } from "./sqlite_known_clients.ts";

/** What a host reports: secured sessions, failed handshakes and room events. */
export type HostEvent =
  | { type: "secured"; peer: string; authenticated: boolean; safety: string }
  | ListenerEvent
  | { type: "room"; event: RoomEvent };

/** Options common to both kinds of host. */
export interface HostOptions {
  /** Where to accept connections. */
  listener: Deno.Listener;
  /** Normalized passkey, or `null` for open mode. */
  passkey: string | null;
  /** The host's console. */
  onEvent?: (event: HostEvent) => void;
}

/** Options of a direct chat's host, who takes part as `name`. */
export interface DirectHostOptions extends HostOptions {
  name: string;
  receiveDir: string;
  /** The host's own events, set before joining so none is missed. */
  onClientEvent?: (event: ClientEvent) => void;
}

/** Options of a hub. */
export interface HubHostOptions extends HostOptions {
  /** Folder of the database and the shared files. */
  dataDir: string;
  historyLimit: number;
  /** Lines per second per member; 0 = no limit. */
  rate: number;
  maxClients: number;
  maxFileBytes?: number;
  /** When set, the host takes part in the hub under this name. */
  member?: { name: string; receiveDir: string; onClientEvent?: (event: ClientEvent) => void };
}

/** Opens a hub's database in `dir` (created if needed), in WAL mode. */
export function openHubDatabase(dir: string): DatabaseSync {
  Deno.mkdirSync(dir, { recursive: true });
  const db = new DatabaseSync(join(dir, "hub.db"));
  db.exec("PRAGMA journal_mode = WAL");
  // WAL with NORMAL survives a killed process; only an OS crash may lose the last lines.
  db.exec("PRAGMA synchronous = NORMAL");
  return db;
}

/** A room being hosted, with the host's own client when the host takes part. */
export class RoomHost {
  /** The room. */
  readonly room: Room;
  /** The host's own client, when the host takes part. */
  readonly client: RoomClient | undefined;
  #sessions: SessionListener;
  #serving: Promise<void>;
  #hosting: Promise<void> | undefined;
  #closeStorage: (() => void) | undefined;

  private constructor(
    room: Room,
    sessions: SessionListener,
    client: RoomClient | undefined,
    hosting: Promise<void> | undefined,
    closeStorage: (() => void) | undefined,
  ) {
    this.room = room;
    this.#sessions = sessions;
    this.client = client;
    this.#hosting = hosting;
    this.#closeStorage = closeStorage;
    this.#serving = sessions.serve();
  }

  /** The bound address. */
  get addr(): Deno.NetAddr {
    return this.#sessions.addr;
  }

  /** Hosts a direct chat: a room of two, the host being one of them. */
  static async direct(options: DirectHostOptions): Promise<RoomHost> {
    // No history in a direct chat: the next person must not read the previous conversation.
    const room = new Room({
      kind: "direct",
      capacity: 2,
      history: new MemoryHistory(1),
      historyLimit: 0,
      onEvent: (event) => options.onEvent?.({ type: "room", event }),
    });
    const { client, hosting } = await RoomHost.#takePart(
      room,
      options.name,
      options.receiveDir,
      options.onClientEvent,
    );
    return new RoomHost(room, RoomHost.#listen(room, options, 4), client, hosting, undefined);
  }

  /** Hosts a hub; throws when the data folder cannot be opened. */
  static async hub(options: HubHostOptions): Promise<RoomHost> {
    const db = openHubDatabase(options.dataDir);
    const history = new SqliteHistory(db, {
      journal: new LineJournal(join(options.dataDir, "hub.journal")),
    });
    const room = new Room({
      kind: "hub",
      capacity: options.maxClients,
      history,
      historyLimit: options.historyLimit,
      // Kept with the history: a restarted hub still replays a returning member what it missed.
      clients: new SqliteKnownClients(db),
      rate: { perSecond: options.rate, burst: options.rate * 2 },
      files: new HubFiles(db, new FileStore(join(options.dataDir, "files")), {
        maxBytes: options.maxFileBytes,
        onDelivered: (member, name, ok, reason) => {
          if (!ok) {
            options.onEvent?.({
              type: "room",
              event: { type: "file-failed", from: member.name, name, reason: reason ?? "refused" },
            });
          }
        },
      }),
      onEvent: (event) => options.onEvent?.({ type: "room", event }),
    });
    const member = options.member
      ? await RoomHost.#takePart(
        room,
        options.member.name,
        options.member.receiveDir,
        options.member.onClientEvent,
      )
      : undefined;
    return new RoomHost(
      room,
      RoomHost.#listen(room, options, 16),
      member?.client,
      member?.hosting,
      () => {
        history.close(); // commits the last lines
        db.close();
      },
    );
  }

  static async #takePart(
    room: Room,
    name: string,
    receiveDir: string,
    onClientEvent?: (event: ClientEvent) => void,
  ): Promise<{ client: RoomClient; hosting: Promise<void> }> {
    const [hostSide, ownSide] = memorySessionPair("this computer");
    const hosting = room.admit(hostSide);
    const client = new RoomClient({ name, files: new FileStore(receiveDir) });
    if (onClientEvent) client.onEvent = onClientEvent;
    await client.join(ownSide);
    return { client, hosting };
  }

  static #listen(room: Room, options: HostOptions, maxPerAddress: number): SessionListener {
    return new SessionListener(options.listener, {
      passkey: options.passkey,
      maxPerAddress,
      onSession: (session: NetSession) => {
        options.onEvent?.({
          type: "secured",
          peer: session.remote,
          authenticated: session.keys.authenticated,
          safety: session.keys.safety,
        });
        room.admit(session);
      },
      onEvent: (event) => options.onEvent?.(event),
    });
  }

  /** Stops accepting, tells every member why, flushes, and closes. */
  async close(reason: string): Promise<void> {
    this.#sessions.close();
    await this.room.close(reason);
    await Promise.all([this.#serving, this.#hosting]);
    this.#closeStorage?.();
  }
}
