/**
 * A person's side of a room: says lines, sends and receives files, and reports what happens
 * as {@linkcode ClientEvent}s for a terminal, a JSON stream or the browser to show.
 *
 * @example
 * ```ts ignore
 * import { RoomClient } from "./room_client.ts";
 * import { FileStore } from "./file_store.ts";
 * const client = new RoomClient({ name: "bob", files: new FileStore("received_files") });
 * const unsubscribe = client.subscribe((event) => console.log(event));
 * await client.join(session);
 * client.say("hi");
 * await client.quit();
 * ```
 * @module
 */

import type { ChatLine, Envelope, Message, SharedFileInfo } from "../session/message.ts";
import { PROTOCOL_VERSION } from "../session/message.ts";
import type { Session, SessionProblem } from "../session/session.ts";
import { MAX_HEADER_BYTES } from "../wire/limits.ts";
import { senderFileName } from "./file_name.ts";
import { FileReceiver } from "./file_receiver.ts";
import { FileSender } from "./file_sender.ts";
import { FileSlots } from "./file_slots.ts";
import { FolderSource } from "./folder_stream.ts";
import type { FileStore } from "./file_store.ts";
import { Listeners } from "./listeners.ts";
import { TRANSFERS_AT_ONCE } from "./transfer_limits.ts";

/** Everything a client reports, in the order it happened. */
export type ClientEvent =
  | {
    type: "welcome";
    you: string;
    kind: "direct" | "hub";
    /** The first members by name; `count` says how many there are. */
    members: string[];
    count: number;
    history: number;
    resumed: boolean;
    /** Lines missed while away that the hub does not replay (the oldest); absent when none. */
    skipped?: number;
  }
  | {
    type: "message";
    from: string;
    text: string;
    time: string;
    seq: number;
    me: boolean;
    history: boolean;
  }
  | { type: "private"; from: string; to: string; text: string; time: string }
  | { type: "joined"; name: string; count: number; remote?: string }
  | { type: "left"; name: string; count: number; reason?: string }
  /** More arrivals and departures than a big room names one by one. */
  | { type: "crowd"; joined: number; left: number; count: number }
  | { type: "renamed"; from: string; to: string }
  /** A page of `/who`: `names` in joining order, page `page` of `pages`, `total` members. */
  | { type: "members"; names: string[]; page: number; pages: number; total: number }
  | { type: "notice"; text: string; error: boolean }
  /**
   * A file (or a folder of `files` files) is offered; `ask`: the person is asked (answer with
   * {@linkcode RoomClient.answerOffer}), else it is taken or declined by the accept mode.
   */
  | {
    type: "file-offer";
    offer: number;
    from: string;
    name: string;
    bytes: number;
    files?: number;
    ask: boolean;
  }
  /** An offer declined: ours `by` the receiver, or one `from` a sender, by us. */
  | { type: "file-declined"; name: string; by?: string; from?: string }
  /** A file (or a folder of `files` files) is coming. */
  | { type: "file-incoming"; from: string; name: string; bytes: number; files?: number }
  | {
    type: "progress";
    transfer: string;
    direction: "send" | "receive";
    name: string;
    done: number;
    total: number;
    /** A folder: its files done so far, and how many it holds. */
    files?: { done: number; total: number };
  }
  /** A file saved; a folder says how many `files` (with `bytes` their bytes together). */
  | {
    type: "file";
    from: string;
    name: string;
    path: string;
    bytes: number;
    sha256: string;
    files?: number;
  }
  /** A file (or a folder of `files` files, `leftOut` links not sent) confirmed received. */
  | {
    type: "file-sent";
    name: string;
    bytes: number;
    sha256: string;
    to?: string;
    files?: number;
    leftOut?: number;
  }
  | { type: "file-failed"; direction: "send" | "receive"; name: string; reason: string }
  /** A file (or a folder of `files` files, `bytes` theirs together) kept by the hub. */
  | {
    type: "shared";
    file: number;
    from: string;
    name: string;
    bytes: number;
    sha256: string;
    files?: number;
  }
  /** A page of `/files`, newest first: page `page` of `pages`, `total` files. */
  | { type: "file-list"; files: SharedFileInfo[]; page: number; pages: number; total: number }
  | { type: "closed"; reason?: string };

/** How long {@linkcode RoomClient.quit} waits for the host to close after our `bye`. */
const BYE_WAIT_MS = 2_000;
/**
 * Lines are posted while the session's backlog is at most this; above it the rest wait until
 * the session is down to {@linkcode OUTBOX_LOW_WATER_BYTES}. A paste of megabytes posted at
 * once overflowed the session's 1 MiB queue, which ends the session; after the reconnect all
 * of it was posted again.
 */
const OUTBOX_HIGH_WATER_BYTES = 256 * 1024;
const OUTBOX_LOW_WATER_BYTES = 64 * 1024;

/** The host refused us (name taken, chat full, ...): the message says why. */
export class RefusedError extends Error {
  /** Creates the error. */
  constructor(message: string) {
    super(message);
    this.name = "RefusedError";
  }
}

/**
 * What happens to files offered in a direct chat: the person is asked, or all are taken, or
 * none. (A hub sends only what was asked for with `/get`.)
 */
export type AcceptMode = "ask" | "all" | "none";

/** The accept modes, for option parsers. */
export const ACCEPT_MODES: readonly AcceptMode[] = ["ask", "all", "none"];

/** Options of {@linkcode RoomClient}. */
export interface RoomClientOptions {
  /** What happens to offered files; `all` by default. */
  accept?: AcceptMode;
  /** The name asked for. */
  name: string;
  /** The receive folder. */
  files: FileStore;
  /** Largest file accepted. */
  maxFileBytes?: number;
}

interface Outgoing {
  name: string;
  size: number;
  /** A folder: its files, their bytes and the links left out. */
  folder?: { files: number; bytes: number; leftOut: number };
  /** Set while the receiver has not taken the offer yet: called when it does. */
  accepted?: () => void;
  sha256?: string;
  sender?: FileSender;
  settle: (error?: Error) => void;
}

/** The receiver declined a file we offered (already told as `file-declined`). */
class DeclinedError extends Error {}

/** An offer waiting for the person's answer. */
type WaitingOffer = Extract<Message, { t: "offer" }>;

/** One person's connection to a room, across reconnects. */
export class RoomClient {
  #listeners: Listeners<ClientEvent> = new Listeners();
  #options: RoomClientOptions;
  #session: Session | undefined;
  #name: string;
  #kind: "direct" | "hub" = "direct";
  readonly #client = crypto.randomUUID();
  /** Line ids start with this, not with the client id: the client id is a secret. */
  readonly #lineIds = crypto.randomUUID();
  #nextId = 1;
  #nextFid = 1;
  #lastSeq = 0;
  /** Lines sent but not yet acknowledged, re-sent after a reconnect. */
  #pending: Map<string, Message> = new Map();
  /** What waits to be posted on the current session, oldest from `#outboxHead` on. */
  #outbox: Message[] = [];
  #outboxHead = 0;
  /** The session a flush of the outbox runs on, if one does. */
  #flushing: Session | undefined;
  #pendingWaiters: (() => void)[] = [];
  #sending: Map<number, Outgoing> = new Map();
  /** Files sent at once; the others wait (the room refuses more). */
  #sendSlots = new FileSlots(TRANSFERS_AT_ONCE);
  /** Files coming on the current session. */
  #receiver: FileReceiver | undefined;
  /** Offers the person has not answered yet, oldest first. */
  #asking: Map<number, WaitingOffer> = new Map();
  #loop: Promise<string | undefined> | undefined;
  #leaving = false;
  #endedCleanly = false;
  /**
   * Whether the current session was welcomed. Until then new lines only wait in `#pending`:
   * sent at once, they would overtake the backlog re-sent after the welcome, and the room
   * would show this person's lines out of order after a reconnect.
   */
  #welcomed = false;

  /** Creates a client that has not joined yet. */
  constructor(options: RoomClientOptions) {
    this.#options = options;
    this.#name = options.name;
  }

  /**
   * Calls `listener` with every event from now on (subscribe before joining, so the welcome
   * is not missed); the function returned unsubscribes. Every listener gets every event.
   */
  subscribe(listener: (event: ClientEvent) => void): () => void {
    return this.#listeners.subscribe(listener);
  }

  /** The name the room knows us by. */
  get name(): string {
    return this.#name;
  }

  /** `direct` or `hub`, known after joining. */
  get kind(): "direct" | "hub" {
    return this.#kind;
  }

  /** Whether the last session ended with the host's goodbye (not a lost connection). */
  get endedCleanly(): boolean {
    return this.#endedCleanly;
  }

  /** Whether {@linkcode quit} was called. */
  get leaving(): boolean {
    return this.#leaving;
  }

  /** Lines sent but not acknowledged yet. */
  get unacknowledged(): number {
    return this.#pending.size;
  }

  /** Whether lines or files are still on their way. */
  get busy(): boolean {
    return this.#pending.size > 0 || this.#sending.size > 0;
  }

  /**
   * Joins the room over `session` (again, after a reconnect) and starts handling its
   * messages. Throws {@linkcode RefusedError} when the host refuses us.
   */
  async join(session: Session): Promise<void> {
    this.#session = session;
    this.#receiver = this.#newReceiver(session);
    this.#welcomed = false;
    session.onProblem = (problem) => this.#problem(session, problem);
    session.post({
      t: "hello",
      v: PROTOCOL_VERSION,
      name: this.#name,
      client: this.#client,
      ...(this.#lastSeq > 0 ? { lastSeq: this.#lastSeq } : {}),
    });
    const reader = session.incoming.getReader();
    let refusal: string | undefined;
    while (true) {
      const { value, done } = await reader.read();
      if (done) {
        reader.releaseLock();
        throw new RefusedError(
          refusal ?? (await session.closed) ?? "The host closed the connection",
        );
      }
      const message = value.message;
      if (message.t === "notice" && message.error) refusal = message.text;
      else if (message.t === "bye") refusal ??= message.reason;
      else if (message.t === "welcome") {
        this.#name = message.you;
        this.#kind = message.kind;
        this.#emit({
          type: "welcome",
          you: message.you,
          kind: message.kind,
          members: message.members,
          count: message.count ?? message.members.length,
          history: message.history,
          resumed: message.resumed ?? false,
          ...(message.skipped ? { skipped: message.skipped } : {}),
        });
        break;
      }
    }
    // Re-send what the room had not acknowledged; ids let it drop the ones it already has.
    this.#welcomed = true;
    this.#outbox = [...this.#pending.values()];
    this.#outboxHead = 0;
    this.#flush();
    this.#loop = this.#run(reader, session);
  }

  /** Resolves with the close reason when the current session ends. */
  ended(): Promise<string | undefined> {
    return this.#loop ?? Promise.resolve(undefined);
  }

  /** Sends a chat line (or an action, with `me`). */
  say(text: string, me = false): void {
    this.#send({ t: "chat", id: this.#id(), text, ...(me ? { me: true } : {}) });
  }

  /** Sends a private line to `to`. */
  whisper(to: string, text: string): void {
    this.#send({ t: "private", id: this.#id(), to, text });
  }

  /** Asks to be known as `name`. */
  nick(name: string): void {
    this.#post({ t: "nick", name });
  }

  /** Asks who is here, page `page` (answered with a `members` event). */
  who(page = 1): void {
    this.#post({ t: "who", ...(page > 1 ? { page } : {}) });
  }

  /** Asks for the hub's kept files, newest first, page `page` (a `file-list` event). */
  listFiles(page = 1): void {
    this.#post({ t: "files", ...(page > 1 ? { page } : {}) });
  }

  /** Asks the hub for kept file `file`. */
  fetch(file: number): void {
    this.#post({ t: "get", file });
  }

  /**
   * Sends the file at `path`, streaming it in chunks. Resolves once the other side confirmed
   * the hash; rejects with a readable reason otherwise.
   */
  async sendFile(path: string): Promise<void> {
    const session = this.#session;
    if (!session) throw new Error("Not connected");
    const name = senderFileName(path);
    const fid = this.#nextFid++;
    const transfer = `send-${fid}`;
    // Registered before the first await, so a quit right after /send waits for this file.
    let settle: (error?: Error) => void = () => {};
    const settled = new Promise<void>((resolve, reject) => {
      settle = (error) => error ? reject(error) : resolve();
    });
    settled.catch(() => {}); // observed below; avoids an unhandled rejection meanwhile
    this.#sending.set(fid, { name, size: 0, settle });
    let file: Deno.FsFile | undefined;
    let folder: FolderSource | undefined;
    let slot = false;
    try {
      await this.#sendSlots.take();
      slot = true;
      try {
        file = await Deno.open(path, { read: true });
      } catch (error) {
        throw new Error(`Cannot read ${path}: ${error instanceof Error ? error.message : error}`);
      }
      const info = await file.stat();
      if (info.isDirectory) {
        file.close();
        file = undefined;
        folder = this.#folder(path);
      } else if (!info.isFile) throw new Error(`${path} is not a file`);
      const size = folder?.size ?? info.size;
      const outgoing = this.#sending.get(fid)!;
      outgoing.size = size;
      if (folder) {
        const { files, bytes, leftOut } = folder;
        outgoing.folder = { files, bytes, leftOut };
      }
      // No byte goes before the receiver takes the offer; a refusal rejects `settled`.
      const accepted = new Promise<void>((resolve) => outgoing.accepted = resolve);
      const sender = outgoing.sender = new FileSender({
        fid,
        name,
        size,
        file: (folder ?? file)!,
        ...(folder ? { folder: { files: folder.files, bytes: folder.bytes } } : {}),
        answer: Promise.race([accepted, settled]),
        post: (message, body, record) => session.post(message, body, record),
        drained: () => session.drained(),
        onProgress: (done, total) =>
          this.#emit({
            type: "progress",
            transfer,
            direction: "send",
            name,
            done,
            total,
            ...(folder ? { files: { done: folder.filesDone, total: folder.files } } : {}),
          }),
      });
      try {
        outgoing.sha256 = (await sender.send()).sha256;
      } catch (error) {
        // Stopped: the refusal or the lost connection settled it already, with its reason.
        if (sender.stopped === undefined) outgoing.settle(error as Error);
      }
      await settled;
    } catch (error) {
      if (error instanceof DeclinedError) throw error;
      const reason = error instanceof Error ? error.message : String(error);
      this.#emit({ type: "file-failed", direction: "send", name, reason });
      throw error;
    } finally {
      if (slot) this.#sendSlots.release();
      this.#sending.delete(fid);
      file?.close();
      folder?.close();
      this.#wakeSettled();
    }
  }

  /** Lists folder `path` for sending; a refusal names the folder. */
  #folder(path: string): FolderSource {
    try {
      return FolderSource.open(path);
    } catch (error) {
      throw new Error(`Cannot send ${path}: ${error instanceof Error ? error.message : error}`);
    }
  }

  /**
   * Leaves: waits (up to `graceMs`) for unacknowledged lines and files in flight, then says
   * goodbye and closes.
   */
  async quit(graceMs = 30_000): Promise<void> {
    this.#leaving = true;
    const session = this.#session;
    if (!session) return;
    // An offer nobody answered yet is withdrawn: leaving does not wait for a person.
    for (const [fid, outgoing] of this.#sending) {
      if (!outgoing.accepted) continue;
      session.post({ t: "cancel", fid, reason: "the sender left" });
      outgoing.sender?.stop("the sender left");
      outgoing.settle(new Error("left before it was accepted"));
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      this.#settled(),
      this.#loop, // the connection ended: nothing more can be delivered
      new Promise((resolve) => timer = setTimeout(resolve, graceMs)),
    ]);
    clearTimeout(timer);
    session.post({ t: "bye" });
    // Let the host close first: closing at once races the host's writes to us, and a failed
    // write makes it drop our unread `bye`, so the others would see "left (the connection was
    // closed)" instead of a plain goodbye.
    await Promise.race([
      this.#loop,
      new Promise((resolve) => timer = setTimeout(resolve, BYE_WAIT_MS)),
    ]);
    clearTimeout(timer);
    await session.close();
    await this.#loop;
  }

  /** Drops the current session without goodbye (used by reconnecting callers). */
  async disconnect(): Promise<void> {
    await this.#session?.close();
    await this.#loop;
  }

  #id(): string {
    // Unique across clients too, so no one else's line is taken for one of ours.
    return `${this.#lineIds}:${this.#nextId++}`;
  }

  /** Sends a line, kept until acknowledged (and re-sent after a reconnect until then). */
  #send(message: Message): void {
    if (!("id" in message)) return;
    this.#pending.set(message.id, message);
    if (this.#welcomed) this.#post(message);
  }

  /** Posts `message` after what waits in the outbox: a command stays behind a paste. */
  #post(message: Message): void {
    const session = this.#session;
    if (!session) return;
    // Nothing waiting, and room in the session (a chat's usual case): straight out.
    if (this.#outboxHead === this.#outbox.length && session.backlog <= OUTBOX_HIGH_WATER_BYTES) {
      session.post(message);
      return;
    }
    this.#outbox.push(message);
    this.#flush();
  }

  /** Posts what waits in the outbox as fast as the session takes it. */
  async #flush(): Promise<void> {
    const session = this.#session;
    if (!session || this.#flushing === session) return;
    this.#flushing = session;
    try {
      while (this.#outboxHead < this.#outbox.length && this.#session === session) {
        if (session.backlog > OUTBOX_HIGH_WATER_BYTES) {
          await session.backlogBelow(OUTBOX_LOW_WATER_BYTES);
          continue;
        }
        session.post(this.#outbox[this.#outboxHead++]);
      }
      if (this.#session === session) {
        this.#outbox = [];
        this.#outboxHead = 0;
      }
    } finally {
      if (this.#flushing === session) this.#flushing = undefined;
    }
  }

  /** Shows what the session skipped or did not send; an unsendable line is settled. */
  #problem(session: Session, problem: SessionProblem): void {
    if (session !== this.#session) return;
    if (problem.kind === "unreadable") {
      const more = problem.count > 1 ? `; ${problem.count} so far` : "";
      this.#emit({
        type: "notice",
        text: `Skipped a message from the peer that could not be read (${problem.reason}${more})`,
        error: false,
      });
      return;
    }
    const message = problem.message;
    if ("id" in message && this.#pending.delete(message.id) && this.#pending.size === 0) {
      this.#wakeSettled();
    }
    this.#emit({
      type: "notice",
      text: `Not sent: the ${message.t} message is too large (${problem.bytes} bytes of ` +
        `header; the limit is ${MAX_HEADER_BYTES}).`,
      error: true,
    });
  }

  async #settled(): Promise<void> {
    while (this.busy) {
      await new Promise<void>((resolve) => this.#pendingWaiters.push(resolve));
    }
  }

  #wakeSettled(): void {
    const waiters = this.#pendingWaiters;
    this.#pendingWaiters = [];
    for (const wake of waiters) wake();
  }

  #emit(event: ClientEvent): void {
    this.#listeners.emit(event);
  }

  async #run(
    reader: ReadableStreamDefaultReader<Envelope>,
    session: Session,
  ): Promise<string | undefined> {
    let byeReason: string | undefined;
    try {
      while (true) {
        const { value, done } = await reader.read();
        if (done) break;
        if (value.message.t === "bye") {
          byeReason = value.message.reason ?? "The host ended the chat";
          continue;
        }
        await this.#handle(value);
      }
    } finally {
      reader.releaseLock();
    }
    const reason = byeReason ?? await session.closed;
    this.#endedCleanly = byeReason !== undefined || this.#leaving;
    await this.#receiver?.endAll("the connection ended before the file was complete");
    for (const waiting of this.#asking.values()) {
      this.#emit({
        type: "file-failed",
        direction: "receive",
        name: waiting.name,
        reason: "the connection ended before it was answered",
      });
    }
    this.#asking.clear();
    for (const outgoing of this.#sending.values()) {
      outgoing.sender?.stop("the connection ended");
      outgoing.settle(new Error("the connection ended before the file was confirmed"));
    }
    if (this.#session === session && !this.#leaving) {
      this.#emit({ type: "closed", ...(reason ? { reason } : {}) });
    }
    this.#wakeSettled();
    return reason;
  }

  async #handle({ message, body }: Envelope): Promise<void> {
    switch (message.t) {
      case "chat":
        return this.#line(message);
      case "ack":
        // Acks follow, in order, every line the room sent us before: so all up to here arrived.
        if (message.seq !== undefined) this.#lastSeq = Math.max(this.#lastSeq, message.seq);
        this.#pending.delete(message.id);
        if (this.#pending.size === 0) this.#wakeSettled();
        return;
      case "private":
        return this.#emit({
          type: "private",
          from: message.from ?? "?",
          to: message.to,
          text: message.text,
          time: message.time ?? new Date().toISOString(),
        });
      case "presence":
        for (const { name, remote } of message.joined) {
          // A batch may name us too: we know we arrived.
          if (name !== this.#name) {
            this.#emit({
              type: "joined",
              name,
              count: message.count,
              ...(remote ? { remote } : {}),
            });
          }
        }
        for (const { name, reason } of message.left) {
          this.#emit({ type: "left", name, count: message.count, ...(reason ? { reason } : {}) });
        }
        if (message.othersJoined || message.othersLeft) {
          this.#emit({
            type: "crowd",
            joined: message.othersJoined ?? 0,
            left: message.othersLeft ?? 0,
            count: message.count,
          });
        }
        return;
      case "renamed":
        if (message.from === this.#name) this.#name = message.to;
        return this.#emit({ type: "renamed", from: message.from, to: message.to });
      case "members":
        // A host that does not page sends everyone at once: one page.
        return this.#emit({
          type: "members",
          names: message.names,
          page: message.page ?? 1,
          pages: message.pages ?? 1,
          total: message.total ?? message.names.length,
        });
      case "notice":
        return this.#emit({ type: "notice", text: message.text, error: message.error ?? false });
      case "shared":
        return this.#emit({
          type: "shared",
          file: message.file,
          from: message.from,
          name: message.name,
          bytes: message.folder?.bytes ?? message.size,
          sha256: message.sha256,
          ...(message.folder ? { files: message.folder.files } : {}),
        });
      case "file-list":
        return this.#emit({
          type: "file-list",
          files: message.files,
          page: message.page ?? 1,
          pages: message.pages ?? 1,
          total: message.total ?? message.files.length,
        });
      case "offer":
        return await this.#offered(message);
      case "chunk":
        return await this.#receiver?.chunk(message.fid, body);
      case "end":
        return await this.#receiver?.end(message.fid, message.sha256);
      case "cancel":
        this.#withdrawn(message.fid, message.reason);
        return await this.#receiver?.cancel(message.fid, message.reason);
      case "received":
        return this.#received(message);
      case "accept": {
        const outgoing = this.#sending.get(message.fid);
        outgoing?.accepted?.();
        if (outgoing) outgoing.accepted = undefined;
        return;
      }
    }
  }

  #line(line: ChatLine): void {
    // Only our own lines come with an id (replayed after a reconnect); others' have none.
    if (line.id !== "" && this.#pending.delete(line.id)) {
      // Our own line, stored before the connection dropped: it counts as acknowledged.
      this.#lastSeq = Math.max(this.#lastSeq, line.seq ?? 0);
      if (this.#pending.size === 0) this.#wakeSettled();
      return;
    }
    if (line.seq !== undefined) {
      // A line we already showed (replayed again after a reconnect) is not shown twice.
      if (line.seq <= this.#lastSeq) return;
      this.#lastSeq = line.seq;
    }
    this.#emit({
      type: "message",
      from: line.from ?? "?",
      text: line.text,
      time: line.time ?? new Date().toISOString(),
      seq: line.seq ?? 0,
      me: line.me ?? false,
      history: line.history ?? false,
    });
  }

  /**
   * An offer: taken at once when it waits for no yes (what we asked a hub for with `/get`),
   * else as the accept mode says: asked about, taken, or declined.
   */
  async #offered(offer: WaitingOffer): Promise<void> {
    if (!offer.ask) return await this.#receiver?.offer(offer, "?");
    // Questions count against the files coming at once: a flood of offers asks nothing.
    if (this.#asking.has(offer.fid) || this.#asking.size >= TRANSFERS_AT_ONCE) {
      this.#session?.post({
        t: "received",
        fid: offer.fid,
        ok: false,
        reason: `refused '${offer.name}': ${TRANSFERS_AT_ONCE} offers wait for an answer already`,
      });
      return;
    }
    const mode = this.#options.accept ?? "all";
    this.#emit({
      type: "file-offer",
      offer: offer.fid,
      from: offer.from ?? "?",
      name: offer.name,
      bytes: offer.folder?.bytes ?? offer.size,
      ...(offer.folder ? { files: offer.folder.files } : {}),
      ask: mode === "ask",
    });
    if (mode === "all") return await this.#receiver?.offer(offer, "?");
    if (mode === "none") return this.#decline(offer);
    this.#asking.set(offer.fid, offer);
  }

  /**
   * Answers offer `offer` (the oldest waiting when not given): `yes` takes it, else it is
   * declined. False when no such offer waits.
   */
  answerOffer(offer: number | undefined, yes: boolean): boolean {
    const fid = offer ?? this.#asking.keys().next().value;
    const waiting = fid === undefined ? undefined : this.#asking.get(fid);
    if (!waiting) return false;
    this.#asking.delete(waiting.fid);
    if (yes) this.#receiver?.offer(waiting, "?").catch(() => {/* shown as file-failed */});
    else this.#decline(waiting);
    return true;
  }

  /** The offers waiting for the person's answer, oldest first. */
  get offersWaiting(): number[] {
    return [...this.#asking.keys()];
  }

  #decline(offer: WaitingOffer): void {
    this.#session?.post({
      t: "received",
      fid: offer.fid,
      ok: false,
      reason: "declined",
      declined: true,
    });
    this.#emit({ type: "file-declined", name: offer.name, from: offer.from ?? "?" });
  }

  /** The sender withdrew an offer the person was still asked about. */
  #withdrawn(fid: number, reason: string): void {
    const waiting = this.#asking.get(fid);
    if (!waiting) return;
    this.#asking.delete(fid);
    this.#emit({ type: "file-failed", direction: "receive", name: waiting.name, reason });
  }

  /** The receiver of the files that come on `session`, telling this client's listeners. */
  #newReceiver(session: Session): FileReceiver {
    return new FileReceiver(this.#options.files, {
      reply: (message) => session.post(message),
      admit: () => ({ maxBytes: this.#options.maxFileBytes }),
      incoming: (offer, from) =>
        this.#emit({
          type: "file-incoming",
          from,
          name: offer.name,
          bytes: offer.folder?.bytes ?? offer.size,
          ...(offer.folder ? { files: offer.folder.files } : {}),
        }),
      progress: (fid, name, done, total, files) =>
        this.#emit({
          type: "progress",
          transfer: `receive-${fid}`,
          direction: "receive",
          name,
          done,
          total,
          ...(files ? { files } : {}),
        }),
      saved: ({ from, saved, files }) => () =>
        this.#emit({
          type: "file",
          from,
          name: saved.name,
          path: saved.path,
          bytes: saved.bytes,
          sha256: saved.sha256,
          ...(files !== undefined ? { files } : {}),
        }),
      failed: (name, reason) =>
        this.#emit({ type: "file-failed", direction: "receive", name, reason }),
    });
  }

  #received(received: Extract<Message, { t: "received" }>): void {
    const outgoing = this.#sending.get(received.fid);
    if (!outgoing) return;
    if (!received.ok && received.declined) {
      this.#emit({
        type: "file-declined",
        name: outgoing.name,
        ...(received.by ? { by: received.by } : {}),
      });
      outgoing.sender?.stop("declined");
      outgoing.settle(new DeclinedError(`${outgoing.name} was declined`));
    } else if (received.ok && received.sha256 === outgoing.sha256) {
      const folder = outgoing.folder;
      this.#emit({
        type: "file-sent",
        name: outgoing.name,
        bytes: folder?.bytes ?? outgoing.size,
        sha256: outgoing.sha256!,
        ...(received.by ? { to: received.by } : {}),
        ...(folder ? { files: folder.files } : {}),
        ...(folder?.leftOut ? { leftOut: folder.leftOut } : {}),
      });
      outgoing.settle();
    } else {
      const reason = received.reason ?? "the hash did not match";
      outgoing.sender?.stop("refused");
      outgoing.settle(
        new Error(
          `${
            received.by ?? (this.#kind === "hub" ? "The hub" : "The receiver")
          } refused ${outgoing.name}: ${reason}`,
        ),
      );
    }
    this.#sending.delete(received.fid);
    this.#wakeSettled();
  }
}
