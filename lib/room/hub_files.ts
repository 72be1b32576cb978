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

import { createHash } from "node:crypto";
import { join } from "node:path";
import type { DatabaseSync, StatementSync } from "node:sqlite";
import type { Message, SharedFileInfo } from "../session/message.ts";
import { type Admission, FileReceiver } from "./file_receiver.ts";
import { FileChangedError, FileSender } from "./file_sender.ts";
import { FileSlots } from "./file_slots.ts";
import type { FileStore } from "./file_store.ts";
import type { Member } from "./member.ts";
import { cancelledByQuit, refusalReason } from "./refusal.ts";
import type { SharedFiles } from "./shared_files.ts";
import type { FileRoom } from "./transfer_policy.ts";
import { DEFAULT_MAX_STORAGE_BYTES, type Reservation, StorageQuota } from "./storage_quota.ts";
import {
  DOWNLOADS_QUEUED,
  HUB_OPEN_FILES,
  OFFER_ANSWER_MS,
  offerAnswerMs,
} from "./transfer_limits.ts";

interface Row {
  file: number;
  name: string;
  stored: string;
  sender: string;
  size: number;
  sha256: string;
  time: string;
  /** A folder kept whole: its files and their bytes (null for a file). */
  files: number | null;
  bytes: number | null;
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
    ...(folderOf(row) ? { folder: folderOf(row) } : {}),
  };
}

/** The counts of a folder kept whole, or undefined for a file. */
function folderOf(row: Row): { files: number; bytes: number } | undefined {
  return row.files === null || row.bytes === null
    ? undefined
    : { files: row.files, bytes: row.bytes };
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
  /**
   * How long a `/get` offer waits for the member's `ready` before it is withdrawn, plus time
   * for the file's size ({@linkcode offerAnswerMs}); default {@linkcode OFFER_ANSWER_MS}.
   */
  getAnswerMs?: number;
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
  #room: FileRoom | undefined;
  /** Each member's uploads. */
  #receivers: WeakMap<Member, FileReceiver> = new WeakMap();
  /** Each member's download in progress, by its file id. */
  #senders: WeakMap<Member, Map<number, FileSender>> = new WeakMap();
  #delete: StatementSync;
  /** Downloads under way, by (member, fid), to log their outcome. */
  #outgoing: WeakMap<Member, Map<number, Row>> = new WeakMap();
  /** Files each member asked for and has not got yet; present while they are being sent. */
  #downloads: WeakMap<Member, number[]> = new WeakMap();
  #nextFid = 1;
  #getAnswerMs: number;
  #onDelivered: (member: Member, name: string, ok: boolean, reason?: string) => void;

  /** Keeps files in `store`, indexed in `db`, within the limits of `options`. */
  constructor(db: DatabaseSync, store: FileStore, options: HubFilesOptions = {}) {
    this.#store = store;
    this.#maxBytes = options.maxBytes;
    this.#slots = new FileSlots(options.openFiles ?? HUB_OPEN_FILES);
    this.#getAnswerMs = options.getAnswerMs ?? OFFER_ANSWER_MS;
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
    // A folder is kept whole, as one entry: its counts (added to databases made before).
    const columns = db.prepare("PRAGMA table_info(files)").all().map((c) => String(c.name));
    if (!columns.includes("files")) db.exec("ALTER TABLE files ADD COLUMN files INTEGER");
    if (!columns.includes("bytes")) db.exec("ALTER TABLE files ADD COLUMN bytes INTEGER");
    this.#insert = db.prepare(
      "INSERT INTO files (name, stored, sender, size, sha256, time, files, bytes) " +
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING file",
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
   * Serves `room`: where kept files are announced and failures logged.
   *
   * @example
   * ```ts ignore
   * files.attach(room);
   * ```
   */
  attach(room: FileRoom): void {
    this.#room = room;
  }

  /**
   * Starts keeping an offered file. Refused at once, before anything is opened, when the
   * member sends {@linkcode TRANSFERS_AT_ONCE} files already, the hub holds as many open files
   * as it may, or the file does not fit in its storage (counting the uploads in progress at
   * their full size).
   */
  offer(member: Member, offer: Extract<Message, { t: "offer" }>): Promise<void> {
    return this.#receiver(member).offer(offer, member.name);
  }

  /** A member starts its upload at an offset (always 0: uploads do not resume). */
  start(member: Member, start: Extract<Message, { t: "start" }>): Promise<void> {
    return this.#receivers.get(member)?.start(start.fid, start.offset) ?? Promise.resolve();
  }

  /** A member's whole-file hash (never asked for: a hub does not skip uploads). */
  check(member: Member, check: Extract<Message, { t: "check" }>): Promise<void> {
    return this.#receivers.get(member)?.check(check.fid, check.sha256) ?? Promise.resolve();
  }

  /** A member says what it holds of a file the hub offers it: the download goes on from there. */
  ready(member: Member, ready: Extract<Message, { t: "ready" }>): void {
    this.#senders.get(member)?.get(ready.fid)?.ready(ready);
  }

  /** A member's client asks its person (never in a hub: members take what they `/get`). */
  asking(): void {}

  /** A chunk of a member's upload. */
  chunk(member: Member, fid: number, body: Uint8Array): Promise<void> {
    return this.#receivers.get(member)?.chunk(fid, body) ?? Promise.resolve();
  }

  /** A member's upload is complete: checked, kept, indexed and announced. */
  end(member: Member, end: Extract<Message, { t: "end" }>): Promise<void> {
    return this.#receivers.get(member)?.end(end.fid, end.sha256) ?? Promise.resolve();
  }

  /** A member gave an upload up. */
  cancel(member: Member, cancel: Extract<Message, { t: "cancel" }>): Promise<void> {
    return this.#receivers.get(member)?.cancel(cancel.fid, cancel.reason) ?? Promise.resolve();
  }

  /** A member left: its uploads in progress are dropped. */
  async left(member: Member, quit = false): Promise<void> {
    const receiver = this.#receivers.get(member);
    this.#receivers.delete(member);
    await receiver?.endAll(quit ? cancelledByQuit(member.name) : `${member.name} left`);
  }

  /** The receiver of a member's uploads, made on its first offer. */
  #receiver(member: Member): FileReceiver {
    let receiver = this.#receivers.get(member);
    if (receiver) return receiver;
    const log = (name: string, reason: string) =>
      this.#room?.reportFailure(member.name, name, reason);
    receiver = new FileReceiver(this.#store, {
      reply: (message) => member.post(message),
      admit: (offer) => this.#admit(offer),
      saved: ({ offered, saved, folder }) => {
        let file: number;
        try {
          ({ file } = this.#insert.get(
            offered,
            saved.name,
            member.name,
            saved.bytes,
            saved.sha256,
            new Date().toISOString(),
            folder?.files ?? null,
            folder?.bytes ?? null,
          ) as { file: number });
        } catch (error) {
          // Not in the list, so nobody could ever fetch it: it must not take the disk.
          Deno.removeSync(saved.path);
          throw new Error(`cannot keep '${offered}': ${refusalReason(error)}`);
        }
        return () =>
          this.#room?.announce({
            t: "shared",
            file,
            from: member.name,
            name: offered,
            size: saved.bytes,
            sha256: saved.sha256,
            ...(folder ? { folder } : {}),
          });
      },
      // Refused at once: counted like a line, so a flood of offers cannot flood the log.
      failed: (name, reason, offered) => {
        if (!offered || member.limiter.allow()) log(name, reason);
      },
    }, {
      busy: (offer, atOnce) =>
        `refused '${offer.name}': you are already sending ${atOnce} files; ` +
        "send more when one is done",
    });
    this.#receivers.set(member, receiver);
    return receiver;
  }

  /** What an upload may take: an open file and its size in the storage, or a refusal. */
  #admit(offer: Extract<Message, { t: "offer" }>): Admission {
    if (!this.#slots.tryTake()) {
      throw new Error(
        `refused '${offer.name}': the hub is receiving too many files at once; try again shortly`,
      );
    }
    let reservation: Reservation;
    try {
      reservation = this.#quota.reserve(offer.name, offer.size);
    } catch (error) {
      this.#slots.release();
      throw error;
    }
    return {
      maxBytes: this.#maxBytes,
      // A folder is kept as it came (one entry, fetched whole); members unpack it.
      whole: true,
      release: (kept) => {
        this.#slots.release();
        if (!kept) reservation.release();
      },
    };
  }

  /** Logs a member's verdict on a download. */
  received(member: Member, received: Extract<Message, { t: "received" }>): void {
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
            if (!left) await this.#sendOne(member, next);
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
   * Streams one kept file until it is sent or the member has left; what goes wrong with the
   * file is told to the member.
   */
  async #sendOne(member: Member, file: number): Promise<void> {
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
    const sender = new FileSender({
      fid,
      name: row.name,
      size: row.size,
      from: row.sender,
      // The kept file's hash is its identity: a member resumes it across hub restarts.
      key: createHash("sha256").update(`kept:${row.sha256}`).digest("hex").slice(0, 32),
      kept: row.file,
      file: handle,
      ...(folderOf(row) ? { folder: folderOf(row) } : {}),
      post: (message, body, record) => member.post(message, body, record),
      drained: () => member.session.drained(),
      // A member that never answers must not hold the open file (and its slot) forever.
      readyTimeoutMs: offerAnswerMs(row.size, this.#getAnswerMs),
    });
    const leaving = member.session.closed.then(() => sender.stop("the member left"));
    const senders = this.#senders.get(member) ?? new Map<number, FileSender>();
    this.#senders.set(member, senders);
    senders.set(fid, sender);
    try {
      await sender.send();
    } catch (error) {
      if (sender.unanswered) {
        // The member was told by the sender's `cancel`; the hub's log says so too.
        downloads.delete(fid);
        this.#onDelivered(member, row.name, false, (error as Error).message);
      } else if (sender.stopped === undefined && !(error instanceof FileChangedError)) {
        member.post({ t: "cancel", fid, reason: "the hub could not read the kept file" });
      }
    } finally {
      senders.delete(fid);
      handle.close();
      leaving.catch(() => {});
    }
  }
}
