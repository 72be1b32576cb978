/**
 * The encrypted channel after the handshake: every frame payload is sealed with
 * ChaCha20-Poly1305 (RFC 8439) under a per-direction 256-bit key. The nonce is an implicit
 * frame counter that both ends keep, so nothing but ciphertext and tag goes on the wire, and
 * any replayed, reordered, dropped or modified frame fails authentication.
 *
 * Why not AES-256-GCM: through Deno 2.9 neither `node:crypto` nor WebCrypto has a hardware
 * AES path here, and ChaCha20-Poly1305 was faster both for bulk and for a chat line
 * (bench/NOTES.md). It is the AEAD TLS 1.3, SSH and WireGuard use where AES hardware is missing. WebCrypto has no
 * ChaCha20; chacha20_poly1305.ts runs it synchronously, small frames through libsodium.
 *
 * @module
 */

import { writeUint32 } from "../wire/bytes.ts";
import { open, openInto, sealInto, TAG_BYTES } from "./chacha20_poly1305.ts";

/** Bytes the Poly1305 tag adds to every frame. */
export const SEAL_OVERHEAD = TAG_BYTES;
/** Bytes of a channel key. */
export const KEY_BYTES = 32;
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
 * Seals frame payloads in order: frames must be sent in the order of the calls.
 *
 * @example
 * ```ts
 * import { FrameOpener, FrameSealer } from "./encrypted_channel.ts";
 * const key = crypto.getRandomValues(new Uint8Array(32));
 * const sealed = new FrameSealer(key).seal(new TextEncoder().encode("hi"));
 * const plain = new FrameOpener(key).open(sealed);
 * console.log(new TextDecoder().decode(plain)); // "hi"
 * ```
 */
export class FrameSealer {
  #key: Uint8Array;
  #counter = 0;
  #nonce = new Uint8Array(12);
  #maxFrames: number;

  /**
   * @example
   * ```ts
   * import { FrameSealer } from "./encrypted_channel.ts";
   * const sealer = new FrameSealer(crypto.getRandomValues(new Uint8Array(32)));
   * console.log(sealer.count); // 0
   * ```
   */
  constructor(key: Uint8Array, options: FrameCounterOptions = {}) {
    this.#key = checkKey(key);
    this.#maxFrames = Math.min(options.maxFrames ?? MAX_FRAMES, MAX_FRAMES);
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
   * const sealer = new FrameSealer(crypto.getRandomValues(new Uint8Array(32)));
   * console.log(sealer.seal(new Uint8Array(10)).length); // 26
   * ```
   */
  seal(plain: Uint8Array): Uint8Array {
    const out = new Uint8Array(plain.length + SEAL_OVERHEAD);
    this.sealInto(plain, out, 0);
    return out;
  }

  /**
   * {@linkcode FrameSealer.seal} into `target` at `offset` (`plain.length + 16` bytes), for a
   * caller that writes several frames in one buffer.
   *
   * @example
   * ```ts
   * import { FrameSealer } from "./encrypted_channel.ts";
   * const sealer = new FrameSealer(crypto.getRandomValues(new Uint8Array(32)));
   * const write = new Uint8Array(2 * 26);
   * sealer.sealInto(new Uint8Array(10), write, 0);
   * sealer.sealInto(new Uint8Array(10), write, 26);
   * console.log(sealer.count); // 2
   * ```
   */
  sealInto(plain: Uint8Array, target: Uint8Array, offset: number): void {
    if (this.#counter >= this.#maxFrames) throw new SecureChannelError(LIMIT_REACHED);
    sealInto(this.#key, nonce(this.#nonce, this.#counter++), plain, target, offset);
  }
}

/**
 * Opens sealed frames in order. After one failure it stays broken: every later frame fails
 * too, since the counters can no longer agree.
 *
 * @example
 * ```ts
 * import { FrameOpener, FrameSealer } from "./encrypted_channel.ts";
 * const key = crypto.getRandomValues(new Uint8Array(32));
 * const sealer = new FrameSealer(key);
 * const opener = new FrameOpener(key);
 * const first = sealer.seal(new Uint8Array([1]));
 * console.log(opener.open(first)); // Uint8Array(1) [ 1 ]
 * try {
 *   opener.open(first);
 * } catch (error) {
 *   console.log((error as Error).message); // replay fails
 * }
 * ```
 */
export class FrameOpener {
  #key: Uint8Array;
  #counter = 0;
  #nonce = new Uint8Array(12);
  #maxFrames: number;
  #failed = false;

  /**
   * @example
   * ```ts
   * import { FrameOpener } from "./encrypted_channel.ts";
   * const opener = new FrameOpener(crypto.getRandomValues(new Uint8Array(32)));
   * console.log(opener.count); // 0
   * ```
   */
  constructor(key: Uint8Array, options: FrameCounterOptions = {}) {
    this.#key = checkKey(key);
    this.#maxFrames = Math.min(options.maxFrames ?? MAX_FRAMES, MAX_FRAMES);
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
   * const key = crypto.getRandomValues(new Uint8Array(32));
   * const sealed = new FrameSealer(key).seal(new Uint8Array([7]));
   * console.log(new FrameOpener(key).open(sealed)[0]); // 7
   * ```
   */
  open(sealed: Uint8Array): Uint8Array {
    return this.#open(sealed, (iv) => open(this.#key, iv, sealed));
  }

  /**
   * {@linkcode FrameOpener.open} into `target` from its start (it must hold the plaintext);
   * returns the view of `target` written. For a reader done with each frame before the next.
   *
   * @example
   * ```ts
   * import { FrameOpener, FrameSealer } from "./encrypted_channel.ts";
   * const key = crypto.getRandomValues(new Uint8Array(32));
   * const sealed = new FrameSealer(key).seal(new Uint8Array([7]));
   * console.log(new FrameOpener(key).openInto(sealed, new Uint8Array(16))); // Uint8Array(1) [ 7 ]
   * ```
   */
  openInto(sealed: Uint8Array, target: Uint8Array): Uint8Array {
    return this.#open(sealed, (iv) => openInto(this.#key, iv, sealed, target));
  }

  #open(sealed: Uint8Array, decrypt: (iv: Uint8Array) => Uint8Array | undefined): Uint8Array {
    if (this.#failed) throw new SecureChannelError(AUTHENTICATION_FAILED);
    if (this.#counter >= this.#maxFrames) {
      this.#failed = true;
      throw new SecureChannelError(LIMIT_REACHED);
    }
    const iv = nonce(this.#nonce, this.#counter++);
    const plain = sealed.length < SEAL_OVERHEAD ? undefined : decrypt(iv);
    if (plain) return plain;
    this.#failed = true;
    throw new SecureChannelError(AUTHENTICATION_FAILED);
  }
}

function checkKey(key: Uint8Array): Uint8Array {
  if (key.length !== KEY_BYTES) {
    throw new TypeError(`a channel key has ${KEY_BYTES} bytes, not ${key.length}`);
  }
  return key;
}

/**
 * Writes the 96-bit nonce for `counter` into `iv`: the frame counter as a big-endian integer.
 * Each sealer and opener reuses its own array; the cipher copies it before returning.
 */
function nonce(iv: Uint8Array, counter: number): Uint8Array {
  writeUint32(iv, 8, counter); // counter < 2^32, so bytes 0..7 stay zero
  return iv;
}
