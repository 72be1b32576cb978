/**
 * Reads a file being sent as chunk records, each read going straight into a record of its own
 * (no copy per chunk). Reads are synchronous while they are quick, as they are from the page
 * cache or a local disk: an asynchronous read is handed to the runtime's file thread and back,
 * and on two busy cores those hand-offs cost more than the read itself. A read that takes
 * longer than {@linkcode SLOW_READ_MS} (a slow or remote disk) moves the next ones back to the
 * file thread, with one read ahead, so a slow disk never holds up the chat.
 *
 * @example
 * ```ts
 * import { ChunkReader } from "./chunk_reader.ts";
 * const path = await Deno.makeTempFile();
 * await Deno.writeTextFile(path, "hello");
 * using file = await Deno.open(path);
 * const chunks = new ChunkReader(file, { t: "chunk", fid: 1 });
 * const chunk = await chunks.next();
 * console.log(chunk?.body.length, await chunks.next()); // 5 null
 * await Deno.remove(path);
 * ```
 * @module
 */

import type { Message } from "../session/message.ts";
import { recordWithRoom } from "../wire/codec.ts";
import { FILE_CHUNK_BYTES } from "../wire/limits.ts";

/** A read slower than this sends the next reads to the runtime's file thread. */
export const SLOW_READ_MS = 20;

/** Options of {@linkcode ChunkReader}. */
export interface ChunkReaderOptions {
  /**
   * The size the file was announced with: nothing is read ahead past it (a read that finds
   * more or less than announced is the caller's to notice). Unbounded by default.
   */
  size?: number;
  /** Largest body of a chunk; {@linkcode FILE_CHUNK_BYTES} by default. */
  chunkBytes?: number;
  /** A read slower than this moves the next ones to the file thread; {@linkcode SLOW_READ_MS}. */
  slowReadMs?: number;
}

/** What chunks are read from: an open file, or anything read like one (a folder's stream). */
export type ChunkSource = Pick<Deno.FsFile, "read" | "readSync">;

/** One chunk: its record (header and body, ready to post) and the body within it. */
export interface FileChunk {
  /** The whole record, as `Session.post` takes it. */
  record: Uint8Array;
  /** The file's bytes: a view of the end of `record`. */
  body: Uint8Array;
}

/** The chunks of one open file, in order. */
export class ChunkReader {
  #file: ChunkSource;
  #header: Message;
  #size: number;
  #chunkBytes: number;
  #slowReadMs: number;
  /** Bytes read so far. */
  #read = 0;
  /** Whether the last read was quick, so the next one is made synchronously. */
  #quick = false;
  /** A read already under way on the file thread (slow mode reads one ahead). */
  #ahead: Promise<FileChunk | null> | undefined;
  #ended = false;

  /**
   * @param file The file, open for reading at the first byte to send (or a folder's stream).
   * @param header The header of every chunk record, e.g. `{ t: "chunk", fid: 3 }`.
   * @param options The announced size, the chunk size and what counts as a slow read.
   *
   * @example
   * ```ts ignore
   * import { ChunkReader } from "./chunk_reader.ts";
   * const file = await Deno.open("report.pdf");
   * const chunks = new ChunkReader(file, { t: "chunk", fid: 1 }, { size: 1e6 });
   * ```
   */
  constructor(file: ChunkSource, header: Message, options: ChunkReaderOptions = {}) {
    this.#file = file;
    this.#header = header;
    this.#size = options.size ?? Infinity;
    this.#chunkBytes = options.chunkBytes ?? FILE_CHUNK_BYTES;
    this.#slowReadMs = options.slowReadMs ?? SLOW_READ_MS;
  }

  /**
   * The next chunk, or `null` at the end of the file. The first read goes to the file thread
   * (the disk is not known yet); after a quick one the next is synchronous. Rejects with the
   * read's error.
   *
   * @example
   * ```ts ignore
   * for (let chunk = await chunks.next(); chunk; chunk = await chunks.next()) {
   *   session.post(header, chunk.body, chunk.record);
   * }
   * ```
   */
  async next(): Promise<FileChunk | null> {
    if (this.#ended) return null;
    const ahead = this.#ahead;
    this.#ahead = undefined;
    const chunk = ahead ? await ahead : this.#quick ? this.#readNow() : await this.#readLater();
    if (chunk === null) {
      this.#ended = true;
      return null;
    }
    this.#read += chunk.body.length;
    if (!this.#quick && this.#read < this.#size) {
      // Slow disk: the next read runs on the file thread while this chunk is hashed and sealed.
      const next = this.#readLater();
      next.catch(() => {}); // observed by the next call, unless the transfer stops first
      this.#ahead = next;
    }
    return chunk;
  }

  #readNow(): FileChunk | null {
    const roomy = recordWithRoom(this.#header, this.#chunkBytes);
    const started = performance.now();
    const n = this.#file.readSync(roomy.body);
    this.#quick = performance.now() - started <= this.#slowReadMs;
    return n === null ? null : roomy.filled(n);
  }

  async #readLater(): Promise<FileChunk | null> {
    const roomy = recordWithRoom(this.#header, this.#chunkBytes);
    const started = performance.now();
    const n = await this.#file.read(roomy.body);
    this.#quick = performance.now() - started <= this.#slowReadMs;
    return n === null ? null : roomy.filled(n);
  }
}
