import assert from "node:assert/strict";
import {
  decodeRecord,
  encodeRecord,
  encodeRecordInto,
  recordEnd,
  recordWithRoom,
  splitRecords,
} from "../../lib/wire/codec.ts";
import { encodeFrames } from "../../lib/wire/frame_encoder.ts";
import { RecordDecoder } from "../../dev/stream_forms.ts";
import { FrameError } from "../../lib/wire/frame_error.ts";
import { MAX_HEADER_BYTES } from "../../lib/wire/limits.ts";

const encoder = new TextEncoder();

/** A record with a hand-made header length and header bytes. */
function rawRecord(length: number, header: Uint8Array, body: number[] = []): Uint8Array {
  const out = new Uint8Array(4 + header.length + body.length);
  new DataView(out.buffer).setUint32(0, length);
  out.set(header, 4);
  out.set(body, 4 + header.length);
  return out;
}

function decodeError(bytes: Uint8Array): FrameError {
  try {
    decodeRecord(bytes);
  } catch (error) {
    assert.ok(error instanceof FrameError, String(error));
    return error;
  }
  assert.fail("decodeRecord should have thrown");
}

Deno.test("a record with a body roundtrips header and body", () => {
  const header = { t: "chunk", fid: 3, text: "héllo 👋" };
  const body = new Uint8Array([0, 1, 2, 255]);
  const decoded = decodeRecord(encodeRecord(header, body));
  assert.deepEqual(decoded.header, header);
  assert.deepEqual([...decoded.body], [0, 1, 2, 255]);
});

Deno.test("a record without a body decodes with an empty body", () => {
  const decoded = decodeRecord(encodeRecord({ t: "ping" }));
  assert.deepEqual(decoded.header, { t: "ping" });
  assert.equal(decoded.body.length, 0);
});

Deno.test("the body is sent as raw bytes, not inflated", () => {
  const body = new Uint8Array(1000);
  const record = encodeRecord({ t: "chunk", fid: 1 }, body);
  assert.equal(record.length, 4 + JSON.stringify({ t: "chunk", fid: 1 }).length + 1000);
});

Deno.test("decodeRecord() works on a view inside a larger buffer", () => {
  const record = encodeRecord({ t: "chat", id: "1", text: "hi" }, new Uint8Array([5, 6]));
  const buffer = new Uint8Array(record.length + 7);
  buffer.set(record, 3);
  const decoded = decodeRecord(buffer.subarray(3, 3 + record.length));
  assert.deepEqual(decoded.header, { t: "chat", id: "1", text: "hi" });
  assert.deepEqual([...decoded.body], [5, 6]);
});

Deno.test("decodeRecord() refuses a record shorter than its length prefix", () => {
  assert.equal(decodeError(new Uint8Array([0, 0])).message, "record too short");
});

Deno.test("decodeRecord() refuses a header length beyond the record", () => {
  const header = encoder.encode('{"t":"ping"}');
  const error = decodeError(rawRecord(header.length + 1, header));
  assert.equal(error.message, "record header has an invalid length");
});

Deno.test("decodeRecord() refuses a header longer than the header limit", () => {
  const header = encoder.encode(JSON.stringify({ t: "chat", text: "x".repeat(MAX_HEADER_BYTES) }));
  const error = decodeError(rawRecord(header.length, header));
  assert.equal(error.message, "record header has an invalid length");
});

Deno.test("decodeRecord() refuses a header that is not JSON", () => {
  for (const text of ["{t:", "", '{"t":"chat"']) {
    const header = encoder.encode(text);
    const error = decodeError(rawRecord(header.length, header));
    assert.equal(error.message, "record header is not valid JSON", JSON.stringify(text));
  }
});

Deno.test("decodeRecord() refuses a header that is not UTF-8", () => {
  const bad = [
    [0x22, 0xff, 0x22], // "\xff"
    [0x22, 0xc0, 0xa2, 0x22], // an overlong quote
    [0x22, 0xed, 0xa0, 0x80, 0x22], // a UTF-16 surrogate
    [0x22, 0xe2, 0x82, 0x22], // a sequence cut short
  ];
  for (const bytes of bad) {
    const header = new Uint8Array(bytes);
    assert.equal(
      decodeError(rawRecord(header.length, header)).message,
      "record header is not valid JSON",
      bytes.join(),
    );
  }
});

Deno.test("decodeRecord() keeps a real U+FFFD and other non-ASCII text as sent", () => {
  const header = { t: "chat", text: "\uFFFD replacement, café, 👋" };
  assert.deepEqual(decodeRecord(encodeRecord(header)).header, header);
});

Deno.test("RecordDecoder decodes a stream of records and errors on a bad one", async () => {
  const good = encodeRecord({ t: "ping" });
  const reader = ReadableStream.from([good, new Uint8Array([0, 0, 0, 1, 0x7b])])
    .pipeThrough(new RecordDecoder())
    .getReader();
  assert.deepEqual((await reader.read()).value?.header, { t: "ping" });
  await assert.rejects(reader.read(), (error: unknown) => {
    assert.ok(error instanceof FrameError);
    assert.equal(error.message, "record header is not valid JSON");
    return true;
  });
});

Deno.test("encodeRecord() keeps each record intact and handles any header length", () => {
  const headers = [
    { t: "chat", text: "first" },
    { t: "chat", text: "é€😀 ünïcode" },
    { t: "chat", text: "x".repeat(MAX_HEADER_BYTES - 40) }, // too long for the scratch path
    { t: "chat", text: "€".repeat(Math.floor(MAX_HEADER_BYTES / 3) - 25) }, // 3 bytes each
  ];
  const records = headers.map((header) => encodeRecord(header, new Uint8Array([1, 2])));
  records.forEach((record, index) => {
    const { header, body } = decodeRecord(record);
    assert.deepEqual(header, headers[index]);
    assert.deepEqual([...body], [1, 2]);
  });
});

Deno.test("splitRecords() yields each record of a batch, then refuses a cut-short one", () => {
  const records = [encodeRecord({ t: "a" }), encodeRecord({ t: "b" }, new Uint8Array([5]))];
  const batch = encodeFrames(records);
  assert.deepEqual([...splitRecords(batch)], records);
  assert.deepEqual([...splitRecords(new Uint8Array(0))], []);
  const seen: Uint8Array[] = [];
  assert.throws(() => {
    for (const record of splitRecords(batch.subarray(0, batch.length - 1))) seen.push(record);
  }, /a record runs past the end of its frame/);
  assert.deepEqual(seen, [records[0]]);
  assert.throws(() => [...splitRecords(batch.subarray(0, 2))], /a record is cut short/);
});

Deno.test("encodeRecordInto() writes what encodeRecord() makes, or says it does not fit", () => {
  const header = { t: "chat", id: "7", text: "héllo 👋" };
  const record = encodeRecord(header);
  const target = new Uint8Array(200).fill(0xaa);
  const length = encodeRecordInto(header, target, 3, 190);
  assert.deepEqual(target.subarray(3, 3 + length), record);
  assert.deepEqual(target.subarray(0, 3), new Uint8Array(3).fill(0xaa), "nothing before offset");
  assert.equal(target[3 + length], 0xaa, "nothing after the record");
  // Exactly the room it needs fits; a byte less does not.
  assert.equal(encodeRecordInto(header, new Uint8Array(record.length), 0), record.length);
  assert.equal(encodeRecordInto(header, new Uint8Array(record.length - 1), 0), -1);
  assert.equal(encodeRecordInto(header, new Uint8Array(3), 0), -1);
});

Deno.test("recordEnd() walks a batch as splitRecords() does, and refuses a record cut short", () => {
  const records = [encodeRecord({ t: "a" }), encodeRecord({ t: "bb" }, new Uint8Array(5))];
  const batch = encodeFrames(records);
  const first = recordEnd(batch, 0);
  assert.deepEqual(batch.subarray(4, first), records[0]);
  assert.equal(recordEnd(batch, first), batch.length);
  assert.throws(() => recordEnd(batch.subarray(0, batch.length - 1), first), FrameError);
  assert.throws(() => recordEnd(batch, batch.length - 2), FrameError);
});

Deno.test("recordWithRoom() gives the record encodeRecord() makes once its body is filled, whole or cut short", () => {
  const header = { t: "chunk", fid: 7 };
  const roomy = recordWithRoom(header, 5);
  roomy.body.set([1, 2, 3, 4, 5]);
  const { record, body } = roomy.filled(5);
  assert.equal(body.buffer, record.buffer);
  assert.deepEqual(record, encodeRecord(header, new Uint8Array([1, 2, 3, 4, 5])));
  const short = roomy.filled(2);
  assert.deepEqual(short.record, encodeRecord(header, new Uint8Array([1, 2])));
  assert.deepEqual(short.body, new Uint8Array([1, 2]));
  assert.deepEqual(decodeRecord(short.record), { header, body: new Uint8Array([1, 2]) });
});
