/**
 * Prefixes payloads with their length so a {@linkcode FrameAssembler} can split them again.
 *
 * @example
 * ```ts
 * import { encodeFrame } from "./frame_encoder.ts";
 * console.log(encodeFrame(new Uint8Array([7]))); // Uint8Array(5) [0, 0, 0, 1, 7]
 * ```
 * @module
 */

import { writeUint32 } from "./bytes.ts";
import { FRAME_PREFIX_BYTES } from "./limits.ts";

/** Returns `payload` with its 4-byte big-endian length in front. */
export function encodeFrame(payload: Uint8Array): Uint8Array {
  const frame = new Uint8Array(FRAME_PREFIX_BYTES + payload.length);
  new DataView(frame.buffer).setUint32(0, payload.length);
  frame.set(payload, FRAME_PREFIX_BYTES);
  return frame;
}

/**
 * Bytes that `payloads` take as consecutive frames.
 *
 * @example
 * ```ts
 * import { framesLength } from "./frame_encoder.ts";
 * console.log(framesLength([new Uint8Array(1), new Uint8Array(2)])); // 11
 * ```
 */
export function framesLength(payloads: readonly Uint8Array[]): number {
  let size = 0;
  for (const payload of payloads) size += FRAME_PREFIX_BYTES + payload.length;
  return size;
}

/**
 * Concatenates several payloads as consecutive frames, for one write of a batch.
 *
 * @example
 * ```ts
 * import { encodeFrames } from "./frame_encoder.ts";
 * const bytes = encodeFrames([new Uint8Array([1]), new Uint8Array([2, 3])]);
 * console.log(bytes); // Uint8Array(11) [0, 0, 0, 1, 1, 0, 0, 0, 2, 2, 3]
 * ```
 */
export function encodeFrames(payloads: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(framesLength(payloads));
  encodeFramesInto(payloads, out);
  return out;
}

/**
 * {@linkcode encodeFrames} into `target` from its start, which must hold
 * {@linkcode framesLength} bytes; returns the view of `target` written. A sender that seals
 * the frames at once reuses one scratch buffer instead of allocating per write.
 *
 * @example
 * ```ts
 * import { encodeFramesInto } from "./frame_encoder.ts";
 * const scratch = new Uint8Array(64);
 * console.log(encodeFramesInto([new Uint8Array([9])], scratch)); // Uint8Array(5) [0, 0, 0, 1, 9]
 * ```
 */
export function encodeFramesInto(payloads: readonly Uint8Array[], target: Uint8Array): Uint8Array {
  let offset = 0;
  for (const payload of payloads) {
    const length = payload.length;
    if (offset + FRAME_PREFIX_BYTES + length > target.length) {
      throw new RangeError("encodeFramesInto: the target is too small");
    }
    putFrameLength(target, offset, length);
    target.set(payload, offset + FRAME_PREFIX_BYTES);
    offset += FRAME_PREFIX_BYTES + length;
  }
  return target.subarray(0, offset);
}

/**
 * Writes a frame's 4-byte big-endian length prefix into `target` at `offset`, for a caller
 * that puts the payload after it itself (e.g. seals it in place).
 *
 * @example
 * ```ts
 * import { putFrameLength } from "./frame_encoder.ts";
 * const frame = new Uint8Array(6);
 * putFrameLength(frame, 0, 2);
 * console.log(frame); // Uint8Array(6) [0, 0, 0, 2, 0, 0]
 * ```
 */
export function putFrameLength(target: Uint8Array, offset: number, length: number): void {
  writeUint32(target, offset, length);
}
