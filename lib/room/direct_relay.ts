/**
 * The transfer policy of a direct chat: a file a member sends goes straight on to the other
 * person, chunk by chunk, at the pace the receiver takes it; nothing is kept. The receiver's
 * verdict goes back to the sender.
 *
 * @example
 * ```ts ignore
 * import { DirectRelay } from "./direct_relay.ts";
 * const room = new Room({ kind: "direct", capacity: 2, history, transfers: new DirectRelay() });
 * ```
 * @module
 */

import type { Message } from "../session/message.ts";
import type { Member } from "./member.ts";
import { cancelledByQuit, refusalReason } from "./refusal.ts";
import type { FileRoom, TransferPolicy } from "./transfer_policy.ts";
import { TRANSFERS_AT_ONCE } from "./transfer_limits.ts";

/** One file on its way through: the sender's id of it, and who it goes to. */
interface Forward {
  sender: Member;
  senderFid: number;
  target: Member;
}

/** Passes files from one member to the other. */
export class DirectRelay implements TransferPolicy {
  #room: FileRoom | undefined;
  /** Files on their way, by the id the receiver knows them by. */
  #forwards: Map<number, Forward> = new Map();
  /** Each sender's files on their way, by the sender's id: the relay's id of each. */
  #sending: WeakMap<Member, Map<number, number>> = new WeakMap();
  #nextFid = 1;

  /**
   * Serves `room`.
   *
   * @example
   * ```ts ignore
   * relay.attach(room);
   * ```
   */
  attach(room: FileRoom): void {
    this.#room = room;
  }

  /**
   * Forwards an offer to the other member, unless one is missing or the sender sends too many.
   *
   * @example
   * ```ts ignore
   * relay.offer(bob, { t: "offer", fid: 1, name: "a.txt", size: 3 });
   * ```
   */
  offer(member: Member, offer: Extract<Message, { t: "offer" }>): void {
    const sending = this.#sendingOf(member);
    if (sending.has(offer.fid)) {
      member.post({ t: "received", fid: offer.fid, ok: false, reason: "duplicate file id" });
      return;
    }
    // Refused before anything is forwarded: each transfer holds a file open on the other side.
    if (sending.size >= TRANSFERS_AT_ONCE) {
      const reason = refusalReason(
        `refused '${offer.name}': you are already sending ${TRANSFERS_AT_ONCE} files; ` +
          "send more when one is done",
      );
      member.post({ t: "received", fid: offer.fid, ok: false, reason });
      // Logged like a line is relayed: a flood of refused offers must not flood the log.
      if (member.limiter.allow()) this.#room?.reportFailure(member.name, offer.name, reason);
      return;
    }
    let target: Member | undefined;
    for (const other of this.#room?.members() ?? []) if (other !== member) target = other;
    if (!target) {
      member.post({
        t: "received",
        fid: offer.fid,
        ok: false,
        reason: "No one else is in the chat yet.",
      });
      return;
    }
    const fid = this.#nextFid++;
    this.#forwards.set(fid, { sender: member, senderFid: offer.fid, target });
    sending.set(offer.fid, fid);
    target.post({
      t: "offer",
      fid,
      name: offer.name,
      size: offer.size,
      from: member.name,
      ...(offer.key !== undefined ? { key: offer.key } : {}),
      ...(offer.folder ? { folder: offer.folder } : {}),
    });
  }

  /**
   * Passes the sender's starting offset on.
   *
   * @example
   * ```ts ignore
   * relay.start(bob, { t: "start", fid: 1, offset: 0 });
   * ```
   */
  start(member: Member, start: Extract<Message, { t: "start" }>): void {
    const forward = this.#forward(member, start.fid);
    if (forward) forward.target.post({ t: "start", fid: forward.fid, offset: start.offset });
  }

  /**
   * Passes the sender's whole-file hash on.
   *
   * @example
   * ```ts ignore
   * relay.check(bob, { t: "check", fid: 1, sha256 });
   * ```
   */
  check(member: Member, check: Extract<Message, { t: "check" }>): void {
    const forward = this.#forward(member, check.fid);
    if (forward) forward.target.post({ t: "check", fid: forward.fid, sha256: check.sha256 });
  }

  /**
   * Passes the receiver's `ready` back to the sender, under the sender's id.
   *
   * @example
   * ```ts ignore
   * relay.ready(alice, { t: "ready", fid: 1, offset: 0 });
   * ```
   */
  ready(member: Member, ready: Extract<Message, { t: "ready" }>): void {
    const forward = this.#forwards.get(ready.fid);
    if (!forward || forward.target !== member) return;
    forward.sender.post({ ...ready, fid: forward.senderFid });
  }

  /**
   * Tells the sender that the receiver asks a person about its offer (it waits for them).
   *
   * @example
   * ```ts ignore
   * relay.asking(alice, { t: "asking", fid: 1 });
   * ```
   */
  asking(member: Member, asking: Extract<Message, { t: "asking" }>): void {
    const forward = this.#forwards.get(asking.fid);
    if (!forward || forward.target !== member) return;
    forward.sender.post({ t: "asking", fid: forward.senderFid });
  }

  /**
   * Passes a chunk on, and waits for the receiver so a fast sender cannot pile a whole file up
   * in the room.
   *
   * @example
   * ```ts ignore
   * await relay.chunk(bob, 1, body);
   * ```
   */
  async chunk(member: Member, fid: number, body: Uint8Array): Promise<void> {
    const forward = this.#forward(member, fid);
    if (!forward) return;
    forward.target.post({ t: "chunk", fid: forward.fid }, body);
    await forward.target.session.drained();
  }

  /**
   * Passes the end (and hash) on.
   *
   * @example
   * ```ts ignore
   * relay.end(bob, { t: "end", fid: 1, sha256 });
   * ```
   */
  end(member: Member, end: Extract<Message, { t: "end" }>): void {
    const forward = this.#forward(member, end.fid);
    this.#sendingOf(member).delete(end.fid);
    if (forward) forward.target.post({ t: "end", fid: forward.fid, sha256: end.sha256 });
  }

  /**
   * Passes the sender's cancel on.
   *
   * @example
   * ```ts ignore
   * relay.cancel(bob, { t: "cancel", fid: 1, reason: "stopped" });
   * ```
   */
  cancel(member: Member, cancel: Extract<Message, { t: "cancel" }>): void {
    const forward = this.#forward(member, cancel.fid);
    this.#sendingOf(member).delete(cancel.fid);
    if (forward && this.#forwards.delete(forward.fid)) {
      // `keep`: an offer given up unanswered leaves the receiver what it holds, for later.
      const keep = cancel.keep ? { keep: true } : {};
      forward.target.post({ t: "cancel", fid: forward.fid, reason: cancel.reason, ...keep });
    }
  }

  /**
   * Passes the receiver's verdict back to the sender; a refusal stops the rest of the file.
   *
   * @example
   * ```ts ignore
   * relay.received(alice, { t: "received", fid: 1, ok: true, sha256 });
   * ```
   */
  received(member: Member, received: Extract<Message, { t: "received" }>): void {
    const forward = this.#forwards.get(received.fid);
    if (!forward || forward.target !== member) return;
    this.#forwards.delete(received.fid);
    this.#sendingOf(forward.sender).delete(forward.senderFid);
    // `lost` is the room's word, never a receiver's: a receiver claiming it would stall the file.
    const { lost: _claimed, ...answer } = received;
    forward.sender.post({ ...answer, fid: forward.senderFid, by: member.name });
  }

  /**
   * Ends the member's transfers: files to it are refused to their senders, files from it
   * cancelled for their receivers: kept for a resume when it was cut off, not when it quit
   * (its goodbye overtook its own `cancel`).
   *
   * @example
   * ```ts ignore
   * await relay.left(alice);
   * ```
   */
  left(member: Member, quit = false): Promise<void> {
    for (const [fid, forward] of this.#forwards) {
      if (forward.target === member) {
        this.#forwards.delete(fid);
        this.#sendingOf(forward.sender).delete(forward.senderFid);
        forward.sender.post({
          t: "received",
          fid: forward.senderFid,
          ok: false,
          reason: `${member.name} left before the file arrived`,
          by: member.name,
          // Cut off, not gone: it may come back, and the file continue.
          ...(quit ? {} : { lost: true }),
        });
      } else if (forward.sender === member) {
        this.#forwards.delete(fid);
        if (quit) {
          forward.target.post({ t: "cancel", fid, reason: cancelledByQuit(member.name) });
        } else {
          // Lost, not stopping: the receiver keeps what arrived, for a resume.
          forward.target.post({ t: "cancel", fid, reason: `${member.name} left`, keep: true });
        }
      }
    }
    this.#sending.delete(member);
    return Promise.resolve();
  }

  #sendingOf(member: Member): Map<number, number> {
    let sending = this.#sending.get(member);
    if (!sending) this.#sending.set(member, sending = new Map());
    return sending;
  }

  /** The forward of `member`'s file `fid`, with the id its receiver knows it by. */
  #forward(member: Member, fid: number): (Forward & { fid: number }) | undefined {
    const relayFid = this.#sending.get(member)?.get(fid);
    if (relayFid === undefined) return undefined;
    const forward = this.#forwards.get(relayFid);
    return forward ? { ...forward, fid: relayFid } : undefined;
  }
}
