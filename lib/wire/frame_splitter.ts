/**
 * Splits a byte stream into length-prefixed frames.
 *
 * Each frame on the wire is a 4-byte big-endian payload length followed by the payload.
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

import { FrameError } from "./frame_error.ts";
import { FRAME_PREFIX_BYTES, MAX_FRAME_BYTES } from "./limits.ts";

/** Options of {@linkcode FrameSplitter}. */
export interface FrameSplitterOptions {
  /** Largest payload accepted; a larger announced length errors the stream. */
  maxFrameBytes?: number;
}

/** Turns a byte stream into whole frame payloads, refusing oversized frames before buffering. */
export class FrameSplitter extends TransformStream<Uint8Array, Uint8Array> {
  /** Creates a splitter with an optional payload limit (default {@linkcode MAX_FRAME_BYTES}). */
  constructor(options: FrameSplitterOptions = {}) {
    const max = options.maxFrameBytes ?? MAX_FRAME_BYTES;
    // Bytes of a frame that spans chunks; empty when aligned on a frame boundary.
    let pending = new Uint8Array(0);
    super({
      transform(chunk, controller) {
        let data = chunk;
        if (pending.length > 0) {
          data = new Uint8Array(pending.length + chunk.length);
          data.set(pending);
          data.set(chunk, pending.length);
        }
        let offset = 0;
        while (data.length - offset >= FRAME_PREFIX_BYTES) {
          const length = (data[offset] << 24 >>> 0) + (data[offset + 1] << 16) +
            (data[offset + 2] << 8) + data[offset + 3];
          if (length > max) {
            throw new FrameError(`frame of ${length} bytes exceeds the limit of ${max} bytes`);
          }
          const end = offset + FRAME_PREFIX_BYTES + length;
          if (end > data.length) break;
          controller.enqueue(data.subarray(offset + FRAME_PREFIX_BYTES, end));
          offset = end;
        }
        // Copy the tail so the consumer may keep the frames without pinning a large chunk.
        pending = offset === data.length ? new Uint8Array(0) : data.slice(offset);
      },
      flush() {
        if (pending.length > 0) {
          throw new FrameError("connection ended in the middle of a frame");
        }
      },
    });
  }
}
