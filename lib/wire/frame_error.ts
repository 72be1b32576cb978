/**
 * The error raised when bytes from a peer do not form valid frames or records.
 *
 * @example
 * ```ts
 * import { FrameError } from "./frame_error.ts";
 * const error = new FrameError("frame of 9 bytes exceeds the limit of 8 bytes");
 * console.log(error.message);
 * ```
 * @module
 */

/** Malformed or oversized input from a peer; the message is meant for people. */
export class FrameError extends Error {
  /** Creates the error with a message a person can read. */
  constructor(message: string) {
    super(message);
    this.name = "FrameError";
  }
}
