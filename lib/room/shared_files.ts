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

import type { SharedFileInfo } from "../session/message.ts";
import type { Member } from "./member.ts";
import type { TransferPolicy } from "./transfer_policy.ts";

/**
 * Files a hub keeps for its members: its transfer policy (an offered file is kept, a `/get`
 * sends one), and the list.
 */
export interface SharedFiles extends TransferPolicy {
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
