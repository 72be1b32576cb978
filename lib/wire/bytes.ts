/**
 * Byte helpers shared by the layers.
 *
 * @example
 * ```ts
 * import { concatBytes } from "./bytes.ts";
 * console.log(concatBytes([new Uint8Array([1]), new Uint8Array([2, 3])])); // Uint8Array(3) [1, 2, 3]
 * ```
 * @module
 */

/** Joins `parts` into one new array. */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/**
 * Reads the big-endian unsigned 32-bit integer at `offset`: every length prefix on the wire.
 * By hand, not a `DataView`: this runs for each frame and record, and a view costs an object.
 *
 * @example
 * ```ts
 * import { readUint32 } from "./bytes.ts";
 * console.log(readUint32(new Uint8Array([0, 0, 1, 44]), 0)); // 300
 * ```
 */
export function readUint32(bytes: Uint8Array, offset: number): number {
  return ((bytes[offset] << 24) | (bytes[offset + 1] << 16) | (bytes[offset + 2] << 8) |
    bytes[offset + 3]) >>> 0;
}

/**
 * Writes `value` as a big-endian unsigned 32-bit integer at `offset`.
 *
 * @example
 * ```ts
 * import { writeUint32 } from "./bytes.ts";
 * const bytes = new Uint8Array(4);
 * writeUint32(bytes, 0, 300);
 * console.log(bytes); // Uint8Array(4) [0, 0, 1, 44]
 * ```
 */
export function writeUint32(bytes: Uint8Array, offset: number, value: number): void {
  bytes[offset] = value >>> 24;
  bytes[offset + 1] = value >>> 16;
  bytes[offset + 2] = value >>> 8;
  bytes[offset + 3] = value;
}
