/**
 * The contract between a hub room and its kept files.
 *
 * @example
 * ```ts ignore
 * import type { SharedFiles } from "./shared_files.ts";
 * function newest(files: SharedFiles) {
 *   return files.list(0, 1)[0];
 * }
 * ```
 * @module
 */

import type { Message, SharedFileInfo } from "../session/message.ts";
import type { InboundTransfer, Member } from "./member.ts";

/**
 * What kept files may tell the room (a hub's `Room` is one): described here, not imported, so
 * the room and its files do not import each other.
 */
export interface FileRoom {
  /** Tells every member a file is now shared, and the host's log. */
  announce(message: Extract<Message, { t: "shared" }>): void;
  /** Tells the host's log that a member's upload of `name` failed. */
  reportFailure(from: string, name: string, reason: string): void;
}

/** Files a hub keeps for its members. */
export interface SharedFiles {
  /**
   * Starts keeping a file a member offers; the transfer receives its chunks. `undefined` when
   * it was refused at once (the member was told why): nothing was opened.
   */
  receive(
    member: Member,
    offer: Extract<Message, { t: "offer" }>,
    room: FileRoom,
  ): Promise<InboundTransfer | undefined>;
  /** A member's verdict on a file the hub sent it. */
  delivered(member: Member, received: Extract<Message, { t: "received" }>): void;
  /** How many files are kept. */
  count(): number;
  /** Kept files, newest first: up to `limit` of them, from the `offset`-th on. */
  list(offset: number, limit: number): SharedFileInfo[];
  /**
   * Sends kept file `file` to `member` as offer, chunks and end, in the background (the
   * member's other messages are not held meanwhile).
   */
  send(member: Member, file: number): void;
  /**
   * Removes kept file `file`, its entry and its data; resolves with what it was, or
   * `undefined` when there is no such file. A download under way goes on from the open file.
   */
  remove(file: number): Promise<SharedFileInfo | undefined>;
}
