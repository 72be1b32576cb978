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

import { type ErrorWords, errorWords } from "../session/network_error.ts";

const WORDS: ErrorWords = [
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
  const plain = errorWords(error, WORDS);
  return plain.charAt(0).toLowerCase() + plain.slice(1);
}
