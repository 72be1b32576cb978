/**
 * What a host announces on the LAN (DNS-SD, service `_p2pchat._tcp`) and how a scanner reads
 * it back. The announcement is a hint for people, never trusted: it carries no secret and
 * nothing derived from the passkey, and what a scanner reads is capped and validated here
 * before anyone sees it. The passkey handshake is what authenticates.
 *
 * TXT keys (RFC 6763 section 6): `txtvers=1`, `label`, `kind=direct|hub`, `proto` (the
 * handshake version), `auth=passkey|open`, `busy=0|1` (direct) or `members=N` (hub).
 *
 * @example
 * ```ts
 * import { announcementTxt, parseAnnouncement } from "./announcement.ts";
 * const txt = announcementTxt({ label: "alice", kind: "hub", port: 5050, version: 2,
 *   auth: "passkey", members: 3 });
 * const chat = parseAnnouncement({ instance: "alice._p2pchat._tcp.local", host: "192.168.1.12",
 *   port: 5050, txt });
 * console.log(chat?.label, chat?.members); // "alice" 3
 * ```
 * @module
 */

/** The DNS-SD service type, with its domain. */
export const SERVICE_TYPE = "_p2pchat._tcp.local";

/** The most bytes of UTF-8 a label may have (a DNS label's limit). */
export const LABEL_MAX_BYTES = 63;

/** The biggest member count a scanner believes. */
export const MEMBERS_MAX = 1_000_000;

/** TXT strings a scanner reads of one record; the rest are ignored. */
export const TXT_MAX_STRINGS = 16;

/** What a host tells the LAN about itself. */
export interface Announcement {
  /** Shown to people; at most {@linkcode LABEL_MAX_BYTES} bytes. */
  label: string;
  kind: "direct" | "hub";
  /** The TCP port the chat listens on. */
  port: number;
  /** The handshake version the host speaks. */
  version: number;
  /** Whether a passkey is needed (`open`: `--open`, no passkey). */
  auth: "passkey" | "open";
  /** A direct chat: someone is already chatting with the host. */
  busy?: boolean;
  /** A hub: how many are in it. */
  members?: number;
}

/** A chat a scanner found: an announcement that passed validation, and where it came from. */
export interface FoundChat {
  /** The DNS-SD instance name (`<name>._p2pchat._tcp.local`): tells two hosts apart. */
  instance: string;
  /** The address the announcement came from. */
  host: string;
  port: number;
  label: string;
  kind: "direct" | "hub";
  auth: "passkey" | "open";
  /** The announced handshake version, when given. */
  version?: number;
  busy?: boolean;
  members?: number;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder(); // lenient: bad UTF-8 becomes U+FFFD

/** Cuts `text` to at most `maxBytes` of UTF-8, never inside a character. */
export function capUtf8(text: string, maxBytes: number = LABEL_MAX_BYTES): string {
  if (encoder.encode(text).length <= maxBytes) return text;
  let out = "";
  let bytes = 0;
  for (const ch of text) {
    const size = encoder.encode(ch).length;
    if (bytes + size > maxBytes) break;
    out += ch;
    bytes += size;
  }
  return out;
}

/**
 * Why `label` cannot be announced, or `undefined` when it can: it must be 1 to
 * {@linkcode LABEL_MAX_BYTES} bytes of UTF-8 without control characters.
 *
 * @example
 * ```ts
 * import { labelProblem } from "./announcement.ts";
 * console.log(labelProblem("alice's hub")); // undefined
 * ```
 */
export function labelProblem(label: string): string | undefined {
  if (label.trim() === "") return "a label cannot be empty";
  if (encoder.encode(label).length > LABEL_MAX_BYTES) {
    return `a label is at most ${LABEL_MAX_BYTES} bytes`;
  }
  // Joiners (U+200C, U+200D) are allowed: emoji sequences and several scripts need them.
  if (/[\p{Cc}\p{Cs}\u2028\u2029]|(?![\u200c\u200d])\p{Cf}/u.test(label)) {
    return "a label cannot hold control or invisible characters";
  }
  return undefined;
}

/**
 * The DNS label of an instance: the label without dots (DNS-SD browsers split names there)
 * and, after a name clash, ` (N)`; at most 63 bytes.
 *
 * @example
 * ```ts
 * import { instanceLabel } from "./announcement.ts";
 * console.log(instanceLabel("alice.local", 2)); // "alice-local (2)"
 * ```
 */
export function instanceLabel(label: string, clash = 1): string {
  const suffix = clash > 1 ? ` (${clash})` : "";
  const base = label.replaceAll(".", "-").replace(/[\p{Cc}\\]/gu, "-") || "p2pchat";
  return capUtf8(base, LABEL_MAX_BYTES - suffix.length) + suffix;
}

/** The TXT strings of `announcement`. Only what is listed here is ever announced. */
export function announcementTxt(announcement: Announcement): string[] {
  const txt = [
    "txtvers=1",
    `label=${capUtf8(announcement.label)}`,
    `kind=${announcement.kind}`,
    `proto=${announcement.version}`,
    `auth=${announcement.auth}`,
  ];
  if (announcement.kind === "direct") txt.push(`busy=${announcement.busy ? 1 : 0}`);
  else txt.push(`members=${Math.max(0, Math.min(MEMBERS_MAX, announcement.members ?? 0))}`);
  return txt;
}

/** What a scanner gathered for one instance from one address. */
export interface RawAnnouncement {
  instance: string;
  host: string;
  /** From the SRV record. */
  port: number;
  /** The TXT record's strings, as received. */
  txt: ReadonlyArray<string | Uint8Array>;
}

/** The TXT record's keys (lower case), first occurrence wins (RFC 6763 section 6.4). */
function txtFields(txt: ReadonlyArray<string | Uint8Array>): Map<string, string> {
  const fields = new Map<string, string>();
  for (const item of txt.slice(0, TXT_MAX_STRINGS)) {
    const text = typeof item === "string" ? item : decoder.decode(item);
    const eq = text.indexOf("=");
    const key = (eq < 0 ? text : text.slice(0, eq)).toLowerCase();
    if (key === "" || fields.has(key)) continue;
    fields.set(key, eq < 0 ? "" : text.slice(eq + 1));
  }
  return fields;
}

/**
 * Reads an announcement a scanner received; `undefined` unless every field is valid (port
 * 1-65535, kind, auth, members a whole number up to {@linkcode MEMBERS_MAX}, busy 0 or 1).
 * The label is capped to {@linkcode LABEL_MAX_BYTES} bytes but not escaped: whoever prints
 * it escapes it for the screen.
 */
export function parseAnnouncement(raw: RawAnnouncement): FoundChat | undefined {
  if (!Number.isInteger(raw.port) || raw.port < 1 || raw.port > 65535) return undefined;
  const fields = txtFields(raw.txt);
  const kind = fields.get("kind");
  const auth = fields.get("auth");
  if (kind !== "direct" && kind !== "hub") return undefined;
  if (auth !== "passkey" && auth !== "open") return undefined;
  const chat: FoundChat = {
    instance: raw.instance,
    host: raw.host,
    port: raw.port,
    label: capUtf8(fields.get("label") || instanceName(raw.instance)),
    kind,
    auth,
  };
  const proto = fields.get("proto");
  if (proto !== undefined) {
    if (!/^\d{1,3}$/.test(proto)) return undefined;
    chat.version = Number(proto);
  }
  const members = fields.get("members");
  if (kind === "hub" && members !== undefined) {
    if (!/^\d{1,7}$/.test(members) || Number(members) > MEMBERS_MAX) return undefined;
    chat.members = Number(members);
  }
  const busy = fields.get("busy");
  if (kind === "direct" && busy !== undefined) {
    if (busy !== "0" && busy !== "1") return undefined;
    chat.busy = busy === "1";
  }
  return chat;
}

/** The instance part of `<instance>._p2pchat._tcp.local`. */
function instanceName(instance: string): string {
  const suffix = `.${SERVICE_TYPE}`;
  return instance.toLowerCase().endsWith(suffix) ? instance.slice(0, -suffix.length) : instance;
}
