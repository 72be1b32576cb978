/**
 * The encrypted channel after the handshake: every frame payload is sealed with AES-256-GCM
 * under a per-direction key. The nonce is an implicit frame counter that both ends keep, so
 * nothing but ciphertext and tag goes on the wire, and any replayed, reordered, dropped or
 * modified frame fails authentication.
 *
 * @module
 */

import { createCipheriv, createDecipheriv } from "node:crypto";

/** Bytes the GCM tag adds to every frame. */
export const SEAL_OVERHEAD = 16;
/** Frames per direction and key; past this a channel refuses to go on (reconnect to rekey). */
export const MAX_FRAMES = 2 ** 32;

/** Message of the error every authentication failure gives. */
export const AUTHENTICATION_FAILED =
  "Secure channel: message authentication failed (tampered, replayed or out of order)";

/** Options for {@linkcode FrameSealer} and {@linkcode FrameOpener}. */
export interface FrameCounterOptions {
  /** Frames allowed with this key, at most (and by default) {@linkcode MAX_FRAMES}. */
  maxFrames?: number;
}

/** The secure channel broke: a frame failed authentication, or the frame limit was reached. */
export class SecureChannelError extends Error {
  /**
   * @example
   * ```ts
   * import { AUTHENTICATION_FAILED, SecureChannelError } from "./encrypted_channel.ts";
   * const error = new SecureChannelError(AUTHENTICATION_FAILED);
   * console.log(error.name); // "SecureChannelError"
   * ```
   */
  constructor(message: string) {
    super(message);
    this.name = "SecureChannelError";
  }
}

const LIMIT_REACHED = "Secure channel: frame limit for this key reached; reconnect for fresh keys";

/**
 * Seals frame payloads in order. Nonces are taken when `seal` is called, so frames must be
 * sent in the order of the calls (await each call, or keep the promises in order).
 *
 * @example
 * ```ts
 * import { FrameOpener, FrameSealer } from "./encrypted_channel.ts";
 * const key = await crypto.subtle.generateKey({ name: "AES-GCM", length: 256 }, false, [
 *   "encrypt",
 *   "decrypt",
 * ]);
 * const sealed = await new FrameSealer(key).seal(new TextEncoder().encode("hi"));
 * const plain = await new FrameOpener(key).open(sealed);
 * console.log(new TextDecoder().decode(plain)); // "hi"
 * ```
 */
export class FrameSealer {
  #key: CryptoKey;
  #counter = 0;
  #maxFrames: number;
  #small = new SmallFrameCipher();

  /**
   * @example
   * ```ts
   * import { FrameSealer } from "./encrypted_channel.ts";
   * const key = await crypto.subtle.generateKey({ name: "AES-GCM", length: 256 }, false, [
   *   "encrypt",
   * ]);
   * const sealer = new FrameSealer(key);
   * console.log(sealer.count); // 0
   * ```
   */
  constructor(key: CryptoKey, options: FrameCounterOptions = {}) {
    this.#key = key;
    this.#maxFrames = Math.min(options.maxFrames ?? MAX_FRAMES, MAX_FRAMES);
    this.#small.load(key);
  }

  /** Frames sealed so far. */
  get count(): number {
    return this.#counter;
  }

  /**
   * Encrypts one frame payload; the result is the ciphertext followed by the 16-byte tag.
   *
   * @example
   * ```ts
   * import { FrameSealer } from "./encrypted_channel.ts";
   * const key = await crypto.subtle.generateKey({ name: "AES-GCM", length: 256 }, false, [
   *   "encrypt",
   * ]);
   * const sealed = await new FrameSealer(key).seal(new Uint8Array(10));
   * console.log(sealed.length); // 26
   * ```
   */
  async seal(plain: Uint8Array): Promise<Uint8Array<ArrayBuffer>> {
    if (this.#counter >= this.#maxFrames) throw new SecureChannelError(LIMIT_REACHED);
    const iv = nonce(this.#counter++);
    const sealed = this.#small.seal(iv, plain);
    if (sealed) return sealed;
    return new Uint8Array(
      await crypto.subtle.encrypt({ name: "AES-GCM", iv }, this.#key, bufferSource(plain)),
    );
  }
}

/**
 * Opens sealed frames in order. After one failure it stays broken: every later frame fails
 * too, since the counters can no longer agree.
 *
 * @example
 * ```ts
 * import { FrameOpener, FrameSealer } from "./encrypted_channel.ts";
 * const key = await crypto.subtle.generateKey({ name: "AES-GCM", length: 256 }, false, [
 *   "encrypt",
 *   "decrypt",
 * ]);
 * const sealer = new FrameSealer(key);
 * const opener = new FrameOpener(key);
 * const first = await sealer.seal(new Uint8Array([1]));
 * console.log(await opener.open(first)); // Uint8Array(1) [ 1 ]
 * await opener.open(first).catch((error) => console.log(error.message)); // replay fails
 * ```
 */
export class FrameOpener {
  #key: CryptoKey;
  #counter = 0;
  #maxFrames: number;
  #failed = false;
  #small = new SmallFrameCipher();

  /**
   * @example
   * ```ts
   * import { FrameOpener } from "./encrypted_channel.ts";
   * const key = await crypto.subtle.generateKey({ name: "AES-GCM", length: 256 }, false, [
   *   "decrypt",
   * ]);
   * const opener = new FrameOpener(key);
   * console.log(opener.count); // 0
   * ```
   */
  constructor(key: CryptoKey, options: FrameCounterOptions = {}) {
    this.#key = key;
    this.#maxFrames = Math.min(options.maxFrames ?? MAX_FRAMES, MAX_FRAMES);
    this.#small.load(key);
  }

  /** Frames opened so far. */
  get count(): number {
    return this.#counter;
  }

  /**
   * Decrypts and authenticates the next frame; throws {@linkcode SecureChannelError} if it is
   * not exactly the next frame the peer sealed.
   *
   * @example
   * ```ts
   * import { FrameOpener, FrameSealer } from "./encrypted_channel.ts";
   * const key = await crypto.subtle.generateKey({ name: "AES-GCM", length: 256 }, false, [
   *   "encrypt",
   *   "decrypt",
   * ]);
   * const sealed = await new FrameSealer(key).seal(new Uint8Array([7]));
   * console.log((await new FrameOpener(key).open(sealed))[0]); // 7
   * ```
   */
  async open(sealed: Uint8Array): Promise<Uint8Array<ArrayBuffer>> {
    if (this.#failed) throw new SecureChannelError(AUTHENTICATION_FAILED);
    if (this.#counter >= this.#maxFrames) {
      this.#failed = true;
      throw new SecureChannelError(LIMIT_REACHED);
    }
    const iv = nonce(this.#counter++);
    if (sealed.length < SEAL_OVERHEAD) {
      this.#failed = true;
      throw new SecureChannelError(AUTHENTICATION_FAILED);
    }
    try {
      return this.#small.open(iv, sealed) ?? new Uint8Array(
        await crypto.subtle.decrypt({ name: "AES-GCM", iv }, this.#key, bufferSource(sealed)),
      );
    } catch {
      this.#failed = true;
      throw new SecureChannelError(AUTHENTICATION_FAILED);
    }
  }
}

/**
 * Seals each chunk (one frame payload) for the peer.
 *
 * @example
 * ```ts
 * import { OpenStream, SealStream } from "./encrypted_channel.ts";
 * const key = await crypto.subtle.generateKey({ name: "AES-GCM", length: 256 }, false, [
 *   "encrypt",
 *   "decrypt",
 * ]);
 * const plain = ReadableStream.from([new TextEncoder().encode("hello")])
 *   .pipeThrough(new SealStream(key))
 *   .pipeThrough(new OpenStream(key));
 * for await (const chunk of plain) console.log(new TextDecoder().decode(chunk)); // "hello"
 * ```
 */
export class SealStream extends TransformStream<Uint8Array, Uint8Array> {
  /**
   * @example
   * ```ts
   * import { SealStream } from "./encrypted_channel.ts";
   * const key = await crypto.subtle.generateKey({ name: "AES-GCM", length: 256 }, false, [
   *   "encrypt",
   * ]);
   * const stream = new SealStream(key);
   * console.log(stream.readable instanceof ReadableStream); // true
   * ```
   */
  constructor(key: CryptoKey) {
    const sealer = new FrameSealer(key);
    super({
      async transform(chunk, controller) {
        controller.enqueue(await sealer.seal(chunk));
      },
    });
  }
}

/**
 * Opens each chunk (one sealed frame payload) from the peer; errors with
 * {@linkcode SecureChannelError} on any tampered, replayed, reordered or dropped frame.
 *
 * @example
 * ```ts
 * import { OpenStream, SealStream } from "./encrypted_channel.ts";
 * const key = await crypto.subtle.generateKey({ name: "AES-GCM", length: 256 }, false, [
 *   "encrypt",
 *   "decrypt",
 * ]);
 * const chunks = ReadableStream.from([new Uint8Array([1]), new Uint8Array([2])])
 *   .pipeThrough(new SealStream(key))
 *   .pipeThrough(new OpenStream(key));
 * console.log(await Array.fromAsync(chunks)); // [ Uint8Array(1) [ 1 ], Uint8Array(1) [ 2 ] ]
 * ```
 */
export class OpenStream extends TransformStream<Uint8Array, Uint8Array> {
  /**
   * @example
   * ```ts
   * import { OpenStream } from "./encrypted_channel.ts";
   * const key = await crypto.subtle.generateKey({ name: "AES-GCM", length: 256 }, false, [
   *   "decrypt",
   * ]);
   * const stream = new OpenStream(key);
   * console.log(stream.writable instanceof WritableStream); // true
   * ```
   */
  constructor(key: CryptoKey, options: { parallel?: number } = {}) {
    const opener = new FrameOpener(key);
    const parallel = options.parallel ?? 4;
    // Up to `parallel` frames are decrypted at once (WebCrypto works off the main thread),
    // and delivered in order; one frame alone is delivered as soon as it is open.
    let tail: Promise<void> = Promise.resolve();
    let inFlight = 0;
    super({
      async transform(chunk, controller) {
        const opened = opener.open(chunk); // takes its nonce now, in arrival order
        opened.catch(() => {}); // handled through `tail`
        inFlight++;
        tail = tail.then(() => opened).then((plain) => {
          inFlight--;
          controller.enqueue(plain);
        });
        tail.catch((error) => {
          try {
            controller.error(error);
          } catch { /* already errored */ }
        });
        if (inFlight >= parallel) await tail;
      },
      flush: () => tail,
    });
  }
}

/** Frames up to this size are sealed synchronously (see {@linkcode SmallFrameCipher}). */
const SMALL_FRAME_BYTES = 4096;

/**
 * AES-256-GCM for small frames, synchronously through `node:crypto`. Measured here: an
 * awaited WebCrypto call costs about 50 µs whatever the size (it hops to a worker thread),
 * `node:crypto` about 6 µs for a chat line but only ~70 MB/s in bulk. So chat lines go
 * through here and file chunks through WebCrypto; both are the same AES-256-GCM, so the
 * bytes on the wire are identical. Works only with an extractable key (the handshake's).
 */
class SmallFrameCipher {
  #raw: Uint8Array | undefined;

  /** Fetches the raw key in the background; until then every frame uses WebCrypto. */
  load(key: CryptoKey): void {
    if (!key.extractable) return;
    crypto.subtle.exportKey("raw", key).then((raw) => this.#raw = new Uint8Array(raw), () => {});
  }

  seal(iv: Uint8Array, plain: Uint8Array): Uint8Array<ArrayBuffer> | undefined {
    if (!this.#raw || plain.length > SMALL_FRAME_BYTES) return undefined;
    const cipher = createCipheriv("aes-256-gcm", this.#raw, iv);
    const head = cipher.update(plain);
    const tail = cipher.final();
    const out = new Uint8Array(head.length + tail.length + SEAL_OVERHEAD);
    out.set(head);
    out.set(tail, head.length);
    out.set(cipher.getAuthTag(), head.length + tail.length);
    return out;
  }

  /** Opens a small frame; throws on authentication failure. */
  open(iv: Uint8Array, sealed: Uint8Array): Uint8Array<ArrayBuffer> | undefined {
    if (!this.#raw || sealed.length > SMALL_FRAME_BYTES + SEAL_OVERHEAD) return undefined;
    const decipher = createDecipheriv("aes-256-gcm", this.#raw, iv);
    decipher.setAuthTag(sealed.subarray(sealed.length - SEAL_OVERHEAD));
    const head = decipher.update(sealed.subarray(0, sealed.length - SEAL_OVERHEAD));
    const tail = decipher.final();
    const out = new Uint8Array(head.length + tail.length);
    out.set(head);
    out.set(tail, head.length);
    return out;
  }
}

// 96-bit nonce: the frame counter as a big-endian integer.
function nonce(counter: number): Uint8Array<ArrayBuffer> {
  const iv = new Uint8Array(12);
  new DataView(iv.buffer).setUint32(8, counter); // counter < 2^32, so bytes 4..7 stay zero
  return iv;
}

function bufferSource(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return bytes.buffer instanceof ArrayBuffer
    ? bytes as Uint8Array<ArrayBuffer>
    : new Uint8Array(bytes);
}
