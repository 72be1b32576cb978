/**
 * SPAKE2 over P-256 as specified by RFC 9382 (suite SPAKE2-P256-SHA256-HKDF-HMAC).
 *
 * Group operations come from `@noble/curves`, the secret multiplication from WebCrypto's ECDH;
 * SHA-256, HKDF and HMAC from `node:crypto` (HKDF and HMAC through hkdf_hmac.ts), whose calls
 * are synchronous and several times cheaper than an awaited WebCrypto call, of which a
 * handshake would make twelve (bench/NOTES.md).
 * Party A (our client) sends `pA = x*G + w*M`, party B (our host) sends `pB = y*G + w*N`.
 * Both derive `K`, the transcript `TT`, the session key `Ke` and the confirmation MACs.
 *
 * @module
 */

import { p256 } from "@noble/curves/nist.js";
import { hexToBytes } from "@noble/curves/utils.js";
import { createHash } from "node:crypto";
import { concatBytes } from "../wire/bytes.ts";
import { hkdfSha256, hmacSha256, macEquals } from "./hkdf_hmac.ts";

type Point = typeof p256.Point.BASE;

const Point = p256.Point;
const Fn = Point.Fn;
const encoder = new TextEncoder();

/** RFC 9382 constant M for P-256, compressed SEC1 encoding (hex). */
export const SPAKE2_P256_M = "02886e2f97ace46e55ba9dd7242579f2993b64e16ef3dcab95afd497333d8fa12f";
/** RFC 9382 constant N for P-256, compressed SEC1 encoding (hex). */
export const SPAKE2_P256_N = "03d8bbd6c639c62937b04d997f38c3770719c629d7014d49a24b4f98baa1292b49";

/** Length in bytes of an uncompressed P-256 point, the only encoding this module accepts. */
export const SPAKE2_ELEMENT_LENGTH = 65;
/** Length in bytes of a confirmation MAC (HMAC-SHA256). */
export const SPAKE2_MAC_LENGTH = 32;

// M and N are fixed bases: an 8-bit window table makes w*M and w*N cheap after first use.
const M = Point.fromHex(SPAKE2_P256_M).precompute(8);
const N = Point.fromHex(SPAKE2_P256_N).precompute(8);

/** A received SPAKE2 element was invalid, or the exchange produced the identity. */
export class Spake2Error extends Error {
  /**
   * @example
   * ```ts
   * import { Spake2Error } from "./spake2.ts";
   * const error = new Spake2Error("invalid point");
   * console.log(error.name); // "Spake2Error"
   * ```
   */
  constructor(message: string) {
    super(message);
    this.name = "Spake2Error";
  }
}

/** Which side of RFC 9382 this party plays. */
export type Spake2Role = "A" | "B";

/** Options for {@linkcode Spake2}. */
export interface Spake2Options {
  /** "A" sends pA = x*G + w*M, "B" sends pB = y*G + w*N. */
  role: Spake2Role;
  /** The password scalar, 0 <= w < n (see `passkeyToScalar`). */
  w: bigint;
  /** Identity of party A (UTF-8 string or raw bytes); empty by default. */
  identityA?: string | Uint8Array;
  /** Identity of party B (UTF-8 string or raw bytes); empty by default. */
  identityB?: string | Uint8Array;
  /** The ephemeral scalar x (role A) or y (role B). Random by default; set only in tests. */
  secret?: bigint;
}

/** What a finished exchange yields. All fields are secret except `confirmation`. */
export interface Spake2Keys {
  /** The shared element K, uncompressed. */
  readonly sharedElement: Uint8Array<ArrayBuffer>;
  /** Ke: the 16-byte shared secret for the session. */
  readonly ke: Uint8Array<ArrayBuffer>;
  /** This party's confirmation MAC to send (cA for A, cB for B). */
  readonly confirmation: Uint8Array<ArrayBuffer>;
  /** Checks the peer's confirmation MAC in constant time (HMAC verify). */
  verifyPeerConfirmation(mac: Uint8Array): Promise<boolean>;
}

/**
 * One party of a SPAKE2 exchange. Create it, send `message`, then call `finish` with the
 * peer's message.
 *
 * @example
 * ```ts
 * import { Spake2, passkeyToScalar } from "./spake2.ts";
 * const w = await passkeyToScalar("7-orbit-lemon-cradle");
 * const a = new Spake2({ role: "A", w, identityA: "client", identityB: "host" });
 * const b = new Spake2({ role: "B", w, identityA: "client", identityB: "host" });
 * const keysA = await a.finish(b.message);
 * const keysB = await b.finish(a.message);
 * console.log(await keysA.verifyPeerConfirmation(keysB.confirmation)); // true
 * ```
 */
export class Spake2 {
  #role: Spake2Role;
  #w: bigint;
  #secret: bigint;
  /** secret·G, this side's share before blinding. */
  #own: Point;
  #identityA: Uint8Array;
  #identityB: Uint8Array;
  #message: Uint8Array<ArrayBuffer>;
  #finished = false;

  /**
   * @example
   * ```ts
   * import { Spake2 } from "./spake2.ts";
   * const a = new Spake2({ role: "A", w: 12345n });
   * console.log(a.message.length); // 65
   * ```
   */
  constructor(options: Spake2Options) {
    const { role, w } = options;
    if (role !== "A" && role !== "B") throw new TypeError(`SPAKE2: unknown role ${role}`);
    if (typeof w !== "bigint" || w < 0n || w >= Fn.ORDER) {
      throw new RangeError("SPAKE2: w must be a scalar in [0, n)");
    }
    const secret = options.secret ?? Fn.fromBytes(p256.utils.randomSecretKey());
    if (!Fn.isValidNot0(secret)) throw new RangeError("SPAKE2: secret must be in [1, n)");
    this.#role = role;
    this.#w = w;
    this.#secret = secret;
    this.#identityA = toBytes(options.identityA);
    this.#identityB = toBytes(options.identityB);
    const blind = blinding(role === "A" ? M : N, w);
    this.#own = Point.BASE.multiply(secret);
    this.#message = this.#own.add(blind).toBytes(false) as Uint8Array<
      ArrayBuffer
    >;
  }

  /** Which party this is. */
  get role(): Spake2Role {
    return this.#role;
  }

  /** This party's element to send: pA for A, pB for B (uncompressed, 65 bytes). */
  get message(): Uint8Array<ArrayBuffer> {
    return this.#message.slice();
  }

  /**
   * Completes the exchange with the peer's element. Throws {@linkcode Spake2Error} if the
   * element is malformed, off the curve or the identity, or if K is the identity.
   * `aad` is bound into the confirmation keys (RFC 9382 section 4); empty by default.
   *
   * @example
   * ```ts
   * import { Spake2 } from "./spake2.ts";
   * const a = new Spake2({ role: "A", w: 7n });
   * const b = new Spake2({ role: "B", w: 7n });
   * const keys = await a.finish(b.message);
   * console.log(keys.ke.length); // 16
   * ```
   */
  async finish(peerMessage: Uint8Array, aad: Uint8Array = new Uint8Array()): Promise<Spake2Keys> {
    if (this.#finished) throw new Error("SPAKE2: finish() may be called only once");
    this.#finished = true;
    const peer = decodeElement(peerMessage);
    const unblinded = peer.subtract(blinding(this.#role === "A" ? N : M, this.#w));
    if (unblinded.is0()) throw new Spake2Error("SPAKE2: shared element is the identity");
    // P-256 has cofactor 1, so K = h*x*(...) is just x*(...).
    const k = await multiplySecret(this.#secret, this.#own, unblinded);
    if (k.is0()) throw new Spake2Error("SPAKE2: shared element is the identity");
    const sharedElement = k.toBytes(false) as Uint8Array<ArrayBuffer>;
    const [pA, pB] = this.#role === "A"
      ? [this.#message, peerMessage]
      : [peerMessage, this.#message];
    const transcript = concatWithLengths([
      this.#identityA,
      this.#identityB,
      pA,
      pB,
      sharedElement,
      Fn.toBytes(this.#w),
    ]);
    const hash = createHash("sha256").update(transcript).digest();
    // RFC 9382 writes "Ka || Ke = Hash(TT)", yet its Appendix B vectors (which every
    // interoperable implementation reproduces) take Ke from the first half and Ka from the second.
    const ke = new Uint8Array(hash.subarray(0, 16));
    const ka = hash.subarray(16, 32);
    const confirmationKeys = hkdfSha256(
      ka,
      new Uint8Array(),
      concatBytes([encoder.encode("ConfirmationKeys"), aad]),
      32,
    );
    const kcA = confirmationKeys.subarray(0, 16);
    const kcB = confirmationKeys.subarray(16, 32);
    const [ownKey, peerKey] = this.#role === "A" ? [kcA, kcB] : [kcB, kcA];
    const confirmation = hmacSha256(ownKey, transcript);
    const expected = hmacSha256(peerKey, transcript);
    return {
      sharedElement,
      ke,
      confirmation,
      verifyPeerConfirmation(mac: Uint8Array): Promise<boolean> {
        if (!(mac instanceof Uint8Array) || mac.length !== SPAKE2_MAC_LENGTH) {
          return Promise.resolve(false);
        }
        return Promise.resolve(macEquals(mac, expected));
      },
    };
  }
}

/**
 * Decodes and validates a peer's SPAKE2 element: exactly 65 bytes, uncompressed, on the curve,
 * not the identity. Throws {@linkcode Spake2Error} otherwise.
 *
 * @example
 * ```ts
 * import { decodeElement, Spake2 } from "./spake2.ts";
 * const point = decodeElement(new Spake2({ role: "A", w: 1n }).message);
 * console.log(point.is0()); // false
 * ```
 */
export function decodeElement(bytes: Uint8Array): Point {
  if (!(bytes instanceof Uint8Array) || bytes.length !== SPAKE2_ELEMENT_LENGTH) {
    throw new Spake2Error("SPAKE2: element must be a 65-byte uncompressed point");
  }
  if (bytes[0] !== 0x04) throw new Spake2Error("SPAKE2: element must be uncompressed");
  let point: Point;
  try {
    point = Point.fromBytes(bytes); // checks the curve equation and rejects the identity
  } catch {
    throw new Spake2Error("SPAKE2: element is not a point on P-256");
  }
  if (point.is0()) throw new Spake2Error("SPAKE2: element is the identity");
  return point;
}

/** Fixed label that makes w specific to this protocol. */
export const PASSKEY_SCALAR_SALT = "p2pchat/1 spake2 w";

/**
 * Maps a (normalized) passkey to the SPAKE2 scalar w: HKDF-SHA256 with a fixed salt, 48 bytes
 * reduced mod n (bias below 2^-128). Deliberately cheap: SPAKE2 already limits an attacker to
 * one online guess per handshake, and a hub must survive reconnect storms.
 *
 * @example
 * ```ts
 * import { passkeyToScalar } from "./spake2.ts";
 * const w = await passkeyToScalar("7-orbit-lemon-cradle");
 * console.log(w > 0n); // true
 * ```
 */
export function passkeyToScalar(passkey: string): Promise<bigint> {
  // A host derives the same w for every handshake: keep the last few (like the blindings).
  let w = scalarCache.get(passkey);
  if (w === undefined) {
    w = deriveScalar(passkey);
    w.catch(() => scalarCache.delete(passkey));
    if (scalarCache.size >= BLINDING_CACHE_SIZE) {
      scalarCache.delete(scalarCache.keys().next().value!);
    }
    scalarCache.set(passkey, w);
  }
  return w;
}

const scalarCache = new Map<string, Promise<bigint>>();

async function deriveScalar(passkey: string): Promise<bigint> {
  const key = await crypto.subtle.importKey(
    "raw",
    encoder.encode(passkey),
    "HKDF",
    false,
    ["deriveBits"],
  );
  const bits = await crypto.subtle.deriveBits(
    {
      name: "HKDF",
      hash: "SHA-256",
      salt: encoder.encode(PASSKEY_SCALAR_SALT),
      info: encoder.encode("w"),
    },
    key,
    48 * 8,
  );
  return Fn.create(bytesToBigInt(new Uint8Array(bits)));
}

const Fp = Point.Fp;
const ECDH_P256 = { name: "ECDH", namedCurve: "P-256" };
/**
 * DER of a PKCS#8 PrivateKeyInfo for P-256 (id-ecPublicKey, prime256v1) whose ECPrivateKey
 * (RFC 5915, version 1) holds only the 32-byte scalar, which follows this prefix.
 */
const PKCS8_P256_PREFIX = hexToBytes(
  "3041020100301306072a8648ce3d020106082a8648ce3d030107042730250201010420",
);

/**
 * `secret`·`peer`, where `own` is `secret`·G. WebCrypto's ECDH does the multiplication (native
 * and constant-time, several times faster than the BigInt one) but yields only the x
 * coordinate, and SPAKE2's transcript needs the whole point: of the two points with that x, K
 * is the one for which K + own has the x of ECDH(secret, peer + G) = secret·peer + secret·G.
 */
async function multiplySecret(secret: bigint, own: Point, peer: Point): Promise<Point> {
  const peerPlusG = peer.add(Point.BASE);
  // Only a peer that chose peer = -G gets here (ECDH cannot take the identity): the slow way.
  if (peerPlusG.is0()) return peer.multiply(secret);
  // PKCS#8 rather than a JWK with x and y: WebCrypto then neither derives nor checks the public
  // key, which made both the import and each ECDH much slower.
  const key = await crypto.subtle.importKey(
    "pkcs8",
    concatBytes([PKCS8_P256_PREFIX, Fn.toBytes(secret)]),
    ECDH_P256,
    false,
    ["deriveBits"],
  );
  const [x, xPlusOwn] = await Promise.all([ecdhX(key, peer), ecdhX(key, peerPlusG)]);
  const { a, b } = Point.CURVE();
  const y = Fp.sqrt(Fp.add(Fp.add(Fp.mul(Fp.sqr(x), x), Fp.mul(a, x)), b));
  for (const candidate of [y, Fp.neg(y)]) {
    const k = Point.fromAffine({ x, y: candidate });
    if (k.add(own).toAffine().x === xPlusOwn) return k;
  }
  throw new Spake2Error("SPAKE2: the shared element could not be computed");
}

/** The x coordinate of ECDH(`key`, `point`). */
async function ecdhX(key: CryptoKey, point: Point): Promise<bigint> {
  const publicKey = await crypto.subtle.importKey(
    "raw",
    point.toBytes(false),
    ECDH_P256,
    false,
    [],
  );
  const bits = await crypto.subtle.deriveBits({ name: "ECDH", public: publicKey }, key, 256);
  return Fp.fromBytes(new Uint8Array(bits));
}

// w*M and w*N depend only on the passkey; a hub reuses one passkey for every handshake, so a
// few cached entries save one constant-time multiplication per handshake.
const BLINDING_CACHE_SIZE = 8;
const blindingCache = new Map<Point, Map<bigint, Point>>([[M, new Map()], [N, new Map()]]);

function blinding(base: Point, w: bigint): Point {
  if (w === 0n) return Point.ZERO;
  const cache = blindingCache.get(base)!;
  let value = cache.get(w);
  if (value === undefined) {
    value = base.multiply(w);
    if (cache.size >= BLINDING_CACHE_SIZE) cache.delete(cache.keys().next().value!);
    cache.set(w, value);
  }
  return value;
}

function toBytes(value: string | Uint8Array | undefined): Uint8Array {
  if (value === undefined) return new Uint8Array();
  return typeof value === "string" ? encoder.encode(value) : value;
}

function bytesToBigInt(bytes: Uint8Array): bigint {
  let hex = "";
  for (const byte of bytes) hex += byte.toString(16).padStart(2, "0");
  return hex === "" ? 0n : BigInt("0x" + hex);
}

// RFC 9382 transcript: each field prefixed by its length as an 8-byte little-endian integer.
function concatWithLengths(parts: readonly Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + 8 + part.length, 0));
  const view = new DataView(out.buffer);
  let offset = 0;
  for (const part of parts) {
    view.setBigUint64(offset, BigInt(part.length), true);
    out.set(part, offset + 8);
    offset += 8 + part.length;
  }
  return out;
}
