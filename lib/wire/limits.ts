/**
 * Size limits shared by every layer. They bound what an untrusted peer can make us buffer.
 *
 * @example
 * ```ts
 * import { MAX_FRAME_BYTES } from "./limits.ts";
 * console.log(MAX_FRAME_BYTES); // 262144
 * ```
 * @module
 */

/** Largest frame payload accepted from the wire (after the 4-byte length prefix). */
export const MAX_FRAME_BYTES = 256 * 1024;

/**
 * Bytes of file content carried by one chunk message: nearly a whole frame (the per-frame and
 * per-read costs are paid half as often as with 128 KiB), a whole number of 4 KiB pages, with
 * 4 KiB left for the chunk's header, the record and batch lengths, and the seal.
 */
export const FILE_CHUNK_BYTES = 252 * 1024;

/** Largest chat line, in UTF-8 bytes (ssh-chat uses 1024; we allow longer pastes). */
export const MAX_TEXT_BYTES = 4096;

/** Largest JSON header of one record. */
export const MAX_HEADER_BYTES = 16 * 1024;

/** Length of the big-endian frame length prefix. */
export const FRAME_PREFIX_BYTES = 4;
