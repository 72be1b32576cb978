/**
 * A folder being received (the stream of folder_stream.ts): unpacked as it comes into a
 * private hidden folder inside the receive folder, every path checked
 * ({@linkcode safeRelativePath}) and confined to it, links never created; after the hash of
 * the whole stream matches, every file and folder is flushed to the disk (folder_sync.ts), the
 * folder is renamed to `NAME`, else `NAME (1)`..., never over anything, and the rename is
 * flushed too: once confirmed, the folder survives a power cut.
 *
 * @example
 * ```ts ignore
 * import { IncomingFolder } from "./incoming_folder.ts";
 * const folder = await IncomingFolder.begin("received_files", "holiday", size, { files, bytes });
 * await folder.write(chunk);
 * const saved = await folder.commit(sha256);
 * ```
 * @module
 */

import { createHash } from "node:crypto";
import { join } from "node:path";
import { FileRefusedError, type SavedFile } from "./file_store.ts";
import { UnsafeFileNameError } from "./file_name.ts";
import { MAX_FOLDER_ENTRIES, portableFileName, safeRelativePath } from "./folder_path.ts";
import { type FolderManifest, MAX_MANIFEST_BYTES } from "./folder_stream.ts";
import { syncFolder, syncReceived, type SyncWay } from "./folder_sync.ts";

/** What the offer of a folder says about it. */
export interface FolderOffer {
  /** How many files. */
  files: number;
  /** The files' bytes together. */
  bytes: number;
}

const SHA256_HEX = /^[0-9a-f]{64}$/;
const MAX_NAME_ATTEMPTS = 1000;

/** One folder being received. */
export class IncomingFolder {
  /** The folder's name as it will be saved (made portable). */
  readonly name: string;
  /** The whole stream's announced length. */
  readonly size: number;
  #dir: string;
  #temp: string;
  #offer: FolderOffer;
  #hash = createHash("sha256");
  #received = 0;
  #head: Uint8Array | undefined = new Uint8Array(4);
  #headFill = 0;
  #manifest: FolderManifest | undefined;
  #index = -1;
  #file: Deno.FsFile | undefined;
  #fileLeft = 0;
  /** The files written, to flush before the folder is given its name. */
  #written: string[] = [];
  /** The folders made so far, as paths. */
  #made = new Set<string>();
  #done = false;
  #synced: SyncWay | undefined;

  private constructor(dir: string, temp: string, name: string, size: number, offer: FolderOffer) {
    this.#dir = dir;
    this.#temp = temp;
    this.name = name;
    this.size = size;
    this.#offer = offer;
  }

  /**
   * Starts receiving folder `name` (a stream of `size` bytes) into the receive folder `dir`.
   *
   * @throws {FileRefusedError} When the name, the counts or the size cannot be accepted.
   */
  static async begin(
    dir: string,
    name: string,
    size: number,
    offer: FolderOffer,
    maxBytes: number,
  ): Promise<IncomingFolder> {
    let safe: string;
    try {
      safe = portableFileName(name);
    } catch (error) {
      throw new FileRefusedError(`refused: ${(error as Error).message}`, { cause: error });
    }
    const counts = [offer.files, offer.bytes, size].every(Number.isSafeInteger) &&
      offer.files >= 0 && offer.files <= MAX_FOLDER_ENTRIES && offer.bytes >= 0 &&
      size > offer.bytes;
    if (!counts) throw new FileRefusedError(`refused '${safe}': invalid folder offer`);
    if (offer.bytes > maxBytes) {
      throw new FileRefusedError(`refused '${safe}': too large`);
    }
    await Deno.mkdir(dir, { recursive: true });
    const temp = join(dir, `.p2pchat-${crypto.randomUUID().replaceAll("-", "")}.tmp`);
    // Private until saved: the content is not checked yet.
    await Deno.mkdir(temp, { mode: 0o700 });
    return new IncomingFolder(dir, temp, safe, size, offer);
  }

  /** A folder is received whole or not at all: nothing is held to resume from. */
  readonly resume: undefined = undefined;
  /** Always 0: a folder is not resumed. */
  readonly resumedFrom = 0;

  /**
   * Where the sender starts: a folder always at 0.
   *
   * @throws {FileRefusedError} For any other offset.
   */
  startAt(offset: number): Promise<void> {
    if (offset === 0) return Promise.resolve();
    return Promise.reject(new FileRefusedError(`refused '${this.name}': a folder starts at 0`));
  }

  /** A cut-off folder is not kept: as {@linkcode IncomingFolder.abort}. */
  suspend(): Promise<void> {
    return this.abort();
  }

  /** How the folder was flushed to the disk, once committed (see folder_sync.ts). */
  get synced(): SyncWay | undefined {
    return this.#synced;
  }

  /** How many files the folder holds. */
  get files(): number {
    return this.#offer.files;
  }

  /** How many files are written whole so far. */
  get filesDone(): number {
    return this.#manifest ? Math.min(this.#index, this.#manifest.files.length) : 0;
  }

  /** Bytes of the stream received so far. */
  get received(): number {
    return this.#received;
  }

  /**
   * The next bytes of the stream.
   *
   * @throws {FileRefusedError} When the stream breaks the offer or a path is unsafe.
   */
  write(bytes: Uint8Array): Promise<void> {
    try {
      this.#write(bytes);
      return Promise.resolve();
    } catch (error) {
      return Promise.reject(error);
    }
  }

  #write(bytes: Uint8Array): void {
    if (this.#done) throw new FileRefusedError(`'${this.name}' is no longer being received`);
    if (this.#received + bytes.length > this.size) {
      throw new FileRefusedError(`refused '${this.name}': more bytes than offered`);
    }
    this.#received += bytes.length;
    this.#hash.update(bytes);
    let at = 0;
    while (at < bytes.length) {
      if (this.#manifest === undefined) {
        at += this.#fillHead(bytes.subarray(at));
        continue;
      }
      const part = bytes.subarray(at, at + Math.min(this.#fileLeft, bytes.length - at));
      for (let off = 0; off < part.length;) off += this.#file!.writeSync(part.subarray(off));
      at += part.length;
      this.#fileLeft -= part.length;
      // At once, so that the 0-byte files after the last one with bytes are made too.
      if (this.#fileLeft === 0) this.#openNext();
    }
  }

  /** Takes the length, then the manifest, from the start of the stream. */
  #fillHead(bytes: Uint8Array): number {
    const head = this.#head!;
    const take = Math.min(head.length - this.#headFill, bytes.length);
    head.set(bytes.subarray(0, take), this.#headFill);
    this.#headFill += take;
    if (this.#headFill < head.length) return take;
    if (head.length === 4) {
      const length = new DataView(head.buffer).getUint32(0);
      if (length > MAX_MANIFEST_BYTES || 4 + length > this.size) {
        throw new FileRefusedError(`refused '${this.name}': invalid folder list`);
      }
      this.#head = new Uint8Array(length);
      this.#headFill = 0;
      return take;
    }
    this.#head = undefined;
    this.#unpackManifest(head);
    return take;
  }

  #unpackManifest(json: Uint8Array): void {
    let manifest: FolderManifest;
    try {
      manifest = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(json));
    } catch {
      throw new FileRefusedError(`refused '${this.name}': invalid folder list`);
    }
    const valid = typeof manifest === "object" && manifest !== null &&
      Array.isArray(manifest.dirs) && Array.isArray(manifest.files) &&
      manifest.dirs.every((d) => typeof d === "string") &&
      manifest.files.every((f) =>
        Array.isArray(f) && f.length === 2 && typeof f[0] === "string" &&
        Number.isSafeInteger(f[1]) && f[1] >= 0
      ) && manifest.dirs.length + manifest.files.length <= MAX_FOLDER_ENTRIES &&
      manifest.files.length === this.#offer.files &&
      manifest.files.reduce((sum, [, size]) => sum + size, 0) === this.#offer.bytes &&
      4 + json.length + this.#offer.bytes === this.size;
    if (!valid) throw new FileRefusedError(`refused '${this.name}': invalid folder list`);
    this.#manifest = manifest;
    for (const dir of manifest.dirs) this.#mkdirs(this.#components(dir));
    this.#openNext();
  }

  /** Checked components of a path from the peer. */
  #components(path: string): string[] {
    try {
      return safeRelativePath(path);
    } catch (error) {
      if (!(error instanceof UnsafeFileNameError)) throw error;
      throw new FileRefusedError(`refused '${this.name}': ${path}: ${error.message}`);
    }
  }

  /** Creates each folder of `parts` inside the hidden folder; a folder there is reused. */
  #mkdirs(parts: string[]): string {
    let path = this.#temp;
    for (const part of parts) {
      path = join(path, part);
      if (this.#made.has(path)) continue;
      this.#made.add(path);
      try {
        Deno.mkdirSync(path);
      } catch (error) {
        if (!(error instanceof Deno.errors.AlreadyExists)) throw error;
        // Only ever a folder made here: links are never created, so nothing leads outside.
        if (!Deno.lstatSync(path).isDirectory) {
          throw new FileRefusedError(`refused '${this.name}': ${part} is a file and a folder`);
        }
      }
    }
    return path;
  }

  /** Closes the file just written and creates the next with bytes to come (0-byte ones too). */
  #openNext(): void {
    this.#file?.close();
    this.#file = undefined;
    const files = this.#manifest!.files;
    while (++this.#index < files.length) {
      const [path, size] = files[this.#index];
      const parts = this.#components(path);
      const parent = this.#mkdirs(parts.slice(0, -1));
      const file = this.#create(parent, parts.at(-1)!);
      this.#written.push(file.path);
      if (size > 0) {
        this.#file = file.handle;
        this.#fileLeft = size;
        return;
      }
      file.handle.close();
    }
    if (this.#received < this.size) {
      throw new FileRefusedError(`refused '${this.name}': more bytes than its files hold`);
    }
  }

  /** A new file `name` in `parent`, `name (1)`... when two paths became the same. */
  #create(parent: string, name: string): { path: string; handle: Deno.FsFile } {
    for (let n = 0; n < MAX_NAME_ATTEMPTS; n++) {
      const path = join(parent, n === 0 ? name : `${name} (${n})`);
      try {
        return { path, handle: Deno.openSync(path, { createNew: true, write: true }) };
      } catch (error) {
        if (!(error instanceof Deno.errors.AlreadyExists)) throw error;
      }
    }
    throw new FileRefusedError(`refused '${this.name}': too many files named ${name}`);
  }

  /**
   * Checks the stream's length and SHA-256, flushes every file to the disk, then names the
   * folder `NAME`, else `NAME (1)`...
   *
   * @throws {FileRefusedError} On a short stream or a hash mismatch (the folder is removed).
   */
  async commit(expectedSha256: string): Promise<SavedFile> {
    try {
      if (this.#received !== this.size || this.#manifest === undefined) {
        throw new FileRefusedError(
          `refused '${this.name}': incomplete (${this.#received} of ${this.size} bytes)`,
        );
      }
      const actual = this.#hash.digest("hex");
      if (!SHA256_HEX.test(expectedSha256.toLowerCase()) || actual !== expectedSha256) {
        throw new FileRefusedError(
          `refused '${this.name}': SHA-256 hash mismatch, the folder was corrupted or altered`,
        );
      }
      this.#file?.close();
      this.#file = undefined;
      // Confirmed means on the disk: every file's data, and every folder's entries.
      this.#synced = await syncReceived(this.#temp, this.#written, [this.#temp, ...this.#made]);
      const name = await this.#rename();
      this.#done = true;
      return {
        name,
        path: join(this.#dir, name),
        bytes: this.#offer.bytes,
        sha256: actual,
      };
    } catch (error) {
      await this.abort();
      throw error;
    }
  }

  async #rename(): Promise<string> {
    for (let n = 0; n < MAX_NAME_ATTEMPTS; n++) {
      const name = n === 0 ? this.name : `${this.name} (${n})`;
      const path = join(this.#dir, name);
      try {
        await Deno.mkdir(path);
      } catch (error) {
        if (error instanceof Deno.errors.AlreadyExists) continue;
        throw error;
      }
      // The reservation has what a new folder of the user gets; an empty folder is replaced.
      const mode = (await Deno.stat(path)).mode;
      if (mode !== null && Deno.build.os !== "windows") await Deno.chmod(this.#temp, mode & 0o777);
      await Deno.rename(this.#temp, path);
      // Not confirmed until its name is on the disk too: a failure from here removes it.
      this.#temp = path;
      await Promise.all([syncFolder(this.#dir), syncFolder(path)]);
      return name;
    }
    throw new FileRefusedError(`cannot save '${this.name}': too many folders with that name exist`);
  }

  /** Removes everything received; safe to call more than once. */
  async abort(): Promise<void> {
    if (this.#done) return;
    this.#done = true;
    try {
      this.#file?.close();
    } catch { /* already closed */ }
    this.#file = undefined;
    await Deno.remove(this.#temp, { recursive: true }).catch(() => {});
  }
}
