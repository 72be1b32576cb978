/**
 * ChaCha20-Poly1305 (RFC 8439), the AEAD of the encrypted channel, as two synchronous
 * functions: {@linkcode seal} and {@linkcode open}.
 *
 * Two implementations give the same bytes. `node:crypto` is fast for big frames but builds a
 * cipher object, a Node stream, for every call, which for a chat line is most of a round trip
 * on loopback and most of a hub's fan-out work. libsodium's WebAssembly build
 * (`npm:libsodium`, from the libsodium authors) is several times cheaper for a chat line but
 * slower in bulk (bench/NOTES.md). So frames up to {@linkcode SMALL_FRAME_BYTES} go to libsodium
 * once {@linkcode loadFastAead} has finished, and everything else to `node:crypto`. Until then,
 * or if the WebAssembly cannot load, every frame goes to `node:crypto`: slower, never wrong.
 *
 * @example
 * ```ts
 * import { loadFastAead, open, seal } from "./chacha20_poly1305.ts";
 * await loadFastAead();
 * const key = crypto.getRandomValues(new Uint8Array(32));
 * const nonce = new Uint8Array(12);
 * const sealed = seal(key, nonce, new TextEncoder().encode("hi"));
 * console.log(new TextDecoder().decode(open(key, nonce, sealed))); // "hi"
 * ```
 * @module
 */

import { createCipheriv, createDecipheriv } from "node:crypto";

/** Bytes of the Poly1305 tag after the ciphertext. */
export const TAG_BYTES = 16;
/** Bytes of a key. */
export const KEY_BYTES = 32;
/** Bytes of a nonce. */
export const NONCE_BYTES = 12;
/**
 * Largest plaintext the WebAssembly path takes: below it libsodium is the faster, from a few
 * KB on `node:crypto` (bench/NOTES.md).
 */
export const SMALL_FRAME_BYTES = 2048;

const CIPHER = "chacha20-poly1305";

/** The few exports of libsodium's Emscripten module this file calls. */
interface Sodium {
  HEAPU8: Uint8Array;
  _sodium_init(): number;
  _malloc(bytes: number): number;
  _crypto_aead_chacha20poly1305_ietf_encrypt_detached(
    c: number,
    mac: number,
    maclenP: number,
    m: number,
    mlenLow: number,
    mlenHigh: number,
    ad: number,
    adlenLow: number,
    adlenHigh: number,
    nsec: number,
    npub: number,
    k: number,
  ): number;
  _crypto_aead_chacha20poly1305_ietf_decrypt_detached(
    m: number,
    nsec: number,
    c: number,
    clenLow: number,
    clenHigh: number,
    mac: number,
    ad: number,
    adlenLow: number,
    adlenHigh: number,
    npub: number,
    k: number,
  ): number;
}

/** libsodium and its scratch area: key, nonce, input, output. Calls are synchronous. */
interface FastPath {
  lib: Sodium;
  key: number;
  nonce: number;
  input: number;
  output: number;
}

let fast: FastPath | undefined;
let loading: Promise<boolean> | undefined;

/**
 * Loads the WebAssembly path (once per process, while the first handshake runs); resolves `true` when it is in
 * use, `false` when it could not load and `node:crypto` does all the work. Never rejects.
 *
 * @example
 * ```ts
 * import { loadFastAead } from "./chacha20_poly1305.ts";
 * console.log(await loadFastAead()); // true
 * ```
 */
export function loadFastAead(): Promise<boolean> {
  return loading ??= (async () => {
    try {
      const { default: factory } = await import("libsodium");
      const lib = await (factory as unknown as () => Promise<Sodium>)();
      if (lib._sodium_init() < 0) return false;
      const area = SMALL_FRAME_BYTES + TAG_BYTES;
      const base = lib._malloc(KEY_BYTES + NONCE_BYTES + 2 * area);
      if (!base) return false;
      const key = base;
      const nonce = key + KEY_BYTES;
      const input = nonce + NONCE_BYTES;
      fast = { lib, key, nonce, input, output: input + area };
      return true;
    } catch {
      return false;
    }
  })();
}

/** Whether small frames go through the WebAssembly path. */
export function fastAeadLoaded(): boolean {
  return fast !== undefined;
}

/**
 * Encrypts `plain`; returns the ciphertext followed by the tag, `plain.length + 16` bytes.
 *
 * @example
 * ```ts
 * import { seal } from "./chacha20_poly1305.ts";
 * const sealed = seal(new Uint8Array(32), new Uint8Array(12), new Uint8Array(10));
 * console.log(sealed.length); // 26
 * ```
 */
export function seal(key: Uint8Array, nonce: Uint8Array, plain: Uint8Array): Uint8Array {
  const out = new Uint8Array(plain.length + TAG_BYTES);
  sealInto(key, nonce, plain, out, 0);
  return out;
}

/**
 * {@linkcode seal} into `target` at `offset` (`plain.length + 16` bytes), for a caller that
 * builds one buffer of several frames: no buffer of its own per frame. `plain` may be the
 * bytes of `target` at `offset` themselves (sealing in place).
 *
 * @example
 * ```ts
 * import { sealInto } from "./chacha20_poly1305.ts";
 * const frame = new Uint8Array(4 + 10 + 16); // a length prefix, then the sealed payload
 * sealInto(new Uint8Array(32), new Uint8Array(12), new Uint8Array(10), frame, 4);
 * console.log(frame.length); // 30
 * ```
 */
export function sealInto(
  key: Uint8Array,
  nonce: Uint8Array,
  plain: Uint8Array,
  target: Uint8Array,
  offset: number,
): void {
  checkSizes(key, nonce);
  if (offset + plain.length + TAG_BYTES > target.length) {
    throw new RangeError("ChaCha20-Poly1305: the target is too small for the sealed frame");
  }
  if (fast && plain.length <= SMALL_FRAME_BYTES) {
    sodiumSealInto(fast, key, nonce, plain, target, offset);
  } else nodeSealInto(key, nonce, plain, target, offset);
}

function sodiumSealInto(
  path: FastPath,
  key: Uint8Array,
  nonce: Uint8Array,
  plain: Uint8Array,
  target: Uint8Array,
  offset: number,
): void {
  const { lib, input, output } = path;
  const heap = enter(path, key, nonce);
  heap.set(plain, input);
  lib._crypto_aead_chacha20poly1305_ietf_encrypt_detached(
    output,
    output + plain.length, // the tag right after the ciphertext: one copy out
    0,
    input,
    plain.length,
    0,
    0,
    0,
    0,
    0,
    path.nonce,
    path.key,
  );
  target.set(heap.subarray(output, output + plain.length + TAG_BYTES), offset);
}

function nodeSealInto(
  key: Uint8Array,
  nonce: Uint8Array,
  plain: Uint8Array,
  target: Uint8Array,
  offset: number,
): void {
  const cipher = createCipheriv(CIPHER, key, nonce, { authTagLength: TAG_BYTES });
  target.set(cipher.update(plain), offset);
  cipher.final(); // a stream cipher: nothing left over
  target.set(cipher.getAuthTag(), offset + plain.length);
}

/**
 * Decrypts and authenticates `sealed` (ciphertext then tag); `undefined` when the tag does
 * not match, in which case nothing of the plaintext is released.
 *
 * @example
 * ```ts
 * import { open, seal } from "./chacha20_poly1305.ts";
 * const key = new Uint8Array(32);
 * const sealed = seal(key, new Uint8Array(12), new Uint8Array([7]));
 * console.log(open(key, new Uint8Array(12), sealed)); // Uint8Array(1) [ 7 ]
 * sealed[0] ^= 1;
 * console.log(open(key, new Uint8Array(12), sealed)); // undefined
 * ```
 */
export function open(
  key: Uint8Array,
  nonce: Uint8Array,
  sealed: Uint8Array,
): Uint8Array | undefined {
  const plain = openAny(key, nonce, sealed);
  return plain && fast && plain.buffer === fast.lib.HEAPU8.buffer ? plain.slice() : plain;
}

/**
 * {@linkcode open} into `target` from its start; returns the view of `target` written, or
 * `undefined` when the tag does not match. A reader that is done with each plaintext before
 * the next frame reuses one buffer instead of allocating one per frame.
 *
 * @example
 * ```ts
 * import { openInto, seal } from "./chacha20_poly1305.ts";
 * const key = new Uint8Array(32);
 * const scratch = new Uint8Array(64);
 * const sealed = seal(key, new Uint8Array(12), new Uint8Array([7, 8]));
 * console.log(openInto(key, new Uint8Array(12), sealed, scratch)); // Uint8Array(2) [ 7, 8 ]
 * ```
 */
export function openInto(
  key: Uint8Array,
  nonce: Uint8Array,
  sealed: Uint8Array,
  target: Uint8Array,
): Uint8Array | undefined {
  if (sealed.length - TAG_BYTES > target.length) {
    throw new RangeError("ChaCha20-Poly1305: the target is too small for the plaintext");
  }
  const plain = openAny(key, nonce, sealed);
  if (!plain) return undefined;
  target.set(plain);
  return target.subarray(0, plain.length);
}

/** Opens `sealed`; the result may be a view of the WebAssembly heap, good until the next call. */
function openAny(
  key: Uint8Array,
  nonce: Uint8Array,
  sealed: Uint8Array,
): Uint8Array | undefined {
  checkSizes(key, nonce);
  if (sealed.length < TAG_BYTES) return undefined;
  if (fast && sealed.length - TAG_BYTES <= SMALL_FRAME_BYTES) {
    return sodiumOpen(fast, key, nonce, sealed);
  }
  return nodeOpen(key, nonce, sealed);
}

function sodiumOpen(
  path: FastPath,
  key: Uint8Array,
  nonce: Uint8Array,
  sealed: Uint8Array,
): Uint8Array | undefined {
  const length = sealed.length - TAG_BYTES;
  const { lib, input, output } = path;
  const heap = enter(path, key, nonce);
  heap.set(sealed, input);
  const result = lib._crypto_aead_chacha20poly1305_ietf_decrypt_detached(
    output,
    0,
    input,
    length,
    0,
    input + length,
    0,
    0,
    0,
    path.nonce,
    path.key,
  );
  return result === 0 ? heap.subarray(output, output + length) : undefined;
}

function nodeOpen(
  key: Uint8Array,
  nonce: Uint8Array,
  sealed: Uint8Array,
): Uint8Array | undefined {
  const length = sealed.length - TAG_BYTES;
  try {
    const decipher = createDecipheriv(CIPHER, key, nonce, { authTagLength: TAG_BYTES });
    decipher.setAuthTag(sealed.subarray(length));
    const plain = decipher.update(sealed.subarray(0, length));
    decipher.final(); // throws unless the tag matches
    return new Uint8Array(plain.buffer, plain.byteOffset, plain.length); // not a Buffer
  } catch {
    return undefined;
  }
}

/** One of the two implementations, on its own: {@linkcode aeadBackends}. */
export interface AeadBackend {
  /** `"libsodium"` (WebAssembly) or `"node:crypto"`. */
  name: string;
  /** Largest plaintext it takes. */
  maxPlainBytes: number;
  /** {@linkcode seal} through this implementation only. */
  seal(key: Uint8Array, nonce: Uint8Array, plain: Uint8Array): Uint8Array;
  /** {@linkcode open} through this implementation only. */
  open(key: Uint8Array, nonce: Uint8Array, sealed: Uint8Array): Uint8Array | undefined;
}

/**
 * The implementations {@linkcode seal} and {@linkcode open} choose between by frame size, each
 * on its own, so that tests can hold both to the same vectors: `node:crypto` always, libsodium
 * once {@linkcode loadFastAead} has loaded it.
 *
 * @example
 * ```ts
 * import { aeadBackends, loadFastAead } from "./chacha20_poly1305.ts";
 * await loadFastAead();
 * console.log(aeadBackends().map((backend) => backend.name)); // [ "libsodium", "node:crypto" ]
 * ```
 */
export function aeadBackends(): AeadBackend[] {
  const backends: AeadBackend[] = [];
  const path = fast;
  if (path) {
    backends.push({
      name: "libsodium",
      maxPlainBytes: SMALL_FRAME_BYTES,
      seal(key, nonce, plain) {
        checkSizes(key, nonce);
        if (plain.length > SMALL_FRAME_BYTES) throw new RangeError("too big for libsodium's area");
        const out = new Uint8Array(plain.length + TAG_BYTES);
        sodiumSealInto(path, key, nonce, plain, out, 0);
        return out;
      },
      open(key, nonce, sealed) {
        checkSizes(key, nonce);
        if (sealed.length - TAG_BYTES > SMALL_FRAME_BYTES) {
          throw new RangeError("too big for libsodium's area");
        }
        if (sealed.length < TAG_BYTES) return undefined;
        return sodiumOpen(path, key, nonce, sealed)?.slice();
      },
    });
  }
  backends.push({
    name: "node:crypto",
    maxPlainBytes: Infinity,
    seal(key, nonce, plain) {
      checkSizes(key, nonce);
      const out = new Uint8Array(plain.length + TAG_BYTES);
      nodeSealInto(key, nonce, plain, out, 0);
      return out;
    },
    open(key, nonce, sealed) {
      checkSizes(key, nonce);
      return sealed.length < TAG_BYTES ? undefined : nodeOpen(key, nonce, sealed);
    },
  });
  return backends;
}

/** Puts the key and nonce into the scratch area; returns the heap to use for this call. */
function enter(path: FastPath, key: Uint8Array, nonce: Uint8Array): Uint8Array {
  const heap = path.lib.HEAPU8; // read each call: a growing WebAssembly memory gets a new view
  heap.set(key, path.key);
  heap.set(nonce, path.nonce);
  return heap;
}

function checkSizes(key: Uint8Array, nonce: Uint8Array): void {
  if (key.length !== KEY_BYTES || nonce.length !== NONCE_BYTES) {
    throw new TypeError(
      `ChaCha20-Poly1305 takes a ${KEY_BYTES}-byte key and a ${NONCE_BYTES}-byte nonce`,
    );
  }
}
