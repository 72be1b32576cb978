/**
 * The one sender of a file: a person's `/send` and a hub's `/get` alike. It offers the file,
 * streams it in chunk records read straight from the disk (no copy per chunk), and ends with
 * the SHA-256 of everything it read; the receiver checks that hash before it saves the file.
 *
 * @example
 * ```ts ignore
 * import { FileSender } from "./file_sender.ts";
 * using file = await Deno.open("report.pdf");
 * const sender = new FileSender({
 *   fid: 1,
 *   name: "report.pdf",
 *   size: (await file.stat()).size,
 *   file,
 *   post: (message, body, record) => session.post(message, body, record),
 *   drained: () => session.drained(),
 * });
 * const { sha256 } = await sender.send();
 * ```
 * @module
 */

import { createHash } from "node:crypto";
import type { Message } from "../session/message.ts";
import { ChunkReader, type ChunkSource } from "./chunk_reader.ts";

/** Options of {@linkcode FileSender}. */
export interface FileSenderOptions {
  /** The sender's id of this transfer (unique among its transfers in progress). */
  fid: number;
  /** The name offered (already made safe to offer). */
  name: string;
  /** The size offered. */
  size: number;
  /** Who the file is from, when the sender passes on someone's file (a hub). */
  from?: string;
  /** The file, open for reading at its first byte (or a folder's stream: folder_stream.ts). */
  file: ChunkSource;
  /** Set when `file` is a folder's stream: its files and their bytes, said in the offer. */
  folder?: { files: number; bytes: number };
  /**
   * Set when the receiver must take the offer first (consent): the offer says so, and no byte
   * is sent before this resolves (a refusal rejects it).
   */
  answer?: Promise<void>;
  /** Posts a message (a chunk with its body and ready-made record) to the receiving side. */
  post: (message: Message, body?: Uint8Array, record?: Uint8Array) => void;
  /** Resolves when what was posted has been written (so a file is never piled up in memory). */
  drained: () => Promise<void>;
  /** Called at most ten times a second with the bytes sent so far, and at the end. */
  onProgress?: (done: number, total: number) => void;
}

/** What a sender sent. */
export interface SentFile {
  /** SHA-256 (hex) of the whole file as read. */
  sha256: string;
}

/** Sends one file: offer, chunks, end (or cancel). */
export class FileSender {
  #options: FileSenderOptions;
  #stopped: string | undefined;

  /**
   * Prepares to send; nothing is posted until {@linkcode FileSender.send}.
   *
   * @example
   * ```ts ignore
   * const sender = new FileSender({ fid, name, size, file, post, drained });
   * ```
   */
  constructor(options: FileSenderOptions) {
    this.#options = options;
  }

  /**
   * Stops sending (the receiver refused, the connection ended): no more chunks are posted,
   * and {@linkcode FileSender.send} posts `cancel` with `reason` unless `quiet`.
   *
   * @example
   * ```ts ignore
   * sender.stop("refused");
   * ```
   */
  stop(reason: string): void {
    this.#stopped ??= reason;
  }

  /** Why the transfer was stopped, if it was. */
  get stopped(): string | undefined {
    return this.#stopped;
  }

  /**
   * Posts the offer and every chunk, waiting for each to drain, then `end` with the hash.
   * Resolves once `end` is posted (the receiver's verdict comes later as `received`).
   * Throws when the file ended before its announced size (it changed while it was sent),
   * after posting `cancel`; when stopped, posts `cancel` and throws with the reason.
   *
   * @example
   * ```ts ignore
   * const { sha256 } = await sender.send();
   * ```
   */
  async send(): Promise<SentFile> {
    const { fid, name, size, from, file, folder, answer, post, drained, onProgress } =
      this.#options;
    post({
      t: "offer",
      fid,
      name,
      size,
      ...(from !== undefined ? { from } : {}),
      ...(folder ? { folder } : {}),
      ...(answer ? { ask: true } : {}),
    });
    await answer;
    const hash = createHash("sha256");
    let done = 0;
    let lastReport = 0;
    // Each chunk is read straight into a record of its own, posted as it is (a session may
    // keep it until written): no copy per chunk.
    const header: Message = { t: "chunk", fid };
    const chunks = new ChunkReader(file, header, { size });
    while (done < size && this.#stopped === undefined) {
      const chunk = await chunks.next();
      if (chunk === null) break;
      hash.update(chunk.body);
      post(header, chunk.body, chunk.record);
      done += chunk.body.length;
      if (done === size || Date.now() - lastReport > 100) {
        lastReport = Date.now();
        onProgress?.(done, size);
      }
      await drained();
    }
    if (this.#stopped !== undefined) {
      post({ t: "cancel", fid, reason: this.#stopped });
      throw new Error(this.#stopped);
    }
    if (done !== size) {
      post({ t: "cancel", fid, reason: "the file changed while it was sent" });
      throw new FileChangedError(`${name} changed while it was sent`);
    }
    const sha256 = hash.digest("hex");
    post({ t: "end", fid, sha256 });
    return { sha256 };
  }
}

/**
 * The file being sent was shorter than offered: it changed while it was sent.
 *
 * @example
 * ```ts
 * import { FileChangedError } from "./file_sender.ts";
 * console.log(new FileChangedError("a.txt changed").name); // "FileChangedError"
 * ```
 */
export class FileChangedError extends Error {
  /** Creates the error. */
  constructor(message: string) {
    super(message);
    this.name = "FileChangedError";
  }
}
