/**
 * Records: a JSON header and an optional binary body inside one frame payload.
 *
 * Layout: 4-byte big-endian header length, UTF-8 JSON header, body bytes. File chunks travel
 * as the body so they are never base64-inflated.
 *
 * @example
 * ```ts
 * import { decodeRecord, encodeRecord } from "./codec.ts";
 * const bytes = encodeRecord({ t: "chat", text: "hi" }, new Uint8Array([1]));
 * const { header, body } = decodeRecord(bytes);
 * console.log(header, body); // { t: "chat", text: "hi" } Uint8Array(1) [1]
 * ```
 * @module
 */

import { readUint32, writeUint32 } from "./bytes.ts";
import { FrameError } from "./frame_error.ts";
import { FRAME_PREFIX_BYTES, MAX_HEADER_BYTES } from "./limits.ts";

const encoder = new TextEncoder();
const strictDecoder = new TextDecoder("utf-8", { fatal: true });
// The lenient decoder has a fast path the strict one lacks (about three times faster for a
// chat line's header). It turns each bad sequence into U+FFFD, so only a header that
// shows one needs the strict decoder, which rejects it (or returns the same text: a real U+FFFD).
const lenientDecoder = new TextDecoder();
const EMPTY = new Uint8Array(0);

/** Decodes UTF-8, throwing a `TypeError` on malformed bytes. */
function decodeUtf8(bytes: Uint8Array): string {
  const text = lenientDecoder.decode(bytes);
  return text.includes("\uFFFD") ? strictDecoder.decode(bytes) : text;
}

/** A decoded record: an unvalidated header and the body bytes. */
export interface Record {
  /** Parsed JSON header; untrusted until validated by the session layer. */
  header: unknown;
  /** Binary body (empty when absent). */
  body: Uint8Array;
}

/** Where a header is encoded before its record's size is known: one allocation per record. */
const scratchHeader = new Uint8Array(MAX_HEADER_BYTES);

/** Encodes a header and optional body into one record. */
export function encodeRecord(header: unknown, body: Uint8Array = EMPTY): Uint8Array {
  const text = JSON.stringify(header);
  // UTF-8 takes at most 3 bytes per UTF-16 unit; a longer header takes the slow path.
  const json = text.length * 3 <= scratchHeader.length
    ? scratchHeader.subarray(0, encoder.encodeInto(text, scratchHeader).written)
    : encoder.encode(text);
  const length = json.length;
  const out = new Uint8Array(4 + length + body.length);
  writeUint32(out, 0, length);
  out.set(json, 4);
  if (body.length) out.set(body, 4 + length);
  return out;
}

/** A record with room for its body, from {@linkcode recordWithRoom}. */
export interface RoomyRecord {
  /** Where the body goes: a view of the end of the record, to be filled by the caller. */
  body: Uint8Array;
  /** The record, and its body, once the first `used` bytes of `body` are filled. */
  filled(used: number): { record: Uint8Array; body: Uint8Array };
}

/**
 * A record of `header` with room for a body of up to `bodyLength` bytes, for a sender that
 * reads the body straight into place: a file chunk is not copied into its record.
 *
 * @example
 * ```ts
 * import { decodeRecord, recordWithRoom } from "./codec.ts";
 * const roomy = recordWithRoom({ t: "chunk", fid: 1 }, 4);
 * roomy.body.set([1, 2]); // only two bytes came
 * console.log(decodeRecord(roomy.filled(2).record).body); // Uint8Array(2) [1, 2]
 * ```
 */
export function recordWithRoom(header: unknown, bodyLength: number): RoomyRecord {
  const json = encoder.encode(JSON.stringify(header));
  const start = 4 + json.length;
  const record = new Uint8Array(start + bodyLength);
  writeUint32(record, 0, json.length);
  record.set(json, 4);
  return {
    body: record.subarray(start),
    filled: (used) => ({
      record: record.subarray(0, start + used),
      body: record.subarray(start, start + used),
    }),
  };
}

/**
 * {@linkcode encodeRecord} of a header alone, into `target` at `offset`, for a sender that
 * seals it where it lies: no buffer of its own. Returns the record's length, or -1 when it
 * does not fit before `end` (what was written after `offset` then means nothing).
 *
 * @example
 * ```ts
 * import { decodeRecord, encodeRecordInto } from "./codec.ts";
 * const target = new Uint8Array(64);
 * const length = encodeRecordInto({ t: "ping" }, target, 4);
 * console.log(length, decodeRecord(target.subarray(4, 4 + length)).header); // 16 { t: "ping" }
 * ```
 */
export function encodeRecordInto(
  header: unknown,
  target: Uint8Array,
  offset: number,
  end: number = target.length,
): number {
  if (offset + 4 > end) return -1;
  const text = JSON.stringify(header);
  const { read, written } = encoder.encodeInto(text, target.subarray(offset + 4, end));
  if (read < text.length) return -1;
  writeUint32(target, offset, written);
  return 4 + written;
}

/** Decodes one record, throwing {@linkcode FrameError} on malformed bytes. */
export function decodeRecord(bytes: Uint8Array): Record {
  if (bytes.length < 4) throw new FrameError("record too short");
  const length = readUint32(bytes, 0);
  if (length > MAX_HEADER_BYTES || 4 + length > bytes.length) {
    throw new FrameError("record header has an invalid length");
  }
  let header: unknown;
  try {
    header = JSON.parse(decodeUtf8(bytes.subarray(4, 4 + length)));
  } catch {
    throw new FrameError("record header is not valid JSON");
  }
  return { header, body: bytes.subarray(4 + length) };
}

/**
 * The records of one batch, laid end to end with their 4-byte lengths as `encodeFrames`
 * writes them (the plaintext of one sealed frame). A batch holds whole records only: one
 * cut short throws {@linkcode FrameError}, after the records before it were yielded.
 *
 * @example
 * ```ts
 * import { encodeRecord, splitRecords } from "./codec.ts";
 * import { encodeFrames } from "./frame_encoder.ts";
 * const batch = encodeFrames([encodeRecord({ t: "a" }), encodeRecord({ t: "b" })]);
 * console.log([...splitRecords(batch)].length); // 2
 * ```
 */
export function* splitRecords(batch: Uint8Array): Generator<Uint8Array> {
  for (let offset = 0; offset < batch.length;) {
    const end = recordEnd(batch, offset);
    yield batch.subarray(offset + FRAME_PREFIX_BYTES, end);
    offset = end;
  }
}

/**
 * Where the record whose 4-byte length is at `offset` of `batch` ends, for a reader that walks
 * a batch without {@linkcode splitRecords}' generator (a generator costs a little per record).
 * Throws
 * {@linkcode FrameError} when the record is cut short.
 *
 * @example
 * ```ts
 * import { encodeRecord, recordEnd } from "./codec.ts";
 * import { encodeFrames } from "./frame_encoder.ts";
 * const batch = encodeFrames([encodeRecord({ t: "a" }), encodeRecord({ t: "b" })]);
 * console.log(recordEnd(batch, 0)); // 19
 * ```
 */
export function recordEnd(batch: Uint8Array, offset: number): number {
  if (batch.length - offset < FRAME_PREFIX_BYTES) {
    throw new FrameError("a record is cut short in its frame");
  }
  const end = offset + FRAME_PREFIX_BYTES + readUint32(batch, offset);
  if (end > batch.length) throw new FrameError("a record runs past the end of its frame");
  return end;
}
