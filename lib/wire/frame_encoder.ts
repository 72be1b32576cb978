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

/**
 * A frame payload given as one array, or as pieces to be joined (e.g. a ciphertext and its
 * tag), which saves copying them together first.
 */
export type FramePayload = Uint8Array | readonly Uint8Array[];

/**
 * Concatenates several payloads as consecutive frames, for one write of a batch.
 *
 * @example
 * ```ts
 * import { encodeFrames } from "./frame_encoder.ts";
 * const bytes = encodeFrames([new Uint8Array([1]), [new Uint8Array([2]), new Uint8Array([3])]]);
 * console.log(bytes); // Uint8Array(11) [0, 0, 0, 1, 1, 0, 0, 0, 2, 2, 3]
 * ```
 */
export function encodeFrames(payloads: readonly FramePayload[]): Uint8Array {
  let size = 0;
  for (const payload of payloads) size += FRAME_PREFIX_BYTES + payloadLength(payload);
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  let offset = 0;
  for (const payload of payloads) {
    view.setUint32(offset, payloadLength(payload));
    offset += FRAME_PREFIX_BYTES;
    for (const piece of payload instanceof Uint8Array ? [payload] : payload) {
      out.set(piece, offset);
      offset += piece.length;
    }
  }
  return out;
}

function payloadLength(payload: FramePayload): number {
  if (payload instanceof Uint8Array) return payload.length;
  let length = 0;
  for (const piece of payload) length += piece.length;
  return length;
}

/** The stream form of {@linkcode encodeFrame}. */
export class FrameEncoder extends TransformStream<Uint8Array, Uint8Array> {
  /** Creates the encoder. */
  constructor() {
    super({ transform: (payload, controller) => controller.enqueue(encodeFrame(payload)) });
  }
}
