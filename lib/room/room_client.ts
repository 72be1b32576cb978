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

import type {
  ChatLine,
  Envelope,
  Message,
  ModerationAction,
  SharedFileInfo,
} from "../session/message.ts";
import { PROTOCOL_VERSION } from "../session/message.ts";
import type { Session, SessionProblem } from "../session/session.ts";
import { MAX_HEADER_BYTES, MAX_TEXT_BYTES } from "../wire/limits.ts";
import { portableName, senderFileName } from "./file_name.ts";
import { FileReceiver } from "./file_receiver.ts";
import { fileKey, FileSender } from "./file_sender.ts";
import { FileSlots } from "./file_slots.ts";
import { FolderSource } from "./folder_stream.ts";
import type { FileStore } from "./file_store.ts";
import { splitLongText } from "./line_text.ts";
import { Listeners } from "./listeners.ts";
import { isValidName, sameName, skeleton } from "./member_name.ts";
import { mentions } from "./mention.ts";
import type { Order, Role } from "./moderation.ts";
import { readErrorText } from "./read_error.ts";
import { cancelledByQuit } from "./refusal.ts";
import { DOWNLOADS_QUEUED, offerAnswerMs, TRANSFERS_AT_ONCE } from "./transfer_limits.ts";

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
    /** The hub's topic, when it has one. */
    topic?: string;
    /** Our powers in the hub, when we have some: an operator, or the host. */
    role?: "op" | "host";
    /** Those of `members` away, operators (or the host) and muted, when there are any. */
    away?: string[];
    ops?: string[];
    muted?: string[];
  }
  | {
    type: "message";
    from: string;
    text: string;
    time: string;
    seq: number;
    me: boolean;
    history: boolean;
    /** The line mentions our name (as a word, ignoring case). */
    mention?: true;
  }
  | { type: "private"; from: string; to: string; text: string; time: string }
  | { type: "joined"; name: string; count: number; remote?: string }
  | { type: "left"; name: string; count: number; reason?: string }
  /** More arrivals and departures than a big room names one by one. */
  | { type: "crowd"; joined: number; left: number; count: number }
  | { type: "renamed"; from: string; to: string }
  /**
   * A page of `/who`: `names` in joining order, page `page` of `pages`, `total` members; those
   * of them away, operators (or the host) and muted, when there are any.
   */
  | {
    type: "members";
    names: string[];
    page: number;
    pages: number;
    total: number;
    away?: string[];
    ops?: string[];
    muted?: string[];
  }
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
  /** Our offer of `name` in a direct chat is not answered at once: the person there is asked. */
  | { type: "file-waiting"; name: string }
  /**
   * A file we were sending waits: our connection was lost (`by` absent), or the receiver's
   * (`by`); it continues if the connection comes back.
   */
  | { type: "file-paused"; name: string; by?: string }
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
  | {
    type: "file";
    from: string;
    name: string;
    path: string;
    bytes: number;
    sha256: string;
    /** Bytes held from an interrupted transfer, not sent again; absent when none. */
    resumedFrom?: number;
    /** Nothing was sent: the folder had this file already (`path`). */
    skipped?: boolean;
    /** A folder: how many files (`bytes` is theirs together). */
    files?: number;
  }
  | {
    type: "file-sent";
    name: string;
    bytes: number;
    sha256: string;
    to?: string;
    /** Bytes the receiver held already, not sent again; absent when none. */
    resumedFrom?: number;
    /** Nothing was sent: the receiver had this file already. */
    skipped?: boolean;
    /** A folder: how many files (`bytes` is theirs together), and links left out. */
    files?: number;
    leftOut?: number;
  }
  /** `held`: what came is kept hidden, and continues when the file is sent again. */
  | {
    type: "file-failed";
    direction: "send" | "receive";
    name: string;
    reason: string;
    held?: true;
  }
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
  /**
   * A line of ours the room took, with its number (`seq`; none for a private line): the
   * acknowledgement a program can count on.
   */
  | { type: "sent"; text: string; seq?: number; me?: boolean; to?: string }
  /** A line of ours that was not delivered: refused by the room, or dropped when leaving. */
  | { type: "not-sent"; text: string; reason: string; me?: boolean; to?: string }
  /** The host or an operator (`by`; `host` when it was the host) did `action` to `name`. */
  | {
    type: "moderated";
    action: ModerationAction;
    name: string;
    by: string;
    host: boolean;
    reason?: string;
    /** ISO time a ban or mute ends; absent: until lifted. */
    until?: string;
  }
  /** The topic was set by `by` (`""`: cleared). */
  | { type: "topic"; text: string; by?: string }
  /** `name`, whom we sent a private line, is away (with `text`, when it left one). */
  | { type: "away"; name: string; text?: string }
  /** The host removed shared file `file` (`name`). */
  | { type: "removed"; file: number; name: string; by: string }
  /** `kicked`: we were put out of the hub, and do not come back by ourselves. */
  | { type: "closed"; reason?: string; kicked?: true };

/** A file under way, as far as it has got. */
export interface Transfer {
  direction: "send" | "receive";
  name: string;
  done: number;
  total: number;
}

/** What leaving waits for: lines not acknowledged and files under way. */
export interface InFlight {
  lines: number;
  transfers: Transfer[];
}

/** Why a transfer stopped when we left without waiting for it, as this person reads it. */
export const CANCELLED_AT_QUIT = "cancelled (you quit)";

/** Options of {@linkcode RoomClient.sendFile}. */
export interface SendFileOptions {
  /**
   * Called when the offer was not answered within a second in a direct chat: a person there
   * is asked (what waits for the transfer in order may go on).
   */
  unanswered?: () => void;
}

/**
 * How long an offer of ours goes unanswered before it counts as waiting for a person: leaving
 * withdraws it then, and commands kept in order go on.
 */
const UNANSWERED_OFFER_MS = 1_000;

/** A kept file the hub told of: enough to see that the receive folder holds it already. */
interface KeptFile {
  from: string;
  name: string;
  bytes: number;
  sha256: string;
}

/** How many of the hub's kept files a client remembers, to spare a second `/get` of one. */
const SHARED_KEPT = 1000;

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
/** Most names one person ignores. */
const MAX_IGNORED = 1_000;

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
  /** What happens to files offered in a direct chat; `all` by default. */
  accept?: AcceptMode;
  /** The name asked for. */
  name: string;
  /** The receive folder. */
  files: FileStore;
  /** Largest file accepted. */
  maxFileBytes?: number;
  /**
   * How long our offer in a direct chat waits for a peer that takes files unasked, plus time
   * for the file's size (see {@linkcode offerAnswerMs}); a person asked has no limit.
   */
  offerAnswerMs?: number;
}

interface Outgoing {
  name: string;
  size: number;
  /** Bytes posted so far. */
  done: number;
  /** A folder: its files, their bytes and the links left out. */
  folder?: { files: number; bytes: number; leftOut: number };
  /** The receiver answered the offer (its first `ready`). */
  answered?: boolean;
  /** When it was offered (`Date.now()`). */
  offeredAt?: number;
  sha256?: string;
  resumedFrom?: number;
  /** Its sender, once the file is open (until then it waits for its turn). */
  sender?: FileSender;
  /** Cancelled by us when leaving: what the peer is told. */
  cancelled?: string;
  /** The connection was lost while it was under way: offered again on the next one. */
  interrupted?: boolean;
  /** Resolved when the connection is lost while it is under way. */
  lost?: PromiseWithResolvers<void>;
  /** It was the receiver's connection that was lost (a direct chat): its name. */
  peerLost?: string;
  /** How many sessions the client had joined when it was last offered. */
  joins?: number;
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
  /** Offers the person has not answered yet, oldest first. */
  #asking: Map<number, WaitingOffer> = new Map();
  /** Files coming on the current session. */
  #receiver: FileReceiver | undefined;
  /** Keyed offers being opened beside the chat (see `#handle`). */
  #opening: Set<Promise<void>> = new Set();
  /** Kept files asked for with `/get` that have not arrived: asked again after a reconnect. */
  #gets: Set<number> = new Set();
  /** This session's file ids of those downloads. */
  #getFids: Map<number, number> = new Map();
  #loop: Promise<string | undefined> | undefined;
  /** Kept files the hub told of, by id, newest last (at most {@linkcode SHARED_KEPT}). */
  #shared = new Map<number, KeptFile>();
  /** Whether the current session is up (its messages are being read). */
  #live = false;
  /** The text of the last refusal the room sent: the reason of a rejected line's ack. */
  #lastRefusal: string | undefined;
  #leaving = false;
  #endedCleanly = false;
  #endedByHost = false;
  /** Whether a lost connection will be dialled again (see `willReconnect`). */
  #reconnects = false;
  /** Sends waiting for the next connection. */
  #joinWaiters: ((back: boolean) => void)[] = [];
  /** Sessions joined so far. */
  #joins = 0;
  /** Sends waiting for the other person of a direct chat to come back. */
  #peerWaiters: ((back: boolean) => void)[] = [];
  /**
   * Whether the current session was welcomed. Until then new lines only wait in `#pending`:
   * sent at once, they would overtake the backlog re-sent after the welcome, and the room
   * would show this person's lines out of order after a reconnect.
   */
  #welcomed = false;
  #role: Role = "member";
  #topic: string | undefined;
  /** Why the hub put us out, once it did: we do not come back by ourselves. */
  #kicked: string | undefined;
  /** Our away message (`""`: none) while away; told again to the hub after a reconnect. */
  #away: string | undefined;
  /** Whose lines we do not show, by what their names look like (see `skeleton`). */
  #ignored: Map<string, string> = new Map();

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

  /** Whether the last session ended with the host's goodbye (it ended the chat, or restarts). */
  get endedByHost(): boolean {
    return this.#endedByHost;
  }

  /** Whether {@linkcode quit} was called. */
  get leaving(): boolean {
    return this.#leaving;
  }

  /** Lines sent but not acknowledged yet. */
  get unacknowledged(): number {
    return this.#pending.size;
  }

  /** What we are in the hub: a member, an operator or the host (known from the welcome on). */
  get role(): Role {
    return this.#role;
  }

  /** The hub's topic, if it has one. */
  get topic(): string | undefined {
    return this.#topic;
  }

  /** Why the hub put us out, once it did (a kick or a ban): we must not rejoin by ourselves. */
  get kicked(): string | undefined {
    return this.#kicked;
  }

  /** Whom we ignore, by name, in the order ignored. */
  get ignored(): string[] {
    return [...this.#ignored.values()];
  }

  /** Whether lines or files are still on their way (either way). */
  get busy(): boolean {
    return this.#pending.size > 0 || this.#sending.size > 0 || (this.#receiver?.size ?? 0) > 0;
  }

  /** Whether the connection is up now (a hub member's may be down between reconnects). */
  get connected(): boolean {
    return this.#live;
  }

  /** Lines not acknowledged yet and files under way, in both directions. */
  get inFlight(): InFlight {
    return {
      lines: this.#pending.size,
      transfers: [
        ...[...this.#sending.values()].map((outgoing) => ({
          direction: "send" as const,
          name: outgoing.name,
          done: outgoing.done,
          total: outgoing.size,
        })),
        ...(this.#receiver?.files ?? []).map(({ name, done, total }) => ({
          direction: "receive" as const,
          name,
          done,
          total,
        })),
      ],
    };
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
        this.#role = message.role ?? "member";
        this.#topic = message.topic;
        this.#emit({
          type: "welcome",
          you: message.you,
          kind: message.kind,
          members: message.members,
          count: message.count ?? message.members.length,
          history: message.history,
          // Back in a direct chat after a lost connection: the person knows the commands.
          resumed: message.resumed ?? (message.kind === "direct" && this.#joins > 0),
          ...(message.skipped ? { skipped: message.skipped } : {}),
          ...(message.topic ? { topic: message.topic } : {}),
          ...(message.role ? { role: message.role } : {}),
          ...(message.away?.length ? { away: message.away } : {}),
          ...(message.ops?.length ? { ops: message.ops } : {}),
          ...(message.muted?.length ? { muted: message.muted } : {}),
        });
        break;
      }
    }
    // Still away after a reconnect (the hub forgot when the connection dropped).
    if (this.#away !== undefined) {
      session.post({ t: "away", ...(this.#away !== "" ? { text: this.#away } : {}) });
    }
    // Re-send what the room had not acknowledged; ids let it drop the ones it already has.
    this.#welcomed = true;
    this.#live = true;
    this.#outbox = [...this.#pending.values()];
    for (const file of this.#gets) this.#outbox.push({ t: "get", file });
    this.#outboxHead = 0;
    this.#flush();
    this.#loop = this.#run(reader, session);
    // Files the lost connection interrupted are offered again.
    this.#joins++;
    for (const wake of this.#joinWaiters.splice(0)) wake(true);
  }

  /** Resolves with the close reason when the current session ends. */
  ended(): Promise<string | undefined> {
    return this.#loop ?? Promise.resolve(undefined);
  }

  /**
   * Sends a chat line (or an action, with `me`); one over the room's limit goes as several
   * lines, and the person is told.
   */
  say(text: string, me = false): void {
    for (const line of this.#split(text)) {
      this.#send({ t: "chat", id: this.#id(), text: line, ...(me ? { me: true } : {}) });
    }
  }

  /** Sends a private line to `to` (several, when it is over the room's limit). */
  whisper(to: string, text: string): void {
    for (const line of this.#split(text)) {
      this.#send({ t: "private", id: this.#id(), to, text: line });
    }
  }

  #split(text: string): string[] {
    const lines = splitLongText(text);
    if (lines.length > 1) {
      this.#emit({
        type: "notice",
        text: `Your line is over ${MAX_TEXT_BYTES} bytes: it goes as ${lines.length} lines.`,
        error: false,
      });
    }
    return lines;
  }

  /** Asks to be known as `name`. */
  nick(name: string): void {
    this.#post({ t: "nick", name });
  }

  /** Asks who is here, page `page` (answered with a `members` event). */
  who(page = 1): void {
    this.#post({ t: "who", ...(page > 1 ? { page } : {}) });
  }

  /** Gives an order to the hub (kick, ban, mute, topic ...); the hub checks we may. */
  order(order: Order): void {
    const reason = "reason" in order && order.reason !== undefined ? { reason: order.reason } : {};
    const seconds = "seconds" in order && order.seconds !== undefined
      ? { seconds: order.seconds }
      : {};
    switch (order.action) {
      case "topic":
        return this.#post({ t: "topic", text: order.text });
      case "ban":
      case "mute":
        return this.#post({ t: order.action, name: order.name, ...seconds, ...reason });
      case "kick":
        return this.#post({ t: "kick", name: order.name, ...reason });
      default:
        return this.#post({ t: order.action, name: order.name });
    }
  }

  /** Marks us away (with `text`, told to whoever sends us a private line), until {@linkcode back}. */
  away(text?: string): void {
    this.#away = text ?? "";
    this.#post({ t: "away", ...(text ? { text } : {}) });
  }

  /** Marks us back. */
  back(): void {
    this.#away = undefined;
    this.#post({ t: "back" });
  }

  /**
   * Hides `name`'s lines and private lines from us (and a look-alike's: a room holds one of
   * them at a time), following its renames; why not, when it cannot.
   */
  ignore(name: string): string | undefined {
    if (!isValidName(name)) return `"${name.slice(0, 32)}" is not a name.`;
    if (sameName(name, this.#name)) return "You cannot ignore yourself.";
    if (this.#ignored.has(skeleton(name))) return `You already ignore ${name}.`;
    if (this.#ignored.size >= MAX_IGNORED) return `You ignore ${MAX_IGNORED} names already.`;
    this.#ignored.set(skeleton(name), name);
    return undefined;
  }

  /** Shows `name`'s lines again; `false` when it was not ignored. */
  unignore(name: string): boolean {
    return this.#ignored.delete(skeleton(name));
  }

  /** Whether lines from `name` are hidden. */
  #ignores(name: string | undefined): boolean {
    return name !== undefined && this.#ignored.size > 0 && this.#ignored.has(skeleton(name));
  }

  /** Asks for the hub's kept files, newest first, page `page` (a `file-list` event). */
  listFiles(page = 1): void {
    this.#post({ t: "files", ...(page > 1 ? { page } : {}) });
  }

  /**
   * Asks the hub for kept file `file`; asked again after a reconnect until it arrives (it
   * then resumes where it stopped). When the receive folder holds it already (the same name,
   * size and SHA-256, as the hub listed it) nothing is asked: it is reported `file` with
   * `skipped`, as when the hub's offer finds it there.
   */
  async fetch(file: number): Promise<void> {
    const known = this.#shared.get(file);
    const path = known && await this.#options.files.holds(known);
    if (known && path !== undefined) {
      this.#emit({
        type: "file",
        from: known.from,
        name: known.name,
        path,
        bytes: known.bytes,
        sha256: known.sha256,
        skipped: true,
      });
      return;
    }
    if (this.#gets.size < DOWNLOADS_QUEUED) this.#gets.add(file);
    this.#post({ t: "get", file });
  }

  /** Notes a kept file the hub told of (`shared`, `/files`), for {@linkcode fetch}. */
  #sharedFile(file: number, kept: KeptFile): void {
    this.#shared.delete(file);
    this.#shared.set(file, kept);
    // The oldest go first: a long-lived member of a busy hub keeps a bounded list.
    if (this.#shared.size > SHARED_KEPT) this.#shared.delete(this.#shared.keys().next().value!);
  }

  /**
   * Sends the file at `path`, streaming it in chunks. Resolves once the other side confirmed
   * the hash; rejects with a readable reason otherwise.
   */
  async sendFile(path: string, options: SendFileOptions = {}): Promise<void> {
    if (!this.#session) throw new Error("Not connected");
    // A name only some systems refuse (`10:30`) arrives with `_`, rather than being refused.
    const name = portableName(senderFileName(path));
    let fid = this.#nextFid++;
    const transfer = `send-${fid}`;
    // Registered before the first await, so a quit right after /send waits for this file.
    let settle: (error?: Error) => void = () => {};
    const settled = new Promise<void>((resolve, reject) => {
      settle = (error) => error ? reject(error) : resolve();
    });
    settled.catch(() => {}); // observed below; avoids an unhandled rejection meanwhile
    const outgoing: Outgoing = { name, size: 0, done: 0, settle };
    this.#sending.set(fid, outgoing);
    let slot = false;
    try {
      await this.#sendSlots.take();
      slot = true;
      // Offered again on each new connection after a lost one: the receiver kept what came,
      // so it continues where it stopped.
      while (await this.#offer(path, fid, transfer, outgoing, settled, options)) {
        this.#emit({
          type: "file-paused",
          name,
          ...(outgoing.peerLost !== undefined ? { by: outgoing.peerLost } : {}),
        });
        const back = await Promise.race([
          outgoing.peerLost !== undefined
            ? new Promise<boolean>((resolve) => this.#peerWaiters.push(resolve))
            : this.#nextJoin(outgoing.joins ?? 0),
          settled.then(() => false, () => false),
        ]);
        if (!back) {
          outgoing.settle(
            new Error(
              outgoing.peerLost !== undefined
                ? `${outgoing.peerLost} left before the file arrived`
                : "the connection ended before the file was confirmed",
            ),
          );
          break;
        }
        this.#sending.delete(fid);
        fid = this.#nextFid++;
        this.#sending.set(fid, outgoing);
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
      this.#wakeSettled();
    }
  }

  /**
   * Offers `path` on the current session and sends it. Resolves true when the connection was
   * lost on the way and the client will connect again (offer it again then); settling (the
   * receiver's answer, a refusal, leaving) is left to `outgoing`.
   */
  async #offer(
    path: string,
    fid: number,
    transfer: string,
    outgoing: Outgoing,
    settled: Promise<void>,
    options: SendFileOptions,
  ): Promise<boolean> {
    outgoing.interrupted = false;
    outgoing.peerLost = undefined;
    outgoing.lost = Promise.withResolvers();
    outgoing.answered = false;
    let file: Deno.FsFile | undefined;
    let folder: FolderSource | undefined;
    let unanswered: ReturnType<typeof setTimeout> | undefined;
    const { name } = outgoing;
    try {
      if (outgoing.cancelled) throw new Error(CANCELLED_AT_QUIT);
      try {
        file = await Deno.open(path, { read: true });
      } catch (error) {
        throw new Error(`Cannot read ${path}: ${readErrorText(error)}`);
      }
      const info = await file.stat();
      if (info.isDirectory) {
        file.close();
        file = undefined;
        folder = this.#folder(path);
      } else if (!info.isFile) throw new Error(`${path} is not a file`);
      const size = folder?.size ?? info.size;
      // Cancelled (we quit) while it was opened: the peer was offered nothing.
      if (outgoing.cancelled) throw new Error(CANCELLED_AT_QUIT);
      const session = this.#session;
      outgoing.joins = this.#joins;
      // The connection dropped while the file was opened: offered on the next one.
      if (!session || !this.#live) {
        if (this.#reconnects) return true;
        throw new Error("the connection ended before the file was confirmed");
      }
      outgoing.size = size;
      if (folder) {
        const { files, bytes, leftOut } = folder;
        outgoing.folder = { files, bytes, leftOut };
      }
      const sender = outgoing.sender = new FileSender({
        fid,
        name,
        size,
        file: (folder ?? file)!,
        ...(folder ? { folder: { files: folder.files, bytes: folder.bytes } } : {}),
        post: (message, body, record) => session.post(message, body, record),
        drained: () => session.drained(),
        key: fileKey(path, info),
        // A peer that takes files unasked and never answers is given up on.
        ...(this.#kind !== "hub"
          ? { readyTimeoutMs: offerAnswerMs(size, this.#options.offerAnswerMs) }
          : {}),
        onProgress: (done, total) => {
          // What leaving reports is what the status line showed.
          outgoing.done = done;
          this.#emit({
            type: "progress",
            transfer,
            direction: "send",
            name,
            done,
            total,
            ...(folder ? { files: { done: folder.filesDone, total: folder.files } } : {}),
          });
        },
      });
      outgoing.offeredAt = Date.now();
      // In a direct chat an offer not answered at once waits for a person there: say so.
      if (this.#kind !== "hub") {
        unanswered = setTimeout(() => {
          if (outgoing.answered || outgoing.cancelled) return;
          this.#emit({ type: "file-waiting", name });
          options.unanswered?.();
        }, UNANSWERED_OFFER_MS);
      }
      try {
        const sent = await sender.send();
        outgoing.sha256 = sent.sha256;
        outgoing.resumedFrom = sent.resumedFrom;
      } catch (error) {
        if (outgoing.interrupted) return true;
        // Stopped: the refusal, the lost connection or drop() settled it already, with its
        // reason (the peer was told by the sender's `cancel`).
        if (sender.stopped === undefined) outgoing.settle(error as Error);
        return false;
      }
      // All posted: the receiver's verdict comes, or the connection is lost before it does.
      await Promise.race([settled.catch(() => {}), outgoing.lost.promise]);
      return outgoing.interrupted;
    } catch (error) {
      outgoing.settle(error instanceof Error ? error : new Error(String(error)));
      return false;
    } finally {
      clearTimeout(unanswered);
      file?.close();
      folder?.close();
    }
  }

  /**
   * Resolves true once the client joined again since its `joins`th session (at once when it
   * did already), false when it will not (see {@linkcode willReconnect}).
   */
  #nextJoin(joins: number): Promise<boolean> {
    if (!this.#reconnects) return Promise.resolve(false);
    if (this.#joins > joins && this.#live) return Promise.resolve(true);
    return new Promise((resolve) => this.#joinWaiters.push(resolve));
  }

  /**
   * Tells the client whether a lost connection will be dialled again ({@linkcode stayConnected}
   * says so while it runs). Files being sent then wait for the next connection and are offered
   * again, continuing where they stopped; when it stops, those still waiting fail.
   */
  willReconnect(on: boolean): void {
    this.#reconnects = on;
    if (on) return;
    for (const wake of this.#joinWaiters.splice(0)) wake(false);
    this.#wakeSettled();
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
   * Leaving: waits until nothing is in flight (lines acknowledged, files through both ways),
   * until {@linkcode drop}, or until nothing more can be delivered (a direct chat's
   * connection ended for good). A member whose connection is down keeps waiting (a hub
   * member, the connecting side of a direct chat): it reconnects (while leaving, as long as
   * something is in flight) and delivers then.
   */
  async deliver(): Promise<void> {
    this.#leaving = true;
    while (this.busy && (this.#live || this.#kind === "hub" || this.#reconnects)) {
      // An offer the person there has not answered is withdrawn: leaving does not wait for
      // a person (one just made gets a moment, for a peer that takes files unasked).
      const next = this.#withdrawUnanswered();
      if (!this.busy) break;
      let timer: ReturnType<typeof setTimeout> | undefined;
      await new Promise<void>((resolve) => {
        this.#pendingWaiters.push(resolve);
        if (next !== undefined) timer = setTimeout(resolve, next);
      });
      clearTimeout(timer);
    }
  }

  /**
   * Withdraws our offers in a direct chat that were not answered within
   * {@linkcode UNANSWERED_OFFER_MS} (a hub takes files unasked); resolves with the time until
   * the next one is due, if any.
   */
  #withdrawUnanswered(): number | undefined {
    if (this.#kind === "hub") return undefined;
    const now = Date.now();
    let next: number | undefined;
    for (const outgoing of this.#sending.values()) {
      if (outgoing.peerLost !== undefined && outgoing.interrupted && !outgoing.cancelled) {
        // Waiting for a receiver that was cut off: leaving does not wait for it to return.
        outgoing.cancelled = "the sender left";
        outgoing.settle(new Error(`${outgoing.peerLost} left before the file arrived`));
        continue;
      }
      if (outgoing.answered || outgoing.offeredAt === undefined || outgoing.cancelled) continue;
      const left = outgoing.offeredAt + UNANSWERED_OFFER_MS - now;
      if (left > 0) {
        next = Math.min(next ?? left, left);
        continue;
      }
      outgoing.cancelled = "the sender left";
      outgoing.sender?.stop(outgoing.cancelled);
      outgoing.settle(new Error("left before it was accepted"));
    }
    return next;
  }

  /**
   * Gives up what is in flight: lines not acknowledged are reported `not-sent`, files under
   * way are cancelled and both sides told. Resolves with how many lines were dropped.
   */
  async drop(): Promise<number> {
    const lines = [...this.#pending.values()];
    this.#pending.clear();
    this.#outbox = [];
    this.#outboxHead = 0;
    for (const message of lines) this.#notSent(message, "dropped when leaving");
    const toPeer = cancelledByQuit(this.#name);
    for (const outgoing of this.#sending.values()) {
      if (outgoing.cancelled) continue;
      outgoing.cancelled = toPeer;
      // Its sender tells the peer with `cancel`, at once (it does not wait for a stalled
      // connection). One not offered yet (waiting for its turn) is nothing the peer knows of.
      outgoing.sender?.stop(toPeer);
      outgoing.settle(new Error(CANCELLED_AT_QUIT));
    }
    // Files coming are refused: each sender is told, and what came of them removed.
    await this.#receiver?.refuseAll(toPeer, CANCELLED_AT_QUIT);
    this.#wakeSettled();
    return lines.length;
  }

  /**
   * Leaves: waits for what is in flight ({@linkcode deliver}; at most `graceMs`, then it is
   * dropped), then says goodbye and closes.
   */
  async quit(graceMs?: number): Promise<void> {
    this.#leaving = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      this.deliver(),
      ...(graceMs === undefined
        ? []
        : [new Promise((resolve) => timer = setTimeout(resolve, graceMs))]),
    ]);
    clearTimeout(timer);
    if (this.busy) await this.drop();
    const session = this.#session;
    if (!session) return;
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

  /** Reports our line `message` as not delivered. */
  #notSent(message: Message, reason: string): void {
    if (message.t !== "chat" && message.t !== "private") return;
    this.#emit({
      type: "not-sent",
      text: message.text,
      reason,
      ...(message.t === "chat" && message.me ? { me: true } : {}),
      ...(message.t === "private" ? { to: message.to } : {}),
    });
  }

  /** Reports our line `id` as taken by the room (with its number), once. */
  #acknowledged(id: string, seq: number | undefined, rejected: boolean): void {
    const message = this.#pending.get(id);
    if (!message) return;
    this.#pending.delete(id);
    if (rejected) {
      this.#notSent(message, this.#lastRefusal ?? "refused by the host");
    } else if (message.t === "chat" || message.t === "private") {
      this.#emit({
        type: "sent",
        text: message.text,
        ...(seq !== undefined && message.t === "chat" ? { seq } : {}),
        ...(message.t === "chat" && message.me ? { me: true } : {}),
        ...(message.t === "private" ? { to: message.to } : {}),
      });
    }
    if (this.#pending.size === 0) this.#wakeSettled();
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
    if ("id" in message && this.#pending.delete(message.id)) {
      this.#notSent(message, "too large to send");
      if (this.#pending.size === 0) this.#wakeSettled();
    }
    this.#emit({
      type: "notice",
      text: `Not sent: the ${message.t} message is too large (${problem.bytes} bytes of ` +
        `header; the limit is ${MAX_HEADER_BYTES}).`,
      error: true,
    });
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
          if (value.message.kicked) this.#kicked = byeReason;
          continue;
        }
        await this.#handle(value);
      }
    } finally {
      reader.releaseLock();
    }
    if (this.#session === session) this.#live = false;
    const reason = byeReason ?? await session.closed;
    this.#endedCleanly = byeReason !== undefined || this.#leaving;
    this.#endedByHost = byeReason !== undefined;
    await this.#receiver?.endAll("the connection ended before the file was complete");
    await Promise.allSettled(this.#opening);
    for (const waiting of this.#asking.values()) {
      this.#emit({
        type: "file-failed",
        direction: "receive",
        name: waiting.name,
        reason: "the connection ended before it was answered",
      });
    }
    this.#asking.clear();
    // Files under way are offered again after a reconnect (not when put out, nor when the host
    // of a direct chat ended it).
    const again = this.#reconnects && this.#kicked === undefined &&
      !(this.#kind === "direct" && byeReason !== undefined);
    for (const outgoing of this.#sending.values()) {
      if (again && !outgoing.cancelled) outgoing.interrupted = true;
      outgoing.sender?.stop("the connection ended");
      outgoing.lost?.resolve();
      if (!outgoing.interrupted) {
        outgoing.settle(new Error("the connection ended before the file was confirmed"));
      }
    }
    if (this.#session === session && !this.#leaving) {
      this.#emit({
        type: "closed",
        ...(reason ? { reason } : {}),
        ...(this.#kicked !== undefined ? { kicked: true as const } : {}),
      });
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
        return this.#acknowledged(message.id, message.seq, message.rejected ?? false);
      case "private":
        if (this.#ignores(message.from)) return;
        return this.#emit({
          type: "private",
          from: message.from ?? "?",
          to: message.to,
          text: message.text,
          time: message.time ?? new Date().toISOString(),
        });
      case "presence":
        for (const { name, remote, back } of message.joined) {
          // The other person of a direct chat: files we were sending it go on if it is back.
          if (this.#kind === "direct" && name !== this.#name) {
            for (const wake of this.#peerWaiters.splice(0)) wake(back === true);
          }
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
      case "renamed": {
        if (message.from === this.#name) this.#name = message.to;
        // Ignoring follows the member, not the name it had.
        const ignored = this.#ignores(message.from);
        if (ignored) {
          this.#ignored.delete(skeleton(message.from));
          this.#ignored.set(skeleton(message.to), message.to);
        }
        return this.#emit({ type: "renamed", from: message.from, to: message.to });
      }
      case "members":
        // A host that does not page sends everyone at once: one page.
        return this.#emit({
          type: "members",
          names: message.names,
          page: message.page ?? 1,
          pages: message.pages ?? 1,
          total: message.total ?? message.names.length,
          ...(message.away?.length ? { away: message.away } : {}),
          ...(message.ops?.length ? { ops: message.ops } : {}),
          ...(message.muted?.length ? { muted: message.muted } : {}),
        });
      case "moderated":
        if (message.name === this.#name && this.#role !== "host") {
          if (message.action === "op") this.#role = "op";
          if (message.action === "deop") this.#role = "member";
        }
        return this.#emit({
          type: "moderated",
          action: message.action,
          name: message.name,
          by: message.by,
          host: message.host ?? false,
          ...(message.reason !== undefined ? { reason: message.reason } : {}),
          ...(message.until !== undefined ? { until: message.until } : {}),
        });
      case "topic":
        this.#topic = message.text === "" ? undefined : message.text;
        return this.#emit({
          type: "topic",
          text: message.text,
          ...(message.by !== undefined ? { by: message.by } : {}),
        });
      case "away":
        if (message.name === undefined || this.#ignores(message.name)) return;
        return this.#emit({
          type: "away",
          name: message.name,
          ...(message.text !== undefined ? { text: message.text } : {}),
        });
      case "removed":
        return this.#emit({
          type: "removed",
          file: message.file,
          name: message.name,
          by: message.by,
        });
      case "notice":
        // A refused line's notice comes just before its ack.
        this.#lastRefusal = message.error ? message.text : undefined;
        return this.#emit({ type: "notice", text: message.text, error: message.error ?? false });
      case "shared":
        this.#sharedFile(message.file, {
          from: message.from,
          name: message.name,
          bytes: message.size,
          sha256: message.sha256,
        });
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
        for (const file of message.files) {
          this.#sharedFile(file.file, {
            from: file.from,
            name: file.name,
            bytes: file.size,
            sha256: file.sha256,
          });
        }
        return this.#emit({
          type: "file-list",
          files: message.files,
          page: message.page ?? 1,
          pages: message.pages ?? 1,
          total: message.total ?? message.files.length,
        });
      case "offer":
        if (message.file !== undefined && this.#gets.has(message.file)) {
          this.#getFids.set(message.fid, message.file);
        }
        return await this.#offered(message);
      case "start":
        return await this.#receiver?.start(message.fid, message.offset);
      case "check":
        return await this.#receiver?.check(message.fid, message.sha256);
      case "asking":
        return this.#sending.get(message.fid)?.sender?.asked();
      case "ready": {
        const outgoing = this.#sending.get(message.fid);
        if (outgoing) outgoing.answered = true;
        return outgoing?.sender?.ready(message);
      }
      case "chunk":
        return await this.#receiver?.chunk(message.fid, body);
      case "end":
        return await this.#receiver?.end(message.fid, message.sha256);
      case "cancel":
        this.#withdrawn(message.fid, message.reason);
        return await this.#receiver?.cancel(message.fid, message.reason, message.keep);
      case "received":
        return this.#received(message);
    }
  }

  #line(line: ChatLine): void {
    // Only our own lines come with an id (replayed after a reconnect); others' have none.
    if (line.id !== "" && this.#pending.has(line.id)) {
      // Our own line, stored before the connection dropped: it counts as acknowledged.
      this.#lastSeq = Math.max(this.#lastSeq, line.seq ?? 0);
      this.#acknowledged(line.id, line.seq, false);
      return;
    }
    if (line.seq !== undefined) {
      // A line we already showed (replayed again after a reconnect) is not shown twice.
      if (line.seq <= this.#lastSeq) return;
      this.#lastSeq = line.seq;
    }
    if (this.#ignores(line.from)) return;
    this.#emit({
      type: "message",
      from: line.from ?? "?",
      text: line.text,
      time: line.time ?? new Date().toISOString(),
      seq: line.seq ?? 0,
      me: line.me ?? false,
      history: line.history ?? false,
      ...(mentions(line.text, this.#name) ? { mention: true as const } : {}),
    });
  }

  /** The receiver of the files that come on `session`, telling this client's listeners. */
  /**
   * An offer. In a direct chat it goes as the accept mode says: asked about (the sender waits
   * for `ready`, sent once the person says yes), taken, or declined; a hub sends only what was
   * asked for with `/get`.
   */
  async #offered(offer: WaitingOffer): Promise<void> {
    const mode = this.#kind === "hub" ? "all" : this.#options.accept ?? "all";
    // A sender that does not wait for an answer (no key: an older p2pchat) cannot be asked.
    // Part of it is here from a transfer cut off: it was accepted then, and continues.
    const held = mode === "ask" && offer.key !== undefined &&
      await this.#receiver?.holdsPart(offer, "?") === true;
    const asked = mode === "ask" && offer.key !== undefined && !held;
    if (asked && (this.#asking.has(offer.fid) || this.#asking.size >= TRANSFERS_AT_ONCE)) {
      // Questions count like files coming at once: a flood of offers asks nothing.
      this.#session?.post({
        t: "received",
        fid: offer.fid,
        ok: false,
        reason: `refused '${offer.name}': ${TRANSFERS_AT_ONCE} offers wait for an answer already`,
      });
      return;
    }
    if (this.#kind !== "hub") {
      this.#emit({
        type: "file-offer",
        offer: offer.fid,
        from: offer.from ?? "?",
        name: offer.name,
        bytes: offer.folder?.bytes ?? offer.size,
        ...(offer.folder ? { files: offer.folder.files } : {}),
        ask: asked,
      });
    }
    if (mode === "none" || (mode === "ask" && !asked && !held)) return this.#decline(offer);
    if (!asked) return await this.#take(offer);
    this.#asking.set(offer.fid, offer);
    // The sender waits for the person without a limit.
    this.#session?.post({ t: "asking", fid: offer.fid });
  }

  /**
   * Opens a taken offer. A keyed offer waits for our `ready`: opening it (hashing a held part,
   * which may be gigabytes) goes on beside the chat; an offer without a key has its chunks
   * right behind.
   */
  async #take(offer: WaitingOffer): Promise<void> {
    // Either way, leaving may go on once it is settled (one refused counts until then).
    if (offer.key === undefined) {
      await this.#receiver?.offer(offer, "?");
      return this.#wakeSettled();
    }
    if (this.#receiver) {
      // Its failures are told by the receiver (a refusal to the sender, file-failed here).
      const opening = this.#receiver.offer(offer, "?").catch(() => {});
      this.#opening.add(opening);
      opening.finally(() => {
        this.#opening.delete(opening);
        this.#wakeSettled();
      });
    }
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
    if (yes) this.#take(waiting).catch(() => {/* shown as file-failed */});
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

  #newReceiver(session: Session): FileReceiver {
    this.#getFids = new Map();
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
      saved: ({ fid, from, saved, resumedFrom, skipped, files }) => () => {
        this.#gotten(fid);
        this.#emit({
          type: "file",
          from,
          name: saved.name,
          path: saved.path,
          bytes: saved.bytes,
          sha256: saved.sha256,
          ...(resumedFrom > 0 ? { resumedFrom } : {}),
          ...(skipped ? { skipped } : {}),
          ...(files !== undefined ? { files } : {}),
        });
        // After the sender was told: leaving may go on.
        this.#wakeSettled();
      },
      failed: (name, reason, _offered, fid, kept, held) => {
        // A download cut off is asked for again after a reconnect; a refused one is not.
        if (!kept) this.#gotten(fid);
        this.#emit({
          type: "file-failed",
          direction: "receive",
          name,
          reason,
          ...(held ? { held: true as const } : {}),
        });
        this.#wakeSettled();
      },
    }, { resume: true });
  }

  /** File `fid` of this session arrived or failed for good: a `/get` of it is done. */
  #gotten(fid: number): void {
    const file = this.#getFids.get(fid);
    this.#getFids.delete(fid);
    if (file !== undefined) this.#gets.delete(file);
  }

  #received(received: Extract<Message, { t: "received" }>): void {
    const outgoing = this.#sending.get(received.fid);
    if (!outgoing) return;
    if (received.lost && this.#kind === "direct" && !outgoing.cancelled) {
      // The receiver was cut off: the file waits for it to come back (see `sendFile`).
      outgoing.interrupted = true;
      outgoing.peerLost = received.by ?? "the receiver";
      outgoing.sender?.stop("the receiver was cut off");
      outgoing.lost?.resolve();
      return;
    }
    const sha256 = outgoing.sha256 ?? outgoing.sender?.sha256;
    if (!received.ok && received.declined) {
      this.#emit({
        type: "file-declined",
        name: outgoing.name,
        ...(received.by ? { by: received.by } : {}),
      });
      outgoing.sender?.stop("declined");
      outgoing.settle(new DeclinedError(`${outgoing.name} was declined`));
    } else if (
      received.ok && received.skipped && sha256 !== undefined && received.sha256 === sha256
    ) {
      outgoing.sender?.finish();
      this.#emit({
        type: "file-sent",
        name: outgoing.name,
        bytes: outgoing.size,
        sha256,
        ...(received.by ? { to: received.by } : {}),
        skipped: true,
      });
      outgoing.settle();
    } else if (received.ok && received.sha256 === outgoing.sha256) {
      const folder = outgoing.folder;
      this.#emit({
        type: "file-sent",
        name: outgoing.name,
        bytes: folder?.bytes ?? outgoing.size,
        sha256: outgoing.sha256!,
        ...(received.by ? { to: received.by } : {}),
        ...(outgoing.resumedFrom ? { resumedFrom: outgoing.resumedFrom } : {}),
        ...(folder ? { files: folder.files } : {}),
        ...(folder?.leftOut ? { leftOut: folder.leftOut } : {}),
      });
      outgoing.settle();
    } else {
      const reason = received.reason ?? "the hash did not match";
      outgoing.sender?.stop("refused");
      // A receiver that quit says so itself (`cancelled by alice (quit)`).
      const cancelled = reason.startsWith("cancelled by ");
      outgoing.settle(
        new Error(
          cancelled
            ? reason
            : `${
              received.by ?? (this.#kind === "hub" ? "The hub" : "The receiver")
            } refused ${outgoing.name}: ${reason}`,
        ),
      );
    }
    this.#sending.delete(received.fid);
    this.#wakeSettled();
  }
}
