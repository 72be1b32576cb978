/**
 * Prefixes payloads with their length so {@linkcode FrameSplitter} can split them again.
 *
 * @example
 * ```ts
 * import { encodeFrame } from "./frame_encoder.ts";
 * console.log(encodeFrame(new Uint8Array([7]))); // Uint8Array(5) [0, 0, 0, 1, 7]
 * ```
 * @module
 */

import { FRAME_PREFIX_BYTES } from "./limits.ts";

/** Returns `payload` with its 4-byte big-endian length in front. */
export function encodeFrame(payload: Uint8Array): Uint8Array {
  const frame = new Uint8Array(FRAME_PREFIX_BYTES + payload.length);
  new DataView(frame.buffer).setUint32(0, payload.length);
  frame.set(payload, FRAME_PREFIX_BYTES);
  return frame;
}

/** Concatenates several payloads as consecutive frames, for one write of a batch. */
export function encodeFrames(payloads: readonly Uint8Array[]): Uint8Array {
  let size = 0;
  for (const payload of payloads) size += FRAME_PREFIX_BYTES + payload.length;
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  let offset = 0;
  for (const payload of payloads) {
    view.setUint32(offset, payload.length);
    out.set(payload, offset + FRAME_PREFIX_BYTES);
    offset += FRAME_PREFIX_BYTES + payload.length;
  }
  return out;
}

/** The stream form of {@linkcode encodeFrame}. */
export class FrameEncoder extends TransformStream<Uint8Array, Uint8Array> {
  /** Creates the encoder. */
  constructor() {
    super({ transform: (payload, controller) => controller.enqueue(encodeFrame(payload)) });
  }
}
