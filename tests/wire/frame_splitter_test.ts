import assert from "node:assert/strict";
import { FrameAssembler } from "../../lib/wire/frame_splitter.ts";
import { FrameSplitter } from "../../dev/stream_forms.ts";
import { encodeFrame } from "../../lib/wire/frame_encoder.ts";
import { FrameError } from "../../lib/wire/frame_error.ts";
import { MAX_FRAME_BYTES } from "../../lib/wire/limits.ts";

function bytes(...values: number[]): Uint8Array {
  return new Uint8Array(values);
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, part) => n + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** Runs `chunks` through a splitter and returns the frames, as plain arrays. */
async function split(
  chunks: Uint8Array[],
  options?: ConstructorParameters<typeof FrameSplitter>[0],
): Promise<number[][]> {
  const frames = ReadableStream.from(chunks).pipeThrough(new FrameSplitter(options));
  return (await Array.fromAsync(frames)).map((frame) => [...frame]);
}

/** Like {@linkcode split}, but expects the stream to fail; returns the frames seen and the error. */
async function splitFailing(
  chunks: Uint8Array[],
  options?: ConstructorParameters<typeof FrameSplitter>[0],
): Promise<{ frames: number[][]; error: FrameError }> {
  const frames: number[][] = [];
  const reader = ReadableStream.from(chunks).pipeThrough(new FrameSplitter(options)).getReader();
  try {
    while (true) {
      const { value, done } = await reader.read();
      if (done) break;
      frames.push([...value]);
    }
  } catch (error) {
    assert.ok(error instanceof FrameError, String(error));
    return { frames, error };
  }
  assert.fail("the stream should have failed");
}

Deno.test("FrameSplitter passes whole frames through unchanged", async () => {
  assert.deepEqual(await split([encodeFrame(bytes(1, 2, 3))]), [[1, 2, 3]]);
});

Deno.test("FrameSplitter reassembles a frame split across chunks, even inside the length", async () => {
  const frame = encodeFrame(bytes(10, 20, 30, 40, 50));
  // Every possible split into single bytes, including the 4-byte length prefix.
  const oneByteChunks = [...frame].map((b) => bytes(b));
  assert.deepEqual(await split(oneByteChunks), [[10, 20, 30, 40, 50]]);
  for (let cut = 1; cut < frame.length; cut++) {
    assert.deepEqual(
      await split([frame.subarray(0, cut), frame.subarray(cut)]),
      [[10, 20, 30, 40, 50]],
      `split at ${cut}`,
    );
  }
});

Deno.test("FrameSplitter yields several frames from one chunk, in order", async () => {
  const chunk = concat(
    encodeFrame(bytes(1)),
    encodeFrame(bytes(2, 2)),
    encodeFrame(bytes()),
    encodeFrame(bytes(3, 3, 3)),
  );
  assert.deepEqual(await split([chunk]), [[1], [2, 2], [], [3, 3, 3]]);
});

Deno.test("FrameSplitter handles frames that end and start in the middle of chunks", async () => {
  const stream = concat(
    encodeFrame(bytes(1, 1)),
    encodeFrame(bytes(2, 2, 2)),
    encodeFrame(bytes(3)),
  );
  // 6 + 7 + 5 = 18 bytes, cut at odd places.
  const chunks = [
    stream.subarray(0, 5),
    stream.subarray(5, 9),
    stream.subarray(9, 17),
    stream.subarray(17),
  ];
  assert.deepEqual(await split(chunks), [[1, 1], [2, 2, 2], [3]]);
});

Deno.test("FrameSplitter frames stay intact after later chunks arrive", async () => {
  // A consumer may keep a frame while more bytes come in; it must not change under it.
  const reader = ReadableStream.from([
    concat(encodeFrame(bytes(7, 7)), encodeFrame(bytes(8)).subarray(0, 2)),
    encodeFrame(bytes(8)).subarray(2),
  ]).pipeThrough(new FrameSplitter()).getReader();
  const first = await reader.read();
  const second = await reader.read();
  assert.deepEqual([...first.value!], [7, 7]);
  assert.deepEqual([...second.value!], [8]);
  assert.equal((await reader.read()).done, true);
});

Deno.test("FrameSplitter accepts a frame of exactly the limit", async () => {
  const frames = await split([encodeFrame(new Uint8Array(8).fill(9))], { maxFrameBytes: 8 });
  assert.equal(frames.length, 1);
  assert.equal(frames[0].length, 8);
});

Deno.test("FrameSplitter refuses an oversized length before its payload arrives", async () => {
  // Only the 4-byte prefix announcing 9 bytes: the error must come without waiting for them.
  const { frames, error } = await splitFailing([bytes(0, 0, 0, 9)], { maxFrameBytes: 8 });
  assert.deepEqual(frames, []);
  assert.equal(error.message, "frame of 9 bytes exceeds the limit of 8 bytes");
});

Deno.test("FrameSplitter refuses a huge announced length with the default limit", async () => {
  // 0xffffffff must not turn negative or be buffered.
  const { error } = await splitFailing([bytes(0xff, 0xff, 0xff, 0xff, 1, 2, 3)]);
  assert.equal(
    error.message,
    `frame of ${0xffffffff} bytes exceeds the limit of ${MAX_FRAME_BYTES} bytes`,
  );
});

Deno.test("FrameSplitter delivers the good frames before an oversized one", async () => {
  const { frames, error } = await splitFailing(
    [concat(encodeFrame(bytes(1)), bytes(0, 0, 1, 0))],
    { maxFrameBytes: 16 },
  );
  assert.deepEqual(frames, [[1]]);
  assert.match(error.message, /frame of 256 bytes exceeds the limit of 16 bytes/);
});

Deno.test("FrameSplitter reports a stream that ends in the middle of a frame", async () => {
  const frame = encodeFrame(bytes(1, 2, 3, 4));
  for (const cut of [1, 3, 4, 6]) {
    const { frames, error } = await splitFailing([encodeFrame(bytes(5)), frame.subarray(0, cut)]);
    assert.deepEqual(frames, [[5]]);
    assert.equal(error.message, "connection ended in the middle of a frame", `cut at ${cut}`);
  }
});

Deno.test("FrameSplitter ends cleanly on a frame boundary and on an empty stream", async () => {
  assert.deepEqual(await split([]), []);
  assert.deepEqual(await split([encodeFrame(bytes(1)), bytes()]), [[1]]);
});

Deno.test("FrameAssembler keeps nothing of a pushed chunk: one reused read buffer gives whole frames", () => {
  // Frames from 1 byte to several reads long, cut at every kind of place, through one buffer
  // that each "read" overwrites, as FrameReader reuses its read buffer.
  let seed = 7;
  const random = (limit: number) => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % limit;
  const payloads = Array.from(
    { length: 300 },
    (_, i) => Uint8Array.from({ length: random(i % 10 === 0 ? 5000 : 300) }, () => random(256)),
  );
  const wire = concat(...payloads.map((payload) => encodeFrame(payload)));
  const assembler = new FrameAssembler();
  const buffer = new Uint8Array(1024);
  const seen: string[] = [];
  for (let at = 0; at < wire.length;) {
    const n = Math.min(1 + random(buffer.length), wire.length - at);
    buffer.fill(0xee);
    buffer.set(wire.subarray(at, at + n));
    at += n;
    // Used before the next read, as the reader's contract asks.
    for (const frame of assembler.push(buffer.subarray(0, n))) seen.push(frame.join());
  }
  assert.equal(assembler.pending, 0);
  assert.equal(seen.length, payloads.length);
  payloads.forEach((payload, i) => assert.ok(seen[i] === payload.join(), `frame ${i} differs`));
});

/**
 * Runs `work` and returns how many bytes it copied through typed arrays' `set` and `slice`
 * (every copy the assembler makes goes through one of them).
 */
function bytesCopied(work: () => void): number {
  const proto = Object.getPrototypeOf(Uint8Array.prototype) as {
    set: (this: Uint8Array, source: ArrayLike<number>, offset?: number) => void;
    slice: (this: Uint8Array, start?: number, end?: number) => Uint8Array;
  };
  const { set, slice } = proto;
  let copied = 0;
  proto.set = function (source, offset) {
    copied += source.length;
    return set.call(this, source, offset);
  };
  proto.slice = function (start, end) {
    const out = slice.call(this, start, end);
    copied += out.length;
    return out;
  };
  try {
    work();
  } finally {
    proto.set = set;
    proto.slice = slice;
  }
  return copied;
}

Deno.test("FrameAssembler: a frame dripped a byte at a time, its length split too, is copied a bounded number of times", () => {
  // A peer that drips its frame (and splits the length prefix) made the assembler copy all it
  // held on every read: one connection dripping 37 KB took the hub seconds of CPU.
  for (const size of [1024, 16 * 1024]) {
    const wire = encodeFrame(new Uint8Array(size).fill(7));
    const assembler = new FrameAssembler();
    const frames: Uint8Array[] = [];
    const copied = bytesCopied(() => {
      for (let at = 0; at < wire.length; at++) {
        frames.push(...assembler.push(wire.subarray(at, at + 1)));
      }
    });
    assert.equal(frames.length, 1);
    assert.ok(frames[0].every((byte) => byte === 7) && frames[0].length === size);
    assert.ok(copied <= 3 * wire.length, `${copied} bytes copied for a ${wire.length}-byte frame`);
  }
});

Deno.test("FrameAssembler: what it holds for an unfinished frame grows with what came, not with what was announced", () => {
  const assembler = new FrameAssembler({ maxFrameBytes: 64 * 1024 });
  assembler.push(bytes(0, 0)); // half a prefix
  assert.equal(assembler.heldBytes, 2);
  assembler.push(bytes(0x40, 0)); // announces 16 KiB
  assert.equal(assembler.heldBytes, 4, "nothing is set aside for an announced length");
  assembler.push(new Uint8Array(10));
  assert.ok(assembler.heldBytes <= 4 + 256, `held ${assembler.heldBytes} bytes for 10 received`);
  for (let i = 0; i < 100; i++) {
    assembler.push(new Uint8Array(100));
    assert.ok(assembler.heldBytes <= 4 + Math.max(256, 2 * (assembler.pending - 4)));
  }
  assert.equal(assembler.pending, 4 + 10_010);
  assembler.push(new Uint8Array(16 * 1024 - 10_010 - 1));
  assert.equal(assembler.heldBytes, 4 + 16 * 1024, "never more than the frame");
  assert.deepEqual(assembler.push(bytes(5)).map((frame) => frame.length), [16 * 1024]);
  assert.equal(assembler.heldBytes, 0);
});

Deno.test("FrameAssembler: the leading frames (a handshake's) have a limit of their own", () => {
  const options = { maxFrameBytes: 4096, leading: { frames: 2, maxFrameBytes: 8 } };
  // Two small frames, then a big one: all pass, even within one chunk.
  const ok = new FrameAssembler(options);
  const frames = ok.push(
    concat(encodeFrame(bytes(1)), encodeFrame(bytes(2)), encodeFrame(new Uint8Array(100))),
  );
  assert.deepEqual(frames.map((frame) => frame.length), [1, 1, 100]);
  assert.equal(ok.error, undefined);
  // A leading frame over its limit is refused at its prefix, before its payload is held.
  const big = new FrameAssembler(options);
  assert.deepEqual(big.push(concat(encodeFrame(bytes(1)), bytes(0, 0, 0, 9))).length, 1);
  assert.equal(big.error?.message, "frame of 9 bytes exceeds the limit of 8 bytes");
  // Split prefixes count too.
  const split = new FrameAssembler(options);
  for (const byte of [0, 0, 1, 0]) split.push(bytes(byte));
  assert.equal(split.error?.message, "frame of 256 bytes exceeds the limit of 8 bytes");
});
