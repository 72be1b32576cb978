/**
 * Why a chat could not start or ended badly, in words for people: each face shows the message
 * (the terminal exits 1 with it, the browser keeps its form with it).
 *
 * @example
 * ```ts
 * import { ChatError } from "./chat_error.ts";
 * throw new ChatError("Could not connect to 10.0.0.5:5050: connection refused");
 * ```
 * @module
 */

/** A failure of the front door, with a message for people. */
export class ChatError extends Error {
  /** Creates the error. */
  constructor(message: string) {
    super(message);
    this.name = "ChatError";
  }
}
