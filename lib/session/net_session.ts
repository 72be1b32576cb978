/**
 * A {@linkcode Session} over a TCP connection: frames, the encrypted channel, records and
 * typed messages, with keepalive and a bounded send queue.
 *
 * @example
 * ```ts ignore
 * import { NetSession } from "./net_session.ts";
 * const conn = await Deno.connect({ hostname: "127.0.0.1", port: 5050 });
 * const session = await NetSession.start(conn, { role: "client", passkey: "7-orbit-lemon-cradle" });
 * session.post({ t: "hello", v: 1, name: "bob" });
 * ```
 * @module
 */

import type { FrameReader } from "../wire/frame_reader.ts";
import { encodeFramesInto, framesLength, putFrameLength } from "../wire/frame_encoder.ts";
import { readUint32 } from "../wire/bytes.ts";
import { decodeRecord, encodeRecord, encodeRecordInto, splitRecords } from "../wire/codec.ts";
import { FRAME_PREFIX_BYTES, MAX_FRAME_BYTES, MAX_HEADER_BYTES } from "../wire/limits.ts";
import { writeAll } from "../wire/write_all.ts";
import { FrameOpener, FrameSealer, SEAL_OVERHEAD } from "../secure/encrypted_channel.ts";
import { loadFastAead } from "../secure/chacha20_poly1305.ts";
import { handshakeConn } from "../secure/conn_handshake.ts";
import type { HandshakeOptions, SecureKeys } from "../secure/handshake.ts";
import { type Envelope, type Message, parseMessage } from "./message.ts";
import {
  type CloseReason,
  isBulk,
  type MessageHandler,
  type Session,
  type SessionProblem,
} from "./session.ts";
import { SendQueue } from "./send_queue.ts";
import { MAX_UNREADABLE_IN_A_ROW, UnreadableRecords } from "./unreadable_records.ts";

/** Tuning of a {@linkcode NetSession}; the defaults suit people on a LAN. */
export interface NetSessionOptions {
  /** Send a ping when nothing arrived for this long. Default 10 s. */
  keepaliveMs?: number;
  /** Close when nothing arrived for this long. Default 30 s. */
  silenceMs?: number;
  /** Bytes of chat and notices queued for a peer before it counts as stalled. Default 1 MiB. */
  maxQueueBytes?: number;
}

/** Options of {@linkcode NetSession.start}: the handshake and the session tuning. */
export type StartOptions = HandshakeOptions & NetSessionOptions;

/** Plaintext of one sealed frame: a batch of records, each with its 4-byte length. */
const BATCH_BYTES = MAX_FRAME_BYTES;
/** Messages read ahead of a busy consumer, in bytes. */
const READ_AHEAD_BYTES = 1024 * 1024;
/** Largest write buffer a session keeps for its next write. */
const SPARE_WRITE_BYTES = 1024;
/** Smallest write buffer made: the next message to an idle session is written from it. */
const MIN_WRITE_BYTES = 256;
/** Bytes sealed and written per write call. */
const WRITE_BYTES = 1024 * 1024;
const DEFAULT_MAX_QUEUE_BYTES = 1024 * 1024;
/** File data queued before a sender waits: enough to keep the pipe full, not to hog memory. */
const BULK_LOW_WATER = 2 * 1024 * 1024;
/** How long the reader may keep draining after a write to the peer failed. */
const WRITE_ERROR_GRACE_MS = 2_000;
/** Longest reason given for a skipped record: it may quote what the peer sent. */
const MAX_REASON_LENGTH = 80;

/** Where the first batch of a write is taken: sealing is synchronous, so one list serves all. */
const takenScratch: Uint8Array[] = [];

/**
 * Where a chat-sized frame is opened. Its records are decoded (bodies copied) before the
 * next frame of any session is opened, so one buffer serves the whole process.
 */
const plainScratch = new Uint8Array(16 * 1024);

/** Describes a connection's remote end as `host:port`. */
export function remoteOf(conn: Deno.Conn): string {
  const address = conn.remoteAddr as Deno.NetAddr;
  return address.hostname.includes(":")
    ? `[${address.hostname}]:${address.port}`
    : `${address.hostname}:${address.port}`;
}

/** An encrypted session over one TCP connection. */
export class NetSession implements Session {
  /** Where the peer is. */
  readonly remote: string;
  /** Resolves with the reason once the session has closed. */
  readonly closed: Promise<CloseReason>;
  /** Keys and safety code from the handshake. */
  readonly keys: SecureKeys;
  /** Told what was skipped or not sent; see {@linkcode Session.onProblem}. */
  onProblem: ((problem: SessionProblem) => void) | undefined;
  #conn: Deno.Conn;
  #sealer: FrameSealer;
  #queue: SendQueue;
  #frames: FrameReader;
  #opener: FrameOpener;
  /** Messages of the last opened frame not yet handed out, from `#next` on. */
  #pending: Envelope[] = [];
  #next = 0;
  /** Why the peer was cut off, reported after the messages before it. */
  #broken: Error | undefined;
  #unreadable = new UnreadableRecords();
  /** Made on first use: a hub reads its members with `receive` and needs no stream. */
  #incoming: ReadableStream<Envelope> | undefined;
  #receiving = false;
  #resolveClosed!: (reason: CloseReason) => void;
  #done = false;
  #closing = false;
  #writeError: string | undefined;
  #lastReceived = Date.now();
  #timer: ReturnType<typeof setInterval>;
  /** A look at the silence when it is due between two ticks. */
  #due: ReturnType<typeof setTimeout> | undefined;
  /** True while a write is under way (see `#writeNext`). */
  #pumping = false;
  /** The write under way, for its completion (`#onWritten`). */
  #writing: Uint8Array | undefined;
  /** The whole buffer `#writing` is (a view of). */
  #writingBase: Uint8Array | undefined;
  /** A finished write's buffer, kept for the next one when small (see `#sealQueued`). */
  #spare: Uint8Array | undefined;
  /** Settles when writing stops; made only for `close`, which waits for it. */
  #pumpStopped: PromiseWithResolvers<void> | undefined;
  #corked = false;

  /**
   * Runs the handshake on `conn` and returns the session, or throws the handshake's error
   * (after closing `conn`).
   */
  static async start(conn: Deno.Conn, options: StartOptions): Promise<NetSession> {
    // The first session of a process loads the fast cipher while its handshake runs.
    const cipherLoaded = loadFastAead();
    const { frames, keys } = await handshakeConn(conn, options);
    await cipherLoaded;
    return new NetSession(conn, frames, keys, options);
  }

  private constructor(
    conn: Deno.Conn,
    frames: FrameReader,
    keys: SecureKeys,
    options: NetSessionOptions,
  ) {
    this.#conn = conn;
    this.remote = remoteOf(conn);
    this.keys = keys;
    this.#sealer = new FrameSealer(keys.sendKey);
    this.#opener = new FrameOpener(keys.receiveKey);
    this.#frames = frames;
    this.#queue = new SendQueue({
      maxBytes: options.maxQueueBytes ?? DEFAULT_MAX_QUEUE_BYTES,
      bulkLowWater: BULK_LOW_WATER,
    });
    this.closed = new Promise((resolve) => this.#resolveClosed = resolve);
    const keepaliveMs = options.keepaliveMs ?? 10_000;
    const silenceMs = options.silenceMs ?? 30_000;
    const tick = Math.min(keepaliveMs, silenceMs) / 2;
    const check = () => {
      const quiet = Date.now() - this.#lastReceived;
      if (quiet >= silenceMs) {
        this.#finish(`no response from the peer for ${Math.round(quiet / 1000)} s`);
        return;
      }
      if (quiet >= keepaliveMs) this.post({ t: "ping" });
      // The next tick would come after the silence is due: look again when it is.
      if (silenceMs - quiet < tick && this.#due === undefined) {
        this.#due = setTimeout(() => {
          this.#due = undefined;
          check();
        }, silenceMs - quiet);
        this.#due.unref();
      }
    };
    this.#timer = setInterval(check, tick);
    this.#timer.unref();
  }

  /** Messages from the peer; see {@linkcode Session.incoming}. */
  get incoming(): ReadableStream<Envelope> {
    // Reads ahead up to READ_AHEAD bytes of messages while the consumer is busy (e.g.
    // writing a file chunk to disk), so the network and the disk work at the same time.
    return this.#incoming ??= new ReadableStream<Envelope>({
      pull: (controller) => this.#pull(controller),
      cancel: () => this.#finish(undefined),
    }, { highWaterMark: READ_AHEAD_BYTES, size: (envelope) => envelope.body.length + 64 });
  }

  /** Hands each message to `handler`; see {@linkcode Session.receive}. */
  async receive(handler: MessageHandler): Promise<void> {
    if (this.#receiving) throw new Error("this session is already being received");
    this.#receiving = true;
    try {
      while (true) {
        const envelope = this.#take();
        if (!envelope) {
          // Awaits the reader itself, not #read: a promise less per message on the path
          // that decides a round trip.
          if (this.#done) return;
          let more = false;
          try {
            more = await this.#frames.fill();
          } catch (error) {
            this.#finish(describe(error));
          }
          if (more) continue;
          this.#finishAtEnd();
          return;
        }
        let result = handler(envelope);
        if (result instanceof Promise) result = await result;
        if (result === false) return;
      }
    } finally {
      this.#receiving = false;
    }
  }

  /** Chat and notices not yet written; see {@linkcode Session.backlog}. */
  get backlog(): number {
    return this.#done ? 0 : this.#queue.controlBytes;
  }

  /** Queues a message; see {@linkcode Session.post}. */
  post(message: Message, body?: Uint8Array, record?: Uint8Array): void {
    if (this.#done || this.#closing) return;
    if (
      !record && !body && !this.#pumping && !this.#corked &&
      this.#writeAtOnce(message, this.#spare ?? new Uint8Array(MIN_WRITE_BYTES))
    ) return;
    const encoded = record ?? encodeRecord(message, body);
    // The last guard: the peer's decoder would refuse this record and end the session.
    const header = readUint32(encoded, 0);
    if (header > MAX_HEADER_BYTES) {
      this.#report({ kind: "unsendable", message, bytes: header });
      return;
    }
    if (!this.#queue.push(encoded, isBulk(message))) {
      this.#finish("the peer is not reading fast enough (send queue full)");
      return;
    }
    if (!this.#corked) this.#startPump();
  }

  /** Holds posted messages back; see {@linkcode Session.cork}. */
  cork(): void {
    this.#corked = true;
  }

  /** Sends what was held back; see {@linkcode Session.uncork}. */
  uncork(): void {
    this.#corked = false;
    this.#startPump();
  }

  /** Resolves when queued file data has drained. */
  drained(): Promise<void> {
    return this.#done ? Promise.resolve() : this.#queue.drained();
  }

  /** Resolves once the backlog is at most `bytes`; see {@linkcode Session.backlogBelow}. */
  backlogBelow(bytes: number): Promise<void> {
    return this.#done ? Promise.resolve() : this.#queue.controlBelow(bytes);
  }

  /** Flushes what is queued, then closes the connection. */
  async close(reason?: string): Promise<void> {
    if (this.#done) return;
    this.#closing = true;
    this.#queue.release();
    this.#startPump(); // sends what a cork held back
    if (this.#pumping) await (this.#pumpStopped ??= Promise.withResolvers()).promise;
    this.#finish(reason);
  }

  /** Closes at once; see {@linkcode Session.abort}. */
  abort(reason: string): void {
    this.#finish(reason);
  }

  #startPump(): void {
    if (this.#pumping || this.#done || this.#queue.empty) return;
    this.#pumping = true;
    this.#writeNext();
  }

  /** Delivers one message to the stream, or closes it at the end. */
  async #pull(controller: ReadableStreamDefaultController<Envelope>): Promise<void> {
    const envelope = await this.#read();
    if (envelope) controller.enqueue(envelope);
    else closeQuietly(controller);
  }

  /** The next message, or `undefined` once the session has ended (never throws). */
  async #read(): Promise<Envelope | undefined> {
    while (true) {
      const envelope = this.#take();
      if (envelope) return envelope;
      if (this.#done) return undefined;
      try {
        if (await this.#frames.fill()) continue;
      } catch (error) {
        this.#finish(describe(error));
        return undefined;
      }
      this.#finishAtEnd();
      return undefined;
    }
  }

  /**
   * The next message already received, or `undefined` when more input is needed or the
   * session has ended (never throws): frames from the reader, opened, split into records,
   * decoded and validated. Pings are answered here and never reach the consumer.
   */
  #take(): Envelope | undefined {
    try {
      // Messages already received are handed out even after the session ended.
      while (true) {
        if (this.#next < this.#pending.length) return this.#pending[this.#next++];
        if (this.#broken) throw this.#broken;
        const frame = this.#frames.take();
        if (!frame) return undefined;
        // A chat-sized frame opens into the shared scratch buffer and is decoded at once,
        // before any other session can open one: no allocation per line received.
        const small = frame.length - SEAL_OVERHEAD <= plainScratch.length;
        const plain = small ? this.#opener.openInto(frame, plainScratch) : this.#opener.open(frame);
        this.#lastReceived = Date.now();
        this.#unpack(plain, small);
      }
    } catch (error) {
      this.#finish(describe(error));
      return undefined;
    }
  }

  /**
   * Decodes every record of an opened frame into `#pending`; bodies are copied when `plain`
   * is the shared scratch buffer. A record that cannot be read is skipped and reported (the
   * frame was authenticated: it is the peer's, not the network's); a batch whose layout is
   * broken loses the rest of its records, skipped as one. Too many in a row cut the peer
   * off, in `#broken`, after the good records before.
   */
  #unpack(plain: Uint8Array, copyBodies: boolean): void {
    const envelopes: Envelope[] = [];
    try {
      // Records never span frames: a sender seals whole records only.
      for (const record of splitRecords(plain)) {
        let envelope: Envelope | undefined;
        try {
          envelope = this.#decode(record);
        } catch (error) {
          if (this.#skip(error)) break;
          continue;
        }
        this.#unreadable.read();
        if (envelope) {
          if (copyBodies && envelope.body.length > 0) envelope.body = envelope.body.slice();
          envelopes.push(envelope);
        }
      }
    } catch (error) {
      this.#skip(error);
    }
    this.#pending = envelopes;
    this.#next = 0;
  }

  /** Skips an unreadable record, reporting it; `true` when the peer is cut off for it. */
  #skip(error: unknown): boolean {
    let reason = describe(error);
    if (reason.length > MAX_REASON_LENGTH) reason = `${reason.slice(0, MAX_REASON_LENGTH)}...`;
    const verdict = this.#unreadable.skip();
    if (verdict.cutOff) {
      this.#broken = new Error(
        `protocol error: ${MAX_UNREADABLE_IN_A_ROW} unreadable messages in a row (the last: ` +
          `${reason})`,
      );
      return true;
    }
    if (verdict.report) this.#report({ kind: "unreadable", reason, count: verdict.count });
    return false;
  }

  #report(problem: SessionProblem): void {
    try {
      this.onProblem?.(problem);
    } catch { /* the owner's own failure must not end the session */ }
  }

  /** Ends the session once the input has ended. */
  #finishAtEnd(): void {
    this.#finish(this.#writeError ?? (this.#closing ? undefined : "the connection closed"));
  }

  /** Decodes one record; `undefined` for keepalive traffic, answered here. */
  #decode(bytes: Uint8Array): Envelope | undefined {
    const { header, body } = decodeRecord(bytes);
    const message = parseMessage(header);
    if (message.t === "ping") this.post({ t: "pong" });
    else if (message.t !== "pong") return { message, body };
    return undefined;
  }

  /**
   * Writes what is queued, and again from each write's completion, until the queue is empty or
   * the session is corked; then stops: an idle session keeps no suspended loop (a hub may hold
   * ten thousand). `post` (unless corked) and `uncork` start it again. Written with `then`, not
   * an async loop: a broadcast starts this once per member, and each frame and promise of an
   * async function shows there (in time and in garbage to collect).
   */
  #writeNext(): void {
    if (this.#done || this.#queue.empty || (this.#corked && !this.#closing)) {
      this.#stopPump();
      return;
    }
    let size: number;
    try {
      size = this.#sealQueued();
    } catch (error) {
      this.#writeFailed(error);
      return;
    }
    this.#send(size);
  }

  /** Writes the first `size` bytes of `#writingBase`; `#onWritten` continues. */
  #send(size: number): void {
    const base = this.#writingBase!;
    this.#writing = base.length === size ? base : base.subarray(0, size);
    this.#conn.write(this.#writing).then(this.#onWritten, this.#onWriteError);
  }

  /**
   * A message to a session with nothing queued or being written (a chat's usual case) is
   * encoded straight into the spare write buffer and sealed there: no record of its own (an
   * allocation outside V8's heap, costly next to the rest of a chat line) and no copy. `false` when it does not fit.
   */
  #writeAtOnce(message: Message, spare: Uint8Array): boolean {
    // The frame's length, then the record's length within the sealed batch, then the record.
    const recordAt = 2 * FRAME_PREFIX_BYTES;
    const recordLength = encodeRecordInto(message, spare, recordAt, spare.length - SEAL_OVERHEAD);
    if (recordLength < 0) return false;
    if (recordLength - FRAME_PREFIX_BYTES > MAX_HEADER_BYTES) {
      this.#report({ kind: "unsendable", message, bytes: recordLength - FRAME_PREFIX_BYTES });
      return true;
    }
    const plainLength = FRAME_PREFIX_BYTES + recordLength;
    putFrameLength(spare, FRAME_PREFIX_BYTES, recordLength);
    putFrameLength(spare, 0, plainLength + SEAL_OVERHEAD);
    this.#spare = undefined;
    this.#pumping = true;
    try {
      this.#sealer.sealInto(
        spare.subarray(FRAME_PREFIX_BYTES, FRAME_PREFIX_BYTES + plainLength),
        spare,
        FRAME_PREFIX_BYTES,
      );
    } catch (error) {
      this.#writeFailed(error);
      return true;
    }
    this.#writingBase = spare;
    this.#send(FRAME_PREFIX_BYTES + plainLength + SEAL_OVERHEAD);
    return true;
  }

  /** Continues after a write: bound once per session, not a closure per write. */
  #onWritten = (written: number): void => {
    const write = this.#writing!;
    if (written === write.length) {
      this.#keepSpare();
      this.#writeNext();
    } else {
      writeAll(this.#conn, write.subarray(written)).then(
        () => {
          this.#keepSpare();
          this.#writeNext();
        },
        this.#onWriteError,
      );
    }
  };

  /**
   * Keeps the finished write's buffer for the next write: a small one always, a big one only
   * while file data is queued (a file streams through one buffer instead of a new MiB per
   * write). Not for chat: each of a saturated hub's 200 members would hold up to a MiB between
   * writes, and an idle member holds no big buffer.
   */
  #keepSpare(): void {
    const base = this.#writingBase;
    if (base && (base.length <= SPARE_WRITE_BYTES || this.#queue.bulkBytes > 0)) this.#spare = base;
  }

  #onWriteError = (error: unknown): void => this.#writeFailed(error);

  /**
   * Takes queued records into one write buffer: many records share one sealed frame, and many
   * frames one write, so one AEAD call and one syscall carry a burst of lines, which is what
   * makes fan-out cheap. Frames are sealed straight into the write buffer (`#writingBase`);
   * returns how many bytes of it to write.
   */
  #sealQueued(): number {
    // Mostly one batch (a line or a few): it is taken into the process's one scratch list.
    const first = this.#queue.takeInto(takenScratch, Infinity, BATCH_BYTES);
    let size = FRAME_PREFIX_BYTES + framesLength(first) + SEAL_OVERHEAD;
    let more: Uint8Array[][] | undefined;
    while (!this.#queue.empty && size < WRITE_BYTES) {
      const records = this.#queue.take(Infinity, BATCH_BYTES);
      (more ??= []).push(records);
      size += FRAME_PREFIX_BYTES + framesLength(records) + SEAL_OVERHEAD;
    }
    // The last write's buffer once it is done with (a session writes one at a time): a line to
    // a member otherwise costs a buffer allocated outside V8's heap, and its sweeping later.
    const spare = this.#spare;
    this.#spare = undefined;
    const base = spare && spare.length >= size
      ? spare
      : new Uint8Array(size <= SPARE_WRITE_BYTES ? Math.max(size, MIN_WRITE_BYTES) : size);
    this.#writingBase = base;
    let offset: number;
    try {
      offset = this.#sealBatch(first, base, 0);
    } finally {
      while (first.length > 0) first.pop(); // keeps the scratch list's storage
    }
    for (const records of more ?? []) offset = this.#sealBatch(records, base, offset);
    return size;
  }

  /**
   * Seals `records` as one frame into `write` at `offset`; returns the offset after it. The
   * records are laid out where their ciphertext goes and sealed in place, one copy fewer than
   * through a scratch buffer (a busy member's write is hundreds of KiB).
   */
  #sealBatch(records: readonly Uint8Array[], write: Uint8Array, offset: number): number {
    const start = offset + FRAME_PREFIX_BYTES;
    const plain = encodeFramesInto(records, write.subarray(start, start + framesLength(records)));
    putFrameLength(write, offset, plain.length + SEAL_OVERHEAD);
    this.#sealer.sealInto(plain, write, start);
    return start + plain.length + SEAL_OVERHEAD;
  }

  /**
   * The peer may have sent its last lines and closed: lets the reader drain them first, then
   * closes with this reason if the reader found none of its own.
   */
  #writeFailed(error: unknown): void {
    this.#writeError = describe(error);
    this.#closing = true;
    this.#queue.release();
    const timer = setTimeout(() => this.#finish(this.#writeError), WRITE_ERROR_GRACE_MS);
    this.closed.finally(() => clearTimeout(timer));
    this.#stopPump();
  }

  #stopPump(): void {
    this.#pumping = false; // in the same turn as the empty check, so no post is missed
    this.#writing = this.#writingBase = undefined;
    this.#pumpStopped?.resolve();
    this.#pumpStopped = undefined;
  }

  #finish(reason: CloseReason): void {
    if (this.#done) return;
    this.#done = true;
    clearInterval(this.#timer);
    clearTimeout(this.#due);
    this.#queue.release();
    try {
      this.#conn.close();
    } catch { /* already closed */ }
    this.#resolveClosed(reason);
  }
}

/** Closes `controller` unless the consumer already cancelled the stream. */
function closeQuietly(controller: ReadableStreamDefaultController<Envelope>): void {
  try {
    controller.close();
  } catch { /* cancelled */ }
}

function describe(error: unknown): string {
  if (error instanceof Deno.errors.ConnectionReset) return "the connection was reset";
  if (error instanceof Deno.errors.BrokenPipe) return "the connection was closed";
  if (error instanceof Deno.errors.BadResource) return "the connection was closed";
  return error instanceof Error ? error.message : String(error);
}
