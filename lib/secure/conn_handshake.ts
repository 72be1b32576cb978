/**
 * The handshake over a TCP connection: frames read straight from the connection, the
 * SPAKE2 exchange, and the frame reader left ready for the encrypted frames that follow.
 *
 * @example
 * ```ts ignore
 * import { handshakeConn } from "./conn_handshake.ts";
 * const conn = await Deno.connect({ hostname: "127.0.0.1", port: 5050 });
 * const { frames, keys } = await handshakeConn(conn, { role: "client", passkey: "7-orbit-lemon-cradle" });
 * console.log(keys.safety, await frames.fill());
 * ```
 * @module
 */

import { encodeFrame } from "../wire/frame_encoder.ts";
import { FrameReader } from "../wire/frame_reader.ts";
import { MAX_FRAME_BYTES } from "../wire/limits.ts";
import { writeAll } from "../wire/write_all.ts";
import {
  handshake,
  HANDSHAKE_FRAMES_RECEIVED,
  type HandshakeOptions,
  MAX_HANDSHAKE_FRAME,
  type SecureKeys,
} from "./handshake.ts";

/** Largest sealed frame: the largest plaintext frame plus the AEAD tag, with room to spare. */
export const MAX_SEALED_FRAME_BYTES: number = MAX_FRAME_BYTES + 64;

/** A connection after its handshake: its keys, and its frames from here on. */
export interface HandshakenConn {
  /** Reads the connection's (sealed) frames after the handshake. */
  frames: FrameReader;
  /** The session keys. */
  keys: SecureKeys;
}

/**
 * Runs the handshake on `conn`; throws the handshake's error after closing `conn`.
 *
 * @example
 * ```ts ignore
 * import { handshakeConn } from "./conn_handshake.ts";
 * const listener = Deno.listen({ port: 5050 });
 * const { keys } = await handshakeConn(await listener.accept(), { role: "host", passkey: "7-a-b-c" });
 * ```
 */
export async function handshakeConn(
  conn: Deno.Conn,
  options: HandshakeOptions,
): Promise<HandshakenConn> {
  // The handshake's frames are refused over its own limit from their length alone, so an
  // unauthenticated peer cannot make us gather a sealed frame's worth of bytes.
  const frames = new FrameReader(conn, {
    maxFrameBytes: MAX_SEALED_FRAME_BYTES,
    leading: { frames: HANDSHAKE_FRAMES_RECEIVED, maxFrameBytes: MAX_HANDSHAKE_FRAME },
  });
  // The handshake speaks whole frames through stream reader/writer interfaces.
  const reader = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const frame = await frames.next();
      if (frame) controller.enqueue(frame);
      else controller.close();
    },
  }, { highWaterMark: 0 }).getReader();
  const writer = new WritableStream<Uint8Array>({
    write: (frame) => writeAll(conn, encodeFrame(frame)),
  }).getWriter();
  try {
    return { frames, keys: await handshake(reader, writer, options) };
  } catch (error) {
    try {
      conn.close();
    } catch { /* already closed */ }
    throw error;
  } finally {
    writer.releaseLock();
    reader.releaseLock();
  }
}
