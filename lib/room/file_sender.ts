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

import { createHash, createHmac, type Hash, timingSafeEqual } from "node:crypto";
import type { Message } from "../session/message.ts";
import { ChunkReader, type ChunkSource } from "./chunk_reader.ts";

/** What a sender reads: an open file, or anything read like one (a folder's stream). */
export type SendSource = ChunkSource & Pick<Deno.FsFile, "seek">;

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
  file: SendSource;
  /** Set when `file` is a folder's stream: its files and their bytes, said in the offer. */
  folder?: { files: number; bytes: number };
  /** Posts a message (a chunk with its body and ready-made record) to the receiving side. */
  post: (message: Message, body?: Uint8Array, record?: Uint8Array) => void;
  /** Resolves when what was posted has been written (so a file is never piled up in memory). */
  drained: () => Promise<void>;
  /** Called at most ten times a second with the bytes sent so far, and at the end. */
  onProgress?: (done: number, total: number) => void;
  /**
   * The sender's identity of its file (see {@linkcode fileKey}). With it the offer waits for
   * the receiver's `ready`: the transfer may resume where an interrupted one stopped, or send
   * nothing when the receiver has the file already.
   */
  key?: string;
  /** The hub's number of the kept file sent (a `/get`), passed on in the offer. */
  kept?: number;
  /**
   * Most milliseconds each wait for the receiver's `ready` may take (a keyed offer), unless
   * the receiver says a person is asked ({@linkcode FileSender.asked}). Past it the offer is
   * withdrawn: `cancel` with the reason and `keep` (what the receiver holds stays for a
   * resume), and {@linkcode FileSender.send} throws with the reason. Unset: no limit.
   */
  readyTimeoutMs?: number;
}

/** What a sender sent. */
export interface SentFile {
  /** SHA-256 (hex) of the whole file as read. */
  sha256: string;
  /** Bytes the receiver held already and were not sent again (0 when none). */
  resumedFrom: number;
}

type Ready = Extract<Message, { t: "ready" }>;

/** Bytes read at a time when the part a receiver holds is checked, or the whole file hashed. */
const CHECK_READ_BYTES = 1024 * 1024;

/** Sends one file: offer, chunks, end (or cancel). */
export class FileSender {
  #options: FileSenderOptions;
  #stopped: string | undefined;
  /** The receiver's next `ready`, awaited; and a stop, which ends that wait. */
  #ready = Promise.withResolvers<Ready | undefined>();
  /** Resolved by a stop: it does not wait for a stalled connection to take what is queued. */
  #stopping = Promise.withResolvers<void>();
  /** The whole file's hash, once known. */
  #sha256: string | undefined;
  /** Why the offer was withdrawn unanswered, if it was: the receiver may keep what it holds. */
  #unanswered: string | undefined;
  /** Ends the bound on the wait for `ready` under way (a person is asked). */
  #unbound: (() => void) | undefined;

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
    this.#ready.resolve(undefined);
    this.#stopping.resolve();
  }

  /**
   * Ends the transfer with nothing more posted: the receiver said it has the file already.
   *
   * @example
   * ```ts ignore
   * sender.finish();
   * ```
   */
  finish(): void {
    this.#stopped ??= "";
    this.#ready.resolve(undefined);
    this.#stopping.resolve();
  }

  /**
   * The receiver's answer to a keyed offer: what it holds, and whether it may have the file.
   *
   * @example
   * ```ts ignore
   * sender.ready({ t: "ready", fid: 1, offset: 0 });
   * ```
   */
  ready(ready: Ready): void {
    this.#ready.resolve(ready);
  }

  /** SHA-256 of the whole file, once it was read through (after `end`, or a `check`). */
  get sha256(): string | undefined {
    return this.#sha256;
  }

  /** Why the transfer was stopped, if it was. */
  get stopped(): string | undefined {
    return this.#stopped;
  }

  /** Whether the offer was withdrawn because `ready` did not come in time. */
  get unanswered(): boolean {
    return this.#unanswered !== undefined;
  }

  /**
   * The receiver asks a person about the offer: the wait for its `ready` under way has no
   * limit (the person's answer ends it; later waits have theirs again).
   *
   * @example
   * ```ts ignore
   * sender.asked();
   * ```
   */
  asked(): void {
    this.#unbound?.();
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
    const { fid, name, size, from, file, post, drained, onProgress, key } = this.#options;
    post({
      t: "offer",
      fid,
      name,
      size,
      ...(from !== undefined ? { from } : {}),
      ...(key !== undefined ? { key } : {}),
      ...(this.#options.kept !== undefined ? { file: this.#options.kept } : {}),
      ...(this.#options.folder ? { folder: this.#options.folder } : {}),
    });
    let hash = createHash("sha256");
    let offset = 0;
    if (key !== undefined) {
      let ready = await this.#nextReady();
      if (ready?.same) {
        // The receiver has a file of this name and size: compare whole-file hashes first.
        const whole = (await hashRange(file, size)).digest("hex");
        this.#sha256 = whole;
        post({ t: "check", fid, sha256: whole });
        await file.seek(0, Deno.SeekMode.Start);
        ready = await this.#nextReady();
      }
      if (ready === undefined) return this.#stop();
      offset = await this.#resumeAt(ready, hash);
      if (offset === 0) {
        hash = createHash("sha256");
        await file.seek(0, Deno.SeekMode.Start);
      }
      post({ t: "start", fid, offset });
    }
    let done = offset;
    let lastReport = 0;
    // Each chunk is read straight into a record of its own, posted as it is (a session may
    // keep it until written): no copy per chunk.
    const header: Message = { t: "chunk", fid };
    const chunks = new ChunkReader(file, header, { size: size - offset });
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
      // A stop does not wait for a stalled connection to take the queued chunks.
      await Promise.race([drained(), this.#stopping.promise]);
    }
    if (this.#stopped !== undefined) return this.#stop();
    if (done !== size) {
      post({ t: "cancel", fid, reason: "the file changed while it was sent" });
      throw new FileChangedError(`${name} changed while it was sent`);
    }
    const sha256 = this.#sha256 = hash.digest("hex");
    post({ t: "end", fid, sha256 });
    return { sha256, resumedFrom: offset };
  }

  /** The receiver's next `ready` (`undefined` once stopped, or not answered in time). */
  async #nextReady(): Promise<Ready | undefined> {
    const limit = this.#options.readyTimeoutMs;
    const timer = limit === undefined ? undefined : setTimeout(() => {
      this.#unanswered = `no answer to the offer within ${waitText(limit)}: withdrawn`;
      this.#ready.resolve(undefined);
    }, limit);
    this.#unbound = () => clearTimeout(timer);
    let ready: Ready | undefined;
    try {
      ready = await this.#ready.promise;
    } finally {
      clearTimeout(timer);
      this.#unbound = undefined;
    }
    this.#ready = Promise.withResolvers();
    if (this.#stopped !== undefined) this.#ready.resolve(undefined);
    return this.#stopped === undefined ? ready : undefined;
  }

  /**
   * Where to start for a receiver that holds `ready.offset` bytes: there, when its proof
   * matches the HMAC of the same bytes of this file under its nonce (then `hash` has hashed
   * them), else 0. The receiver's claim reads nothing: only a hash computed here is compared,
   * and only bytes of this file after the offset are sent, as they would be anyway.
   */
  async #resumeAt(ready: Ready, hash: Hash): Promise<number> {
    const { offset, nonce, proof } = ready;
    if (offset === 0 || offset > this.#options.size || !nonce || !proof) return 0;
    const hmac = createHmac("sha256", nonce);
    await hashRange(this.#options.file, offset, hash, hmac);
    const ours = hmac.digest();
    const theirs = Uint8Array.from(proof.match(/../g)!, (h) => parseInt(h, 16));
    return timingSafeEqual(ours, theirs) ? offset : 0;
  }

  /**
   * Ends a stopped or unanswered transfer: `cancel` with the reason (none when finished), and
   * throws.
   */
  #stop(): never {
    const reason = this.#stopped ?? this.#unanswered ?? "stopped";
    if (reason !== "") {
      const keep = this.#stopped === undefined && this.#unanswered ? { keep: true } : {};
      this.#options.post({ t: "cancel", fid: this.#options.fid, reason, ...keep });
    }
    throw new Error(reason || "finished");
  }
}

/** A wait as people read it: `60 s`, `1.5 s`, `200 ms`. */
function waitText(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${Math.round(ms / 100) / 10} s`;
}

/**
 * Feeds the first `bytes` of `file` (from its current position) into each of `hashes`, and
 * returns the first (a new SHA-256 when none is given).
 */
async function hashRange(
  file: Pick<Deno.FsFile, "read">,
  bytes: number,
  ...hashes: (Hash | ReturnType<typeof createHmac>)[]
): Promise<Hash> {
  if (hashes.length === 0) hashes = [createHash("sha256")];
  const buffer = new Uint8Array(CHECK_READ_BYTES);
  let read = 0;
  while (read < bytes) {
    const n = await file.read(buffer.subarray(0, Math.min(buffer.length, bytes - read)));
    if (n === null) break;
    for (const hash of hashes) hash.update(buffer.subarray(0, n));
    read += n;
  }
  if (read !== bytes) throw new FileChangedError("the file changed while it was sent");
  return hashes[0] as Hash;
}

/**
 * The sender's identity of a file, for a keyed offer: the same for the same file (device and
 * inode, or the path where there are none) across restarts, different for another file. A
 * changed file keeps its identity; what the receiver holds is checked against its content.
 *
 * @example
 * ```ts ignore
 * import { fileKey } from "./file_sender.ts";
 * const key = fileKey("/home/bob/report.pdf", await Deno.stat("/home/bob/report.pdf"));
 * ```
 */
export function fileKey(path: string, info: Deno.FileInfo): string {
  const identity = info.ino !== null && info.dev !== null
    ? `inode:${info.dev}:${info.ino}`
    : `path:${path}`;
  return createHash("sha256").update(identity).digest("hex").slice(0, 32);
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
