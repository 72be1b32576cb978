/**
 * HKDF-SHA256 (RFC 5869) and HMAC-SHA256 (RFC 2104) as the handshake uses them: SPAKE2's
 * confirmation keys and MACs (spake2.ts), the channel keys and the safety code (handshake.ts).
 * Through `node:crypto`, whose calls are synchronous and several times cheaper than an awaited
 * WebCrypto call (bench/NOTES.md); held to Wycheproof's vectors in the tests.
 *
 * @example
 * ```ts
 * import { hkdfSha256, hmacSha256, macEquals } from "./hkdf_hmac.ts";
 * const key = hkdfSha256(new Uint8Array(16), new Uint8Array(), new Uint8Array(), 32);
 * const mac = hmacSha256(key, new TextEncoder().encode("transcript"));
 * console.log(mac.length, macEquals(mac, mac.slice())); // 32 true
 * ```
 * @module
 */

import { createHmac, hkdfSync, timingSafeEqual } from "node:crypto";

/**
 * HKDF-SHA256 of `ikm` with `salt` and `info`: `length` bytes (at most 255 * 32; more throws
 * a `RangeError`, as RFC 5869 forbids them).
 *
 * @example
 * ```ts
 * import { hkdfSha256 } from "./hkdf_hmac.ts";
 * const okm = hkdfSha256(new Uint8Array([1]), new Uint8Array(), new TextEncoder().encode("w"), 48);
 * console.log(okm.length); // 48
 * ```
 */
export function hkdfSha256(
  ikm: Uint8Array,
  salt: Uint8Array,
  info: Uint8Array,
  length: number,
): Uint8Array<ArrayBuffer> {
  return new Uint8Array(hkdfSync("sha256", ikm, salt, info, length));
}

/**
 * HMAC-SHA256 of `data` under `key`: 32 bytes.
 *
 * @example
 * ```ts
 * import { hmacSha256 } from "./hkdf_hmac.ts";
 * console.log(hmacSha256(new Uint8Array(16), new Uint8Array()).length); // 32
 * ```
 */
export function hmacSha256(key: Uint8Array, data: Uint8Array): Uint8Array<ArrayBuffer> {
  return new Uint8Array(createHmac("sha256", key).update(data).digest());
}

/**
 * Whether two MACs are equal, in time that does not depend on where they differ; `false` for
 * different lengths.
 *
 * @example
 * ```ts
 * import { macEquals } from "./hkdf_hmac.ts";
 * console.log(macEquals(new Uint8Array([1, 2]), new Uint8Array([1, 3]))); // false
 * ```
 */
export function macEquals(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
