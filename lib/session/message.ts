/**
 * The typed messages exchanged between a member's client and the room host, and their
 * validation. Every field that arrives from a peer is checked here before anything uses it.
 *
 * @example
 * ```ts
 * import { parseMessage } from "./message.ts";
 * const message = parseMessage({ t: "chat", id: "c1", text: "hi" });
 * console.log(message.t); // "chat"
 * ```
 * @module
 */

import { MAX_TEXT_BYTES } from "../wire/limits.ts";

/**
 * Protocol version carried in `hello`; bumped on incompatible changes. 2: file transfers wait for
 * `ready` (resume, consent), which a version 1 peer never sends.
 */
export const PROTOCOL_VERSION = 2;

/** A chat line as the room publishes it. */
export interface ChatLine {
  t: "chat";
  /**
   * Sender-chosen id, unique per sender; lets the room drop re-sent duplicates. The room sends
   * it back to the sender only (a replayed line of its own); others get `""`.
   */
  id: string;
  /** Room-wide sequence number: one order that every member sees. */
  seq?: number;
  from?: string;
  text: string;
  /** ISO time the room accepted the line. */
  time?: string;
  /** An action line (`/me`). */
  me?: boolean;
  /** Replayed from history to a newcomer or a returning member. */
  history?: boolean;
}

/** Every message of the protocol, discriminated by `t`. */
export type Message =
  | { t: "hello"; v: number; name: string; client?: string; lastSeq?: number }
  | {
    t: "welcome";
    you: string;
    kind: "direct" | "hub";
    /** The first members by name (a big hub lists only some); `count` says how many. */
    members: string[];
    count?: number;
    history: number;
    resumed?: boolean;
    /** Lines the member missed that are not replayed: more than the room replays. */
    skipped?: number;
    /** The room's topic, when it has one. */
    topic?: string;
    /** The member's powers beyond a member's: an operator, or the host itself. */
    role?: "op" | "host";
    /** Those of `members` who are away, who are operators (or the host), who are muted. */
    away?: string[];
    ops?: string[];
    muted?: string[];
  }
  | ChatLine
  | { t: "private"; id: string; to: string; from?: string; text: string; time?: string }
  | { t: "ack"; id: string; seq?: number; rejected?: boolean }
  | {
    t: "presence";
    /** Who arrived (with their address in a direct chat, for the host). */
    /** `back`: the member whose connection was lost (a direct chat), the same client again. */
    joined: { name: string; remote?: string; back?: boolean }[];
    left: { name: string; reason?: string }[];
    /** Arrivals and departures beyond those named: a big room names a few and counts the rest. */
    othersJoined?: number;
    othersLeft?: number;
    /** Members after these changes. */
    count: number;
  }
  | { t: "nick"; name: string }
  | { t: "renamed"; from: string; to: string }
  /** Asks for page `page` (default 1) of the members. */
  | { t: "who"; page?: number }
  | {
    t: "members";
    /** One page of the members' names, in joining order. */
    names: string[];
    /** Which page this is, of `pages`, and how many members there are (a list that fits). */
    page?: number;
    pages?: number;
    total?: number;
    /** Those of `names` who are away, who are operators (or the host), who are muted. */
    away?: string[];
    ops?: string[];
    muted?: string[];
  }
  | { t: "notice"; text: string; error?: boolean }
  /** An operator's (or the host's) order: `name` leaves, with `reason`. */
  | { t: "kick"; name: string; reason?: string }
  /** An order to ban `name` for `seconds` (absent: until unbanned). */
  | { t: "ban"; name: string; seconds?: number; reason?: string }
  | { t: "unban"; name: string }
  /** An order to mute `name` for `seconds` (absent: until unmuted). */
  | { t: "mute"; name: string; seconds?: number; reason?: string }
  | { t: "unmute"; name: string }
  /** Makes `name` an operator, or no longer one (the host alone may). */
  | { t: "op"; name: string }
  | { t: "deop"; name: string }
  /** Sets the topic (to a hub; `""` clears it), or tells it (from a hub, with who set it). */
  | { t: "topic"; text: string; by?: string }
  /**
   * To a hub: marks the sender away (with `text`, when given). From a hub: the answer to a
   * private line to `name`, who is away.
   */
  | { t: "away"; name?: string; text?: string }
  /** Marks the sender back (no longer away). */
  | { t: "back" }
  /** What an operator or the host did to `name`, told to everyone. */
  | {
    t: "moderated";
    action: ModerationAction;
    name: string;
    /** Who did it: an operator's name, or the host (`host: true`). */
    by: string;
    host?: boolean;
    reason?: string;
    /** ISO time a ban or mute ends; absent: until lifted. */
    until?: string;
  }
  /** A kept file removed by the host. */
  | { t: "removed"; file: number; name: string; by: string }
  | {
    t: "offer";
    fid: number;
    name: string;
    size: number;
    from?: string;
    /** A folder (its stream: folder_stream.ts): how many files, and their bytes together. */
    folder?: { files: number; bytes: number };
    /**
     * The sender's identity of its file (a partial file is kept under it). With it, the sender
     * waits for `ready` before any chunk: the transfer may resume or be skipped.
     */
    key?: string;
    /** The hub's number of the kept file being sent (a `/get`), so a client can ask again. */
    file?: number;
  }
  /**
   * The receiver holds `offset` bytes of an interrupted transfer of the offered file: `proof`
   * is HMAC-SHA256 over them keyed with `nonce`, for the sender to compare with its own file.
   * `same`: a file of the offered name and size is in the receive folder already (answer with
   * `check`).
   */
  | { t: "ready"; fid: number; offset: number; nonce?: string; proof?: string; same?: boolean }
  /**
   * The receiver asks a person about the offer: its `ready` comes when they say yes (the sender
   * waits for it without a limit, else a silent receiver is given up on).
   */
  | { t: "asking"; fid: number }
  /** The sender's whole-file hash, asked for by `ready` with `same`. */
  | { t: "check"; fid: number; sha256: string }
  /** The sender starts at `offset`: the held part matched (or 0: it did not, start over). */
  | { t: "start"; fid: number; offset: number }
  | { t: "chunk"; fid: number }
  | { t: "end"; fid: number; sha256: string }
  /** `keep`: the sender was lost, not stopping: what arrived is kept for a resume. */
  | { t: "cancel"; fid: number; reason: string; keep?: boolean }
  | {
    t: "received";
    fid: number;
    ok: boolean;
    sha256?: string;
    reason?: string;
    by?: string;
    /** The person declined the offer. */
    declined?: boolean;
    /** Where the transfer resumed, when it did. */
    resumedFrom?: number;
    /** Nothing was sent: the receiver had the file already. */
    skipped?: boolean;
    /** The receiver's connection was lost (it may come back): not refused. */
    lost?: boolean;
  }
  | {
    t: "shared";
    file: number;
    from: string;
    name: string;
    size: number;
    sha256: string;
    /** A folder kept whole: how many files, and their bytes together. */
    folder?: { files: number; bytes: number };
  }
  /** Asks for page `page` (default 1) of the kept files, newest first. */
  | { t: "files"; page?: number }
  | {
    t: "file-list";
    /** One page of the kept files, newest first. */
    files: SharedFileInfo[];
    /** Which page this is, of `pages`, and how many files there are. */
    page?: number;
    pages?: number;
    total?: number;
  }
  | { t: "get"; file: number }
  | { t: "ping" }
  | { t: "pong" }
  /** Goodbye; `kicked`: the member was put out and must not come back by itself. */
  | { t: "bye"; reason?: string; kicked?: boolean };

/** What an operator or the host did to a member, as the room tells it. */
export type ModerationAction =
  | "kicked"
  | "banned"
  | "unbanned"
  | "muted"
  | "unmuted"
  | "op"
  | "deop";

/** Every {@linkcode ModerationAction}, to check one that arrives. */
const MODERATION_ACTIONS: ReadonlySet<string> = new Set<ModerationAction>([
  "kicked",
  "banned",
  "unbanned",
  "muted",
  "unmuted",
  "op",
  "deop",
]);

/** A file kept by a hub, as listed by `/files`. */
export interface SharedFileInfo {
  file: number;
  from: string;
  name: string;
  size: number;
  sha256: string;
  time: string;
  /** A folder kept whole: how many files, and their bytes together. */
  folder?: { files: number; bytes: number };
}

/** The `t` of every message. */
export type MessageType = Message["t"];

/** A message and the binary body that came with it (file chunks). */
export interface Envelope {
  message: Message;
  body: Uint8Array;
}

/** A message that does not fit the protocol; the message is meant for people. */
export class ProtocolError extends Error {
  /** Creates the error. */
  constructor(message: string) {
    super(message);
    this.name = "ProtocolError";
  }
}

type Check = (value: unknown) => boolean;
const str = (max: number): Check => (v) => typeof v === "string" && v.length <= max;
// The room answers lines over MAX_TEXT_BYTES with a notice; only absurd ones break the protocol.
const text: Check = (v) => typeof v === "string" && v.length <= 4 * MAX_TEXT_BYTES;
const int: Check = (v) => Number.isSafeInteger(v) && (v as number) >= 0;
const bool: Check = (v) => typeof v === "boolean";
const hex64: Check = (v) => typeof v === "string" && /^[0-9a-f]{64}$/.test(v);
const names: Check = (v) => Array.isArray(v) && v.length <= 100_000 && v.every(str(64));
const folderCounts: Check = (v) =>
  typeof v === "object" && v !== null && int((v as { files: unknown }).files) &&
  int((v as { bytes: unknown }).bytes);
const fileList: Check = (v) =>
  Array.isArray(v) && v.length <= 100_000 && v.every((f) =>
    typeof f === "object" && f !== null &&
    int((f as SharedFileInfo).file) && str(64)((f as SharedFileInfo).from) &&
    str(1024)((f as SharedFileInfo).name) && int((f as SharedFileInfo).size) &&
    hex64((f as SharedFileInfo).sha256) && str(64)((f as SharedFileInfo).time) &&
    ((f as SharedFileInfo).folder === undefined || folderCounts((f as SharedFileInfo).folder))
  );
const NAME = str(64);
/** An array (bounded) of plain objects that each pass `check`. */
const list = (check: (item: { [key: string]: unknown }) => boolean): Check => (v) =>
  Array.isArray(v) && v.length <= 100_000 &&
  v.every((item) => typeof item === "object" && item !== null && check(item));
const ID = str(64);
/**
 * Reasons, topics and away texts: the room refuses those over their limits (a few hundred
 * characters) with a notice; only absurd ones break the protocol.
 */
const SHORT = str(1024);
/** Most seconds a ban or mute may last (365 days). */
const seconds: Check = (v) => int(v) && (v as number) >= 1 && (v as number) <= 365 * 86_400;

/** Required (`true`) and optional (`false`) fields of each message type, with their checks. */
const SCHEMA: { [T in MessageType]: { [field: string]: [Check, boolean] } } = {
  hello: {
    v: [int, true],
    name: [NAME, true],
    client: [ID, false],
    lastSeq: [int, false],
  },
  welcome: {
    you: [NAME, true],
    kind: [(v) => v === "direct" || v === "hub", true],
    members: [names, true],
    count: [int, false],
    history: [int, true],
    resumed: [bool, false],
    skipped: [int, false],
    topic: [SHORT, false],
    role: [(v) => v === "op" || v === "host", false],
    away: [names, false],
    ops: [names, false],
    muted: [names, false],
  },
  chat: {
    id: [ID, true],
    seq: [int, false],
    from: [NAME, false],
    text: [text, true],
    time: [str(64), false],
    me: [bool, false],
    history: [bool, false],
  },
  private: {
    id: [ID, true],
    to: [NAME, true],
    from: [NAME, false],
    text: [text, true],
    time: [str(64), false],
  },
  ack: { id: [ID, true], seq: [int, false], rejected: [bool, false] },
  presence: {
    joined: [
      list((j) =>
        NAME(j.name) && (j.remote === undefined || str(64)(j.remote)) &&
        (j.back === undefined || typeof j.back === "boolean")
      ),
      true,
    ],
    left: [list((l) => NAME(l.name) && (l.reason === undefined || str(256)(l.reason))), true],
    othersJoined: [int, false],
    othersLeft: [int, false],
    count: [int, true],
  },
  nick: { name: [NAME, true] },
  renamed: { from: [NAME, true], to: [NAME, true] },
  who: { page: [int, false] },
  members: {
    names: [names, true],
    page: [int, false],
    pages: [int, false],
    total: [int, false],
    away: [names, false],
    ops: [names, false],
    muted: [names, false],
  },
  notice: { text: [str(1024), true], error: [bool, false] },
  kick: { name: [NAME, true], reason: [SHORT, false] },
  ban: { name: [NAME, true], seconds: [seconds, false], reason: [SHORT, false] },
  unban: { name: [NAME, true] },
  mute: { name: [NAME, true], seconds: [seconds, false], reason: [SHORT, false] },
  unmute: { name: [NAME, true] },
  op: { name: [NAME, true] },
  deop: { name: [NAME, true] },
  topic: { text: [SHORT, true], by: [NAME, false] },
  away: { name: [NAME, false], text: [SHORT, false] },
  back: {},
  moderated: {
    action: [(v) => typeof v === "string" && MODERATION_ACTIONS.has(v), true],
    name: [NAME, true],
    by: [NAME, true],
    host: [bool, false],
    reason: [SHORT, false],
    until: [str(64), false],
  },
  removed: { file: [int, true], name: [str(1024), true], by: [NAME, true] },
  offer: {
    fid: [int, true],
    name: [str(1024), true],
    size: [int, true],
    from: [NAME, false],
    folder: [folderCounts, false],
    key: [str(128), false],
    file: [int, false],
  },
  asking: { fid: [int, true] },
  ready: {
    fid: [int, true],
    offset: [int, true],
    nonce: [hex64, false],
    proof: [hex64, false],
    same: [bool, false],
  },
  check: { fid: [int, true], sha256: [hex64, true] },
  start: { fid: [int, true], offset: [int, true] },
  chunk: { fid: [int, true] },
  end: { fid: [int, true], sha256: [hex64, true] },
  cancel: { fid: [int, true], reason: [str(256), true], keep: [bool, false] },
  received: {
    fid: [int, true],
    ok: [bool, true],
    sha256: [hex64, false],
    reason: [str(256), false],
    by: [NAME, false],
    declined: [bool, false],
    resumedFrom: [int, false],
    skipped: [bool, false],
    lost: [bool, false],
  },
  shared: {
    file: [int, true],
    from: [NAME, true],
    name: [str(1024), true],
    size: [int, true],
    sha256: [hex64, true],
    folder: [folderCounts, false],
  },
  files: { page: [int, false] },
  "file-list": {
    files: [fileList, true],
    page: [int, false],
    pages: [int, false],
    total: [int, false],
  },
  get: { file: [int, true] },
  ping: {},
  pong: {},
  bye: { reason: [str(256), false], kicked: [bool, false] },
};

/** {@linkcode SCHEMA} as lists, made once: a hub validates every line it relays. */
const FIELDS: Map<string, [string, Check, boolean][]> = new Map(
  Object.entries(SCHEMA).map(([type, fields]) => [
    type,
    Object.entries(fields).map(([field, [check, required]]) => [field, check, required]),
  ]),
);

/** Validates an untrusted decoded header, returning it typed or throwing {@linkcode ProtocolError}. */
export function parseMessage(header: unknown): Message {
  if (typeof header !== "object" || header === null || Array.isArray(header)) {
    throw new ProtocolError("message is not an object");
  }
  const record = header as { [key: string]: unknown };
  const type = record.t;
  const fields = typeof type === "string" ? FIELDS.get(type) : undefined;
  if (!fields) {
    throw new ProtocolError(`unknown message type ${JSON.stringify(String(type).slice(0, 32))}`);
  }
  for (const [field, check, required] of fields) {
    const value = record[field];
    if (value === undefined) {
      if (required) throw new ProtocolError(`${type} message lacks ${field}`);
    } else if (!check(value)) {
      throw new ProtocolError(`${type} message has an invalid ${field}`);
    }
  }
  return header as Message;
}
