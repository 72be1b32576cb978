/**
 * The files a hub keeps: stored (hash-checked, confined to the data folder by
 * {@linkcode FileStore}), indexed in SQLite so the list survives restarts, and streamed to
 * members who `/get` them.
 *
 * @example
 * ```ts ignore
 * import { DatabaseSync } from "node:sqlite";
 * import { HubFiles } from "./hub_files.ts";
 * import { FileStore } from "./file_store.ts";
 * const files = new HubFiles(new DatabaseSync("hub.db"), new FileStore("p2pchat-data/files"));
 * console.log(files.list(0, 20)); // the newest twenty
 * ```
 * @module
 */

import { join } from "node:path";
import type { DatabaseSync, StatementSync } from "node:sqlite";
import type { Message, SharedFileInfo } from "../session/message.ts";
import { recordWithRoom } from "../wire/codec.ts";
import { FILE_CHUNK_BYTES } from "../wire/limits.ts";
import type { FileStore, IncomingFile } from "./file_store.ts";
import type { InboundTransfer, Member } from "./member.ts";
import type { Room } from "./room.ts";
import type { SharedFiles } from "./shared_files.ts";

interface Row {
  file: number;
  name: string;
  stored: string;
  sender: string;
  size: number;
  sha256: string;
  time: string;
}

/** A hub's kept files. */
export class HubFiles implements SharedFiles {
  #store: FileStore;
  #maxBytes: number | undefined;
  #insert: StatementSync;
  #page: StatementSync;
  #count: StatementSync;
  #one: StatementSync;
  /** Downloads under way, by (member, fid), to log their outcome. */
  #outgoing: WeakMap<Member, Map<number, Row>> = new WeakMap();
  #nextFid = 1;
  #onDelivered: (member: Member, name: string, ok: boolean, reason?: string) => void;

  /** Keeps files in `store`, indexed in `db`; `maxBytes` limits each upload. */
  constructor(
    db: DatabaseSync,
    store: FileStore,
    options: {
      maxBytes?: number;
      onDelivered?: (member: Member, name: string, ok: boolean, reason?: string) => void;
    } = {},
  ) {
    this.#store = store;
    this.#maxBytes = options.maxBytes;
    this.#onDelivered = options.onDelivered ?? (() => {});
    db.exec(`CREATE TABLE IF NOT EXISTS files (
      file INTEGER PRIMARY KEY AUTOINCREMENT,
      name TEXT NOT NULL,
      stored TEXT NOT NULL,
      sender TEXT NOT NULL,
      size INTEGER NOT NULL,
      sha256 TEXT NOT NULL,
      time TEXT NOT NULL
    )`);
    this.#insert = db.prepare(
      "INSERT INTO files (name, stored, sender, size, sha256, time) VALUES (?, ?, ?, ?, ?, ?) RETURNING file",
    );
    this.#page = db.prepare("SELECT * FROM files ORDER BY file DESC LIMIT ? OFFSET ?");
    this.#count = db.prepare("SELECT COUNT(*) AS n FROM files");
    this.#one = db.prepare("SELECT * FROM files WHERE file = ?");
  }

  /** Starts keeping an offered file; see {@linkcode SharedFiles.receive}. */
  async receive(
    member: Member,
    offer: Extract<Message, { t: "offer" }>,
    room: Room,
  ): Promise<InboundTransfer> {
    let incoming: IncomingFile | undefined;
    const refuse = (reason: string) => {
      member.post({ t: "received", fid: offer.fid, ok: false, reason });
      room.reportFailure(member.name, offer.name, reason);
      incoming = undefined;
    };
    try {
      incoming = await this.#store.begin(offer.name, offer.size, { maxBytes: this.#maxBytes });
    } catch (error) {
      refuse(error instanceof Error ? error.message : String(error));
    }
    return {
      write: async (chunk) => {
        if (!incoming) return;
        try {
          await incoming.write(chunk);
        } catch (error) {
          await incoming.abort();
          refuse(error instanceof Error ? error.message : String(error));
        }
      },
      end: async (sha256) => {
        if (!incoming) return;
        try {
          const saved = await incoming.commit(sha256);
          const time = new Date().toISOString();
          const { file } = this.#insert.get(
            offer.name,
            saved.name,
            member.name,
            saved.bytes,
            saved.sha256,
            time,
          ) as { file: number };
          member.post({ t: "received", fid: offer.fid, ok: true, sha256: saved.sha256 });
          room.announce({
            t: "shared",
            file,
            from: member.name,
            name: offer.name,
            size: saved.bytes,
            sha256: saved.sha256,
          });
        } catch (error) {
          refuse(error instanceof Error ? error.message : String(error));
        }
      },
      cancel: async (reason) => {
        await incoming?.abort();
        if (incoming) room.reportFailure(member.name, offer.name, reason);
        incoming = undefined;
      },
    };
  }

  /** Logs a member's verdict on a download. */
  delivered(member: Member, received: Extract<Message, { t: "received" }>): void {
    const row = this.#outgoing.get(member)?.get(received.fid);
    if (!row) return;
    this.#outgoing.get(member)!.delete(received.fid);
    this.#onDelivered(member, row.name, received.ok, received.reason);
  }

  /** How many files are kept. */
  count(): number {
    return (this.#count.get() as { n: number }).n;
  }

  /** Kept files, newest first: up to `limit` from the `offset`-th on. */
  list(offset: number, limit: number): SharedFileInfo[] {
    return (this.#page.all(limit, offset) as unknown as Row[]).map((row) => ({
      file: row.file,
      from: row.sender,
      name: row.name,
      size: row.size,
      sha256: row.sha256,
      time: row.time,
    }));
  }

  /** Streams kept file `file` to `member`. */
  async send(member: Member, file: number): Promise<void> {
    const row = this.#one.get(file) as unknown as Row | undefined;
    if (!row) {
      member.post({ t: "notice", text: `No shared file ${file}. /files lists them.`, error: true });
      return;
    }
    let handle: Deno.FsFile;
    try {
      handle = await Deno.open(join(this.#store.dir, row.stored), { read: true });
    } catch {
      member.post({ t: "notice", text: `Shared file ${file} is missing on the hub.`, error: true });
      return;
    }
    const fid = this.#nextFid++;
    const downloads = this.#outgoing.get(member) ?? new Map<number, Row>();
    this.#outgoing.set(member, downloads);
    downloads.set(fid, row);
    try {
      member.post({ t: "offer", fid, name: row.name, size: row.size, from: row.sender });
      let sent = 0;
      const header: Message = { t: "chunk", fid };
      while (sent < row.size) {
        // Each read goes straight into a record of its own, posted as it is: no copy per chunk.
        const roomy = recordWithRoom(header, FILE_CHUNK_BYTES);
        const n = await handle.read(roomy.body);
        if (n === null) break;
        const { record, body } = roomy.filled(n);
        member.post(header, body, record);
        sent += n;
        await member.session.drained();
      }
      if (sent === row.size) member.post({ t: "end", fid, sha256: row.sha256 });
      else member.post({ t: "cancel", fid, reason: "the kept file is damaged" });
    } finally {
      handle.close();
    }
  }
}
