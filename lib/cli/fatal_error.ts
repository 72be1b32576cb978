/**
 * The failure that ends a command with exit code 1 and one clear line.
 *
 * @example
 * ```ts
 * import { FatalError } from "./fatal_error.ts";
 * throw new FatalError("Could not connect to 10.0.0.5:5050: connection refused");
 * ```
 * @module
 */

/** A failure that ends the command with exit code 1 and this message. */
export class FatalError extends Error {
  /** Creates the error. */
  constructor(message: string) {
    super(message);
    this.name = "FatalError";
  }
}
