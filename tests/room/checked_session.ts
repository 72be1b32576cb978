/**
 * Test helper: a {@linkcode Session} that holds every message it receives to what a member
 * on the network would accept. Memory sessions pass messages as objects; this one encodes
 * each as the wire would, decodes it as a receiver does (the header limit included) and
 * validates it, noting each one a real member would have refused (and been cut off by).
 *
 * @example
 * ```ts ignore
 * import { CheckedSession } from "./checked_session.ts";
 * const session = new CheckedSession(chat.connect());
 * await client.join(session);
 * assert.deepEqual(session.refused, []);
 * ```
 * @module
 */

import { type Envelope, parseMessage } from "../../lib/session/message.ts";
import type {
  CloseReason,
  MessageHandler,
  Session,
  SessionProblem,
} from "../../lib/session/session.ts";
import { receiveFromStream } from "../../lib/session/session.ts";
import { decodeRecord, encodeRecord } from "../../lib/wire/codec.ts";

/** A session whose incoming messages are checked against the receiver's limits. */
export class CheckedSession implements Session {
  /** Why each refused message would have been refused, with its type. */
  readonly refused: string[] = [];
  /** The largest JSON header received, in bytes. */
  largestHeader = 0;
  /** Messages received. */
  received = 0;
  readonly incoming: ReadableStream<Envelope>;
  #inner: Session;

  /** Wraps `inner`, the member's side of a connection. */
  constructor(inner: Session) {
    this.#inner = inner;
    this.incoming = inner.incoming.pipeThrough(
      new TransformStream<Envelope, Envelope>({
        transform: (envelope, controller) => {
          this.#check(envelope);
          controller.enqueue(envelope);
        },
      }),
    );
  }

  #check({ message, body }: Envelope): void {
    this.received++;
    const record = encodeRecord(message, body);
    const headerBytes = new DataView(record.buffer, record.byteOffset).getUint32(0);
    this.largestHeader = Math.max(this.largestHeader, headerBytes);
    try {
      parseMessage(decodeRecord(record).header);
    } catch (error) {
      this.refused.push(`${message.t} (${headerBytes} bytes): ${(error as Error).message}`);
    }
  }

  get remote(): string {
    return this.#inner.remote;
  }
  get closed(): Promise<CloseReason> {
    return this.#inner.closed;
  }
  get backlog(): number {
    return this.#inner.backlog;
  }
  receive(handler: MessageHandler): Promise<void> {
    return receiveFromStream(this.incoming, handler);
  }
  post(...args: Parameters<Session["post"]>): void {
    this.#inner.post(...args);
  }
  cork(): void {
    this.#inner.cork();
  }
  uncork(): void {
    this.#inner.uncork();
  }
  backlogBelow(bytes: number): Promise<void> {
    return this.#inner.backlogBelow(bytes);
  }
  get onProblem(): ((problem: SessionProblem) => void) | undefined {
    return this.#inner.onProblem;
  }
  set onProblem(handler: ((problem: SessionProblem) => void) | undefined) {
    this.#inner.onProblem = handler;
  }
  drained(): Promise<void> {
    return this.#inner.drained();
  }
  close(reason?: string): Promise<void> {
    return this.#inner.close(reason);
  }
  abort(reason: string): void {
    this.#inner.abort(reason);
  }
}
