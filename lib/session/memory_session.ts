/**
 * Two connected in-memory {@linkcode Session}s. The listener of a direct chat joins its own
 * room through one, so both people go through the same room and client code.
 *
 * @example
 * ```ts
 * import { memorySessionPair } from "./memory_session.ts";
 * const [a, b] = memorySessionPair("this computer");
 * a.post({ t: "ping" });
 * const { value } = await b.incoming.getReader().read();
 * console.log(value?.message.t); // "ping"
 * await a.close();
 * ```
 * @module
 */

import type { Envelope, Message } from "./message.ts";
import {
  type CloseReason,
  isBulk,
  type MessageHandler,
  receiveFromStream,
  type Session,
  type SessionProblem,
} from "./session.ts";

const HIGH_WATER = 4 * 1024 * 1024;

/** What a message weighs in an inbox, as the stream counts it. */
function weight(envelope: Envelope): number {
  return envelope.body.length + 64;
}

class MemorySession implements Session {
  readonly remote: string;
  readonly incoming: ReadableStream<Envelope>;
  readonly closed: Promise<CloseReason>;
  /** Never called: nothing is encoded or decoded in memory. */
  onProblem: ((problem: SessionProblem) => void) | undefined;
  peer!: MemorySession;
  #controller!: ReadableStreamDefaultController<Envelope>;
  #resolveClosed!: (reason: CloseReason) => void;
  #drainWaiters: (() => void)[] = [];
  #done = false;
  /** What `cork` holds back, or `undefined` when not corked. */
  #held: Envelope[] | undefined;
  /** Chat and notices (not file data) that a cork holds. */
  #heldControl = 0;
  /** Chat and notices (not file data) in this session's inbox, not yet taken by its reader. */
  #inboxControl = 0;
  /** Who waits for this session's backlog to shrink, and to what. */
  #backlogWaiters: { bytes: number; wake: () => void }[] = [];

  constructor(remote: string) {
    this.remote = remote;
    this.closed = new Promise((resolve) => this.#resolveClosed = resolve);
    const inbox = new ReadableStream<Envelope>({
      start: (controller) => {
        this.#controller = controller;
      },
      pull: () => this.#wake(),
      cancel: () => this.close(),
    }, { highWaterMark: HIGH_WATER, size: weight });
    // One step more, to count chat and notices as the reader takes them.
    this.incoming = inbox.pipeThrough(
      new TransformStream<Envelope, Envelope>({
        transform: (envelope, controller) => {
          if (!isBulk(envelope.message)) {
            this.#inboxControl -= weight(envelope);
            this.peer.#wakeBacklog(false);
          }
          controller.enqueue(envelope);
        },
      }),
    );
  }

  /** Chat and notices waiting in the peer's inbox or held by a cork; see {@linkcode Session.backlog}. */
  get backlog(): number {
    return this.#done ? 0 : this.peer.#inboxControl + this.#heldControl;
  }

  backlogBelow(bytes: number): Promise<void> {
    if (this.#done || this.backlog <= bytes) return Promise.resolve();
    return new Promise((wake) => this.#backlogWaiters.push({ bytes, wake }));
  }

  #wakeBacklog(all: boolean): void {
    const waiting = this.#backlogWaiters;
    this.#backlogWaiters = [];
    for (const waiter of waiting) {
      if (all || this.backlog <= waiter.bytes) waiter.wake();
      else this.#backlogWaiters.push(waiter);
    }
  }

  receive(handler: MessageHandler): Promise<void> {
    return receiveFromStream(this.incoming, handler);
  }

  // No encoding in memory: the record a broadcast made for the network is not needed.
  post(message: Message, body: Uint8Array = new Uint8Array(0), _record?: Uint8Array): void {
    if (this.#done) return;
    if (this.#held) {
      const envelope = { message, body };
      this.#held.push(envelope);
      if (!isBulk(message)) this.#heldControl += weight(envelope);
    } else this.peer.deliver({ message, body });
  }

  cork(): void {
    this.#held ??= [];
  }

  uncork(): void {
    const held = this.#held ?? [];
    this.#held = undefined;
    this.#heldControl = 0;
    for (const envelope of held) this.post(envelope.message, envelope.body);
    this.#wakeBacklog(false);
  }

  deliver(envelope: Envelope): void {
    if (this.#done) return;
    if (!isBulk(envelope.message)) this.#inboxControl += weight(envelope);
    this.#controller.enqueue(envelope);
  }

  /** Waits for the peer's inbox to have room. */
  drained(): Promise<void> {
    return this.peer.#room();
  }

  close(reason?: string): Promise<void> {
    this.uncork();
    this.#end(reason);
    this.peer.#end(reason === undefined ? "the peer left" : reason);
    return Promise.resolve();
  }

  abort(reason: string): void {
    this.#held = undefined;
    this.#heldControl = 0;
    this.#end(reason);
    this.peer.#end(reason);
  }

  #room(): Promise<void> {
    if (this.#done || (this.#controller.desiredSize ?? 0) > 0) return Promise.resolve();
    return new Promise((resolve) => this.#drainWaiters.push(resolve));
  }

  #wake(): void {
    const waiters = this.#drainWaiters;
    this.#drainWaiters = [];
    for (const wake of waiters) wake();
  }

  #end(reason: CloseReason): void {
    if (this.#done) return;
    this.#done = true;
    try {
      this.#controller.close();
    } catch { /* already closed or cancelled */ }
    this.#wake();
    this.#wakeBacklog(true);
    this.#resolveClosed(reason);
  }
}

/** Returns two sessions wired to each other; `remote` names the other end for people. */
export function memorySessionPair(remote = "this computer"): [Session, Session] {
  const a = new MemorySession(remote);
  const b = new MemorySession(remote);
  a.peer = b;
  b.peer = a;
  return [a, b];
}
