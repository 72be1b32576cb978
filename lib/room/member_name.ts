/**
 * Member names, as ssh-chat does them: `[A-Za-z0-9_.-]`, at most 16 characters, unique
 * ignoring case; and their {@linkcode skeleton}, so two names that look alike cannot both be
 * in a room.
 *
 * @example
 * ```ts
 * import { skeleton } from "./member_name.ts";
 * console.log(skeleton("aIice") === skeleton("alice")); // true
 * ```
 * @module
 */

/** Longest member name, in characters (all ASCII, so also in bytes). */
export const MAX_NAME_LENGTH = 16;

const DISALLOWED = /[^A-Za-z0-9_.-]/g;
const VALID = /^[A-Za-z0-9_.-]{1,16}$/;

/**
 * Keeps only `[A-Za-z0-9_.-]` from `raw` and cuts the result to 16 characters. May return
 * `""` (nothing usable was left); the caller decides what to do then, e.g. `Guest<N>`.
 *
 * @param raw A name as typed or as a peer sent it.
 * @returns The sanitized name, possibly empty.
 *
 * @example
 * ```ts
 * import { sanitizeName } from "./member_name.ts";
 *
 * sanitizeName("Alice Smith!"); // "AliceSmith"
 * sanitizeName("\x1b[31m"); // "31m"
 * sanitizeName("😀"); // ""
 * ```
 */
export function sanitizeName(raw: string): string {
  return raw.replace(DISALLOWED, "").slice(0, MAX_NAME_LENGTH);
}

/**
 * Whether `s` is already a usable name: 1 to 16 characters of `[A-Za-z0-9_.-]`.
 *
 * @param s The name to check.
 * @returns `true` when `s` is valid.
 *
 * @example
 * ```ts
 * import { isValidName } from "./member_name.ts";
 *
 * isValidName("alice"); // true
 * isValidName("al ice"); // false
 * isValidName(""); // false
 * ```
 */
export function isValidName(s: string): boolean {
  return VALID.test(s);
}

/**
 * Why `name` cannot be a member's name, in the words people are shown.
 *
 * @example
 * ```ts
 * import { notAllowedName } from "./member_name.ts";
 * notAllowedName("al ice"); // 'The name "al ice" is not allowed: use 1-16 of A-Z a-z 0-9 _ . -'
 * ```
 */
export function notAllowedName(name: string): string {
  return `The name "${name}" is not allowed: use 1-16 of A-Z a-z 0-9 _ . -`;
}

/**
 * `name` numbered `n` for a second person with the same default name: `root-2`, cut so that
 * it stays within 16 characters (`a-very-long-na-2`).
 *
 * @example
 * ```ts
 * import { numberedName } from "./member_name.ts";
 * numberedName("root", 2); // "root-2"
 * ```
 */
export function numberedName(name: string, n: number): string {
  const suffix = `-${n}`;
  return name.slice(0, MAX_NAME_LENGTH - suffix.length) + suffix;
}

/**
 * Whether two names denote the same member: equal ignoring (ASCII) case.
 *
 * @param a One name.
 * @param b Another name.
 * @returns `true` when they clash.
 *
 * @example
 * ```ts
 * import { sameName } from "./member_name.ts";
 *
 * sameName("Alice", "alice"); // true
 * sameName("alice", "alicia"); // false
 * ```
 */
export function sameName(a: string, b: string): boolean {
  return nameKey(a) === nameKey(b);
}

/**
 * The form of a name that two clashing names share, to index members by name.
 *
 * @param name A member's name.
 * @returns The name with ASCII letters in lower case.
 *
 * @example
 * ```ts
 * import { nameKey } from "./member_name.ts";
 *
 * nameKey("Alice"); // "alice"
 * ```
 */
export function nameKey(name: string): string {
  // ASCII-only folding: names are ASCII, and full Unicode folding would make e.g.
  // "K" (Kelvin sign) equal to "k" in one place and not another.
  return name.replace(/[A-Z]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 32));
}

/**
 * What each character of a name looks like, after ASCII lower-casing: characters that are
 * easily taken for one another share a form, and `m`, `w` and `d` become the pairs they are
 * mistaken for (`rn`, `vv`, `cl`), so both spellings meet however the pair is split.
 * Characters not listed stand for themselves. Kept small on purpose: every merge here is a
 * name somebody cannot have (`6`, `q`, `u`, `n` stay apart, or `m6` and `m8` would clash).
 */
const LOOKS_LIKE: { readonly [char: string]: string } = {
  "0": "o",
  "1": "l",
  "i": "l",
  "2": "z",
  "5": "s",
  "8": "b",
  "9": "g",
  "m": "rn",
  "w": "vv",
  "d": "cl",
  "-": "_",
  ".": "_",
};

/**
 * The form two names share when a person could take one for the other: case, `l`/`I`/`1`/`i`,
 * `O`/`0`, `S`/`5`, `Z`/`2`, `B`/`8`, `g`/`9`, `rn`/`m`, `vv`/`w`, `cl`/`d`, and `_`/`-`/`.`.
 * A room keeps at most one name per skeleton, so `aIice` cannot join beside `alice`.
 *
 * @param name A valid member name (any string is accepted; others pass through lower-cased).
 * @returns The skeleton, at most twice as long as `name`.
 *
 * @example
 * ```ts
 * import { skeleton } from "./member_name.ts";
 *
 * skeleton("Alice"); // "allce"
 * skeleton("a1ice") === skeleton("aIice"); // true
 * skeleton("bob_") === skeleton("B0B."); // true
 * skeleton("rnary") === skeleton("mary"); // true
 * ```
 */
export function skeleton(name: string): string {
  let out = "";
  for (const char of nameKey(name)) out += LOOKS_LIKE[char] ?? char;
  return out;
}
