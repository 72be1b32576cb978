/**
 * Why a file we were asked to send cannot be read, in plain words: what the runtime reports
 * carries OS text (`No such file or directory (os error 2): open 'x'`) that says the path
 * twice and the error number to no one.
 *
 * @example
 * ```ts
 * import { readErrorText } from "./read_error.ts";
 * console.log(readErrorText(new Deno.errors.NotFound("No such file or directory (os error 2)")));
 * // "no such file"
 * ```
 * @module
 */

const WORDS: [new (...args: never[]) => Error, string][] = [
  [Deno.errors.NotFound, "no such file"],
  [Deno.errors.PermissionDenied, "permission denied"],
  [Deno.errors.NotCapable, "permission denied"],
  [Deno.errors.IsADirectory, "it is a folder"],
  [Deno.errors.NotADirectory, "a part of the path is not a folder"],
  [Deno.errors.FilesystemLoop, "the path loops (symbolic links)"],
];

/**
 * `error` (from opening or reading a file) in a few plain words.
 *
 * @example
 * ```ts
 * import { readErrorText } from "./read_error.ts";
 * const error = new Error("Input/output error (os error 5): read 'x'");
 * console.log(readErrorText(error)); // "input/output error"
 * ```
 */
export function readErrorText(error: unknown): string {
  for (const [type, words] of WORDS) if (error instanceof type) return words;
  const message = error instanceof Error ? error.message : String(error);
  // The OS's words without the error number and the repeated path.
  const plain = message.replace(/\s*\(os error \d+\).*$/s, "");
  return plain.charAt(0).toLowerCase() + plain.slice(1);
}
