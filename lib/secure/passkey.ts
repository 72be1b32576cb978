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
  // Three different words: a repeated one adds nothing to a passkey's strength.
  while (parts.length <= PASSKEY_WORD_COUNT) {
    const word = PASSKEY_WORDS[randomBelow(PASSKEY_WORDS.length)];
    if (!parts.includes(word)) parts.push(word);
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
 * Entropy of a generated passkey in bits (about 42.9: 999 numbers and three different words
 * from 2000).
 *
 * @example
 * ```ts
 * import { passkeyEntropyBits } from "./passkey.ts";
 * console.log(passkeyEntropyBits() >= 40); // true
 * ```
 */
export function passkeyEntropyBits(): number {
  let bits = Math.log2(PASSKEY_MAX_NUMBER);
  for (let i = 0; i < PASSKEY_WORD_COUNT; i++) bits += Math.log2(PASSKEY_WORDS.length - i);
  return bits;
}

/**
 * The least estimated strength, in bits, of a passkey p2pchat accepts. A generated passkey has
 * about 42.9; at the listener's pace of guesses (three free, then one a second for the whole
 * listener once its budget is spent) 40 bits take tens of thousands of years to guess.
 */
export const MIN_PASSKEY_BITS = 40;

const WORDS: ReadonlySet<string> = new Set(PASSKEY_WORDS);

/**
 * A conservative estimate of how many guesses a passkey resists, in bits, counted as an
 * attacker who knows how passkeys are made would guess:
 *
 * - a first part of 1 to 3 digits (the generated form's number): log2(999), 10 bits;
 * - each word of p2pchat's list of 2000: log2(2000), 11 bits (a repeated one: nothing);
 * - everything else, run together, like a password a person chose (NIST SP 800-63-1, appendix
 *   A): 4 bits for the first character, 2 for each of the next 7, 1.5 for each of the 12
 *   after them and 1 beyond; a character repeating the one before it, or extending a run such
 *   as `abc` or `321`, counts nothing.
 *
 * @example
 * ```ts
 * import { passkeyStrengthBits } from "./passkey.ts";
 * console.log(Math.round(passkeyStrengthBits("7-orbit-lemon-cradle"))); // 43
 * console.log(passkeyStrengthBits("1234")); // 6
 * ```
 */
export function passkeyStrengthBits(passkey: string): number {
  const parts = normalizePasskey(passkey).split("-").filter((part) => part !== "");
  const used = new Set<string>();
  let bits = 0;
  let rest = "";
  parts.forEach((part, i) => {
    if (i === 0 && /^[1-9]\d{0,2}$/.test(part)) bits += Math.log2(PASSKEY_MAX_NUMBER);
    else if (WORDS.has(part)) {
      if (!used.has(part)) bits += Math.log2(PASSKEY_WORDS.length);
      used.add(part);
    } else rest += part;
  });
  return bits + chosenTextBits(rest);
}

/**
 * Why `passkey` is too weak to use, or `undefined` when it is strong enough (see
 * {@linkcode passkeyStrengthBits} and {@linkcode MIN_PASSKEY_BITS}).
 *
 * @example
 * ```ts
 * import { passkeyWeakness } from "./passkey.ts";
 * console.log(passkeyWeakness("7-orbit-lemon-cradle")); // undefined
 * console.log(passkeyWeakness("1234")?.startsWith("The passkey is too weak")); // true
 * ```
 */
export function passkeyWeakness(passkey: string): string | undefined {
  const bits = passkeyStrengthBits(passkey);
  if (bits >= MIN_PASSKEY_BITS) return undefined;
  return `The passkey is too weak: it could be guessed online (about ${Math.floor(bits)} ` +
    `bits; p2pchat asks for ${MIN_PASSKEY_BITS}, as in a generated passkey such as ` +
    `7-orbit-lemon-cradle)`;
}

// NIST SP 800-63-1 appendix A's estimate for a password a person chose, without its bonuses.
function chosenTextBits(text: string): number {
  const points = [...text].map((char) => char.codePointAt(0)!);
  let counted = 0;
  let bits = 0;
  points.forEach((point, i) => {
    if (i > 0 && point === points[i - 1]) return;
    if (i > 1 && point - points[i - 1] === points[i - 1] - points[i - 2]) {
      const step = point - points[i - 1];
      if (step === 1 || step === -1) return;
    }
    counted++;
    bits += counted === 1 ? 4 : counted <= 8 ? 2 : counted <= 20 ? 1.5 : 1;
  });
  return bits;
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
