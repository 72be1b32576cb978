/**
 * Splits a byte stream into length-prefixed frames.
 *
 * Each frame on the wire is a 4-byte big-endian payload length followed by the payload.
 * {@linkcode FrameAssembler} is the core (push bytes, get whole frames); {@linkcode FrameSplitter}
 * is its stream form.
 *
 * @example
 * ```ts
 * import { FrameSplitter } from "./frame_splitter.ts";
 * import { encodeFrame } from "./frame_encoder.ts";
 * const frames = ReadableStream.from([encodeFrame(new Uint8Array([1, 2]))])
 *   .pipeThrough(new FrameSplitter());
 * for await (const frame of frames) console.log(frame); // Uint8Array(2) [1, 2]
 * ```
 * @module
 */

import { concatBytes, readUint32 } from "./bytes.ts";
import { FrameError } from "./frame_error.ts";
import { FRAME_PREFIX_BYTES, MAX_FRAME_BYTES } from "./limits.ts";

/** Options of {@linkcode FrameSplitter} and {@linkcode FrameAssembler}. */
export interface FrameSplitterOptions {
  /** Largest payload accepted; a larger announced length is an error. */
  maxFrameBytes?: number;
}

/**
 * Collects bytes and hands out whole frames. An oversized length is refused as soon as its
 * prefix arrives, before anything is buffered for it.
 *
 * @example
 * ```ts
 * import { FrameAssembler } from "./frame_splitter.ts";
 * const assembler = new FrameAssembler();
 * console.log(assembler.push(new Uint8Array([0, 0, 0, 2, 9]))); // []
 * console.log(assembler.push(new Uint8Array([8]))); // [Uint8Array(2) [9, 8]]
 * ```
 */
export class FrameAssembler {
  #max: number;
  /** Chunks not yet handed out as frames, and their total length. */
  #chunks: Uint8Array[] = [];
  #buffered = 0;
  #error: FrameError | undefined;

  /** Creates an assembler with an optional payload limit (default {@linkcode MAX_FRAME_BYTES}). */
  constructor(options: FrameSplitterOptions = {}) {
    this.#max = options.maxFrameBytes ?? MAX_FRAME_BYTES;
  }

  /**
   * The error that stopped the input, if any. `push` hands out the good frames before it
   * and sets this; the caller throws it after using them.
   */
  get error(): FrameError | undefined {
    return this.#error;
  }

  /** Bytes held that do not make a whole frame yet. */
  get pending(): number {
    return this.#buffered;
  }

  /**
   * Adds `chunk` and returns the frames it completed. Frames inside one chunk are views of
   * it (no copy); a frame spread over chunks is copied once, when it is complete. Nothing of
   * `chunk` is kept as a view once this returns, so a reader may reuse its buffer as soon as
   * it is done with the frames.
   */
  push(chunk: Uint8Array): Uint8Array[] {
    if (this.#error) throw this.#error;
    const frames: Uint8Array[] = [];
    try {
      this.#take(chunk, frames);
    } catch (error) {
      if (!(error instanceof FrameError)) throw error;
      this.#error = error;
    }
    return frames;
  }

  #take(chunk: Uint8Array, frames: Uint8Array[]): void {
    let offset = 0;
    if (this.#buffered > 0) {
      offset = this.#complete(chunk, frames);
      if (offset < 0) return;
    }
    while (chunk.length - offset >= FRAME_PREFIX_BYTES) {
      const end = offset + FRAME_PREFIX_BYTES + this.#length(chunk, offset);
      if (end > chunk.length) break;
      frames.push(chunk.subarray(offset + FRAME_PREFIX_BYTES, end));
      offset = end;
    }
    // The tail is copied: the caller's buffer is its own again (a read buffer is reused).
    this.#chunks = offset < chunk.length ? [chunk.slice(offset)] : [];
    this.#buffered = chunk.length - offset;
  }

  /**
   * Adds `chunk` to the frame held from earlier chunks. Once that frame is whole, copies it
   * (and only it: a large read is not copied for a frame's tail) into `frames` and returns
   * where the rest of `chunk` starts; -1 while it is still incomplete.
   */
  #complete(chunk: Uint8Array, frames: Uint8Array[]): number {
    const held = this.#buffered;
    const total = held + chunk.length;
    if (total < FRAME_PREFIX_BYTES) return this.#hold(chunk);
    const prefix = this.#chunks[0].length >= FRAME_PREFIX_BYTES
      ? this.#chunks[0]
      : concatBytes([...this.#chunks, chunk.subarray(0, FRAME_PREFIX_BYTES)]);
    const needed = FRAME_PREFIX_BYTES + this.#length(prefix, 0);
    if (total < needed) return this.#hold(chunk);
    const frame = concatBytes([...this.#chunks, chunk.subarray(0, needed - held)]);
    frames.push(frame.subarray(FRAME_PREFIX_BYTES));
    this.#chunks = [];
    this.#buffered = 0;
    return needed - held;
  }

  /** Keeps a copy of `chunk` for a frame not yet whole; returns -1. */
  #hold(chunk: Uint8Array): number {
    this.#chunks.push(chunk.slice());
    this.#buffered += chunk.length;
    return -1;
  }

  /** Throws when the input ended inside a frame. */
  end(): void {
    if (this.#buffered > 0) throw new FrameError("connection ended in the middle of a frame");
  }

  #length(data: Uint8Array, offset: number): number {
    const length = readUint32(data, offset);
    if (length > this.#max) {
      throw new FrameError(`frame of ${length} bytes exceeds the limit of ${this.#max} bytes`);
    }
    return length;
  }
}

/** Turns a byte stream into whole frame payloads, refusing oversized frames before buffering. */
export class FrameSplitter extends TransformStream<Uint8Array, Uint8Array> {
  /** Creates a splitter with an optional payload limit (default {@linkcode MAX_FRAME_BYTES}). */
  constructor(options: FrameSplitterOptions = {}) {
    const assembler = new FrameAssembler(options);
    super({
      transform(chunk, controller) {
        for (const frame of assembler.push(chunk)) controller.enqueue(frame);
        if (assembler.error) throw assembler.error;
      },
      flush() {
        assembler.end();
      },
    });
  }
}
