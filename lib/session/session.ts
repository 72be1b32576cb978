/**
 * A session: typed messages with one peer, whatever carries them (an encrypted TCP
 * connection, or memory for the listener's own member of a direct chat).
 *
 * @example
 * ```ts
 * import type { Session } from "./session.ts";
 * async function greet(session: Session) {
 *   session.post({ t: "chat", id: "1", text: "hi" });
 *   for await (const { message } of session.incoming) console.log(message.t);
 *   console.log("closed:", await session.closed);
 * }
 * ```
 * @module
 */

import type { Envelope, Message, MessageType } from "./message.ts";

/** How a session ended: `undefined` for a clean close, else a reason a person can read. */
export type CloseReason = string | undefined;

/**
 * Something a session did not pass on, told to its owner through {@linkcode Session.onProblem}:
 * a record from the peer that could not be read (skipped; `count` so far on this session), or
 * a message of ours too large for the peer to accept (not sent; `bytes` of its header).
 */
export type SessionProblem =
  | { kind: "unreadable"; reason: string; count: number }
  | { kind: "unsendable"; message: Message; bytes: number };

/**
 * Takes one message of {@linkcode Session.receive}. Returning `false` (or a promise of it)
 * stops receiving; returning a promise holds back the next message until it settles.
 */
export type MessageHandler = (envelope: Envelope) => void | boolean | Promise<void | boolean>;

/** A bidirectional channel of typed messages with one peer. */
export interface Session {
  /** Where the peer is, for people: `"192.168.1.7:50483"`, or `"this computer"`. */
  readonly remote: string;
  /** Messages from the peer. Ends (never errors) when the session closes; see `closed`. */
  readonly incoming: ReadableStream<Envelope>;
  /**
   * Hands each message from the peer to `handler`, in order, without a stream in between:
   * what a hub with thousands of members uses. Resolves when the session closes or the
   * handler returns `false` (a later call goes on with the next message); rejects, leaving
   * the session open, with what the handler threw. Use either this or `incoming`.
   */
  receive(handler: MessageHandler): Promise<void>;
  /** Resolves once the session has closed, with the reason. */
  readonly closed: Promise<CloseReason>;
  /**
   * Bytes of chat and notices queued for the peer and not yet written (file data, paced on
   * its own, is not counted): how far the peer is behind.
   */
  readonly backlog: number;
  /**
   * Queues a message without waiting. Chat and control messages overtake queued file data;
   * a peer that lets too much pile up is cut off rather than stalling the sender.
   * `record` is `encodeRecord(message, body)` when the caller already has it: a broadcast
   * encodes a line once for all its recipients.
   */
  post(message: Message, body?: Uint8Array, record?: Uint8Array): void;
  /**
   * Writes nothing more until {@linkcode Session.uncork}: what is posted meanwhile, and what
   * is still queued behind a write under way, then leaves as one sealed write. A busy big
   * room paces its members this way. `close` sends everything held.
   */
  cork(): void;
  /** Sends what {@linkcode Session.cork} held back, and sends at once again from now on. */
  uncork(): void;
  /** Resolves when the queued file data has drained below the low-water mark. */
  drained(): Promise<void>;
  /**
   * Resolves once at most `bytes` of chat and notices wait for the peer ({@linkcode
   * Session.backlog}), or the session has closed: how a bulk of lines (a replay, a paste)
   * waits for the peer instead of piling up until the peer is cut off.
   */
  backlogBelow(bytes: number): Promise<void>;
  /**
   * Told what the session skipped or did not send; the owner shows it to a person. Unset,
   * problems pass unseen (the session goes on either way).
   */
  onProblem: ((problem: SessionProblem) => void) | undefined;
  /** Sends what is queued, then closes. */
  close(reason?: string): Promise<void>;
  /** Closes at once, dropping what is queued: for a peer that stopped reading. */
  abort(reason: string): void;
}

/**
 * {@linkcode Session.receive} for a session whose messages come as a stream.
 *
 * @example
 * ```ts
 * import { receiveFromStream } from "./session.ts";
 * const stream = ReadableStream.from([{ message: { t: "ping" as const }, body: new Uint8Array() }]);
 * await receiveFromStream(stream, ({ message }) => console.log(message.t)); // "ping"
 * ```
 */
export async function receiveFromStream(
  stream: ReadableStream<Envelope>,
  handler: MessageHandler,
): Promise<void> {
  const reader = stream.getReader();
  try {
    while (true) {
      const { value, done } = await reader.read();
      if (done) return;
      let result = handler(value);
      if (result instanceof Promise) result = await result;
      if (result === false) return;
    }
  } finally {
    reader.releaseLock();
  }
}

/** Messages that must stay in order with file chunks, so they share the bulk queue. */
const BULK: ReadonlySet<MessageType> = new Set([
  "offer",
  "start",
  "check",
  "chunk",
  "end",
  "cancel",
]);

/** Whether `message` travels in the bulk (file data) queue. */
export function isBulk(message: Message): boolean {
  return BULK.has(message.t);
}
