/**
 * Member names, as ssh-chat does them: `[A-Za-z0-9_.-]`, at most 16 characters, unique
 * ignoring case.
 *
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
