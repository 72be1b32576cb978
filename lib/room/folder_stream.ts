/**
 * A folder sent as one stream, so it goes like one file (one offer, one hash, one progress
 * entry, no round trip per file): a 4-byte length, a manifest (JSON: the folders, parents
 * first, then each file's relative path and size), then every file's bytes in manifest order.
 * The sender's side is {@linkcode FolderSource}; the receiver's is `IncomingFolder`.
 *
 * @example
 * ```ts ignore
 * import { FolderSource } from "./folder_stream.ts";
 * const source = await FolderSource.open("holiday");
 * console.log(source.name, source.files, source.bytes, source.size);
 * ```
 * @module
 */

import { join } from "node:path";
import { senderFileName } from "./file_name.ts";
import { MAX_FOLDER_DEPTH, MAX_FOLDER_ENTRIES, safeRelativePath } from "./folder_path.ts";

/** Largest manifest accepted or sent, in bytes. */
export const MAX_MANIFEST_BYTES = 16 * 1024 * 1024;

/** What a folder holds, as sent before its files' bytes. */
export interface FolderManifest {
  /** Relative paths (`/`-separated) of the folders, each after its parent. */
  dirs: string[];
  /** Relative path and size of each file, in the order their bytes follow. */
  files: [path: string, size: number][];
}

/**
 * The manifest's bytes as they start the stream: a 4-byte big-endian length, then the JSON.
 *
 * @example
 * ```ts
 * import { manifestBytes } from "./folder_stream.ts";
 * console.log(manifestBytes({ dirs: [], files: [["a", 1]] }).length); // 4 + 26
 * ```
 */
export function manifestBytes(manifest: FolderManifest): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(manifest));
  const bytes = new Uint8Array(4 + json.length);
  new DataView(bytes.buffer).setUint32(0, json.length);
  bytes.set(json, 4);
  return bytes;
}

/** A folder that cannot be sent as it is; the message says why, for the person. */
export class FolderError extends Error {
  /** Creates the error. */
  constructor(message: string) {
    super(message);
    this.name = "FolderError";
  }
}

/**
 * A local folder read as the stream described above. Symbolic links (and anything that is
 * neither a file nor a folder) are left out, never followed, and counted in
 * {@linkcode FolderSource.leftOut}. Reads are synchronous: the files are small or read a
 * chunk at a time, and the sender's reads are synchronous anyway (chunk_reader.ts).
 */
export class FolderSource {
  /** The folder's own name, as offered. */
  readonly name: string;
  /** How many files it holds (in all its folders). */
  readonly files: number;
  /** The files' bytes together. */
  readonly bytes: number;
  /** The whole stream's length: manifest and files. */
  readonly size: number;
  /** Symbolic links and special files left out. */
  readonly leftOut: number;
  #root: string;
  #manifest: FolderManifest;
  #head: Uint8Array;
  #offset = 0;
  #index = -1;
  #file: Deno.FsFile | undefined;
  #fileLeft = 0;

  private constructor(root: string, manifest: FolderManifest, leftOut: number) {
    this.#root = root;
    this.#manifest = manifest;
    this.#head = manifestBytes(manifest);
    this.name = senderFileName(root);
    this.files = manifest.files.length;
    this.bytes = manifest.files.reduce((sum, [, size]) => sum + size, 0);
    this.size = this.#head.length + this.bytes;
    this.leftOut = leftOut;
  }

  /**
   * Lists the folder at `root` (not following links).
   *
   * @throws {FolderError} When it is too deep, holds too many entries or a name the
   * receiver would refuse.
   */
  static open(root: string): FolderSource {
    const manifest: FolderManifest = { dirs: [], files: [] };
    let leftOut = 0;
    let entries = 0;
    const walk = (dir: string, prefix: string, depth: number) => {
      // Synchronous: thousands of small asynchronous operations cost more than the work.
      const listed = [...Deno.readDirSync(join(root, dir))];
      listed.sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
      for (const entry of listed) {
        const path = prefix + entry.name;
        if (!entry.isFile && !entry.isDirectory) {
          leftOut++;
          continue;
        }
        if (++entries > MAX_FOLDER_ENTRIES) {
          throw new FolderError(`holds more than ${MAX_FOLDER_ENTRIES} files and folders`);
        }
        try {
          safeRelativePath(path);
        } catch (error) {
          throw new FolderError(`${path}: ${error instanceof Error ? error.message : error}`);
        }
        if (entry.isFile) {
          manifest.files.push([path, Deno.lstatSync(join(root, path)).size]);
        } else if (depth >= MAX_FOLDER_DEPTH) {
          throw new FolderError(`holds folders nested deeper than ${MAX_FOLDER_DEPTH}`);
        } else {
          manifest.dirs.push(path);
          walk(path, `${path}/`, depth + 1);
        }
      }
    };
    walk("", "", 0);
    const source = new FolderSource(root, manifest, leftOut);
    if (source.size - source.bytes > MAX_MANIFEST_BYTES) {
      throw new FolderError("holds too many names to send at once");
    }
    return source;
  }

  /** How many files are read whole so far. */
  get filesDone(): number {
    return Math.max(0, Math.min(this.#index + (this.#fileLeft === 0 ? 1 : 0), this.files));
  }

  /** Fills `buffer` with the next bytes of the stream; `null` at its end. */
  readSync(buffer: Uint8Array): number | null {
    let n = 0;
    while (n < buffer.length) {
      if (this.#offset < this.#head.length) {
        const part = this.#head.subarray(this.#offset, this.#offset + buffer.length - n);
        buffer.set(part, n);
        n += part.length;
        this.#offset += part.length;
        continue;
      }
      if (this.#fileLeft === 0 && !this.#nextFile()) break;
      const got = this.#file!.readSync(
        buffer.subarray(n, n + Math.min(buffer.length - n, this.#fileLeft)),
      );
      if (got === null || got === 0) {
        const [path] = this.#manifest.files[this.#index];
        throw new FolderError(`${path} changed while it was sent`);
      }
      n += got;
      this.#fileLeft -= got;
    }
    return n === 0 ? null : n;
  }

  /**
   * Back to the start of the stream (a sender reads it again after hashing it whole); only
   * `seek(0, Deno.SeekMode.Start)` is possible.
   */
  seek(offset: number | bigint, whence: Deno.SeekMode): Promise<number> {
    if (Number(offset) !== 0 || whence !== Deno.SeekMode.Start) {
      return Promise.reject(new FolderError("a folder's stream is read from its start only"));
    }
    this.close();
    this.#offset = 0;
    this.#index = -1;
    this.#fileLeft = 0;
    return Promise.resolve(0);
  }

  /** As {@linkcode FolderSource.readSync}, for callers that await. */
  read(buffer: Uint8Array): Promise<number | null> {
    try {
      return Promise.resolve(this.readSync(buffer));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** Closes the file being read, if any. */
  close(): void {
    this.#file?.close();
    this.#file = undefined;
  }

  /** Opens the next file with bytes to send; false after the last. */
  #nextFile(): boolean {
    this.close();
    while (++this.#index < this.#manifest.files.length) {
      const [path, size] = this.#manifest.files[this.#index];
      if (size === 0) continue;
      try {
        this.#file = Deno.openSync(join(this.#root, path), { read: true });
      } catch (error) {
        throw new FolderError(
          `cannot read ${path}: ${error instanceof Error ? error.message : error}`,
        );
      }
      this.#fileLeft = size;
      return true;
    }
    return false;
  }
}
