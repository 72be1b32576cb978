/**
 * Records a correct p2pchat never sends, for the battery of hostile input after the handshake:
 * random JSON, every message type with fields of the wrong type or missing, unknown types,
 * huge strings and arrays within and beyond the header limit, invalid UTF-8, headers of exactly
 * the limit and one byte over, bodies where none belong, and repeated ids. Drawn from a seeded
 * generator, so a failing run can be replayed with its seed.
 *
 * @example
 * ```ts ignore
 * import { mutatedRecords, seededRandom } from "./mutated_records.ts";
 * for (const { kind, record } of mutatedRecords(seededRandom(1), 100)) console.log(kind, record.length);
 * ```
 * @module
 */

import { type Message, PROTOCOL_VERSION } from "../../lib/session/message.ts";
import { encodeRecord } from "../../lib/wire/codec.ts";
import { MAX_HEADER_BYTES } from "../../lib/wire/limits.ts";

/** A random number source in [0, 1). */
export type Random = () => number;

/**
 * A small seeded generator (mulberry32): the same seed gives the same records.
 *
 * @example
 * ```ts ignore
 * const random = seededRandom(42);
 * console.log(random());
 * ```
 */
export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const HASH = "ab".repeat(32);
const encoder = new TextEncoder();

/**
 * One message of every type a member could send (and those only a host sends, which a member
 * must not be able to send either), as templates to break.
 */
export const TEMPLATES: Message[] = [
  { t: "hello", v: PROTOCOL_VERSION, name: "mallory", client: "c-1", lastSeq: 4 },
  { t: "welcome", you: "alice", kind: "hub", members: ["alice"], history: 3, resumed: true },
  { t: "chat", id: "m:1", seq: 1, from: "alice", text: "hi", time: "t", me: true, history: true },
  { t: "private", id: "m:2", to: "alice", from: "bob", text: "psst", time: "t" },
  { t: "ack", id: "1", seq: 7, rejected: false },
  { t: "presence", joined: [{ name: "x", remote: "1.2.3.4:5" }], left: [], count: 2 },
  { t: "nick", name: "mallory2" },
  { t: "renamed", from: "alice", to: "mallory" },
  { t: "who" },
  { t: "members", names: ["alice"] },
  { t: "notice", text: "hello", error: true },
  { t: "offer", fid: 9, name: "a.txt", size: 3, from: "alice" },
  { t: "chunk", fid: 9 },
  { t: "end", fid: 9, sha256: HASH },
  { t: "cancel", fid: 9, reason: "stopped" },
  { t: "received", fid: 9, ok: true, sha256: HASH, reason: "fine", by: "bob" },
  { t: "shared", file: 2, from: "alice", name: "a.txt", size: 10, sha256: HASH },
  { t: "files" },
  { t: "file-list", files: [{ file: 1, from: "a", name: "a", size: 3, sha256: HASH, time: "t" }] },
  { t: "get", file: 1 },
  { t: "pong" },
];

/** One hostile record and what kind of mutation made it. */
export interface MutatedRecord {
  kind: string;
  record: Uint8Array;
}

function pick<T>(random: Random, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)];
}

function randomString(random: Random, length: number): string {
  const pools = [
    "abcdefghijklmnopqrstuvwxyz0123456789",
    '\x00\x01\x1b\x7f\u0085\u009b"\\\n\r\t',
    "é日本👋\u202e\u2028\ufeff\ud800\udfff",
  ];
  let text = "";
  while (text.length < length) text += pick(random, pick(random, pools).split(""));
  return text;
}

/** A random JSON value, nested at most `depth` deep. */
function randomValue(random: Random, depth = 3): unknown {
  const roll = random();
  if (depth <= 0 || roll < 0.15) return Math.floor(random() * 2 ** 40) - 2 ** 39;
  if (roll < 0.25) return random() * 1e300 * (random() < 0.5 ? -1 : 1);
  if (roll < 0.3) return null;
  if (roll < 0.35) return random() < 0.5;
  if (roll < 0.6) return randomString(random, Math.floor(random() * 40));
  if (roll < 0.8) {
    return Array.from({ length: Math.floor(random() * 6) }, () => randomValue(random, depth - 1));
  }
  const object: { [key: string]: unknown } = {};
  for (let i = Math.floor(random() * 5); i > 0; i--) {
    object[pick(random, ["t", "id", "text", "name", "fid", "to", randomString(random, 4)])] =
      randomValue(random, depth - 1);
  }
  return object;
}

/** A record whose header is `json` as given, whatever it holds. */
export function rawHeader(json: Uint8Array, body: Uint8Array = new Uint8Array(0)): Uint8Array {
  const out = new Uint8Array(4 + json.length + body.length);
  new DataView(out.buffer).setUint32(0, json.length);
  out.set(json, 4);
  out.set(body, 4 + json.length);
  return out;
}

/** A header of `message` padded (in its field `pad`) to exactly `bytes` bytes. */
function headerOfSize(message: { [key: string]: unknown }, bytes: number): Uint8Array {
  const base = encoder.encode(JSON.stringify({ ...message, pad: "" })).length;
  return encoder.encode(JSON.stringify({ ...message, pad: "x".repeat(bytes - base) }));
}

/** The mutations, each making one hostile record. */
const MUTATIONS: [string, (random: Random) => Uint8Array][] = [
  ["random JSON", (random) => encodeRecord(randomValue(random))],
  ["wrong field type", (random) => {
    const message: { [key: string]: unknown } = { ...pick(random, TEMPLATES) };
    const fields = Object.keys(message).filter((key) => key !== "t");
    if (fields.length > 0) message[pick(random, fields)] = randomValue(random, 2);
    return encodeRecord(message);
  }],
  ["missing field", (random) => {
    const message: { [key: string]: unknown } = { ...pick(random, TEMPLATES) };
    const fields = Object.keys(message).filter((key) => key !== "t");
    if (fields.length > 0) delete message[pick(random, fields)];
    return encodeRecord(message);
  }],
  ["unknown type", (random) => encodeRecord({ t: randomString(random, 1 + random() * 40) })],
  [
    "extra fields",
    (random) =>
      encodeRecord({ ...pick(random, TEMPLATES), [randomString(random, 5)]: randomValue(random) }),
  ],
  [
    "huge string within the limit",
    (random) =>
      encodeRecord({ ...pick(random, TEMPLATES), text: "y".repeat(MAX_HEADER_BYTES - 200) }),
  ],
  [
    "huge array within the limit",
    (random) => encodeRecord({ ...pick(random, TEMPLATES), names: Array(3000).fill(1) }),
  ],
  [
    "header of exactly the limit",
    (random) => rawHeader(headerOfSize({ ...pick(random, TEMPLATES) }, MAX_HEADER_BYTES)),
  ],
  [
    "header one byte over the limit",
    (random) => rawHeader(headerOfSize({ ...pick(random, TEMPLATES) }, MAX_HEADER_BYTES + 1)),
  ],
  ["header length past the record", () => {
    const record = encodeRecord({ t: "who" });
    new DataView(record.buffer).setUint32(0, 0xffffffff);
    return record;
  }],
  ["invalid UTF-8", (random) => {
    const json = encoder.encode(JSON.stringify({ t: "chat", id: "u", text: "ok" }));
    json[json.length - 4] = pick(random, [0xff, 0xc0, 0xed, 0xf8]);
    return rawHeader(json);
  }],
  ["not JSON", (random) => rawHeader(encoder.encode(randomString(random, random() * 50)))],
  ["too short", () => new Uint8Array([0, 0])],
  [
    "body where none belongs",
    (random) => encodeRecord(pick(random, TEMPLATES), new Uint8Array(1 + random() * 5000)),
  ],
  ["repeated id", () => encodeRecord({ t: "chat", id: "same", text: "again and again" })],
  [
    "a huge number",
    (random) => encodeRecord({ ...pick(random, TEMPLATES), fid: 1e300, seq: -1, size: 2 ** 60 }),
  ],
];

/**
 * `count` hostile records.
 *
 * @example
 * ```ts ignore
 * const records = [...mutatedRecords(seededRandom(7), 500)];
 * ```
 */
export function* mutatedRecords(random: Random, count: number): Generator<MutatedRecord> {
  for (let i = 0; i < count; i++) {
    const [kind, make] = pick(random, MUTATIONS);
    yield { kind, record: make(random) };
  }
}

/** What {@linkcode sendBarrage} sends through. */
export interface RecordSender {
  sendRecords(records: readonly Uint8Array[]): Promise<void>;
  sendPlain(plain: Uint8Array): Promise<void>;
  send(header: unknown): Promise<void>;
}

/**
 * Sends `count` mutated records in frames of 1 to 40 (as many as fit), each followed by a ping (so the
 * peer is never 64 unreadable records in a row from being cut off), and one frame whose
 * plaintext is exactly `maxFrameBytes`. Calls `between(frame)` after each frame: the test's
 * honest traffic. Returns how many records of each kind were sent.
 *
 * @example
 * ```ts ignore
 * const kinds = await sendBarrage(mallory, seededRandom(17), 3000, MAX_FRAME_BYTES);
 * ```
 */
export async function sendBarrage(
  peer: RecordSender,
  random: Random,
  count: number,
  maxFrameBytes: number,
  between: (frame: number) => Promise<void> = () => Promise.resolve(),
): Promise<Map<string, number>> {
  const kinds = new Map<string, number>();
  const records = [...mutatedRecords(random, count)];
  for (let frame = 0, at = 0; at < records.length; frame++) {
    // Up to 40 records, as many as fit one frame's plaintext.
    const batch: MutatedRecord[] = [];
    for (let size = 0, most = 1 + Math.floor(random() * 40); at < records.length;) {
      size += 4 + records[at].record.length;
      if (batch.length >= most || size > maxFrameBytes) break;
      batch.push(records[at++]);
    }
    for (const { kind } of batch) kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
    await peer.sendRecords(batch.map(({ record }) => record));
    await peer.send({ t: "ping" });
    if (frame === 10) {
      // A frame of exactly the largest plaintext: one chunk record for no file, filling it.
      const header = encoder.encode(JSON.stringify({ t: "chunk", fid: 424242 }));
      const body = new Uint8Array(maxFrameBytes - 4 - 4 - header.length);
      const record = rawHeader(header, body);
      const plain = new Uint8Array(4 + record.length);
      new DataView(plain.buffer).setUint32(0, record.length);
      plain.set(record, 4);
      await peer.sendPlain(plain);
      kinds.set("frame of exactly the limit", 1);
    }
    await between(frame);
  }
  return kinds;
}
