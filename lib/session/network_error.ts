/**
 * Plain words for network errors: `connection refused`, not a stack trace.
 *
 * @example
 * ```ts
 * import { describeNetworkError } from "./network_error.ts";
 * console.log(describeNetworkError(new Deno.errors.ConnectionRefused("x"))); // connection refused
 * ```
 * @module
 */

/** Kinds of runtime error and the words for each, first match wins. */
export type ErrorWords = [new (...args: never[]) => Error, string][];

const WORDS: ErrorWords = [
  [Deno.errors.ConnectionRefused, "connection refused"],
  [Deno.errors.TimedOut, "timed out"],
  [Deno.errors.AddrInUse, "address in use (is another p2pchat running on this port?)"],
  [Deno.errors.AddrNotAvailable, "that address is not on this computer"],
  [Deno.errors.PermissionDenied, "permission denied"],
  [Deno.errors.NotFound, "host not found"],
  [Deno.errors.ConnectionReset, "connection reset"],
  [Deno.errors.NetworkUnreachable, "network unreachable"],
];

/**
 * The words `table` has for the kind of `error`, else its message without the OS's error number
 * and what follows it (`No such file or directory (os error 2): open 'x'`).
 *
 * @example
 * ```ts
 * import { errorWords } from "./network_error.ts";
 * console.log(errorWords(new Error("Broken pipe (os error 32)"), [])); // "Broken pipe"
 * ```
 */
export function errorWords(error: unknown, table: ErrorWords): string {
  for (const [type, words] of table) if (error instanceof type) return words;
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/\s*\(os error \d+\).*$/s, "");
}

/** Describes a network error in a few words. */
export function describeNetworkError(error: unknown): string {
  if (error instanceof DOMException && error.name === "TimeoutError") return "timed out";
  for (const [type, words] of WORDS) if (error instanceof type) return words;
  const message = error instanceof Error ? error.message : String(error);
  if (/failed to lookup|name or service not known|no address/i.test(message)) {
    return "host not found";
  }
  if (/host is unreachable|no route/i.test(message)) return "host unreachable";
  return message.replace(/\s*\(os error \d+\)$/, "");
}
