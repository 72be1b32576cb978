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
import { FileSlots } from "./file_slots.ts";
import type { FileStore, IncomingFile, SavedFile } from "./file_store.ts";
import type { InboundTransfer, Member } from "./member.ts";
import { refusalReason } from "./refusal.ts";
import type { FileRoom, SharedFiles } from "./shared_files.ts";
import { DEFAULT_MAX_STORAGE_BYTES, type Reservation, StorageQuota } from "./storage_quota.ts";
import { DOWNLOADS_QUEUED, HUB_OPEN_FILES } from "./transfer_limits.ts";

interface Row {
  file: number;
  name: string;
  stored: string;
  sender: string;
  size: number;
  sha256: string;
  time: string;
}

/** A kept file as members see it in `/files`. */
function fileInfo(row: Row): SharedFileInfo {
  return {
    file: row.file,
    from: row.sender,
    name: row.name,
    size: row.size,
    sha256: row.sha256,
    time: row.time,
  };
}

/**
 * Options of {@linkcode HubFiles}.
 *
 * @example
 * ```ts
 * import type { HubFilesOptions } from "./hub_files.ts";
 * const options: HubFilesOptions = { maxBytes: 1e9, maxStorageBytes: 10e9 };
 * ```
 */
export interface HubFilesOptions {
  /** Largest upload. */
  maxBytes?: number;
  /** Most bytes kept and in progress together; default {@linkcode DEFAULT_MAX_STORAGE_BYTES}. */
  maxStorageBytes?: number;
  /** Files held open at once for all transfers; default {@linkcode HUB_OPEN_FILES}. */
  openFiles?: number;
  /** Called with each member's verdict on a download. */
  onDelivered?: (member: Member, name: string, ok: boolean, reason?: string) => void;
}

/** A hub's kept files. */
export class HubFiles implements SharedFiles {
  #store: FileStore;
  #maxBytes: number | undefined;
  #quota: StorageQuota;
  #slots: FileSlots;
  #insert: StatementSync;
  #page: StatementSync;
  #count: StatementSync;
  #one: StatementSync;
  #delete: StatementSync;
  /** Downloads under way, by (member, fid), to log their outcome. */
  #outgoing: WeakMap<Member, Map<number, Row>> = new WeakMap();
  /** Files each member asked for and has not got yet; present while they are being sent. */
  #downloads: WeakMap<Member, number[]> = new WeakMap();
  #nextFid = 1;
  #onDelivered: (member: Member, name: string, ok: boolean, reason?: string) => void;

  /** Keeps files in `store`, indexed in `db`, within the limits of `options`. */
  constructor(db: DatabaseSync, store: FileStore, options: HubFilesOptions = {}) {
    this.#store = store;
    this.#maxBytes = options.maxBytes;
    this.#slots = new FileSlots(options.openFiles ?? HUB_OPEN_FILES);
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
    this.#delete = db.prepare("DELETE FROM files WHERE file = ?");
    this.#quota = new StorageQuota(
      options.maxStorageBytes ?? DEFAULT_MAX_STORAGE_BYTES,
      this.#keptBytes(db),
    );
  }

  /** What the kept files take: those still on disk (one removed by hand frees its space). */
  #keptBytes(db: DatabaseSync): number {
    let bytes = 0;
    for (const row of db.prepare("SELECT stored, size FROM files").iterate()) {
      const { stored, size } = row as unknown as Pick<Row, "stored" | "size">;
      try {
        Deno.statSync(join(this.#store.dir, stored));
        bytes += size;
      } catch { /* gone: it takes nothing */ }
    }
    return bytes;
  }

  /**
   * Bytes kept and reserved for uploads in progress.
   *
   * @example
   * ```ts ignore
   * console.log(files.storageUsed);
   * ```
   */
  get storageUsed(): number {
    return this.#quota.used;
  }

  /**
   * Starts keeping an offered file; see {@linkcode SharedFiles.receive}. Refused at once,
   * before anything is opened, when the hub holds as many open files as it may or the file
   * does not fit in its storage (counting the uploads in progress at their full size).
   */
  async receive(
    member: Member,
    offer: Extract<Message, { t: "offer" }>,
    room: FileRoom,
  ): Promise<InboundTransfer | undefined> {
    const refuse = (error: unknown) => {
      const reason = refusalReason(error);
      member.post({ t: "received", fid: offer.fid, ok: false, reason });
      room.reportFailure(member.name, offer.name, reason);
    };
    /** Refused at once: counted like a line, so a flood of offers cannot flood the log. */
    const refuseOffer = (error: unknown) => {
      const reason = refusalReason(error);
      member.post({ t: "received", fid: offer.fid, ok: false, reason });
      if (member.limiter.allow()) room.reportFailure(member.name, offer.name, reason);
    };
    if (!this.#slots.tryTake()) {
      refuseOffer(
        `refused '${offer.name}': the hub is receiving too many files at once; try again shortly`,
      );
      return undefined;
    }
    let reservation: Reservation;
    let incoming: IncomingFile;
    try {
      reservation = this.#quota.reserve(offer.name, offer.size);
      try {
        incoming = await this.#store.begin(offer.name, offer.size, { maxBytes: this.#maxBytes });
      } catch (error) {
        reservation.release();
        throw error;
      }
    } catch (error) {
      this.#slots.release();
      refuseOffer(error);
      return undefined;
    }
    let open = true;
    /** Ends the upload: the file is closed, and its space given back unless it was kept. */
    const close = (kept: boolean) => {
      open = false;
      this.#slots.release();
      if (!kept) reservation.release();
    };
    return {
      write: async (chunk) => {
        if (!open) return;
        try {
          await incoming.write(chunk);
        } catch (error) {
          await incoming.abort();
          close(false);
          refuse(error);
        }
      },
      end: async (sha256) => {
        if (!open) return;
        let saved: SavedFile;
        try {
          saved = await incoming.commit(sha256);
        } catch (error) {
          close(false);
          refuse(error);
          return;
        }
        let file: number;
        try {
          ({ file } = this.#insert.get(
            offer.name,
            saved.name,
            member.name,
            saved.bytes,
            saved.sha256,
            new Date().toISOString(),
          ) as { file: number });
        } catch (error) {
          // Not in the list, so nobody could ever fetch it: it must not take the disk.
          await Deno.remove(saved.path).catch(() => {});
          close(false);
          refuse(`cannot keep '${offer.name}': ${refusalReason(error)}`);
          return;
        }
        close(true);
        member.post({ t: "received", fid: offer.fid, ok: true, sha256: saved.sha256 });
        room.announce({
          t: "shared",
          file,
          from: member.name,
          name: offer.name,
          size: saved.bytes,
          sha256: saved.sha256,
        });
      },
      cancel: async (reason) => {
        if (!open) return;
        await incoming.abort();
        close(false);
        room.reportFailure(member.name, offer.name, reason);
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

  /**
   * Removes kept file `file`: its data first (a file that cannot be removed stays listed), then
   * its entry, and gives its space back. See {@linkcode SharedFiles.remove}.
   */
  async remove(file: number): Promise<SharedFileInfo | undefined> {
    const row = this.#one.get(file) as unknown as Row | undefined;
    if (!row) return undefined;
    let present = true;
    try {
      await Deno.remove(join(this.#store.dir, row.stored));
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
      present = false; // removed by hand: it took no space
    }
    // Removed meanwhile by another call: that one tells of it.
    if (Number(this.#delete.run(file).changes) === 0) return undefined;
    if (present) this.#quota.free(row.size);
    return fileInfo(row);
  }

  /** How many files are kept. */
  count(): number {
    return (this.#count.get() as { n: number }).n;
  }

  /** Kept files, newest first: up to `limit` from the `offset`-th on. */
  list(offset: number, limit: number): SharedFileInfo[] {
    return (this.#page.all(limit, offset) as unknown as Row[]).map(fileInfo);
  }

  /**
   * Sends kept file `file` to `member`, after the files it asked for before: one at a time,
   * so a member holds at most one of the hub's files open, and in the background, so its
   * chat goes on meanwhile.
   */
  send(member: Member, file: number): void {
    const queued = this.#downloads.get(member);
    if (queued) {
      if (queued.length >= DOWNLOADS_QUEUED) {
        member.post({
          t: "notice",
          text: `You have asked for ${DOWNLOADS_QUEUED} files already: /get more once they arrive.`,
          error: true,
        });
      } else queued.push(file);
      return;
    }
    const queue = [file];
    this.#downloads.set(member, queue);
    let left = false;
    member.session.closed.then(() => left = true);
    (async () => {
      try {
        for (let next = queue.shift(); next !== undefined && !left; next = queue.shift()) {
          await this.#slots.take();
          try {
            if (!left) await this.#sendOne(member, next, () => left);
          } catch (error) {
            // Never the hub's end: say so, and go on with the next one.
            member.post({
              t: "notice",
              text: `Shared file ${next} could not be sent: ${refusalReason(error)}`,
              error: true,
            });
          } finally {
            this.#slots.release();
          }
        }
      } finally {
        this.#downloads.delete(member);
      }
    })();
  }

  /**
   * Streams one kept file until it is sent or the member has `left`; what goes wrong with the
   * file is told to the member.
   */
  async #sendOne(member: Member, file: number, left: () => boolean): Promise<void> {
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
        if (left()) return;
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
    } catch {
      member.post({ t: "cancel", fid, reason: "the hub could not read the kept file" });
    } finally {
      handle.close();
    }
  }
}
