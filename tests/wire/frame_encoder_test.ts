import assert from "node:assert/strict";
import {
  encodeFrame,
  encodeFrames,
  encodeFramesInto,
  framesLength,
  putFrameLength,
} from "../../lib/wire/frame_encoder.ts";
import { FrameEncoder, FrameSplitter } from "../../dev/stream_forms.ts";

Deno.test("encodeFrame() prefixes the payload with its big-endian length", () => {
  assert.deepEqual([...encodeFrame(new Uint8Array([7]))], [0, 0, 0, 1, 7]);
  assert.deepEqual([...encodeFrame(new Uint8Array(0))], [0, 0, 0, 0]);
  const big = encodeFrame(new Uint8Array(0x010203));
  assert.deepEqual([...big.subarray(0, 4)], [0, 1, 2, 3]);
  assert.equal(big.length, 4 + 0x010203);
});

Deno.test("encodeFrame() copies the payload, which the caller may reuse", () => {
  const payload = new Uint8Array([1, 2]);
  const frame = encodeFrame(payload);
  payload[0] = 99;
  assert.deepEqual([...frame], [0, 0, 0, 2, 1, 2]);
});

Deno.test("encodeFrame() encodes only the given view of a larger buffer", () => {
  const buffer = new Uint8Array([9, 9, 1, 2, 3, 9]);
  assert.deepEqual([...encodeFrame(buffer.subarray(2, 5))], [0, 0, 0, 3, 1, 2, 3]);
});

Deno.test("encodeFrames() equals the frames of each payload, back to back", () => {
  const payloads = [new Uint8Array([1]), new Uint8Array(0), new Uint8Array([2, 3])];
  const expected = payloads.flatMap((payload) => [...encodeFrame(payload)]);
  assert.deepEqual([...encodeFrames(payloads)], expected);
  assert.equal(encodeFrames([]).length, 0);
});

Deno.test("FrameEncoder output is split back into the same payloads", async () => {
  const payloads = [new Uint8Array([1, 2, 3]), new Uint8Array(0), new Uint8Array(300).fill(4)];
  const frames = ReadableStream.from(payloads)
    .pipeThrough(new FrameEncoder())
    .pipeThrough(new FrameSplitter());
  const out = await Array.fromAsync(frames);
  assert.deepEqual(out.map((frame) => [...frame]), payloads.map((payload) => [...payload]));
});

Deno.test("encodeFramesInto() writes encodeFrames() bytes into a reused buffer", () => {
  const scratch = new Uint8Array(64).fill(0xff);
  const payloads = [new Uint8Array([1, 2]), new Uint8Array(0), new Uint8Array([3])];
  const written = encodeFramesInto(payloads, scratch);
  assert.equal(written.length, framesLength(payloads));
  assert.deepEqual([...written], [...encodeFrames(payloads)]);
  assert.throws(() => encodeFramesInto(payloads, new Uint8Array(5)), RangeError);
});

Deno.test("putFrameLength() writes a big-endian length that a splitter reads back", () => {
  const frame = new Uint8Array(4 + 300);
  putFrameLength(frame, 0, 300);
  assert.deepEqual([...frame.subarray(0, 4)], [0, 0, 1, 44]);
  assert.deepEqual([...encodeFrame(new Uint8Array(300))], [...frame]);
});
