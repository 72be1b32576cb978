/**
 * A room: members, the order of their lines, history, presence and files.
 *
 * A direct chat is a room of two hosted by the listener (files go straight to the other
 * person); a hub is a room of many (files are kept and fetched with `/get`).
 *
 * @example
 * ```ts ignore
 * import { Room } from "./room.ts";
 * import { MemoryHistory } from "./history.ts";
 * const room = new Room({ kind: "direct", capacity: 2, history: new MemoryHistory(50) });
 * room.admit(session); // runs until that member leaves
 * ```
 * @module
 */

import type { Envelope, Message, SharedFileInfo } from "../session/message.ts";
import { PROTOCOL_VERSION } from "../session/message.ts";
import type { Session, SessionProblem } from "../session/session.ts";
import { encodeRecord } from "../wire/codec.ts";
import { BacklogGate, type BacklogGateOptions } from "./backlog_gate.ts";
import { type Ban, banAddress, BanList } from "./ban_list.ts";
import { untilText } from "./duration.ts";
import { BroadcastPacer } from "./broadcast_pacer.ts";
import { type History, lineMessage } from "./history.ts";
import { type KnownClients, MemoryKnownClients } from "./known_clients.ts";
import { LineReplay } from "./line_replay.ts";
import { lineTextProblem } from "./line_text.ts";
import { fileEntry, FILES_PAGE_ENTRIES, fitting, listPage, WHO_PAGE_NAMES } from "./list_page.ts";
import { Member } from "./member.ts";
import { isValidName, nameKey, notAllowedName } from "./member_name.ts";
import {
  expelledText,
  HOST_NAME,
  isReservedName,
  type Order,
  orderDenied,
  type Role,
} from "./moderation.ts";
import { clashReason, NAME_GRACE_MS, NameRegistry } from "./name_registry.ts";
import type { RateLimit } from "./rate_limiter.ts";
import { DirectRelay } from "./direct_relay.ts";
import { refusalReason } from "./refusal.ts";
import type { SharedFiles } from "./shared_files.ts";
import {
  MAX_AWAY_CHARS,
  MAX_REASON_CHARS,
  MAX_TOPIC_CHARS,
  shortTextProblem,
} from "./short_text.ts";
import type { FileRoom, TransferPolicy } from "./transfer_policy.ts";

/** What the room reports to its host's console. */
export type RoomEvent =
  | { type: "joined"; name: string; remote: string; count: number }
  | { type: "left"; name: string; remote: string; count: number; reason?: string }
  | { type: "renamed"; from: string; to: string }
  | { type: "refused"; remote: string; reason: string }
  | { type: "shared"; name: string; file: number; from: string; size: number }
  | { type: "file-failed"; from: string; name: string; reason: string }
  | { type: "history-failed"; from: string; reason: string }
  /** A record from a member (`name`, once it said hello) that could not be read was skipped. */
  | { type: "skipped"; name?: string; remote: string; reason: string; count: number }
  /** A message to a member was too large for it to accept, and was not sent. */
  | { type: "unsendable"; name?: string; remote: string; message: string; bytes: number }
  /** The host or an operator (`by`) put `name` out of the room. */
  | { type: "kicked"; name: string; by: string; reason?: string }
  /**
   * `name` may not come back until `until` (ISO; absent: until unbanned). The ban holds its
   * client (`client`) and its `address` when they were known; `kept: false` when the disk
   * refused it (it holds until the hub stops).
   */
  | {
    type: "banned";
    name: string;
    by: string;
    reason?: string;
    until?: string;
    client: boolean;
    address?: string;
    kept?: false;
  }
  | { type: "unbanned"; name: string; by: string }
  /** `name` may read but not speak until `until` (ISO; absent: until unmuted). */
  | { type: "muted"; name: string; by: string; reason?: string; until?: string }
  | { type: "unmuted"; name: string; by: string }
  /** `name` was made an operator, or (`deop`) is none any more. */
  | { type: "op"; name: string; by: string }
  | { type: "deop"; name: string; by: string }
  /** The topic was set (`""`: cleared). */
  | { type: "topic"; text: string; by: string }
  /** The host said a line (as `host`). */
  | { type: "said"; text: string }
  /** The host removed a kept file. */
  | { type: "removed"; file: number; name: string; by: string }
  /** A member's order was refused; logged within the member's rate limit only. */
  | { type: "denied"; name: string; order: string; reason: string };

/** A member on the host's `/who`: with its address, role, away message and mute. */
export interface RosterEntry {
  name: string;
  remote: string;
  role: Role;
  away?: string;
  muted?: boolean;
}

/** Options of {@linkcode Room}. */
export interface RoomOptions {
  /** `direct`: two people, files pass straight through; `hub`: many, files are kept. */
  kind: "direct" | "hub";
  /** Most members at once. */
  capacity: number;
  /** Where lines are kept. */
  history: History;
  /** Lines replayed to a newcomer. Default 50. */
  historyLimit?: number;
  /** The clients seen, for whom a replay may start at their own `lastSeq`. Default: in memory. */
  clients?: KnownClients;
  /** Flood control per member. Default: off. */
  rate?: RateLimit;
  /** Kept files (hubs). */
  files?: SharedFiles;
  /** The host's console. */
  onEvent?: (event: RoomEvent) => void;
  /** Time allowed for a `hello` after the handshake. Default 10 s. */
  helloTimeoutMs?: number;
  /** When the room stops reading new lines because its members are behind. */
  backlog?: BacklogGateOptions;
  /**
   * How long a hub keeps a dropped member's name for its client. Default
   * {@linkcode NAME_GRACE_MS}; a direct chat keeps none (it ends with the connection).
   */
  nameGraceMs?: number;
  /** Who may not join (a hub keeps them in its database). Default: in memory. */
  bans?: BanList;
  /** The clock (ms), for tests. */
  now?: () => number;
}

type Presence = Extract<Message, { t: "presence" }>;
type PresenceJoin = Presence["joined"][number];
type PresenceLeave = Presence["left"][number];

type Handler = (member: Member, envelope: Envelope) => Promise<void> | void;

/** Members named in a welcome; a bigger hub is summed up by its count. */
const WELCOME_NAMES = 50;
/** Rooms up to this size hear of each arrival and departure at once. */
const PRESENCE_AT_ONCE = 64;
/** How long a bigger room gathers arrivals and departures into one notice. */
const PRESENCE_BATCH_MS = 250;
/** Arrivals (and departures) named in one presence notice; the rest are counted. */
const PRESENCE_NAMES = 20;
/** Presence deliveries per second a big room aims to stay under. */
const PRESENCE_DELIVERIES_PER_S = 4_000;
/** The longest a presence change waits, however big the room. */
const PRESENCE_MAX_BATCH_MS = 3_000;
/** Most lines replayed to a returning member; it is told how many earlier ones it missed. */
export const RESUME_LIMIT = 10_000;
/**
 * Bytes of names (and departure reasons) one presence notice carries, well under the header
 * limit: past it, or past PRESENCE_NAMES, arrivals and departures are counted, not named.
 */
const PRESENCE_BYTES = 8 * 1024;
/** The longest departure reason a presence notice carries, as its receivers check it. */
const REASON_CHARS = 256;
/** The longest address a presence notice carries (direct chats), as its receivers check it. */
const REMOTE_CHARS = 64;
/** What a member is told when it says, renames or asks more than `--rate` allows. */
const RATE_LIMITED = "Message rejected: Rate limiting is in effect.";
/** Members whose name, client and address a hub remembers after they left, to ban them. */
const RECENT_MEMBERS = 1_000;
/** Most operators at once. */
const MAX_OPS = 1_000;

/** Who gives an order: the host (its console) or a member. */
export type Actor = "host" | Member;

/** Members, ordering, history, presence and files of one chat. */
export class Room implements FileRoom {
  #options:
    & Required<Omit<RoomOptions, "files" | "onEvent" | "backlog" | "nameGraceMs">>
    & RoomOptions;
  #members: Map<string, Member> = new Map();
  /** Names held and kept, by how they look: a join must not look at every member. */
  #names: NameRegistry<Member>;
  /** What happens to the files members send: relayed (direct) or kept (hub). */
  #transfers: TransferPolicy;
  #closing = false;
  /**
   * A direct chat: the client whose connection was lost last. Told as `back` when it returns,
   * so the other side can continue the files it was sending it (a client id is a secret: no
   * one else can claim to be back).
   */
  #lostClient: string | undefined;
  #presence: { joined: PresenceJoin[]; left: PresenceLeave[] } = { joined: [], left: [] };
  #presenceTimer: ReturnType<typeof setTimeout> | undefined;
  #handlers: { [T in Message["t"]]?: Handler };
  /** The members' sessions, for the pacer and the gate: a Set iterates without garbage. */
  #sessions: Set<Session> = new Set();
  #pacer: BroadcastPacer = new BroadcastPacer(() => this.#sessions);
  #gate: BacklogGate;
  /** The members' names in joining order, for `/who`: made when asked, kept until they change. */
  #roster: string[] | undefined;
  #bans: BanList;
  /** Who may not speak: like bans, by client and name (not address), until the hub stops. */
  #mutes: BanList;
  /** Operators, by client id (a name can be taken by someone else once its owner left). */
  #ops: Map<string, string> = new Map();
  #topic: { text: string; by: string } | undefined;
  /** Members who left lately, by name (see {@linkcode nameKey}): a ban may still catch them. */
  #recent: Map<string, { name: string; client: string; address?: string }> = new Map();
  /** The client id of the host's own lines: no member's, and nobody knows it. */
  #hostClient = crypto.randomUUID();

  /** Creates an empty room. */
  constructor(options: RoomOptions) {
    const now = options.now ?? Date.now;
    this.#options = {
      historyLimit: 50,
      rate: { perSecond: 0, burst: 0 },
      helloTimeoutMs: 10_000,
      clients: new MemoryKnownClients(),
      bans: new BanList({ now }),
      now,
      ...options,
    };
    this.#transfers = options.files ?? new DirectRelay();
    this.#transfers.attach(this);
    this.#bans = this.#options.bans;
    this.#mutes = new BanList({ now });
    this.#gate = new BacklogGate(() => this.#sessions, options.backlog);
    this.#names = new NameRegistry({
      graceMs: options.kind === "hub" ? options.nameGraceMs ?? NAME_GRACE_MS : 0,
    });
    // One handler per message type a member may send; anything else is ignored.
    this.#handlers = {
      chat: (m, e) => this.#chat(m, e.message as Extract<Message, { t: "chat" }>),
      private: (m, e) => this.#private(m, e.message as Extract<Message, { t: "private" }>),
      nick: (m, e) => this.#nick(m, (e.message as Extract<Message, { t: "nick" }>).name),
      who: (m, e) => this.#who(m, (e.message as Extract<Message, { t: "who" }>).page),
      // Transfers are the policy's: the room only routes them.
      offer: (m, e) => this.#offer(m, e.message as Extract<Message, { t: "offer" }>),
      start: (m, e) => this.#transfers.start(m, e.message as Extract<Message, { t: "start" }>),
      check: (m, e) => this.#transfers.check(m, e.message as Extract<Message, { t: "check" }>),
      ready: (m, e) => this.#transfers.ready(m, e.message as Extract<Message, { t: "ready" }>),
      asking: (m, e) => this.#transfers.asking(m, e.message as Extract<Message, { t: "asking" }>),
      chunk: (m, e) => this.#transfers.chunk(m, (e.message as { fid: number }).fid, e.body),
      end: (m, e) => this.#transfers.end(m, e.message as Extract<Message, { t: "end" }>),
      cancel: (m, e) => this.#transfers.cancel(m, e.message as Extract<Message, { t: "cancel" }>),
      received: (m, e) =>
        this.#transfers.received(m, e.message as Extract<Message, { t: "received" }>),
      files: (m, e) => this.#listFiles(m, (e.message as Extract<Message, { t: "files" }>).page),
      get: (m, e) => this.#get(m, (e.message as Extract<Message, { t: "get" }>).file),
      kick: (m, e) => {
        const { name, reason } = e.message as Extract<Message, { t: "kick" }>;
        this.#order(m, { action: "kick", name, ...(reason ? { reason } : {}) });
      },
      ban: (m, e) => {
        const { name, seconds, reason } = e.message as Extract<Message, { t: "ban" }>;
        this.#order(m, { action: "ban", name, seconds, ...(reason ? { reason } : {}) });
      },
      mute: (m, e) => {
        const { name, seconds, reason } = e.message as Extract<Message, { t: "mute" }>;
        this.#order(m, { action: "mute", name, seconds, ...(reason ? { reason } : {}) });
      },
      unban: (m, e) =>
        this.#order(m, { action: "unban", name: (e.message as { name: string }).name }),
      unmute: (m, e) =>
        this.#order(m, { action: "unmute", name: (e.message as { name: string }).name }),
      op: (m, e) => this.#order(m, { action: "op", name: (e.message as { name: string }).name }),
      deop: (m, e) =>
        this.#order(m, { action: "deop", name: (e.message as { name: string }).name }),
      topic: (m, e) =>
        this.#order(m, { action: "topic", text: (e.message as { text: string }).text }),
      away: (m, e) => this.#away(m, (e.message as Extract<Message, { t: "away" }>).text),
      back: (m) => this.#back(m),
    };
  }

  /** The kind of room. */
  get kind(): "direct" | "hub" {
    return this.#options.kind;
  }

  /** Names of the members, in joining order. */
  get names(): string[] {
    return [...this.#members.values()].map((member) => member.name);
  }

  /**
   * Admits a member over `session` and serves it until it leaves. Never throws. `host`: the
   * host's own client, taking part (it may give every order, and no operator may touch it).
   */
  async admit(session: Session, options: { host?: boolean } = {}): Promise<void> {
    // Two steps so that nothing of the joining (the names, the history replayed) stays held by
    // a coroutine that lives as long as the member: in a hub of N that was O(N^2) memory.
    const member = await this.#enter(session, options.host ?? false);
    if (member) await this.#serve(member);
  }

  /** Greets a new member and makes it one of the room; `undefined` when it was refused. */
  async #enter(session: Session, host: boolean): Promise<Member | undefined> {
    session.onProblem = (problem) => this.#problem(session, undefined, problem);
    const hello = await this.#hello(session);
    if (!hello) {
      await session.close();
      return;
    }
    const refusal = this.#refusal(hello.name, hello.client, session.remote, host);
    if (refusal) {
      this.#options.onEvent?.({ type: "refused", remote: session.remote, reason: refusal });
      session.post({ t: "notice", text: refusal, error: true });
      session.post({ t: "bye", reason: refusal });
      await session.close(refusal);
      return;
    }
    const member = new Member(
      session,
      hello.name,
      hello.client ?? crypto.randomUUID(),
      this.#options.rate,
      host,
    );
    // Held from here, before anything is awaited: a join meanwhile must see it taken.
    this.#names.add(member);
    session.onProblem = (problem) => this.#problem(session, member.name, problem);
    const replaced = this.#findClient(member.client);
    if (replaced) {
      await this.#drop(replaced, "reconnected", false);
      // Its old connection is dead or dying; nothing more may be taken from it. Not awaited:
      // flushing to a stalled peer must not hold up the member's return.
      replaced.session.close("replaced by a new connection").catch(() => {});
    }
    // A returning member gets what it missed (the newest RESUME_LIMIT lines of it), from its
    // own lastSeq; but only a client this room has seen: anyone else, whatever lastSeq it
    // claims, gets the last --history lines, and none older than its first visit could show.
    const clients = this.#options.clients;
    const lastSeq = hello.lastSeq ?? 0;
    const floor = clients.replayFloor(member.client);
    const resumed = lastSeq > 0 && floor !== undefined;
    const after = resumed ? Math.max(lastSeq, floor) : lastSeq;
    const span = this.#options.history.span(
      after,
      resumed ? Math.max(this.#options.historyLimit, RESUME_LIMIT) : this.#options.historyLimit,
    );
    clients.joined(member.client, floor ?? span.start);
    // Missed lines left out, told; a newcomer's older history was not missed (nor counted).
    const skipped = lastSeq > 0 ? this.#options.history.count(after, span.start) : 0;
    // An operator is one again after a reconnect: its client is the same.
    const role = this.#roleOf(member);
    // The first names only: a list of everyone per join is O(N^2) in a big hub.
    const names: string[] = [];
    for (const other of this.#members.values()) {
      if (names.length >= WELCOME_NAMES - 1) break;
      names.push(other.name);
    }
    names.push(member.name);
    member.post({
      t: "welcome",
      you: member.name,
      kind: this.kind,
      members: names,
      count: this.#members.size + 1,
      history: span.lines,
      ...(resumed ? { resumed: true } : {}),
      ...(skipped > 0 ? { skipped } : {}),
      ...(this.#topic ? { topic: this.#topic.text } : {}),
      // Powers exist in a hub; in a direct chat the listener is no one's host.
      ...(role !== "member" && this.kind === "hub" ? { role } : {}),
      // Who of them is an operator, away or muted: a face shows it from the start.
      ...this.#marks(names),
    });
    // In place before the member is: from now its lines come from the replay, in order.
    const replay = member.replay = new LineReplay({
      history: this.#options.history,
      session,
      client: member.client,
      start: span.start,
      historyLines: span.lines,
      alive: () => this.#members.get(member.client) === member,
    });
    this.#members.set(member.client, member);
    this.#roster = undefined;
    this.#sessions.add(member.session);
    // Runs on its own; a short history is sent before the member hears of its own arrival.
    replay.run().then(() => {
      if (member.replay === replay) member.replay = undefined;
    });
    if (!replaced) {
      const back = this.kind === "direct" && member.client === this.#lostClient;
      if (this.kind === "direct") this.#lostClient = undefined;
      this.#announce({
        joined: {
          name: member.name,
          ...(this.kind === "direct" ? { remote: session.remote.slice(0, REMOTE_CHARS) } : {}),
          ...(back ? { back } : {}),
        },
      });
      this.#options.onEvent?.({
        type: "joined",
        name: member.name,
        remote: session.remote,
        count: this.#members.size,
      });
    }
    return member;
  }

  /** Reports what a member's session skipped or did not send to the host's console. */
  #problem(session: Session, name: string | undefined, problem: SessionProblem): void {
    const who = { ...(name !== undefined ? { name } : {}), remote: session.remote };
    this.#options.onEvent?.(
      problem.kind === "unreadable"
        ? { type: "skipped", ...who, reason: problem.reason, count: problem.count }
        : { type: "unsendable", ...who, message: problem.message.t, bytes: problem.bytes },
    );
  }

  /** Handles a member's messages until it leaves, then drops it. */
  async #serve(member: Member): Promise<void> {
    const session = member.session;
    let reason: string | undefined;
    try {
      // A callback per message, not a stream and a loop: a hub holds thousands of these.
      await session.receive((envelope) => {
        if (envelope.message.t === "bye") {
          reason = "quit";
          return false;
        }
        // Replaced by a reconnect: this old connection speaks for no one any more.
        if (this.#members.get(member.client) !== member) return false;
        return this.#handlers[envelope.message.t]?.(member, envelope);
      });
    } catch (error) {
      reason = error instanceof Error ? error.message : String(error);
    }
    reason ??= await session.closed;
    if (this.#members.get(member.client) === member) {
      await this.#drop(member, reason ?? "quit", true);
      this.#lastSeen(member.client);
    }
    await session.close();
  }

  /**
   * Notes that `client` was here until now. Not while the room closes: its storage closes
   * with it, maybe before this member is done; the client's join is remembered already.
   */
  #lastSeen(client: string): void {
    if (!this.#closing) this.#options.clients.left(client);
  }

  /** Tells every member the room is closing, flushes, and closes their sessions. */
  async close(reason = "The room is closing"): Promise<void> {
    this.#flushPresence();
    this.#pacer.close();
    this.#gate.close();
    this.#closing = true;
    const members = [...this.#members.values()];
    for (const member of members) member.post({ t: "bye", reason });
    await Promise.all(members.map((member) => member.session.close()));
  }

  async #hello(session: Session): Promise<Extract<Message, { t: "hello" }> | undefined> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<"timeout">((resolve) => {
      timer = setTimeout(() => resolve("timeout"), this.#options.helloTimeoutMs);
    });
    try {
      let first: Message | undefined;
      const received = session.receive(({ message }) => {
        first = message;
        return false;
      }).catch(() => {});
      if (await Promise.race([received, timeout]) === "timeout") {
        this.#options.onEvent?.({ type: "refused", remote: session.remote, reason: "no hello" });
        return undefined;
      }
      if (first?.t !== "hello") return undefined;
      const hello: Extract<Message, { t: "hello" }> = first;
      if (hello.v !== PROTOCOL_VERSION) {
        const reason = `This host speaks protocol ${PROTOCOL_VERSION}; you sent ${hello.v}. ` +
          "Use the same p2pchat version on both sides.";
        session.post({ t: "notice", text: reason, error: true });
        this.#options.onEvent?.({
          type: "refused",
          remote: session.remote,
          reason: `it speaks protocol ${hello.v}, this host ${PROTOCOL_VERSION}. ` +
            "Use the same p2pchat version on both sides.",
        });
        return undefined;
      }
      return hello;
    } finally {
      clearTimeout(timer);
    }
  }

  #refusal(
    name: string,
    client: string | undefined,
    remote: string,
    host: boolean,
  ): string | undefined {
    if (this.#closing) return "The room is closing.";
    if (!isValidName(name)) {
      return notAllowedName(name);
    }
    if (!host && isReservedName(name)) return reservedReason(name, "join");
    const ban = this.kind === "hub" && !host
      ? this.#bans.match({ name, client, address: banAddress(remote) })
      : undefined;
    if (ban) return this.#banReason(ban);
    const clash = this.#names.clash(name, client);
    if (clash) return clashReason(name, clash, "join");
    if (!(client && this.#findClient(client)) && this.#members.size >= this.#options.capacity) {
      return this.kind === "direct"
        ? "This chat is busy: a direct chat holds two people."
        : `The hub is full (${this.#options.capacity} members).`;
    }
    return undefined;
  }

  #findName(name: string): Member | undefined {
    return this.#names.find(name);
  }

  #findClient(client: string): Member | undefined {
    return this.#members.get(client);
  }

  /** Sends `message` to every member but `except`, encoded once for all of them. */
  #broadcast(message: Message, except?: Member): void {
    // Presence notices go out before anything that follows them.
    if (message.t !== "presence") this.#flushPresence();
    const record = encodeRecord(message);
    // A member being replayed what it missed gets a line from its replay, after the others.
    const line = message.t === "chat";
    this.#pacer.beforeBroadcast(this.#members.size);
    for (const member of this.#members.values()) {
      if (member !== except && !(line && member.replay?.running)) {
        member.post(message, undefined, record);
      }
    }
  }

  /**
   * Queues a presence change. A small room hears it at once; a big one hears arrivals and
   * departures in batches, so a thousand people joining is not a million notices.
   */
  #announce(change: { joined?: PresenceJoin; left?: PresenceLeave }): void {
    if (change.joined) this.#presence.joined.push(change.joined);
    if (change.left) this.#presence.left.push(change.left);
    if (this.#members.size <= PRESENCE_AT_ONCE) this.#flushPresence();
    else {
      this.#presenceTimer ??= setTimeout(
        () => this.#flushPresence(),
        presenceDelayMs(this.#members.size),
      );
    }
  }

  #flushPresence(): void {
    clearTimeout(this.#presenceTimer);
    this.#presenceTimer = undefined;
    const { joined, left } = this.#presence;
    if (joined.length === 0 && left.length === 0) return;
    this.#presence = { joined: [], left: [] };
    // A crowd arriving at once is counted, not listed: nobody reads 300 names, and naming
    // every arrival to every member costs the square of the room's size. What is named fits
    // in a record whatever the reasons for leaving.
    const named = fitting(joined, PRESENCE_NAMES, PRESENCE_BYTES / 2);
    const namedLeft = fitting(left, PRESENCE_NAMES, PRESENCE_BYTES / 2);
    this.#broadcast({
      t: "presence",
      joined: joined.slice(0, named),
      left: left.slice(0, namedLeft),
      ...(joined.length > named ? { othersJoined: joined.length - named } : {}),
      ...(left.length > namedLeft ? { othersLeft: left.length - namedLeft } : {}),
      count: this.#members.size,
    });
  }

  async #drop(
    member: Member,
    reason: string,
    announce: boolean,
    keepName = announce && reason !== "quit",
  ): Promise<void> {
    this.#members.delete(member.client);
    this.#roster = undefined;
    // A hub keeps the name of a member whose connection dropped, for its return; not of one
    // that said goodbye, nor of one its own reconnect replaced, nor of one put out.
    this.#names.remove(member, keepName);
    if (this.kind === "hub") this.#remember(member);
    this.#sessions.delete(member.session);
    if (this.kind === "direct") this.#lostClient = reason === "quit" ? undefined : member.client;
    // A goodbye (`quit`) overtakes the file data (and a `cancel`) still queued behind it: the
    // member stopped its files, it was not cut off.
    await this.#transfers.left(member, reason === "quit");
    if (!announce || this.#closing) return;
    this.#announce({
      left: {
        name: member.name,
        ...(reason !== "quit" ? { reason: reason.slice(0, REASON_CHARS) } : {}),
      },
    });
    this.#options.onEvent?.({
      type: "left",
      name: member.name,
      remote: member.session.remote,
      count: this.#members.size,
      ...(reason !== "quit" ? { reason } : {}),
    });
  }

  /** Stores and broadcasts a line; the promise, when the room is behind, holds the sender. */
  #chat(member: Member, chat: Extract<Message, { t: "chat" }>): Promise<void> | undefined {
    // A direct chat keeps no history: a line said while alone would reach no one.
    const problem = this.#lineProblem(member, chat.text) ?? this.#mutedReason(member) ??
      (this.kind === "direct" && this.#members.size < 2
        ? "No one else is in the chat yet: message not sent."
        : undefined);
    if (problem) {
      member.post({ t: "notice", text: problem, error: true });
      member.post({ t: "ack", id: chat.id, rejected: true });
      return;
    }
    // Delivered before it is stored (see History.append), acknowledged once kept.
    const { duplicate } = this.#options.history.append({
      client: member.client,
      id: chat.id,
      from: member.name,
      text: chat.text,
      time: new Date().toISOString(),
      ...(chat.me ? { me: true } : {}),
    }, {
      mayBeStored: member.mayResend,
      deliver: (line) => this.#broadcast(lineMessage(line, { own: false, history: false }), member),
      stored: (line, error) => {
        if (error) {
          // Everyone here has the line; only a later newcomer's history lacks it.
          member.post({
            t: "notice",
            text: `The hub could not keep your message in its history: ${error.message}`,
            error: true,
          });
          this.#options.onEvent?.({
            type: "history-failed",
            from: member.name,
            reason: error.message,
          });
        }
        // A line the sender's replay has yet to reach, the replay sends it (with its id): an
        // ack now would tell its client that every line before it had arrived.
        if (member.replay?.mayAck(line.seq) ?? true) {
          member.post({ t: "ack", id: chat.id, seq: line.seq });
        }
      },
    });
    if (duplicate) return;
    member.saidNew();
    return this.#gate.afterBroadcast();
  }

  #lineProblem(member: Member, text: string): string | undefined {
    return lineTextProblem(text) ??
      (member.limiter.allow() ? undefined : "Message rejected: Rate limiting is in effect.");
  }

  #private(member: Member, message: Extract<Message, { t: "private" }>): void {
    const target = this.#findName(message.to);
    if (!target) {
      member.post({ t: "notice", text: `No one called ${message.to} is here.`, error: true });
      member.post({ t: "ack", id: message.id, rejected: true });
      return;
    }
    const problem = this.#lineProblem(member, message.text) ?? this.#mutedReason(member);
    if (problem) {
      member.post({ t: "notice", text: problem, error: true });
      member.post({ t: "ack", id: message.id, rejected: true });
      return;
    }
    target.post({
      t: "private",
      id: "", // the sender's ids stay between it and the room
      from: member.name,
      to: target.name,
      text: message.text,
      time: new Date().toISOString(),
    });
    member.post({ t: "ack", id: message.id });
    // Delivered all the same: it is read on return.
    if (target.away !== undefined) {
      member.post({
        t: "away",
        name: target.name,
        ...(target.away !== "" ? { text: target.away } : {}),
      });
    }
  }

  /** Renames a member; like a line, a rename reaches everyone, so it is paced like one. */
  #nick(member: Member, name: string): Promise<void> | undefined {
    if (!member.limiter.allow()) {
      member.post({ t: "notice", text: RATE_LIMITED, error: true });
      return;
    }
    if (!isValidName(name)) {
      member.post({
        t: "notice",
        text: notAllowedName(name),
        error: true,
      });
      return;
    }
    // A muted member's new name would reach everyone: a way around the mute.
    const refusal = this.#mutedReason(member) ??
      (member.host || !isReservedName(name) ? undefined : reservedReason(name, "nick")) ??
      (this.kind === "hub" && !member.host && this.#bans.match({ name })
        ? `The name ${name} is banned from this hub.`
        : undefined);
    if (refusal) {
      member.post({ t: "notice", text: refusal, error: true });
      return;
    }
    const clash = this.#names.clash(name, member.client);
    if (clash) {
      member.post({ t: "notice", text: clashReason(name, clash, "nick"), error: true });
      return;
    }
    const from = member.name;
    // Given up by choice: the old name is free at once.
    this.#names.remove(member, false);
    member.rename(name);
    if (this.#ops.has(member.client)) this.#ops.set(member.client, name);
    this.#names.add(member);
    this.#roster = undefined;
    this.#broadcast({ t: "renamed", from, to: name });
    this.#options.onEvent?.({ type: "renamed", from, to: name });
    return this.#gate.afterBroadcast();
  }

  /** Answers `/who` with one page of the members, in joining order. */
  #who(member: Member, page: number | undefined): void {
    if (!member.queries.allow()) {
      member.post({ t: "notice", text: RATE_LIMITED, error: true });
      return;
    }
    const names = this.#roster ??= this.names;
    const at = listPage(names.length, page, WHO_PAGE_NAMES);
    const shown = names.slice(at.start, at.end);
    member.post({
      t: "members",
      names: shown,
      page: at.page,
      pages: at.pages,
      total: at.total,
      ...this.#marks(shown),
    });
  }

  /**
   * Those of `names` who are away, operators (or the host) and muted, where any are: for a page
   * of `/who` or a welcome's names only, a name each at most, so it stays within its record. A
   * direct chat has no powers, nor marks.
   */
  #marks(names: string[]): { away?: string[]; ops?: string[]; muted?: string[] } {
    if (this.kind !== "hub") return {};
    const away: string[] = [];
    const ops: string[] = [];
    const muted: string[] = [];
    for (const name of names) {
      const other = this.#names.find(name);
      if (!other) continue;
      if (other.away !== undefined) away.push(name);
      if (this.#roleOf(other) !== "member") ops.push(name);
      if (this.#mutedReason(other)) muted.push(name);
    }
    return {
      ...(away.length ? { away } : {}),
      ...(ops.length ? { ops } : {}),
      ...(muted.length ? { muted } : {}),
    };
  }

  /** An offer goes to the transfer policy, unless the member is muted. */
  #offer(member: Member, offer: Extract<Message, { t: "offer" }>): Promise<void> | void {
    // A shared file is announced to everyone, its name with it: a way around a mute.
    const muted = this.#mutedReason(member);
    if (muted) {
      member.post({ t: "received", fid: offer.fid, ok: false, reason: refusalReason(muted) });
      return;
    }
    return this.#transfers.offer(member, offer);
  }

  /** Answers `/files` with one page of the kept files, newest first. */
  #listFiles(member: Member, page: number | undefined): void {
    if (!this.#options.files) {
      member.post({
        t: "notice",
        text: "This is a direct chat: files go straight to the other person.",
      });
      return;
    }
    if (!member.queries.allow()) {
      member.post({ t: "notice", text: RATE_LIMITED, error: true });
      return;
    }
    const files = this.#options.files;
    const at = listPage(files.count(), page, FILES_PAGE_ENTRIES);
    member.post({
      t: "file-list",
      files: files.list(at.start, at.end - at.start).map(fileEntry),
      page: at.page,
      pages: at.pages,
      total: at.total,
    });
  }

  #get(member: Member, file: number): void {
    if (!this.#options.files) {
      member.post({
        t: "notice",
        text: "This is a direct chat: there are no kept files.",
        error: true,
      });
      return;
    }
    // A request counts like a line: each one costs the hub a lookup and an answer.
    if (!member.limiter.allow()) {
      member.post({
        t: "notice",
        text: "Message rejected: Rate limiting is in effect.",
        error: true,
      });
      return;
    }
    this.#options.files.send(member, file);
  }

  /** The members now in the room (for its transfer policy). */
  members(): Iterable<Member> {
    return this.#members.values();
  }

  /** What `member` is: the host taking part, an operator, or a member. */
  #roleOf(member: Member): Role {
    return member.host ? "host" : this.#ops.has(member.client) ? "op" : "member";
  }

  /** Why `member` may not speak now (it is muted), or `undefined`. */
  #mutedReason(member: Member): string | undefined {
    if (this.kind !== "hub") return undefined;
    const mute = this.#mutes.match({ name: member.name, client: member.client });
    if (!mute) return undefined;
    const by = mute.byHost && mute.by === HOST_NAME ? "the host" : mute.by;
    const span = mute.until === undefined
      ? "until unmuted"
      : `until ${untilText(mute.until, this.#options.now())}`;
    return `You are muted (by ${by}, ${span}): you can still read.`;
  }

  /** What a banned member is told at the door. */
  #banReason(ban: Ban): string {
    const span = ban.until === undefined
      ? "until unbanned"
      : `until ${untilText(ban.until, this.#options.now())}`;
    return `You are banned from this hub ${span}${ban.reason ? `: ${ban.reason}` : ""}.`;
  }

  /** Remembers who left, so that a ban given after it still holds its client and address. */
  #remember(member: Member): void {
    const key = nameKey(member.name);
    this.#recent.delete(key);
    this.#recent.set(key, {
      name: member.name,
      client: member.client,
      address: banAddress(member.session.remote),
    });
    if (this.#recent.size > RECENT_MEMBERS) this.#recent.delete(this.#recent.keys().next().value!);
  }

  /** A member's order: counted like a line (it may reach everyone), then checked and done. */
  #order(member: Member, order: Order): void {
    if (!member.limiter.allow()) {
      member.post({ t: "notice", text: RATE_LIMITED, error: true });
      return;
    }
    const refusal = this.moderate(order, member);
    if (refusal === undefined) return;
    member.post({ t: "notice", text: refusal, error: true });
    this.#options.onEvent?.({
      type: "denied",
      name: member.name,
      order: order.action,
      reason: refusal,
    });
  }

  /**
   * Carries out `order` given by `actor` (the host's console, or a member): `undefined` once
   * done (everyone is told, and the host's log), or why it was refused.
   */
  moderate(order: Order, actor: Actor = "host"): string | undefined {
    if (this.kind !== "hub") return "This is a direct chat: there is no one to moderate.";
    const role = actor === "host" ? "host" : this.#roleOf(actor);
    const denied = orderDenied(order.action, role);
    if (denied) return denied;
    const by = {
      by: actor === "host" ? HOST_NAME : actor.name,
      host: role === "host",
    };
    if ("reason" in order && order.reason !== undefined) {
      const problem = shortTextProblem(order.reason, "reason", MAX_REASON_CHARS);
      if (problem) return problem;
    }
    if (order.action === "topic") return this.#setTopic(order.text, by);
    if (!isValidName(order.name)) {
      return `"${order.name.slice(0, 32)}" is not a name: names are 1-16 of A-Z a-z 0-9 _ . -`;
    }
    const target = this.#names.find(order.name);
    // Neither the host nor (unless the host orders it) an operator can be touched.
    const untouchable = (role: Role) =>
      role === "host"
        ? `${order.name} is the host.`
        : role === "op" && !by.host
        ? `${order.name} is an operator: only the host can do that.`
        : undefined;
    const guarded = target ? untouchable(this.#roleOf(target)) : undefined;
    const absent = `No one called ${order.name} is here.`;
    const now = this.#options.now();
    const until = "seconds" in order && order.seconds !== undefined
      ? now + order.seconds * 1000
      : undefined;
    const untilIso = until !== undefined ? { until: new Date(until).toISOString() } : {};
    const reason = "reason" in order && order.reason !== undefined ? { reason: order.reason } : {};
    switch (order.action) {
      case "kick": {
        if (!target) return absent;
        if (guarded) return guarded;
        // Logged first: the log then tells why the member left.
        this.#options.onEvent?.({ type: "kicked", name: target.name, by: by.by, ...reason });
        this.#expel(target, { banned: false, ...by, ...reason });
        return undefined;
      }
      case "ban": {
        if (guarded) return guarded;
        // Someone who left lately is banned with the client and address it had.
        const who = target
          ? {
            name: target.name,
            client: target.client,
            address: banAddress(target.session.remote),
          }
          : this.#recent.get(nameKey(order.name)) ?? { name: order.name };
        if (!target && "client" in who && !by.host && this.#ops.has(who.client)) {
          return `${who.name} is an operator: only the host can do that.`;
        }
        const added = this.#bans.add({
          name: who.name,
          ...("client" in who ? { client: who.client } : {}),
          ...("address" in who && who.address ? { address: who.address } : {}),
          ...reason,
          by: by.by,
          byHost: by.host,
          ...(until !== undefined ? { until } : {}),
        });
        if (!added) return "The ban list is full: /unban someone first.";
        this.#options.onEvent?.({
          type: "banned",
          name: who.name,
          by: by.by,
          ...reason,
          ...untilIso,
          client: "client" in who,
          ...("address" in who && who.address ? { address: who.address } : {}),
          ...(added.kept ? {} : { kept: false as const }),
        });
        if (target) this.#expel(target, { banned: true, ...by, ...reason, until });
        else this.#tell({ action: "banned", name: who.name, ...by, ...reason, ...untilIso });
        return undefined;
      }
      case "unban": {
        const bans = this.#bans.onName(order.name);
        if (bans.length === 0) return `${order.name} is not banned.`;
        if (!by.host && bans.some((ban) => ban.byHost)) {
          return `Only the host may lift the host's ban on ${order.name}.`;
        }
        this.#bans.removeName(order.name);
        this.#tell({ action: "unbanned", name: bans[0].name, ...by });
        this.#options.onEvent?.({ type: "unbanned", name: bans[0].name, by: by.by });
        return undefined;
      }
      case "mute": {
        if (!target) return absent;
        if (guarded) return guarded;
        const added = this.#mutes.add({
          name: target.name,
          client: target.client,
          ...reason,
          by: by.by,
          byHost: by.host,
          ...(until !== undefined ? { until } : {}),
        });
        if (!added) return "Too many members are muted: /unmute someone first.";
        this.#tell({ action: "muted", name: target.name, ...by, ...reason, ...untilIso });
        this.#options.onEvent?.({
          type: "muted",
          name: target.name,
          by: by.by,
          ...reason,
          ...untilIso,
        });
        return undefined;
      }
      case "unmute": {
        const mutes = [
          ...new Set([
            ...this.#mutes.onName(order.name),
            ...(target ? [this.#mutes.match({ name: target.name, client: target.client })] : []),
          ]),
        ].filter((mute) => mute !== undefined);
        if (mutes.length === 0) return `${order.name} is not muted.`;
        if (!by.host && mutes.some((mute) => mute.byHost)) {
          return `Only the host may lift the host's mute on ${order.name}.`;
        }
        this.#mutes.removeName(order.name);
        if (target) this.#mutes.removeClient(target.client);
        const name = target?.name ?? mutes[0].name;
        this.#tell({ action: "unmuted", name, ...by });
        this.#options.onEvent?.({ type: "unmuted", name, by: by.by });
        return undefined;
      }
      case "op": {
        if (!target) return absent;
        if (target.host) return `${target.name} is the host.`;
        if (this.#ops.has(target.client)) return `${target.name} is already an operator.`;
        if (this.#ops.size >= MAX_OPS) return "There are too many operators: /deop someone first.";
        this.#ops.set(target.client, target.name);
        this.#tell({ action: "op", name: target.name, ...by });
        this.#options.onEvent?.({ type: "op", name: target.name, by: by.by });
        return undefined;
      }
      case "deop": {
        const key = nameKey(order.name);
        const client = target
          ? target.client
          : [...this.#ops].find(([, name]) => nameKey(name) === key)?.[0];
        if (client === undefined || !this.#ops.delete(client)) {
          return `${order.name} is not an operator.`;
        }
        const name = target?.name ?? order.name;
        this.#tell({ action: "deop", name, ...by });
        this.#options.onEvent?.({ type: "deop", name, by: by.by });
        return undefined;
      }
    }
  }

  /** Tells everyone (but `except`) what was done to a member. */
  #tell(told: Omit<Extract<Message, { t: "moderated" }>, "t">, except?: Member): void {
    this.#broadcast({ t: "moderated", ...told }, except);
  }

  /**
   * Puts `target` out: everyone else is told, and the member is told why, in a goodbye that
   * tells its client not to come back by itself. Its name is not kept for it.
   */
  #expel(
    target: Member,
    how: { banned: boolean; by: string; host: boolean; reason?: string; until?: number },
  ): void {
    this.#tell({
      action: how.banned ? "banned" : "kicked",
      name: target.name,
      by: how.by,
      host: how.host,
      ...(how.reason !== undefined ? { reason: how.reason } : {}),
      ...(how.until !== undefined ? { until: new Date(how.until).toISOString() } : {}),
    }, target);
    const text = refusalReason(expelledText(how, this.#options.now()));
    target.post({ t: "bye", reason: text, kicked: true });
    // Out of the room at once (the first steps of #drop are synchronous): nothing more it
    // sends is taken. Its goodbye is flushed before the connection closes.
    this.#drop(target, how.banned ? "banned" : "kicked", true, false).catch(() => {});
    this.#lastSeen(target.client);
    target.session.close(text).catch(() => {});
  }

  #setTopic(text: string, by: { by: string; host: boolean }): string | undefined {
    if (text !== "") {
      const problem = shortTextProblem(text, "topic", MAX_TOPIC_CHARS);
      if (problem) return problem;
    }
    this.#topic = text === "" ? undefined : { text, by: by.by };
    this.#broadcast({ t: "topic", text, by: by.by });
    this.#options.onEvent?.({ type: "topic", text, by: by.by });
    return undefined;
  }

  /** The topic and who set it, if there is one. */
  get topic(): { text: string; by: string } | undefined {
    return this.#topic;
  }

  /** Marks `member` away; like a line, counted against its rate. */
  #away(member: Member, text: string | undefined): void {
    if (!member.limiter.allow()) {
      member.post({ t: "notice", text: RATE_LIMITED, error: true });
      return;
    }
    const problem = text ? shortTextProblem(text, "away message", MAX_AWAY_CHARS) : undefined;
    if (problem) {
      member.post({ t: "notice", text: problem, error: true });
      return;
    }
    member.away = text ?? "";
    member.post({
      t: "notice",
      text: `You are marked as away${text ? ` (${text})` : ""}; /back when you return.`,
    });
  }

  #back(member: Member): void {
    if (!member.limiter.allow()) {
      member.post({ t: "notice", text: RATE_LIMITED, error: true });
      return;
    }
    if (member.away === undefined) {
      member.post({ t: "notice", text: "You were not marked as away.", error: true });
      return;
    }
    member.away = undefined;
    member.post({ t: "notice", text: "You are back: no longer marked as away." });
  }

  /**
   * The host says `text` as `host`: a line like any other, kept in the history. Resolves with
   * why it was refused, or `undefined` once it went out (and the room is not behind).
   */
  async say(text: string): Promise<string | undefined> {
    const problem = lineTextProblem(text);
    if (problem) return problem;
    this.#options.history.append({
      client: this.#hostClient,
      id: crypto.randomUUID(),
      from: HOST_NAME,
      text,
      time: new Date().toISOString(),
    }, {
      mayBeStored: false,
      deliver: (line) => this.#broadcast(lineMessage(line, { own: false, history: false })),
      stored: (_line, error) => {
        if (error) {
          this.#options.onEvent?.({
            type: "history-failed",
            from: HOST_NAME,
            reason: error.message,
          });
        }
      },
    });
    this.#options.onEvent?.({ type: "said", text });
    await this.#gate.afterBroadcast();
    return undefined;
  }

  /**
   * Resolves once no member is behind on what the room sent (at once when none is): whoever
   * gives the room many orders in a row (a host's script) waits here, as a member's lines do.
   */
  async settled(): Promise<void> {
    await this.#gate.afterBroadcast();
  }

  /** One page of the members as the host sees them: addresses, roles, away and muted. */
  roster(page?: number): { members: RosterEntry[]; page: number; pages: number; total: number } {
    const names = this.#roster ??= this.names;
    const at = listPage(names.length, page, WHO_PAGE_NAMES);
    const members = names.slice(at.start, at.end).flatMap((name) => {
      const member = this.#names.find(name);
      if (!member) return [];
      return [{
        name,
        remote: member.session.remote,
        role: this.#roleOf(member),
        ...(member.away !== undefined ? { away: member.away } : {}),
        ...(this.#mutedReason(member) ? { muted: true } : {}),
      }];
    });
    return { members, page: at.page, pages: at.pages, total: at.total };
  }

  /** The bans in force, oldest first. */
  bans(): Ban[] {
    return this.#bans.list();
  }

  /** One page of the kept files, newest first; `undefined` where files are not kept. */
  fileList(
    page?: number,
  ): { files: SharedFileInfo[]; page: number; pages: number; total: number } | undefined {
    const files = this.#options.files;
    if (!files) return undefined;
    const at = listPage(files.count(), page, FILES_PAGE_ENTRIES);
    return {
      files: files.list(at.start, at.end - at.start),
      page: at.page,
      pages: at.pages,
      total: at.total,
    };
  }

  /**
   * Removes kept file `file` (its entry and its data) and tells everyone; resolves with why
   * it could not, or `undefined` once done.
   */
  async removeFile(file: number, by: string = HOST_NAME): Promise<string | undefined> {
    const files = this.#options.files;
    if (!files) return "This is a direct chat: there are no kept files.";
    let removed: SharedFileInfo | undefined;
    try {
      removed = await files.remove(file);
    } catch (error) {
      return `Could not remove shared file ${file}: ${refusalReason(error)}`;
    }
    if (!removed) return `No shared file ${file}. /files lists them.`;
    this.#broadcast({ t: "removed", file, name: removed.name, by });
    this.#options.onEvent?.({ type: "removed", file, name: removed.name, by });
    return undefined;
  }

  /** Announces a kept file to every member (called by {@linkcode SharedFiles}). */
  announce(message: Extract<Message, { t: "shared" }>): void {
    this.#broadcast(message);
    this.#options.onEvent?.({
      type: "shared",
      name: message.name,
      file: message.file,
      from: message.from,
      size: message.size,
    });
  }

  /** Reports a failed transfer to the host console (called by the transfer policy). */
  reportFailure(from: string, name: string, reason: string): void {
    this.#options.onEvent?.({ type: "file-failed", from, name, reason });
  }
}

/** Why `name` may not be had: it is, or looks like, one the hub keeps for itself. */
function reservedReason(name: string, when: "join" | "nick"): string {
  return `The name ${name} is reserved: it could be taken for the hub's own` +
    (when === "join" ? "; choose another with --name." : ".");
}

/**
 * How long a big room gathers presence changes: longer the bigger it is, so presence notices
 * cost at most about PRESENCE_DELIVERIES_PER_S deliveries a second however many join at once
 * (a fixed 250 ms took most of a 10,000-member hub's time: bench/NOTES.md).
 */
function presenceDelayMs(members: number): number {
  return Math.min(
    PRESENCE_MAX_BATCH_MS,
    Math.max(PRESENCE_BATCH_MS, (members * 1000) / PRESENCE_DELIVERIES_PER_S),
  );
}
