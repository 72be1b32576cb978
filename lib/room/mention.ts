/**
 * Whether a line mentions someone: their name as a word, ignoring case (`Bob, look`, `@bob`,
 * `thanks bob.`), not inside a longer word or name (`bobby`, `bob_2`, `bob.smith`).
 *
 * @example
 * ```ts
 * import { mentions } from "./mention.ts";
 * console.log(mentions("hey @Bob, look", "bob"), mentions("bobby tables", "bob")); // true false
 * ```
 * @module
 */

const NAME_CHAR = "A-Za-z0-9_";

/** Patterns by name: a member's name rarely changes, and every line is looked at. */
const patterns: Map<string, RegExp> = new Map();

/**
 * Whether `text` mentions `name` as a word, ignoring (ASCII) case. A `.` or `-` right after
 * the name counts as the end of a sentence unless a name character follows it.
 *
 * @example
 * ```ts
 * import { mentions } from "./mention.ts";
 * console.log(mentions("ask alice.", "alice"), mentions("alice.smith said", "alice")); // true false
 * ```
 */
export function mentions(text: string, name: string): boolean {
  if (name === "") return false;
  let pattern = patterns.get(name);
  if (!pattern) {
    const escaped = name.replace(/[.\-]/g, "\\$&");
    // No `u` flag: with it `i` would fold non-ASCII letters (the Kelvin sign) onto names.
    pattern = new RegExp(
      `(?<![${NAME_CHAR}.\\-])${escaped}(?![${NAME_CHAR}]|[.\\-][${NAME_CHAR}])`,
      "i",
    );
    if (patterns.size >= 16) patterns.clear();
    patterns.set(name, pattern);
  }
  return pattern.test(text);
}
