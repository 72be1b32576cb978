/**
 * Splits a byte stream into length-prefixed frames.
 *
 * Each frame on the wire is a 4-byte big-endian payload length followed by the payload.
 * {@linkcode FrameAssembler} takes bytes as they come and gives whole frames (its stream form,
 * for tests and the benchmark, is dev/stream_forms.ts).
 *
 * @example
 * ```ts
 * import { FrameAssembler } from "./frame_splitter.ts";
 * import { encodeFrame } from "./frame_encoder.ts";
 * const assembler = new FrameAssembler();
 * console.log([...assembler.push(encodeFrame(new Uint8Array([1, 2])))]); // [Uint8Array(2) [1, 2]]
 * ```
 * @module
 */

import { readUint32 } from "./bytes.ts";
import { FrameError } from "./frame_error.ts";
import { FRAME_PREFIX_BYTES, MAX_FRAME_BYTES } from "./limits.ts";

/** Options of {@linkcode FrameAssembler}. */
export interface FrameSplitterOptions {
  /** Largest payload accepted; a larger announced length is an error. */
  maxFrameBytes?: number;
  /**
   * A lower limit for the first `frames` frames of the stream, such as a handshake's: those are
   * refused above `maxFrameBytes` here, and the frames after them get the main limit.
   */
  leading?: { frames: number; maxFrameBytes: number };
}

/** The first buffer made for a frame spread over chunks, unless the frame is smaller. */
const MIN_HELD_BYTES = 256;

/**
 * Collects bytes and hands out whole frames. An oversized length is refused as soon as its
 * prefix arrives, before anything is buffered for it.
 *
 * A frame spread over chunks is gathered in one buffer that at most doubles as bytes come, so
 * a peer that drips its frame a byte at a time costs work and memory in proportion to what it
 * sent (never to the square of it, nor to what its prefix announced).
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
  #leadingMax: number;
  /** Frames still to come under the leading limit. */
  #leadingLeft: number;
  /** Bytes of the length prefix held (0-4); 4 while the payload is being gathered. */
  #prefixHeld = 0;
  /** The prefix's bytes so far, as a number. */
  #prefixValue = 0;
  /** The payload length of the frame being gathered, and what of it has come. */
  #needed = 0;
  #filled = 0;
  /** Where that payload is gathered; grows as it comes, up to `#needed`. */
  #frame: Uint8Array | undefined;
  #error: FrameError | undefined;

  /** Creates an assembler with an optional payload limit (default {@linkcode MAX_FRAME_BYTES}). */
  constructor(options: FrameSplitterOptions = {}) {
    this.#max = options.maxFrameBytes ?? MAX_FRAME_BYTES;
    this.#leadingMax = options.leading?.maxFrameBytes ?? this.#max;
    this.#leadingLeft = options.leading?.frames ?? 0;
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
    return this.#prefixHeld + this.#filled;
  }

  /**
   * Bytes of memory held for the frame not yet whole: its prefix and the buffer gathering its
   * payload. Never more than the frame limit plus the prefix, nor about twice what came.
   */
  get heldBytes(): number {
    return this.#prefixHeld + (this.#frame?.length ?? 0);
  }

  /**
   * Adds `chunk` and returns the frames it completed. Frames inside one chunk are views of
   * it (no copy); a frame spread over chunks is copied once as it comes, and its buffer at
   * most doubles along the way. Nothing of `chunk` is kept as a view once this returns, so
   * a reader may reuse its buffer as soon as it is done with the frames.
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
    if (this.#prefixHeld > 0) {
      offset = this.#continue(chunk, frames);
      if (offset < 0) return;
    }
    while (chunk.length - offset >= FRAME_PREFIX_BYTES) {
      const length = this.#admit(readUint32(chunk, offset));
      const start = offset + FRAME_PREFIX_BYTES;
      if (start + length > chunk.length) {
        this.#prefixHeld = FRAME_PREFIX_BYTES;
        this.#needed = length;
        this.#append(chunk.subarray(start));
        return;
      }
      frames.push(chunk.subarray(start, start + length));
      offset = start + length;
    }
    // Less than a prefix is left: kept as a number, not as bytes.
    while (offset < chunk.length) this.#prefixByte(chunk[offset++]);
  }

  /**
   * Goes on with the frame held from earlier chunks. Once it is whole, hands it out and
   * returns where the rest of `chunk` starts; -1 while it is still incomplete.
   */
  #continue(chunk: Uint8Array, frames: Uint8Array[]): number {
    let offset = 0;
    while (this.#prefixHeld < FRAME_PREFIX_BYTES) {
      if (offset === chunk.length) return -1;
      this.#prefixByte(chunk[offset++]);
    }
    const take = Math.min(this.#needed - this.#filled, chunk.length - offset);
    this.#append(chunk.subarray(offset, offset + take));
    if (this.#filled < this.#needed) return -1;
    frames.push(this.#frame ?? new Uint8Array(0));
    this.#frame = undefined;
    this.#prefixHeld = 0;
    this.#prefixValue = 0;
    this.#needed = 0;
    this.#filled = 0;
    return offset + take;
  }

  /** Takes one byte of a length prefix; the fourth one checks the length. */
  #prefixByte(byte: number): void {
    this.#prefixValue = this.#prefixValue * 256 + byte;
    if (++this.#prefixHeld === FRAME_PREFIX_BYTES) this.#needed = this.#admit(this.#prefixValue);
  }

  /** Copies `bytes` after the payload held, growing its buffer at most twofold. */
  #append(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    const filled = this.#filled + bytes.length;
    let frame = this.#frame;
    if (frame === undefined || frame.length < filled) {
      const size = Math.min(
        this.#needed,
        Math.max(filled, 2 * (frame?.length ?? 0), MIN_HELD_BYTES),
      );
      const grown = new Uint8Array(size);
      if (frame !== undefined) grown.set(frame.subarray(0, this.#filled));
      this.#frame = frame = grown;
    }
    frame.set(bytes, this.#filled);
    this.#filled = filled;
  }

  /** Throws when the input ended inside a frame. */
  end(): void {
    if (this.pending > 0) throw new FrameError("connection ended in the middle of a frame");
  }

  /** Checks a frame's announced length against the limit for its place in the stream. */
  #admit(length: number): number {
    const max = this.#leadingLeft > 0 ? this.#leadingMax : this.#max;
    if (length > max) {
      throw new FrameError(`frame of ${length} bytes exceeds the limit of ${max} bytes`);
    }
    if (this.#leadingLeft > 0) this.#leadingLeft--;
    return length;
  }
}
