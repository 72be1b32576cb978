/**
 * A peer that knows the passkey and then misbehaves: it runs the real handshake (the lib's
 * `handshakeConn`) and seals whatever plaintext a test gives it with the real channel
 * (`FrameSealer`), so a test can send records a correct p2pchat never sends (bad JSON,
 * unknown types, headers over the limit, invalid UTF-8) from inside an authenticated session.
 * It reads everything the other side sends, answers pings, and records what it got.
 *
 * @example
 * ```ts ignore
 * import { AuthenticatedPeer, record } from "./authenticated_peer.ts";
 * const mallory = await AuthenticatedPeer.connect(port);
 * await mallory.send({ t: "hello", v: 2, name: "mallory" });
 * await mallory.sendRecords([new TextEncoder().encode("\x00\x00\x00\x02{x")]);
 * await mallory.close();
 * ```
 * @module
 */

import { handshakeConn } from "../../lib/secure/conn_handshake.ts";
import { FrameOpener, FrameSealer } from "../../lib/secure/encrypted_channel.ts";
import { type Message, parseMessage } from "../../lib/session/message.ts";
import { decodeRecord, encodeRecord, splitRecords } from "../../lib/wire/codec.ts";
import { encodeFrame, encodeFrames } from "../../lib/wire/frame_encoder.ts";
import type { FrameReader } from "../../lib/wire/frame_reader.ts";
import { writeAll } from "../../lib/wire/write_all.ts";
import { PASSKEY, WAIT_MS } from "./cli_process.ts";

/**
 * The record of `header` (any JSON value) as the codec lays it out.
 *
 * @example
 * ```ts ignore
 * const bytes = record({ t: "ping" });
 * ```
 */
export function record(header: unknown, body?: Uint8Array): Uint8Array {
  return encodeRecord(header, body);
}

/**
 * A record whose header is `json` exactly as given (it need not be JSON, or UTF-8).
 *
 * @example
 * ```ts ignore
 * const broken = rawRecord(new TextEncoder().encode("{not json"));
 * ```
 */
export function rawRecord(json: Uint8Array, body: Uint8Array = new Uint8Array(0)): Uint8Array {
  const out = new Uint8Array(4 + json.length + body.length);
  new DataView(out.buffer).setUint32(0, json.length);
  out.set(json, 4);
  out.set(body, 4 + json.length);
  return out;
}

/** A hostile but authenticated peer over a real TCP connection. */
export class AuthenticatedPeer {
  /** Every message received that the protocol accepts, in order. */
  readonly received: Message[] = [];
  /** Records received that the protocol does not accept (should be none). */
  readonly unreadable: unknown[] = [];
  /** Resolves with why the connection ended (`undefined`: the other side closed it). */
  readonly ended: Promise<string | undefined>;
  #conn: Deno.Conn;
  #sealer: FrameSealer;
  #writing: Promise<void> = Promise.resolve();
  #done = false;

  private constructor(
    conn: Deno.Conn,
    frames: FrameReader,
    sealer: FrameSealer,
    opener: FrameOpener,
  ) {
    this.#conn = conn;
    this.#sealer = sealer;
    this.ended = this.#read(frames, opener);
  }

  /** Connects to 127.0.0.1:`port` and runs the handshake with `passkey`. */
  static async connect(port: number, passkey: string = PASSKEY): Promise<AuthenticatedPeer> {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    const { frames, keys } = await handshakeConn(conn, { role: "client", passkey });
    return new AuthenticatedPeer(
      conn,
      frames,
      new FrameSealer(keys.sendKey),
      new FrameOpener(keys.receiveKey),
    );
  }

  /** Whether the connection has ended. */
  get closed(): boolean {
    return this.#done;
  }

  /** Sends one well-formed record of `header`. */
  send(header: unknown): Promise<void> {
    return this.sendRecords([record(header)]);
  }

  /** Sends `records` together, sealed in one frame. */
  sendRecords(records: readonly Uint8Array[]): Promise<void> {
    return this.sendPlain(encodeFrames(records));
  }

  /** Seals `plain` as one frame, whatever it holds, and sends it. */
  sendPlain(plain: Uint8Array): Promise<void> {
    const frame = encodeFrame(this.#sealer.seal(plain));
    // Frames must leave in the order they were sealed.
    this.#writing = this.#writing.then(() => this.#done ? undefined : writeAll(this.#conn, frame))
      .catch(() => {});
    return this.#writing;
  }

  /** Messages of type `t` received so far. */
  messages<T extends Message["t"]>(t: T): Extract<Message, { t: T }>[] {
    return this.received.filter((m): m is Extract<Message, { t: T }> => m.t === t);
  }

  /** Waits until `condition` holds, or throws naming `what` after `timeoutMs`. */
  async until(condition: () => boolean, what: string, timeoutMs: number = WAIT_MS): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
      if (Date.now() > deadline) {
        const last = this.received.slice(-5).map((m) => JSON.stringify(m).slice(0, 200));
        throw new Error(`not seen within ${timeoutMs} ms: ${what}\n${last.join("\n")}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  /** Closes the connection and waits for the reader to stop. */
  async close(): Promise<void> {
    await this.#writing;
    this.#finish();
    await this.ended;
  }

  #finish(): void {
    if (this.#done) return;
    this.#done = true;
    try {
      this.#conn.close();
    } catch { /* already closed */ }
  }

  async #read(frames: FrameReader, opener: FrameOpener): Promise<string | undefined> {
    try {
      while (await frames.fill()) {
        for (let frame = frames.take(); frame; frame = frames.take()) {
          for (const bytes of splitRecords(opener.open(frame))) {
            const { header } = decodeRecord(bytes);
            let message: Message;
            try {
              message = parseMessage(header);
            } catch {
              this.unreadable.push(header);
              continue;
            }
            if (message.t === "ping") this.send({ t: "pong" });
            else if (message.t !== "pong") this.received.push(message);
          }
        }
      }
      return undefined;
    } catch (error) {
      return error instanceof Error ? error.message : String(error);
    } finally {
      this.#finish();
    }
  }
}
