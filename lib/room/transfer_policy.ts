/**
 * What a room does with the files its members send: the one place a room hands every transfer
 * message to. Two policies implement it: {@linkcode DirectRelay} (a direct chat: the file goes
 * straight on to the other person) and `HubFiles` (a hub: the file is kept, and fetched with
 * `/get`). The room itself only routes.
 *
 * @example
 * ```ts ignore
 * import type { TransferPolicy } from "./transfer_policy.ts";
 * function route(policy: TransferPolicy, member: Member, envelope: Envelope) {
 *   if (envelope.message.t === "chunk") return policy.chunk(member, envelope.message.fid, envelope.body);
 * }
 * ```
 * @module
 */

import type { Message } from "../session/message.ts";
import type { Member } from "./member.ts";

/**
 * What a transfer policy may ask of its room (a `Room` is one): described here, not imported,
 * so the room and its policies do not import each other.
 */
export interface FileRoom {
  /** The members now in the room. */
  members(): Iterable<Member>;
  /** Tells every member a file is now shared, and the host's log. */
  announce(message: Extract<Message, { t: "shared" }>): void;
  /** Tells the host's log that a member's file `name` failed. */
  reportFailure(from: string, name: string, reason: string): void;
}

/** A room's handling of the transfer messages its members send. */
export interface TransferPolicy {
  /** Called once by the room it serves, before any message. */
  attach(room: FileRoom): void;
  /** A member offers a file (as its sender). */
  offer(member: Member, offer: Extract<Message, { t: "offer" }>): Promise<void> | void;
  /** A member (as a sender) starts its file at an offset, after the receiver's `ready`. */
  start(member: Member, start: Extract<Message, { t: "start" }>): Promise<void> | void;
  /** A member (as a sender) gives its whole-file hash, asked for by the receiver's `ready`. */
  check(member: Member, check: Extract<Message, { t: "check" }>): Promise<void> | void;
  /** A member (as a receiver) says what it holds of a file it is offered. */
  ready(member: Member, ready: Extract<Message, { t: "ready" }>): void;
  /** A member (as a receiver) asks its person about a file it is offered. */
  asking(member: Member, asking: Extract<Message, { t: "asking" }>): void;
  /** A chunk of a file a member sends. */
  chunk(member: Member, fid: number, body: Uint8Array): Promise<void> | void;
  /** A member's file is complete, with its hash. */
  end(member: Member, end: Extract<Message, { t: "end" }>): Promise<void> | void;
  /** A member gives up sending a file. */
  cancel(member: Member, cancel: Extract<Message, { t: "cancel" }>): Promise<void> | void;
  /** A member's verdict on a file it was sent. */
  received(member: Member, received: Extract<Message, { t: "received" }>): void;
  /**
   * A member left: its transfers end. `quit`: it said goodbye, stopping the files it was
   * sending (`cancelled by NAME (quit)`, nothing kept); else it was cut off (`NAME left`).
   */
  left(member: Member, quit?: boolean): Promise<void>;
}
