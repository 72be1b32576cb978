/**
 * Passkeys: short, speakable secrets such as `7-orbit-lemon-cradle` that authenticate every
 * connection through SPAKE2. Generated ones are a number from 1 to 999 and three words.
 *
 * @module
 */

import { PASSKEY_WORDS } from "./passkey_words.ts";

/** How many words a generated passkey has after its number. */
export const PASSKEY_WORD_COUNT = 3;
/** Generated passkeys start with a number from 1 to this. */
export const PASSKEY_MAX_NUMBER = 999;

/**
 * Creates a random passkey like `7-orbit-lemon-cradle`, drawing every part uniformly from
 * `crypto.getRandomValues` (see {@linkcode passkeyEntropyBits}).
 *
 * @example
 * ```ts
 * import { generatePasskey } from "./passkey.ts";
 * const passkey = generatePasskey();
 * console.log(/^\d{1,3}(-[a-z]+){3}$/.test(passkey)); // true
 * ```
 */
export function generatePasskey(): string {
  const parts = [String(1 + randomBelow(PASSKEY_MAX_NUMBER))];
  for (let i = 0; i < PASSKEY_WORD_COUNT; i++) {
    parts.push(PASSKEY_WORDS[randomBelow(PASSKEY_WORDS.length)]);
  }
  return parts.join("-");
}

/**
 * Brings a typed passkey to its canonical form, so that people can type it loosely: Unicode
 * NFKC, lowercase, surrounding space trimmed, and every run of spaces, underscores and dashes
 * turned into one dash (leading and trailing ones dropped).
 *
 * @example
 * ```ts
 * import { normalizePasskey } from "./passkey.ts";
 * console.log(normalizePasskey(" 7 Orbit  lemon_cradle ")); // "7-orbit-lemon-cradle"
 * ```
 */
export function normalizePasskey(passkey: string): string {
  return passkey
    .normalize("NFKC")
    .toLowerCase()
    .replace(/[\s_-]+/gu, "-")
    .replace(/^-+|-+$/g, "");
}

/**
 * Entropy of a generated passkey in bits (about 42.9: 999 numbers and three words from 2000).
 *
 * @example
 * ```ts
 * import { passkeyEntropyBits } from "./passkey.ts";
 * console.log(passkeyEntropyBits() >= 40); // true
 * ```
 */
export function passkeyEntropyBits(): number {
  return Math.log2(PASSKEY_MAX_NUMBER) + PASSKEY_WORD_COUNT * Math.log2(PASSKEY_WORDS.length);
}

// Uniform integer in [0, bound) by rejection sampling, so no value is favoured.
function randomBelow(bound: number): number {
  const range = 2 ** 32;
  const limit = range - (range % bound);
  const buffer = new Uint32Array(1);
  while (true) {
    crypto.getRandomValues(buffer);
    if (buffer[0] < limit) return buffer[0] % bound;
  }
}
