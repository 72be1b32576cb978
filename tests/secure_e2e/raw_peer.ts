/**
 * A hand-made peer for end-to-end tests of the handshake: it speaks raw length-prefixed
 * frames over TCP (lib/wire/frame_encoder.ts), so a test can send exactly the bytes it wants,
 * including ones a correct p2pchat never sends (see the frame table in lib/secure/handshake.ts).
 *
 * @example
 * ```ts ignore
 * import { RawPeer } from "./raw_peer.ts";
 * await using peer = await RawPeer.connect(port);
 * await peer.sendFrame(new Uint8Array([0x01, 2, 1, ...pA])); // type, version, mode, pA
 * console.log(await peer.readFrame()); // e.g. a failure frame 7f 05 01
 * ```
 * @module
 */

import { HANDSHAKE_VERSION } from "../../lib/secure/handshake.ts";
import { encodeFrame } from "../../lib/wire/frame_encoder.ts";
import { FRAME_PREFIX_BYTES } from "../../lib/wire/limits.ts";
import { writeAll } from "../../lib/wire/write_all.ts";

/** How long {@linkcode RawPeer.readFrame} waits by default. */
export const READ_MS = 15_000;

/** First byte of each handshake frame (lib/secure/handshake.ts). */
export const FrameType = {
  ClientHello: 0x01,
  HostHello: 0x02,
  Confirm: 0x03,
  Ok: 0x04,
  Failure: 0x7f,
} as const;

/** Second byte of a failure frame (lib/secure/handshake.ts). */
export const FailureReason = {
  WrongPasskey: 1,
  HostIsOpen: 2,
  HostNeedsPasskey: 3,
  Version: 4,
  Malformed: 5,
} as const;

/** The handshake mode byte (lib/secure/handshake.ts). */
export const HandshakeMode = { Passkey: 1, Open: 2 } as const;

/** Builds a client hello frame payload: `01 | version | mode | element`. */
export function clientHello(element: Uint8Array, mode: number = HandshakeMode.Passkey): Uint8Array {
  const frame = new Uint8Array(3 + element.length);
  frame.set([FrameType.ClientHello, HANDSHAKE_VERSION, mode]);
  frame.set(element, 3);
  return frame;
}

/** A raw TCP peer that reads and writes whole frames. */
export class RawPeer implements AsyncDisposable {
  #conn: Deno.TcpConn;
  #buffered: Uint8Array = new Uint8Array(0);
  #closed = false;

  /** Connects to `127.0.0.1:port`. */
  static async connect(port: number): Promise<RawPeer> {
    return new RawPeer(await Deno.connect({ hostname: "127.0.0.1", port }));
  }

  private constructor(conn: Deno.TcpConn) {
    this.#conn = conn;
  }

  /** Sends `payload` as one frame (length prefix added). */
  async sendFrame(payload: Uint8Array): Promise<void> {
    await this.sendRaw(encodeFrame(payload));
  }

  /** Sends bytes exactly as given. */
  async sendRaw(bytes: Uint8Array): Promise<void> {
    await writeAll(this.#conn, bytes);
  }

  /** Reads the next whole frame's payload; `null` if the peer closed the connection first. */
  async readFrame(timeoutMs: number = READ_MS): Promise<Uint8Array | null> {
    const deadline = Date.now() + timeoutMs;
    while (true) {
      if (this.#buffered.length >= FRAME_PREFIX_BYTES) {
        const view = new DataView(this.#buffered.buffer, this.#buffered.byteOffset);
        const end = FRAME_PREFIX_BYTES + view.getUint32(0);
        if (this.#buffered.length >= end) {
          const payload = this.#buffered.slice(FRAME_PREFIX_BYTES, end);
          this.#buffered = this.#buffered.slice(end);
          return payload;
        }
      }
      const chunk = await this.#read(deadline);
      if (chunk === null) return null;
      const joined = new Uint8Array(this.#buffered.length + chunk.length);
      joined.set(this.#buffered);
      joined.set(chunk, this.#buffered.length);
      this.#buffered = joined;
    }
  }

  /**
   * Waits until the peer closes the connection (end of stream or reset), discarding what it
   * sends; resolves with the milliseconds waited. Throws if it stays open past `timeoutMs`.
   */
  async waitForClose(timeoutMs: number = READ_MS): Promise<number> {
    const start = Date.now();
    while (await this.#read(start + timeoutMs) !== null) { /* discard */ }
    return Date.now() - start;
  }

  /** Closes the connection (idempotent). */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.#conn.close();
    } catch { /* already closed */ }
  }

  /** Closes the connection. */
  [Symbol.asyncDispose](): Promise<void> {
    this.close();
    return Promise.resolve();
  }

  // One read raced against the deadline; a reset counts as the end of the stream.
  async #read(deadline: number): Promise<Uint8Array | null> {
    const buffer = new Uint8Array(64 * 1024);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<"timeout">((resolve) => {
      timer = setTimeout(() => resolve("timeout"), Math.max(0, deadline - Date.now()));
    });
    try {
      const read = this.#conn.read(buffer).catch((error) => {
        if (error instanceof Deno.errors.ConnectionReset) return null;
        if (this.#closed && error instanceof Deno.errors.BadResource) return null;
        throw error;
      });
      const result = await Promise.race([read, timeout]);
      if (result === "timeout") {
        this.close(); // settles the pending read, so no op outlives the test
        await read;
        throw new Error("the host neither answered nor closed the connection in time");
      }
      return result === null ? null : buffer.slice(0, result);
    } finally {
      clearTimeout(timer);
    }
  }
}
