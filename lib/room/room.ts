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

import type { Envelope, Message } from "../session/message.ts";
import { PROTOCOL_VERSION } from "../session/message.ts";
import type { Session, SessionProblem } from "../session/session.ts";
import { encodeRecord } from "../wire/codec.ts";
import { BacklogGate, type BacklogGateOptions } from "./backlog_gate.ts";
import { BroadcastPacer } from "./broadcast_pacer.ts";
import { type History, lineMessage } from "./history.ts";
import { type KnownClients, MemoryKnownClients } from "./known_clients.ts";
import { LineReplay } from "./line_replay.ts";
import { lineTextProblem } from "./line_text.ts";
import { fileEntry, FILES_PAGE_ENTRIES, fitting, listPage, WHO_PAGE_NAMES } from "./list_page.ts";
import { Member } from "./member.ts";
import { isValidName, notAllowedName } from "./member_name.ts";
import { clashReason, NAME_GRACE_MS, NameRegistry } from "./name_registry.ts";
import type { RateLimit } from "./rate_limiter.ts";
import { cancelledByQuit, refusalReason } from "./refusal.ts";
import type { SharedFiles } from "./shared_files.ts";
import { TRANSFERS_AT_ONCE } from "./transfer_limits.ts";

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
  | { type: "unsendable"; name?: string; remote: string; message: string; bytes: number };

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
}

type Presence = Extract<Message, { t: "presence" }>;
type PresenceJoin = Presence["joined"][number];
type PresenceLeave = Presence["left"][number];

type Handler = (member: Member, envelope: Envelope) => Promise<void> | void;

interface Forward {
  sender: Member;
  senderFid: number;
  target: Member;
}

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

/** Members, ordering, history, presence and files of one chat. */
export class Room {
  #options:
    & Required<Omit<RoomOptions, "files" | "onEvent" | "backlog" | "nameGraceMs">>
    & RoomOptions;
  #members: Map<string, Member> = new Map();
  /** Names held and kept, by how they look: a join must not look at every member. */
  #names: NameRegistry<Member>;
  #forwards: Map<number, Forward> = new Map();
  #nextFid = 1;
  #closing = false;
  #presence: { joined: PresenceJoin[]; left: PresenceLeave[] } = { joined: [], left: [] };
  #presenceTimer: ReturnType<typeof setTimeout> | undefined;
  #handlers: { [T in Message["t"]]?: Handler };
  /** The members' sessions, for the pacer and the gate: a Set iterates without garbage. */
  #sessions: Set<Session> = new Set();
  #pacer: BroadcastPacer = new BroadcastPacer(() => this.#sessions);
  #gate: BacklogGate;
  /** The members' names in joining order, for `/who`: made when asked, kept until they change. */
  #roster: string[] | undefined;

  /** Creates an empty room. */
  constructor(options: RoomOptions) {
    this.#options = {
      historyLimit: 50,
      rate: { perSecond: 0, burst: 0 },
      helloTimeoutMs: 10_000,
      clients: new MemoryKnownClients(),
      ...options,
    };
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
      offer: (m, e) => this.#offer(m, e.message as Extract<Message, { t: "offer" }>),
      chunk: (m, e) => this.#chunk(m, (e.message as { fid: number }).fid, e.body),
      end: (m, e) => this.#end(m, e.message as Extract<Message, { t: "end" }>),
      cancel: (m, e) => this.#cancel(m, e.message as Extract<Message, { t: "cancel" }>),
      received: (m, e) => this.#received(m, e.message as Extract<Message, { t: "received" }>),
      files: (m, e) => this.#listFiles(m, (e.message as Extract<Message, { t: "files" }>).page),
      get: (m, e) => this.#get(m, (e.message as Extract<Message, { t: "get" }>).file),
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

  /** Admits a member over `session` and serves it until it leaves. Never throws. */
  async admit(session: Session): Promise<void> {
    // Two steps so that nothing of the joining (the names, the history replayed) stays held by
    // a coroutine that lives as long as the member: in a hub of N that was O(N^2) memory.
    const member = await this.#enter(session);
    if (member) await this.#serve(member);
  }

  /** Greets a new member and makes it one of the room; `undefined` when it was refused. */
  async #enter(session: Session): Promise<Member | undefined> {
    session.onProblem = (problem) => this.#problem(session, undefined, problem);
    const hello = await this.#hello(session);
    if (!hello) {
      await session.close();
      return;
    }
    const refusal = this.#refusal(hello.name, hello.client);
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
    // The first names only: a list of everyone per join is O(N^2) in a big hub.
    const names: string[] = [];
    for (const other of this.#members.values()) {
      if (names.length >= WELCOME_NAMES - 1) break;
      names.push(other.name);
    }
    member.post({
      t: "welcome",
      you: member.name,
      kind: this.kind,
      members: [...names, member.name],
      count: this.#members.size + 1,
      history: span.lines,
      ...(resumed ? { resumed: true } : {}),
      ...(skipped > 0 ? { skipped } : {}),
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
      this.#announce({
        joined: {
          name: member.name,
          ...(this.kind === "direct" ? { remote: session.remote.slice(0, REMOTE_CHARS) } : {}),
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
        return undefined;
      }
      return hello;
    } finally {
      clearTimeout(timer);
    }
  }

  #refusal(name: string, client: string | undefined): string | undefined {
    if (this.#closing) return "The room is closing.";
    if (!isValidName(name)) {
      return notAllowedName(name);
    }
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

  async #drop(member: Member, reason: string, announce: boolean): Promise<void> {
    this.#members.delete(member.client);
    this.#roster = undefined;
    // A hub keeps the name of a member whose connection dropped, for its return; not of one
    // that said goodbye, nor of one its own reconnect replaced.
    this.#names.remove(member, announce && reason !== "quit");
    this.#sessions.delete(member.session);
    // A goodbye overtakes the file data (and a `cancel`) still queued behind it.
    const stopped = reason === "quit" ? cancelledByQuit(member.name) : `${member.name} left`;
    for (const transfer of member.inbound.values()) await transfer.cancel(stopped);
    member.inbound.clear();
    for (const [fid, forward] of this.#forwards) {
      if (forward.target === member) {
        this.#forwards.delete(fid);
        forward.sender.post({
          t: "received",
          fid: forward.senderFid,
          ok: false,
          reason: `${member.name} left before the file arrived`,
        });
      } else if (forward.sender === member) this.#forwards.delete(fid);
    }
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
    const problem = this.#lineProblem(member, chat.text) ??
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
    const problem = this.#lineProblem(member, message.text);
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
    const clash = this.#names.clash(name, member.client);
    if (clash) {
      member.post({ t: "notice", text: clashReason(name, clash, "nick"), error: true });
      return;
    }
    const from = member.name;
    // Given up by choice: the old name is free at once.
    this.#names.remove(member, false);
    member.rename(name);
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
    member.post({
      t: "members",
      names: names.slice(at.start, at.end),
      page: at.page,
      pages: at.pages,
      total: at.total,
    });
  }

  async #offer(member: Member, offer: Extract<Message, { t: "offer" }>): Promise<void> {
    if (member.inbound.has(offer.fid)) {
      member.post({ t: "received", fid: offer.fid, ok: false, reason: "duplicate file id" });
      return;
    }
    // Refused before anything is opened or forwarded: each transfer holds a file open
    // somewhere. A refused offer leaves no entry; its chunks, if any, are ignored.
    if (member.inbound.size >= TRANSFERS_AT_ONCE) {
      const reason = refusalReason(
        `refused '${offer.name}': you are already sending ${TRANSFERS_AT_ONCE} files; ` +
          "send more when one is done",
      );
      member.post({ t: "received", fid: offer.fid, ok: false, reason });
      // Logged like a line is relayed: a flood of refused offers must not flood the log.
      if (member.limiter.allow()) {
        this.#options.onEvent?.({
          type: "file-failed",
          from: member.name,
          name: offer.name,
          reason,
        });
      }
      return;
    }
    if (this.#options.files) {
      const transfer = await this.#options.files.receive(member, offer, this);
      if (transfer) member.inbound.set(offer.fid, transfer);
      return;
    }
    const target = [...this.#members.values()].find((m) => m !== member);
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
    target.post({ t: "offer", fid, name: offer.name, size: offer.size, from: member.name });
    member.inbound.set(offer.fid, {
      write: async (chunk) => {
        if (!this.#forwards.has(fid)) return;
        target.post({ t: "chunk", fid }, chunk);
        // Wait for the receiver so a fast sender cannot pile a whole file up in the room.
        await target.session.drained();
      },
      end: (sha256) => {
        if (this.#forwards.has(fid)) target.post({ t: "end", fid, sha256 });
        return Promise.resolve();
      },
      cancel: (reason) => {
        if (this.#forwards.delete(fid)) target.post({ t: "cancel", fid, reason });
        return Promise.resolve();
      },
    });
  }

  async #chunk(member: Member, fid: number, body: Uint8Array): Promise<void> {
    await member.inbound.get(fid)?.write(body);
  }

  async #end(member: Member, end: Extract<Message, { t: "end" }>): Promise<void> {
    const transfer = member.inbound.get(end.fid);
    member.inbound.delete(end.fid);
    await transfer?.end(end.sha256);
  }

  async #cancel(member: Member, cancel: Extract<Message, { t: "cancel" }>): Promise<void> {
    const transfer = member.inbound.get(cancel.fid);
    member.inbound.delete(cancel.fid);
    await transfer?.cancel(cancel.reason);
  }

  #received(member: Member, received: Extract<Message, { t: "received" }>): void {
    const forward = this.#forwards.get(received.fid);
    if (forward && forward.target === member) {
      this.#forwards.delete(received.fid);
      forward.sender.post({ ...received, fid: forward.senderFid, by: member.name });
      if (!received.ok) {
        forward.sender.inbound.get(forward.senderFid)?.cancel(received.reason ?? "refused");
        forward.sender.inbound.delete(forward.senderFid);
      }
      return;
    }
    this.#options.files?.delivered(member, received);
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

  /** Reports a failed upload to the host console (called by {@linkcode SharedFiles}). */
  reportFailure(from: string, name: string, reason: string): void {
    this.#options.onEvent?.({ type: "file-failed", from, name, reason });
  }
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
