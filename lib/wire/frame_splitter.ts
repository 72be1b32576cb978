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
   * it (no copy); a frame spread over chunks is copied once, when it is complete.
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
    let data = chunk;
    if (this.#buffered > 0) {
      this.#chunks.push(chunk);
      this.#buffered += chunk.length;
      const needed = this.#needed();
      if (needed === undefined || this.#buffered < needed) return;
      data = this.#join();
    }
    let offset = 0;
    while (data.length - offset >= FRAME_PREFIX_BYTES) {
      const length = this.#length(data, offset);
      const end = offset + FRAME_PREFIX_BYTES + length;
      if (end > data.length) break;
      frames.push(data.subarray(offset + FRAME_PREFIX_BYTES, end));
      offset = end;
    }
    if (offset < data.length) {
      // Copy the tail so a kept frame does not pin the rest of a large read buffer.
      this.#chunks = [data.slice(offset)];
      this.#buffered = data.length - offset;
    } else {
      this.#chunks = [];
      this.#buffered = 0;
    }
  }

  /** Throws when the input ended inside a frame. */
  end(): void {
    if (this.#buffered > 0) throw new FrameError("connection ended in the middle of a frame");
  }

  /** Bytes needed for the first buffered frame, once its prefix is known. */
  #needed(): number | undefined {
    if (this.#buffered < FRAME_PREFIX_BYTES) return undefined;
    const head = this.#chunks[0].length >= FRAME_PREFIX_BYTES ? this.#chunks[0] : this.#join();
    return FRAME_PREFIX_BYTES + this.#length(head, 0);
  }

  #join(): Uint8Array {
    if (this.#chunks.length === 1) return this.#chunks[0];
    const joined = concatBytes(this.#chunks);
    this.#chunks = [joined];
    return joined;
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
