import assert from "node:assert/strict";
import { type ByteSource, FrameReader } from "../../lib/wire/frame_reader.ts";
import { encodeFrame, encodeFrames } from "../../lib/wire/frame_encoder.ts";
import { FrameError } from "../../lib/wire/frame_error.ts";

/** A source that hands out the given chunks, one per read, as a socket would. */
function chunks(...parts: Uint8Array[]): ByteSource {
  return {
    read(buffer: Uint8Array): Promise<number | null> {
      const part = parts.shift();
      if (!part) return Promise.resolve(null);
      assert.ok(part.length <= buffer.length, "test chunk larger than the read buffer");
      buffer.set(part);
      return Promise.resolve(part.length);
    },
  };
}

const bytes = (text: string) => new TextEncoder().encode(text);
const text = (frame: Uint8Array | null | undefined) => new TextDecoder().decode(frame!);

Deno.test("FrameReader.next() returns frames that stay intact after later reads", async () => {
  const reader = new FrameReader(chunks(encodeFrame(bytes("first")), encodeFrame(bytes("later"))));
  const first = await reader.next();
  const second = await reader.next();
  assert.equal(text(first), "first");
  assert.equal(text(second), "later");
  assert.equal(await reader.next(), null);
});

Deno.test("FrameReader keeps a frame split across reads whole", async () => {
  const wire = encodeFrames([bytes("a line split over three reads"), bytes("next")]);
  const reader = new FrameReader(chunks(wire.slice(0, 9), wire.slice(9, 20), wire.slice(20)));
  const seen: string[] = [];
  while (await reader.fill()) {
    for (let frame = reader.take(); frame; frame = reader.take()) seen.push(text(frame));
  }
  assert.deepEqual(seen, ["a line split over three reads", "next"]);
});

Deno.test("FrameReader.take() frames are whole when used before the next fill", async () => {
  const reader = new FrameReader(
    chunks(encodeFrames([bytes("one"), bytes("two")]), encodeFrame(bytes("three"))),
  );
  const seen: string[] = [];
  while (await reader.fill()) {
    for (let frame = reader.take(); frame; frame = reader.take()) seen.push(text(frame));
  }
  assert.deepEqual(seen, ["one", "two", "three"]);
});

Deno.test("FrameReader refuses an oversized frame and an input cut inside a frame", async () => {
  const big = new FrameReader(chunks(encodeFrame(new Uint8Array(100))), { maxFrameBytes: 10 });
  await assert.rejects(() => big.next(), FrameError);
  const cut = new FrameReader(chunks(encodeFrame(bytes("cut short")).subarray(0, 7)));
  await assert.rejects(() => cut.next(), FrameError);
});
