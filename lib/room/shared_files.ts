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
import type { Room } from "./room.ts";

/** Files a hub keeps for its members. */
export interface SharedFiles {
  /**
   * Starts keeping a file a member offers; the transfer receives its chunks. `undefined` when
   * it was refused at once (the member was told why): nothing was opened.
   */
  receive(
    member: Member,
    offer: Extract<Message, { t: "offer" }>,
    room: Room,
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
