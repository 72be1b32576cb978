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

import { DatabaseSync } from "node:sqlite";
import { memorySessionPair } from "../session/memory_session.ts";
import type { NetSession } from "../session/net_session.ts";
import { type ListenerEvent, SessionListener } from "../session/session_listener.ts";
import { BanList } from "./ban_list.ts";
import { DataFolder, PRIVATE_FILE_MODE } from "./data_folder.ts";
import { FileStore } from "./file_store.ts";
import { MemoryHistory } from "./history.ts";
import { HubFiles } from "./hub_files.ts";
import { Room, type RoomEvent } from "./room.ts";
import { type AcceptMode, type ClientEvent, RoomClient } from "./room_client.ts";
import { LineJournal } from "./line_journal.ts";
import { SqliteBanStore } from "./sqlite_ban_store.ts";
import { SqliteHistory } from "./sqlite_history.ts";
import { SqliteKnownClients } from "./sqlite_known_clients.ts";

/**
 * A room event as the host reports it: the join of a member whose connection is not
 * authenticated (open mode) carries that connection's safety code, for the host to compare.
 */
export type HostRoomEvent = RoomEvent & { safety?: string };

/** What a host reports: secured sessions, failed handshakes and room events. */
export type HostEvent =
  | { type: "secured"; peer: string; authenticated: boolean; safety: string }
  | ListenerEvent
  | { type: "room"; event: HostRoomEvent };

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
  /** What happens to files offered to the host; `all` by default. */
  accept?: AcceptMode;
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
  /** Bytes kept for the members (files and uploads in progress); default 10 GB. */
  maxStorageBytes?: number;
  /** When set, the host takes part in the hub under this name. */
  member?: { name: string; receiveDir: string; onClientEvent?: (event: ClientEvent) => void };
}

/** Opens a hub's database in its data folder, in WAL mode. */
export function openHubDatabase(folder: DataFolder): DatabaseSync {
  const db = new DatabaseSync(folder.database);
  db.exec("PRAGMA journal_mode = WAL");
  // WAL with NORMAL survives a killed process; only an OS crash may lose the last lines.
  db.exec("PRAGMA synchronous = NORMAL");
  return db;
}

/** The safety codes of the open-mode connections still open, by remote address. */
class SafetyCodes {
  #byRemote: Map<string, string> = new Map();

  /** Keeps `session`'s code while it is open, when it is not authenticated. */
  add(session: NetSession): void {
    if (session.keys.authenticated) return;
    const { remote } = session;
    const safety = session.keys.safety;
    this.#byRemote.set(remote, safety);
    session.closed.then(() => {
      if (this.#byRemote.get(remote) === safety) this.#byRemote.delete(remote);
    });
  }

  /** `event`, with the member's safety code when it is a join over an open-mode connection. */
  label(event: RoomEvent): HostRoomEvent {
    const safety = event.type === "joined" ? this.#byRemote.get(event.remote) : undefined;
    return safety === undefined ? event : { ...event, safety };
  }
}

/**
 * How long closing waits for the members to be dropped (each one's unfinished transfers
 * removed): a member's last message may still be waiting for the disk.
 */
const DROP_WAIT_MS = 5_000;

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
  /** Each connected member's `admit`, until it has been dropped. */
  #members: Set<Promise<void>>;

  private constructor(
    room: Room,
    sessions: SessionListener,
    members: Set<Promise<void>>,
    client: RoomClient | undefined,
    hosting: Promise<void> | undefined,
    closeStorage: (() => void) | undefined,
  ) {
    this.room = room;
    this.#sessions = sessions;
    this.#members = members;
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
    const codes = new SafetyCodes();
    // No history in a direct chat: the next person must not read the previous conversation.
    const room = new Room({
      kind: "direct",
      capacity: 2,
      history: new MemoryHistory(1),
      historyLimit: 0,
      onEvent: (event) => options.onEvent?.({ type: "room", event: codes.label(event) }),
    });
    const { client, hosting } = await RoomHost.#takePart(
      room,
      options.name,
      options.receiveDir,
      options.onClientEvent,
      options.accept,
    );
    const members = new Set<Promise<void>>();
    return new RoomHost(
      room,
      RoomHost.#listen(room, options, 4, codes, members),
      members,
      client,
      hosting,
      undefined,
    );
  }

  /** Hosts a hub; throws when the data folder cannot be opened. */
  static async hub(options: HubHostOptions): Promise<RoomHost> {
    const codes = new SafetyCodes();
    // Private to its owner: the journal holds members' resume ids, the files what they shared.
    const folder = DataFolder.open(options.dataDir);
    const db = openHubDatabase(folder);
    const history = new SqliteHistory(db, { journal: new LineJournal(folder.journal) });
    const room = new Room({
      kind: "hub",
      capacity: options.maxClients,
      history,
      historyLimit: options.historyLimit,
      // Kept with the history: a restarted hub still replays a returning member what it missed.
      clients: new SqliteKnownClients(db),
      // And its bans hold after a restart.
      bans: new BanList({ store: new SqliteBanStore(db, { settle: () => history.commit() }) }),
      rate: { perSecond: options.rate, burst: options.rate * 2 },
      files: new HubFiles(db, new FileStore(folder.files, { fileMode: PRIVATE_FILE_MODE }), {
        maxBytes: options.maxFileBytes,
        maxStorageBytes: options.maxStorageBytes,
        onDelivered: (member, name, ok, reason) => {
          if (!ok) {
            options.onEvent?.({
              type: "room",
              event: { type: "file-failed", from: member.name, name, reason: reason ?? "refused" },
            });
          }
        },
      }),
      onEvent: (event) => options.onEvent?.({ type: "room", event: codes.label(event) }),
    });
    const member = options.member
      ? await RoomHost.#takePart(
        room,
        options.member.name,
        options.member.receiveDir,
        options.member.onClientEvent,
      )
      : undefined;
    const members = new Set<Promise<void>>();
    return new RoomHost(
      room,
      RoomHost.#listen(room, options, 16, codes, members),
      members,
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
    accept?: AcceptMode,
  ): Promise<{ client: RoomClient; hosting: Promise<void> }> {
    const [hostSide, ownSide] = memorySessionPair("this computer");
    // The host's own client: it may moderate, and no operator may touch it.
    const hosting = room.admit(hostSide, { host: true });
    const client = new RoomClient({ name, files: new FileStore(receiveDir), accept });
    if (onClientEvent) client.subscribe(onClientEvent);
    await client.join(ownSide);
    return { client, hosting };
  }

  static #listen(
    room: Room,
    options: HostOptions,
    maxPerAddress: number,
    codes: SafetyCodes,
    members: Set<Promise<void>>,
  ): SessionListener {
    return new SessionListener(options.listener, {
      passkey: options.passkey,
      maxPerAddress,
      onSession: (session: NetSession) => {
        codes.add(session);
        options.onEvent?.({
          type: "secured",
          peer: session.remote,
          authenticated: session.keys.authenticated,
          safety: session.keys.safety,
        });
        const admitted = room.admit(session);
        members.add(admitted);
        admitted.finally(() => members.delete(admitted));
      },
      onEvent: (event) => options.onEvent?.(event),
    });
  }

  /**
   * Stops accepting, tells every member why, flushes, waits until every member was dropped
   * (so what they were sending is removed, not left half-written), and closes.
   */
  async close(reason: string): Promise<void> {
    this.#sessions.close();
    await this.room.close(reason);
    await Promise.all([this.#serving, this.#hosting]);
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      Promise.all(this.#members),
      new Promise((resolve) => timer = setTimeout(resolve, DROP_WAIT_MS)),
    ]);
    clearTimeout(timer);
    this.#closeStorage?.();
  }
}
