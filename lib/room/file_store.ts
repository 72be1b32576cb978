/**
 * The receive folder: incoming files are written to a temporary name inside it, hashed as
 * they arrive, and renamed to a free final name only once size and SHA-256 match.
 *
 * @module
 */

import { createHash, createHmac, type Hash } from "node:crypto";
import { statfs } from "node:fs/promises";
import { join } from "node:path";
import { formatBytes } from "./byte_size.ts";
import { sha256File } from "./file_hash.ts";
import { safeFileName, UnsafeFileNameError } from "./file_name.ts";
import { MAX_FOLDER_ENTRIES } from "./folder_path.ts";
import { FILE_CHUNK_BYTES } from "../wire/limits.ts";
import { writeAll } from "../wire/write_all.ts";

/** Largest file accepted when no `maxBytes` is given: 64 GiB. */
export const DEFAULT_MAX_FILE_BYTES: number = 64 * 1024 ** 3;

/** Free space left over after a transfer, so a file never fills the disk to the brim. */
const DISK_HEADROOM_BYTES = 16 * 1024 ** 2;
/**
 * Bytes of a file that may wait for the disk while the next chunks arrive: the disk writes
 * on its own thread while the network and the hash go on.
 */
export const WRITE_BEHIND_BYTES: number = 8 * 1024 * 1024;
/**
 * Chunks are gathered into writes of up to four whole chunks: each write is handed to the
 * runtime's file thread and back, which costs more than copying a chunk into place. (Not a
 * round MiB: writes aligned to one make the page cache allocate large folios, which is slow
 * on the VMs measured.)
 */
export const GATHER_BYTES: number = 4 * FILE_CHUNK_BYTES;
/** Chunks gathered for less than a full write go to the disk after this long without more. */
const GATHER_WAIT_MS = 25;
/**
 * While a file comes in, what is written is flushed to the disk in the background every this
 * many bytes, through a second descriptor (so the writes go on meanwhile): the flush before a
 * file is confirmed then has only the last part left.
 */
export const FLUSH_BEHIND_BYTES: number = 64 * 1024 * 1024;
/** How many ` (n)` variants to try before giving up on a name. */
const MAX_NAME_ATTEMPTS = 10_000;
const SHA256_HEX = /^[0-9a-f]{64}$/;
const TEMPORARY_NAME = /^\.p2pchat-[0-9a-f]{32}\.(tmp|part)$/;
const PARTIAL_NAME = /^\.p2pchat-[0-9a-f]{32}\.part$/;
/** A partial file (what an interrupted transfer left, for a resume) untouched this long goes. */
export const PARTIAL_KEEP_MS: number = 7 * 24 * 60 * 60 * 1000;
/** Most partial files a receive folder keeps; past it the oldest go. */
export const MAX_PARTIAL_FILES = 16;
/** The private folder a folder is unpacked into (incoming_folder.ts) before it is renamed. */
const UNPACK_FOLDER_NAME = /^\.p2pchat-[0-9a-f]{32}\.tmp$/;
/**
 * An unpack folder in which nothing changed for this long is what a receiver killed while
 * unpacking left: it goes, with what it holds. A live unpack (of this process or another one
 * sharing the folder) changes something in it with every file written, and a connection
 * stalled this long has long ended; folders are never resumed, so nothing would use it again.
 */
export const UNPACK_FOLDER_KEEP_MS: number = 24 * 60 * 60 * 1000;
/** Most entries looked at in one unpack folder (a folder received holds at most 100,000). */
const UNPACK_FOLDER_WALK = 2 * MAX_FOLDER_ENTRIES;
/** How often a receive folder is listed for stale partial files at most (unless at the limit). */
const PARTIAL_SWEEP_MS = 60 * 60 * 1000;
/** Bytes read at a time when a held part or an existing file is hashed. */
const HASH_READ_BYTES = 1024 * 1024;
const COMPOUND_EXTENSION = /\.tar\.[^.]+$/i;
const encoder = new TextEncoder();

/**
 * Whether `name` is one of the temporary names {@linkcode FileStore.begin} writes to: what a
 * process killed during a transfer leaves behind.
 *
 * @example
 * ```ts
 * import { isTemporaryFileName } from "./file_store.ts";
 * console.log(isTemporaryFileName(`.p2pchat-${"0".repeat(32)}.tmp`)); // true
 * console.log(isTemporaryFileName("report.pdf")); // false
 * ```
 */
export function isTemporaryFileName(name: string): boolean {
  return TEMPORARY_NAME.test(name);
}

/**
 * A transfer was refused or failed; `.message` is meant for the user as is.
 *
 * @example
 * ```ts
 * import { FileRefusedError } from "./file_store.ts";
 *
 * const err = new FileRefusedError("file too large");
 * console.log(err.message); // "file too large"
 * ```
 */
export class FileRefusedError extends Error {
  /**
   * @param message User-facing explanation.
   * @param options Standard error options (`cause`).
   *
   * @example
   * ```ts
   * import { FileRefusedError } from "./file_store.ts";
   *
   * throw new FileRefusedError("not enough disk space", { cause: new Error("ENOSPC") });
   * ```
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "FileRefusedError";
  }
}

/**
 * A file that was received completely, verified and given its final name.
 *
 * @example
 * ```ts
 * import type { SavedFile } from "./file_store.ts";
 *
 * const saved: SavedFile = {
 *   name: "report (1).pdf",
 *   path: "received_files/report (1).pdf",
 *   bytes: 20,
 *   sha256: "0".repeat(64),
 * };
 * ```
 */
export interface SavedFile {
  /** Final file name inside the receive folder. */
  name: string;
  /** `join(dir, name)`: the path to show the user. */
  path: string;
  /** Size in bytes. */
  bytes: number;
  /** Lower-case hex SHA-256 of the content. */
  sha256: string;
}

/**
 * Options for {@linkcode FileStore}.
 *
 * @example
 * ```ts
 * import type { FileStoreOptions } from "./file_store.ts";
 *
 * const options: FileStoreOptions = { maxBytes: 1e9, freeBytes: () => Promise.resolve(5e9) };
 * ```
 */
export interface FileStoreOptions {
  /** Default size limit for {@linkcode FileStore.begin}; {@linkcode DEFAULT_MAX_FILE_BYTES} if absent. */
  maxBytes?: number;
  /**
   * Free bytes available in `dir`, or `undefined` when unknown. Defaults to `node:fs`
   * `statfs`, used only when the `sys` permission for `statfs` is already granted (so a
   * transfer never triggers a permission prompt); otherwise the check is skipped.
   */
  freeBytes?: (dir: string) => Promise<number | undefined>;
  /**
   * Permission bits of every saved file (POSIX), e.g. `0o600` for a hub's private folder.
   * Absent: what any new file gets under the user's umask, like a file the user saved.
   */
  fileMode?: number;
  /**
   * How often a file being received is flushed to the disk in the background, in bytes;
   * {@linkcode FLUSH_BEHIND_BYTES} by default.
   */
  flushBehindBytes?: number;
}

/**
 * Options for one {@linkcode FileStore.begin} call.
 *
 * @example
 * ```ts
 * import type { BeginOptions } from "./file_store.ts";
 *
 * const options: BeginOptions = { maxBytes: 100_000_000 };
 * ```
 */
export interface BeginOptions {
  /** Largest size accepted for this file; overrides the store's default. */
  maxBytes?: number;
  /**
   * Makes the file resumable: it is written to a partial file named after `owner` (who sends
   * it), the offered name and size, and `key` (the sender's identity of its file), kept when
   * the transfer is interrupted ({@linkcode IncomingFile.suspend}), and continued by the next
   * `begin` with the same four.
   */
  resume?: { owner: string; key: string };
}

/**
 * The receive folder. Files only ever land directly inside `dir`, under names checked by
 * {@linkcode safeFileName}; on a clash the new file becomes `report (1).pdf`,
 * `report (2).pdf`... and nothing is ever overwritten.
 *
 * Where ` (n)` goes: before the last extension (`my.notes.txt` → `my.notes (1).txt`), with
 * `.tar.<x>` kept whole (`archive.tar.gz` → `archive (1).tar.gz`); no extension gives
 * `README (1)`, and a leading dot starts no extension (`.bashrc` → `.bashrc (1)`,
 * `.config.json` → `.config (1).json`).
 *
 * @example Receiving one file
 * ```ts
 * import { FileStore } from "./file_store.ts";
 *
 * const dir = await Deno.makeTempDir();
 * const store = new FileStore(dir);
 * const data = new TextEncoder().encode("hello");
 * const incoming = await store.begin("hello.txt", data.length);
 * await incoming.write(data);
 * const saved = await incoming.commit(
 *   "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824",
 * );
 * console.log(saved.name); // "hello.txt"
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export class FileStore {
  #dir: string;
  #maxBytes: number;
  #freeBytes: (dir: string) => Promise<number | undefined>;
  #fileMode: number | undefined;
  #flushBehindBytes: number;
  #active = new Set<IncomingFile>();
  /**
   * Partial files in the folder, at most (counted by the last sweep, plus each one made since),
   * and when the folder was last swept: a folder of thousands of files is not listed per offer.
   */
  #partials = 0;
  #sweptAt: number | undefined;

  /**
   * @param dir The receive folder; created (with parents) on first use.
   * @param options Size limit and free-space probe.
   *
   * @example
   * ```ts
   * import { FileStore } from "./file_store.ts";
   *
   * const store = new FileStore("received_files", { maxBytes: 1e9 });
   * console.log(store.dir); // "received_files"
   * ```
   */
  constructor(dir: string, options: FileStoreOptions = {}) {
    this.#dir = dir;
    this.#maxBytes = options.maxBytes ?? DEFAULT_MAX_FILE_BYTES;
    this.#freeBytes = options.freeBytes ?? statfsFreeBytes;
    this.#fileMode = options.fileMode;
    this.#flushBehindBytes = options.flushBehindBytes ?? FLUSH_BEHIND_BYTES;
  }

  /**
   * The receive folder as given to the constructor.
   *
   * @example
   * ```ts
   * import { FileStore } from "./file_store.ts";
   *
   * console.log(new FileStore("received_files").dir); // "received_files"
   * ```
   */
  get dir(): string {
    return this.#dir;
  }

  /**
   * Where the receive folder already holds `file` under its own name: a regular file of its
   * size and SHA-256 (a second `/get` of it is not needed); `undefined` when it does not.
   *
   * @example
   * ```ts ignore
   * import { FileStore } from "./file_store.ts";
   * const store = new FileStore("received_files");
   * console.log(await store.holds({ name: "report.pdf", bytes: 1234, sha256: "ab..." }));
   * ```
   */
  async holds(
    file: { name: string; bytes: number; sha256: string },
  ): Promise<string | undefined> {
    const path = await this.existing(file.name, file.bytes);
    try {
      return path !== undefined && await sha256File(path) === file.sha256.toLowerCase()
        ? path
        : undefined;
    } catch {
      return undefined; // not readable
    }
  }

  /**
   * Starts receiving `size` bytes offered as `name`: validates the name and size, checks
   * free disk space (counting transfers still in progress), and creates a temporary file
   * `.p2pchat-<random hex>.tmp` inside the folder, readable by its owner only (0600) until
   * it is saved.
   *
   * @param name The name the peer offered (checked with {@linkcode safeFileName}).
   * @param size The announced size in bytes.
   * @param options Per-file size limit.
   * @returns The open incoming file.
   * @throws {FileRefusedError} With a user-facing message when refused.
   *
   * @example
   * ```ts
   * import { FileRefusedError, FileStore } from "./file_store.ts";
   *
   * const dir = await Deno.makeTempDir();
   * const store = new FileStore(dir);
   * try {
   *   await store.begin("../../.ssh/authorized_keys", 100);
   * } catch (err) {
   *   if (err instanceof FileRefusedError) console.log(err.message);
   *   // "refused: unsafe file name: contains a path separator"
   * }
   * await Deno.remove(dir, { recursive: true });
   * ```
   */
  async begin(name: string, size: number, options: BeginOptions = {}): Promise<IncomingFile> {
    try {
      safeFileName(name);
    } catch (err) {
      if (err instanceof UnsafeFileNameError) {
        throw new FileRefusedError(`refused: ${err.message}`, { cause: err });
      }
      throw err;
    }
    if (!Number.isSafeInteger(size) || size < 0) {
      throw new FileRefusedError(`refused '${name}': invalid size ${size}`);
    }
    const maxBytes = options.maxBytes ?? this.#maxBytes;
    if (size > maxBytes) {
      throw new FileRefusedError(
        `refused '${name}': too large (${formatBytes(size)}, limit ${formatBytes(maxBytes)})`,
      );
    }
    await this.#ensureDir();
    if (options.resume) return await this.#beginPartial(name, size, options.resume);
    await this.#checkSpace(name, size);

    const tempName = `.p2pchat-${randomHex(16)}.tmp`;
    const tempPath = join(this.#dir, tempName);
    let file: Deno.FsFile;
    try {
      // Private until saved: the folder may be readable by others, and the content is not
      // checked yet.
      file = await Deno.open(tempPath, { createNew: true, write: true, mode: 0o600 });
    } catch (err) {
      throw diskError(`cannot create a file in '${this.#dir}'`, err);
    }
    const incoming = new IncomingFile(
      name,
      size,
      this.#dir,
      tempPath,
      file,
      this.#fileMode,
      () => this.#active.delete(incoming),
      this.#flushBehindBytes,
    );
    this.#active.add(incoming);
    return incoming;
  }

  /**
   * A regular file named exactly `name`, of `size` bytes, in the folder: its path, else
   * `undefined`. What a sender offers may be there already.
   *
   * @example
   * ```ts
   * import { FileStore } from "./file_store.ts";
   * const dir = await Deno.makeTempDir();
   * await Deno.writeTextFile(`${dir}/a.txt`, "abc");
   * console.log(await new FileStore(dir).existing("a.txt", 3) !== undefined); // true
   * await Deno.remove(dir, { recursive: true });
   * ```
   */
  async existing(name: string, size: number): Promise<string | undefined> {
    try {
      safeFileName(name);
      const path = join(this.#dir, name);
      const info = await Deno.lstat(path);
      return info.isFile && info.size === size ? path : undefined;
    } catch {
      return undefined;
    }
  }

  /**
   * Whether the folder holds part of this very file from an interrupted transfer (the same
   * sender, name, size and key): taking it before means it was accepted.
   *
   * @example
   * ```ts
   * import { FileStore } from "./file_store.ts";
   * const dir = await Deno.makeTempDir();
   * const store = new FileStore(dir);
   * console.log(await store.holdsPart("a.txt", 3, { owner: "bob", key: "k" })); // false
   * await Deno.remove(dir, { recursive: true });
   * ```
   */
  async holdsPart(
    name: string,
    size: number,
    resume: { owner: string; key: string },
  ): Promise<boolean> {
    try {
      return (await Deno.lstat(this.#partPath(name, size, resume))).isFile;
    } catch {
      return false;
    }
  }

  #partPath(name: string, size: number, resume: { owner: string; key: string }): string {
    const id = createHash("sha256")
      .update(JSON.stringify([resume.owner, name, size, resume.key]))
      .digest("hex").slice(0, 32);
    return join(this.#dir, `.p2pchat-${id}.part`);
  }

  /** Opens (or creates) the partial file of a resumable transfer, hashing what it holds. */
  async #beginPartial(
    name: string,
    size: number,
    resume: { owner: string; key: string },
  ): Promise<IncomingFile> {
    const path = this.#partPath(name, size, resume);
    for (const other of this.#active) {
      if (other.path === path) {
        throw new FileRefusedError(`refused '${name}': it is being received already`);
      }
    }
    const now = Date.now();
    if (
      this.#sweptAt === undefined || now - this.#sweptAt > PARTIAL_SWEEP_MS ||
      this.#partials >= MAX_PARTIAL_FILES
    ) {
      this.#sweptAt = now;
      await this.#sweepPartials(path);
    }
    let held = 0;
    try {
      const info = await Deno.lstat(path);
      // Only a plain file of ours: anything else at that name is removed, never followed.
      if (info.isFile && info.size <= size) held = info.size;
      else await Deno.remove(path, { recursive: true });
    } catch (err) {
      if (!(err instanceof Deno.errors.NotFound)) throw diskError(`cannot open '${name}'`, err);
    }
    await this.#checkSpace(name, size - held);
    if (held === 0) this.#partials++;
    let file: Deno.FsFile;
    try {
      file = await Deno.open(path, { read: true, write: true, create: true, mode: 0o600 });
    } catch (err) {
      throw diskError(`cannot create a file in '${this.#dir}'`, err);
    }
    const hash = createHash("sha256");
    const nonce = randomHex(32);
    const hmac = createHmac("sha256", nonce);
    try {
      // What is held is hashed from the disk: what a killed receiver left is what counts.
      const buffer = new Uint8Array(HASH_READ_BYTES);
      let read = 0;
      while (read < held) {
        const n = await file.read(buffer.subarray(0, Math.min(buffer.length, held - read)));
        if (n === null) break;
        hash.update(buffer.subarray(0, n));
        hmac.update(buffer.subarray(0, n));
        read += n;
      }
      if (read !== held) {
        held = read;
        await file.truncate(held);
      }
    } catch (err) {
      file.close();
      throw diskError(`cannot read '${name}'`, err);
    }
    const incoming = new IncomingFile(
      name,
      size,
      this.#dir,
      path,
      file,
      this.#fileMode,
      () => this.#active.delete(incoming),
      this.#flushBehindBytes,
      { held, hash, nonce, proof: hmac.digest("hex") },
    );
    this.#active.add(incoming);
    return incoming;
  }

  /**
   * Removes what interrupted transfers left that nothing will use again (see
   * {@linkcode PARTIAL_KEEP_MS}, {@linkcode MAX_PARTIAL_FILES}, {@linkcode UNPACK_FOLDER_KEEP_MS});
   * the receive folder is listed at most once an hour for it.
   *
   * @example
   * ```ts
   * import { FileStore } from "./file_store.ts";
   * const dir = await Deno.makeTempDir();
   * await new FileStore(dir).sweep();
   * await Deno.remove(dir, { recursive: true });
   * ```
   */
  async sweep(): Promise<void> {
    const now = Date.now();
    if (this.#sweptAt !== undefined && now - this.#sweptAt <= PARTIAL_SWEEP_MS) return;
    this.#sweptAt = now;
    await this.#sweepPartials(undefined);
  }

  /**
   * Removes partial files untouched for {@linkcode PARTIAL_KEEP_MS}, and the oldest past
   * {@linkcode MAX_PARTIAL_FILES} (leaving room for one more); never one in use or `keep`.
   * Removes unpack folders in which nothing changed for {@linkcode UNPACK_FOLDER_KEEP_MS}.
   */
  async #sweepPartials(keep: string | undefined): Promise<void> {
    const active = new Set([...this.#active].map((file) => file.path));
    const partials: { path: string; mtime: number }[] = [];
    const unpacked: string[] = [];
    try {
      for await (const entry of Deno.readDir(this.#dir)) {
        // A directory entry, not a link to one (readDir does not follow links).
        if (entry.isDirectory && UNPACK_FOLDER_NAME.test(entry.name)) {
          unpacked.push(join(this.#dir, entry.name));
        }
        if (!entry.isFile || !PARTIAL_NAME.test(entry.name)) continue;
        const path = join(this.#dir, entry.name);
        if (path === keep || active.has(path)) continue;
        const mtime = (await Deno.lstat(path)).mtime?.getTime() ?? 0;
        partials.push({ path, mtime });
      }
    } catch {
      return; // a folder that cannot be listed keeps what it has
    }
    partials.sort((a, b) => a.mtime - b.mtime);
    const now = Date.now();
    let count = partials.length;
    for (const { path, mtime } of partials) {
      if (now - mtime < PARTIAL_KEEP_MS && count < MAX_PARTIAL_FILES) break;
      await Deno.remove(path).catch(() => {});
      count--;
    }
    this.#partials = count + active.size;
    for (const path of unpacked) {
      if (await untouchedSince(path, now - UNPACK_FOLDER_KEEP_MS)) {
        // Links inside are removed, never followed.
        await Deno.remove(path, { recursive: true }).catch(() => {});
      }
    }
  }

  async #ensureDir(): Promise<void> {
    try {
      await Deno.mkdir(this.#dir, { recursive: true });
    } catch (err) {
      if (err instanceof Deno.errors.AlreadyExists || err instanceof Deno.errors.NotADirectory) {
        throw new FileRefusedError(`receive folder '${this.#dir}' is not a folder`, {
          cause: err,
        });
      }
      throw diskError(`cannot create receive folder '${this.#dir}'`, err);
    }
  }

  async #checkSpace(name: string, size: number): Promise<void> {
    let free: number | undefined;
    try {
      free = await this.#freeBytes(this.#dir);
    } catch {
      return; // Unknown free space: the write itself will report ENOSPC.
    }
    if (free === undefined) return;
    let pending = 0;
    for (const other of this.#active) pending += other.size - other.received;
    const needed = size + pending + DISK_HEADROOM_BYTES;
    if (needed > free) {
      throw new FileRefusedError(
        `refused '${name}': not enough disk space (${formatBytes(size)} needed, ` +
          `${formatBytes(Math.max(0, free - pending - DISK_HEADROOM_BYTES))} free)`,
      );
    }
  }
}

/**
 * One file being received: created by {@linkcode FileStore.begin}, fed with
 * {@linkcode IncomingFile.write}, finished by {@linkcode IncomingFile.commit} or dropped by
 * {@linkcode IncomingFile.abort}. Chunks are hashed as they come and gathered into writes of
 * about a MiB, at most 8 MiB behind the network.
 *
 * @example
 * ```ts
 * import { FileStore } from "./file_store.ts";
 *
 * const dir = await Deno.makeTempDir();
 * const incoming = await new FileStore(dir).begin("notes.txt", 10);
 * await incoming.write(new Uint8Array(4));
 * console.log(incoming.received); // 4
 * await incoming.abort(); // the temporary file is gone
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export class IncomingFile {
  /** The validated offered name. */
  readonly name: string;
  /** The announced size in bytes. */
  readonly size: number;
  /** Where it is written: a temporary or partial file in the folder. */
  readonly path: string;
  /**
   * What a resumable file held when it was opened (bytes from an interrupted transfer), the
   * nonce and the HMAC-SHA256 of those bytes under it; `undefined` for a file that is not
   * resumable.
   */
  readonly resume: { held: number; nonce: string; proof: string } | undefined;
  /** Where the transfer started: `resume.held` when it continued, else 0. */
  #startedAt = 0;
  #dir: string;
  #tempPath: string;
  #file: Deno.FsFile | undefined;
  #hash: Hash = createHash("sha256");
  /** Where chunks are gathered for the next write, and how much of it is filled. */
  #gather: Uint8Array | undefined;
  #gathered = 0;
  /** Writes what is gathered when no more comes for a while (a slow or stopped sender). */
  #gatherTimer: ReturnType<typeof setTimeout> | undefined;
  /** Gather buffers back from the disk, for reuse. */
  #spareGathers: Uint8Array[] = [];
  /** Bytes on disk. */
  #written = 0;
  /** Bytes written when the last background flush started. */
  #flushedFrom = 0;
  /** The background flush under way, if any, and the descriptor it goes through. */
  #flushing: Promise<void> | undefined;
  #flushFile: Deno.FsFile | undefined;
  /** Bytes taken by `write`, on disk or not. */
  #accepted = 0;
  /** The first error of a write, reported by every later call. */
  #failure: unknown;
  #roomWaiters: (() => void)[] = [];
  #state: "open" | "committing" | "done" = "open";
  #queue: Promise<void> = Promise.resolve();
  #fileMode: number | undefined;
  #onClose: () => void;
  #flushBehindBytes: number;

  /**
   * Use {@linkcode FileStore.begin}; this is not meant to be called directly.
   *
   * @example
   * ```ts
   * import { FileStore } from "./file_store.ts";
   *
   * const dir = await Deno.makeTempDir();
   * const incoming = await new FileStore(dir).begin("a.txt", 0);
   * await incoming.abort();
   * await Deno.remove(dir, { recursive: true });
   * ```
   */
  constructor(
    name: string,
    size: number,
    dir: string,
    tempPath: string,
    file: Deno.FsFile,
    fileMode: number | undefined,
    onClose: () => void,
    flushBehindBytes: number = FLUSH_BEHIND_BYTES,
    resume?: { held: number; hash: Hash; nonce: string; proof: string },
  ) {
    this.name = name;
    this.size = size;
    this.path = tempPath;
    if (resume) {
      const { held, hash, nonce, proof } = resume;
      this.resume = { held, nonce, proof };
      this.#hash = hash;
      this.#accepted =
        this.#written =
        this.#flushedFrom =
        this.#startedAt =
          held;
    }
    this.#dir = dir;
    this.#tempPath = tempPath;
    this.#file = file;
    this.#fileMode = fileMode;
    this.#onClose = onClose;
    this.#flushBehindBytes = flushBehindBytes;
  }

  /**
   * Bytes taken by {@linkcode IncomingFile.write} so far (the last few MiB may still be on
   * their way to the disk): what to show as progress.
   *
   * @example
   * ```ts
   * import { FileStore } from "./file_store.ts";
   *
   * const dir = await Deno.makeTempDir();
   * const incoming = await new FileStore(dir).begin("a.txt", 3);
   * console.log(incoming.received); // 0
   * await incoming.abort();
   * await Deno.remove(dir, { recursive: true });
   * ```
   */
  get received(): number {
    return this.#accepted;
  }

  /**
   * Appends a chunk and hashes it, in the order of the calls. The chunk is copied before this
   * returns (the caller may reuse it); resolves once at most 8 MiB wait for the disk (so the
   * disk writes while the next chunks arrive). Everything is on disk before
   * {@linkcode IncomingFile.commit} goes on.
   *
   * @param chunk The next bytes of the file.
   * @throws {FileRefusedError} When more bytes arrive than announced, on a disk error (this
   * chunk's or an earlier one's), or after commit/abort; the temporary file is removed in the
   * first two cases.
   *
   * @example
   * ```ts
   * import { FileStore } from "./file_store.ts";
   *
   * const dir = await Deno.makeTempDir();
   * const incoming = await new FileStore(dir).begin("a.txt", 3);
   * await incoming.write(new TextEncoder().encode("abc"));
   * console.log(incoming.received); // 3
   * await incoming.abort();
   * await Deno.remove(dir, { recursive: true });
   * ```
   */
  write(chunk: Uint8Array): Promise<void> {
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    if (this.#state !== "open") {
      return Promise.reject(new FileRefusedError(`'${this.name}' is no longer being received`));
    }
    if (this.#accepted + chunk.length > this.size) {
      const refused = new FileRefusedError(
        `refused '${this.name}': the sender sent more than the announced ${formatBytes(this.size)}`,
      );
      return this.abort().then(() => {
        throw refused;
      });
    }
    this.#accepted += chunk.length;
    this.#hash.update(chunk);
    if (this.#gathered + chunk.length > GATHER_BYTES) this.#flush();
    if (chunk.length > GATHER_BYTES) {
      this.#queueWrite(chunk.slice(), undefined); // bigger than any chunk off the wire
    } else {
      const gather = this.#gather ??= this.#spareGathers.pop() ?? new Uint8Array(GATHER_BYTES);
      gather.set(chunk, this.#gathered);
      this.#gathered += chunk.length;
      // Another chunk like this one would not fit: write now rather than when it comes.
      if (this.#gathered + chunk.length > GATHER_BYTES) this.#flush();
      else this.#gatherTimer ??= setTimeout(() => this.#flush(), GATHER_WAIT_MS);
    }
    return this.#room();
  }

  /** Queues what is gathered for the disk. */
  #flush(): void {
    clearTimeout(this.#gatherTimer);
    this.#gatherTimer = undefined;
    const gather = this.#gather;
    if (gather === undefined || this.#gathered === 0) return;
    this.#queueWrite(gather.subarray(0, this.#gathered), gather);
    this.#gather = undefined;
    this.#gathered = 0;
  }

  /** Queues `bytes` for the disk; `gather`, the buffer they are in, is reused afterwards. */
  #queueWrite(bytes: Uint8Array, gather: Uint8Array | undefined): void {
    const run = this.#queue.then(() => this.#write(bytes));
    this.#queue = run.then(
      () => {
        if (gather) this.#spareGathers.push(gather);
        this.#wakeRoomWaiters();
      },
      (error) => {
        this.#failure ??= error;
        this.#wakeRoomWaiters();
      },
    );
  }

  /** Resolves when at most {@linkcode WRITE_BEHIND_BYTES} wait for the disk. */
  async #room(): Promise<void> {
    while (this.#failure === undefined && this.#accepted - this.#written > WRITE_BEHIND_BYTES) {
      await new Promise<void>((resolve) => this.#roomWaiters.push(resolve));
    }
    if (this.#failure !== undefined) throw this.#failure;
  }

  #wakeRoomWaiters(): void {
    const waiters = this.#roomWaiters;
    this.#roomWaiters = [];
    for (const wake of waiters) wake();
  }

  async #write(bytes: Uint8Array): Promise<void> {
    const file = this.#file;
    if (this.#state !== "open" || file === undefined) {
      throw new FileRefusedError(`'${this.name}' is no longer being received`);
    }
    try {
      await writeAll(file, bytes);
    } catch (err) {
      // Recorded before the temporary file goes, so a write meanwhile hears why too.
      this.#failure ??= diskError(`cannot write '${this.name}'`, err);
      await this.#discard();
      throw this.#failure;
    }
    this.#written += bytes.length;
    if (
      this.#flushing === undefined && this.#written - this.#flushedFrom >= this.#flushBehindBytes
    ) {
      this.#flushedFrom = this.#written;
      this.#flushing = this.#flushBehind().finally(() => this.#flushing = undefined);
    }
  }

  /**
   * Flushes what is written so far, on the file thread, while the next writes go on. A
   * failure here is ignored: the flush before the file is confirmed reports it.
   */
  async #flushBehind(): Promise<void> {
    try {
      this.#flushFile ??= await Deno.open(this.#tempPath, { write: true });
      await this.#flushFile.syncData();
    } catch {
      // Reported by the last flush, if it matters.
    }
  }

  /** Waits for a background flush and closes its descriptor. */
  async #endFlushBehind(): Promise<void> {
    await this.#flushing;
    try {
      this.#flushFile?.close();
    } catch {
      // Already closed.
    }
    this.#flushFile = undefined;
  }

  /**
   * Bytes the transfer did not send because they were held from an interrupted one.
   *
   * @example
   * ```ts ignore
   * console.log(incoming.resumedFrom); // 0 unless it resumed
   * ```
   */
  get resumedFrom(): number {
    return this.#startedAt;
  }

  /**
   * Where the sender starts: at what is held (the sender's file matched it), or at 0 (it did
   * not: what is held is dropped). Before any write.
   *
   * @throws {FileRefusedError} For any other offset.
   *
   * @example
   * ```ts ignore
   * await incoming.startAt(incoming.resume?.held ?? 0);
   * ```
   */
  startAt(offset: number): Promise<void> {
    const held = this.resume?.held ?? 0;
    if (offset === this.#startedAt) return Promise.resolve();
    if (offset !== 0 || this.#accepted !== held) {
      return Promise.reject(
        new FileRefusedError(`refused '${this.name}': the sender started at ${offset} bytes`),
      );
    }
    const run = this.#queue.then(async () => {
      await this.#file?.truncate(0);
      await this.#file?.seek(0, Deno.SeekMode.Start);
      this.#hash = createHash("sha256");
      this.#accepted =
        this.#written =
        this.#flushedFrom =
        this.#startedAt =
          0;
    });
    this.#queue = run.catch(() => {});
    return run;
  }

  /**
   * Stops receiving but keeps what arrived, for a resume (the connection was lost). A file
   * that is not resumable is removed, as by {@linkcode IncomingFile.abort}.
   *
   * @example
   * ```ts ignore
   * await incoming.suspend();
   * ```
   */
  suspend(): Promise<void> {
    // Nothing arrived: nothing to keep.
    if (!this.resume || this.#accepted === 0) return this.abort();
    if (this.#state === "open") this.#flush();
    const run = this.#queue.then(async () => {
      if (this.#state !== "open") return;
      this.#state = "done";
      await this.#endFlushBehind();
      try {
        this.#file?.close();
      } catch {
        // Already closed.
      }
      this.#file = undefined;
      this.#onClose();
    });
    this.#queue = run.catch(() => {});
    return run;
  }

  /**
   * Verifies the size and SHA-256, then renames the temporary file to a free final name
   * (`report.pdf`, else `report (1).pdf`, `report (2).pdf`...), never overwriting: the
   * final name is reserved with an exclusive create, then the temporary file is given the
   * reservation's mode (what the umask gives a new file) or the store's `fileMode`, and
   * renamed over the reservation.
   *
   * @param expectedSha256 Hex SHA-256 announced by the sender (case-insensitive).
   * @returns Where the file was saved.
   * @throws {FileRefusedError} On a short file, a hash mismatch or a disk error; the
   * temporary file is removed.
   *
   * @example
   * ```ts
   * import { FileStore } from "./file_store.ts";
   *
   * const dir = await Deno.makeTempDir();
   * const incoming = await new FileStore(dir).begin("empty.txt", 0);
   * const saved = await incoming.commit(
   *   "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
   * );
   * console.log(saved.bytes); // 0
   * await Deno.remove(dir, { recursive: true });
   * ```
   */
  commit(expectedSha256: string): Promise<SavedFile> {
    if (this.#state === "open") this.#flush();
    const run = this.#queue.then(() => this.#commit(expectedSha256));
    this.#queue = run.then(() => {}, () => {});
    return run;
  }

  async #commit(expectedSha256: string): Promise<SavedFile> {
    if (this.#failure !== undefined) throw this.#failure;
    const file = this.#file;
    if (this.#state !== "open" || file === undefined) {
      throw new FileRefusedError(`'${this.name}' is no longer being received`);
    }
    this.#state = "committing";
    if (this.#written !== this.size) {
      await this.#discard();
      throw new FileRefusedError(
        `refused '${this.name}': incomplete (${this.#written} of ${this.size} bytes)`,
      );
    }
    const actual = this.#hash.digest("hex");
    if (!SHA256_HEX.test(expectedSha256.toLowerCase()) || actual !== expectedSha256.toLowerCase()) {
      await this.#discard();
      throw new FileRefusedError(
        `refused '${this.name}': SHA-256 hash mismatch, the file was corrupted or altered`,
      );
    }
    try {
      // Confirmed means on the disk: a power cut after the sender was told loses nothing.
      await file.syncData();
    } catch (err) {
      await this.#discard();
      throw diskError(`cannot write '${this.name}'`, err);
    }
    await this.#endFlushBehind();
    file.close();
    this.#file = undefined;
    let finalName: string;
    try {
      finalName = await this.#reserveFinalName();
      const finalPath = join(this.#dir, finalName);
      try {
        await this.#giveFinalMode(finalPath);
        await Deno.rename(this.#tempPath, finalPath);
      } catch (err) {
        await Deno.remove(finalPath).catch(() => {});
        throw err;
      }
    } catch (err) {
      await this.#discard();
      throw err instanceof FileRefusedError ? err : diskError(`cannot save '${this.name}'`, err);
    }
    this.#state = "done";
    this.#onClose();
    return { name: finalName, path: join(this.#dir, finalName), bytes: this.size, sha256: actual };
  }

  /**
   * The temporary file was private; the saved one gets the store's mode, else that of the
   * reservation just created under the umask: what any new file of the user gets.
   */
  async #giveFinalMode(finalPath: string): Promise<void> {
    if (Deno.build.os === "windows") return;
    const mode = this.#fileMode ?? ((await Deno.stat(finalPath)).mode ?? 0o600) & 0o777;
    await Deno.chmod(this.#tempPath, mode);
  }

  async #reserveFinalName(): Promise<string> {
    for (let n = 0; n < MAX_NAME_ATTEMPTS; n++) {
      const candidate = numberedName(this.name, n);
      try {
        safeFileName(candidate);
      } catch {
        break; // Only when shortening a very long name for " (n)" left nothing sensible.
      }
      try {
        const reserved = await Deno.open(join(this.#dir, candidate), {
          createNew: true,
          write: true,
        });
        reserved.close();
        return candidate;
      } catch (err) {
        if (!(err instanceof Deno.errors.AlreadyExists)) throw err;
      }
    }
    throw new FileRefusedError(`cannot save '${this.name}': too many files with that name exist`);
  }

  /**
   * Closes and deletes the temporary file; safe to call more than once, and a no-op after
   * a successful commit. Use on cancel, disconnect and errors.
   *
   * @example
   * ```ts
   * import { FileStore } from "./file_store.ts";
   *
   * const dir = await Deno.makeTempDir();
   * const incoming = await new FileStore(dir).begin("a.txt", 10);
   * await incoming.abort();
   * await incoming.abort(); // fine
   * await Deno.remove(dir, { recursive: true });
   * ```
   */
  abort(): Promise<void> {
    const run = this.#queue.then(() => this.#discard());
    this.#queue = run.catch(() => {});
    return run;
  }

  async #discard(): Promise<void> {
    if (this.#state === "done") return;
    this.#state = "done";
    try {
      this.#file?.close();
    } catch {
      // Already closed.
    }
    this.#file = undefined;
    clearTimeout(this.#gatherTimer);
    this.#gatherTimer = undefined;
    this.#gather = undefined;
    this.#gathered = 0;
    this.#spareGathers = [];
    await this.#endFlushBehind();
    await Deno.remove(this.#tempPath).catch(() => {});
    this.#onClose();
  }
}

/** `name` with ` (n)` inserted before its extension(s); n = 0 gives `name` itself. */
function numberedName(name: string, n: number): string {
  if (n === 0) return name;
  const suffix = ` (${n})`;
  // Before the last extension, keeping ".tar.<x>" whole; a leading dot starts no extension.
  const tar = COMPOUND_EXTENSION.exec(name);
  let dot = tar !== null && tar.index > 0 ? tar.index : name.lastIndexOf(".");
  if (dot <= 0) dot = -1;
  let stem = dot === -1 ? name : name.slice(0, dot);
  const ext = dot === -1 ? "" : name.slice(dot);
  // Keep within the byte limit by shortening the stem, whole code points at a time.
  const budget = 255 - encoder.encode(suffix + ext).length;
  while (stem.length > 0 && encoder.encode(stem).length > budget) {
    stem = Array.from(stem).slice(0, -1).join("").trimEnd();
  }
  return stem + suffix + ext;
}

function randomHex(bytes: number): string {
  return Array.from(
    crypto.getRandomValues(new Uint8Array(bytes)),
    (b) => b.toString(16).padStart(2, "0"),
  ).join("");
}

async function statfsFreeBytes(dir: string): Promise<number | undefined> {
  // Only when already allowed: a permission prompt in the middle of a transfer is worse
  // than skipping the check (the write would still fail cleanly on ENOSPC).
  if (Deno.permissions.querySync({ name: "sys", kind: "statfs" }).state !== "granted") {
    return undefined;
  }
  const stats = await statfs(dir);
  return stats.bavail * stats.bsize;
}

function diskError(what: string, err: unknown): FileRefusedError {
  const code = err instanceof Error ? (err as Error & { code?: string }).code : undefined;
  let why: string;
  if (code === "ENOSPC" || code === "EDQUOT") why = "the disk is full";
  else if (
    err instanceof Deno.errors.PermissionDenied || err instanceof Deno.errors.NotCapable ||
    code === "EACCES" || code === "EPERM"
  ) {
    why = "permission denied";
  } else if (err instanceof Deno.errors.NotADirectory) why = "the folder is a file";
  else if (err instanceof Deno.errors.NotFound) why = "the folder was removed";
  else if (code === "ENAMETOOLONG") why = "the name is too long";
  else if (code === "EROFS") why = "the disk is read-only";
  else why = err instanceof Error ? err.message : String(err);
  return new FileRefusedError(`${what}: ${why}`, { cause: err });
}

/**
 * Whether folder `path` (not a link) and everything in it were last changed before `cutoff`
 * (ms since the epoch). Links are looked at, never followed; a folder too big to look through
 * counts as changed (it is kept).
 */
async function untouchedSince(path: string, cutoff: number): Promise<boolean> {
  const folders = [path];
  let seen = 0;
  try {
    const top = await Deno.lstat(path);
    if (!top.isDirectory || (top.mtime?.getTime() ?? Infinity) >= cutoff) return false;
    for (let folder = folders.pop(); folder !== undefined; folder = folders.pop()) {
      for await (const entry of Deno.readDir(folder)) {
        if (++seen > UNPACK_FOLDER_WALK) return false;
        const inner = join(folder, entry.name);
        if (((await Deno.lstat(inner)).mtime?.getTime() ?? Infinity) >= cutoff) return false;
        if (entry.isDirectory) folders.push(inner);
      }
    }
  } catch {
    return false; // what cannot be looked through is kept
  }
  return true;
}
