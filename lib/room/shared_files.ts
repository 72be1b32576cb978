/**
 * The contract between a hub room and its kept files.
 *
 * @example
 * ```ts ignore
 * import type { SharedFiles } from "./shared_files.ts";
 * function count(files: SharedFiles) {
 *   return files.list().length;
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
  /** Every kept file, oldest first. */
  list(): SharedFileInfo[];
  /**
   * Sends kept file `file` to `member` as offer, chunks and end, in the background (the
   * member's other messages are not held meanwhile).
   */
  send(member: Member, file: number): void;
}
