/**
 * A TCP proxy for end-to-end tests of the secure channel: it sits between a client and a host
 * on loopback, records every byte each side sends, splits the stream into the wire's
 * length-prefixed frames, and lets a test change the frames live (flip a bit, replay one, or
 * cut the connection in the middle of one).
 *
 * @example
 * ```ts ignore
 * import { RecordingProxy } from "./recording_proxy.ts";
 * const proxy = RecordingProxy.start(hostPort, {
 *   tamper: ({ direction, index, payload }) =>
 *     direction === "client-to-host" && index === 5 ? { cut: 100 } : [payload],
 * });
 * // connect the client to proxy.port ...
 * console.log(proxy.captured("client-to-host").length);
 * await proxy.close();
 * ```
 * @module
 */

import { concatBytes } from "../../lib/wire/bytes.ts";
import { encodeFrame } from "../../lib/wire/frame_encoder.ts";
import { FRAME_PREFIX_BYTES } from "../../lib/wire/limits.ts";
import { writeAll } from "../../lib/wire/write_all.ts";

/** Which way bytes flow through the proxy. */
export type Direction = "client-to-host" | "host-to-client";

/** One whole frame seen by the proxy. */
export interface ProxiedFrame {
  /** Which way it goes. */
  direction: Direction;
  /** 0-based index among this connection's frames in this direction (handshake included). */
  index: number;
  /** 0-based index of the proxied connection. */
  connection: number;
  /** The frame payload, without its length prefix. */
  payload: Uint8Array;
}

/**
 * What to forward instead of a frame: the payloads to send, in order (`[payload]` forwards it
 * unchanged, `[]` drops it, `[payload, payload]` replays it), or `{ cut: n }` to forward only
 * the first `n` bytes of the encoded frame (prefix included) and then close both connections.
 */
export type FrameAction = readonly Uint8Array[] | { cut: number };

/** Options of {@linkcode RecordingProxy.start}. */
export interface RecordingProxyOptions {
  /** Decides what happens to every frame; by default each is forwarded unchanged. */
  tamper?: (frame: ProxiedFrame) => FrameAction;
}

/** Returns a copy of `bytes` with one bit flipped (bit `bit` of byte `at`). */
export function flipBit(bytes: Uint8Array, at: number, bit = 0): Uint8Array {
  const copy = bytes.slice();
  copy[at] ^= 1 << bit;
  return copy;
}

/** Whether `needle` occurs in `haystack`. */
export function containsBytes(haystack: Uint8Array, needle: Uint8Array): boolean {
  if (needle.length === 0) return true;
  const first = needle[0];
  const last = haystack.length - needle.length;
  for (let i = haystack.indexOf(first); i !== -1 && i <= last; i = haystack.indexOf(first, i + 1)) {
    let j = 1;
    while (j < needle.length && haystack[i + j] === needle[j]) j++;
    if (j === needle.length) return true;
  }
  return false;
}

/** A recording, tampering TCP proxy on 127.0.0.1. */
export class RecordingProxy {
  /** The port clients connect to. */
  readonly port: number;
  /** Resolves once a `{ cut }` action has closed a connection. */
  readonly cut: Promise<void>;
  #listener: Deno.Listener;
  #target: number;
  #tamper: (frame: ProxiedFrame) => FrameAction;
  #captured: Record<Direction, Uint8Array[]> = { "client-to-host": [], "host-to-client": [] };
  #frames: Record<Direction, number> = { "client-to-host": 0, "host-to-client": 0 };
  #conns: Set<Deno.Conn> = new Set();
  #jobs: Set<Promise<void>> = new Set();
  #accepting: Promise<void>;
  #markCut!: () => void;
  #connections = 0;

  /** Listens on an ephemeral port of 127.0.0.1 and forwards to `127.0.0.1:targetPort`. */
  static start(targetPort: number, options: RecordingProxyOptions = {}): RecordingProxy {
    return new RecordingProxy(targetPort, options);
  }

  private constructor(targetPort: number, options: RecordingProxyOptions) {
    this.#listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    this.port = (this.#listener.addr as Deno.NetAddr).port;
    this.#target = targetPort;
    this.#tamper = options.tamper ?? ((frame) => [frame.payload]);
    this.cut = new Promise((resolve) => this.#markCut = resolve);
    this.#accepting = this.#accept();
  }

  /** Every byte the client (or host) sent so far, before any tampering, concatenated. */
  captured(direction: Direction): Uint8Array {
    return concatBytes(this.#captured[direction]);
  }

  /** Whole frames seen so far in `direction`, over all connections. */
  frames(direction: Direction): number {
    return this.#frames[direction];
  }

  /** Stops accepting, closes every connection and waits for the pumps to end. */
  async close(): Promise<void> {
    try {
      this.#listener.close();
    } catch { /* already closed */ }
    await this.#accepting;
    this.#closeAll();
    await Promise.all(this.#jobs);
  }

  async #accept(): Promise<void> {
    while (true) {
      let client: Deno.Conn;
      try {
        client = await this.#listener.accept();
      } catch {
        return; // the listener was closed
      }
      const job = this.#serve(client, this.#connections++);
      this.#jobs.add(job);
    }
  }

  async #serve(client: Deno.Conn, connection: number): Promise<void> {
    this.#conns.add(client);
    let host: Deno.Conn;
    try {
      host = await Deno.connect({ hostname: "127.0.0.1", port: this.#target });
    } catch {
      this.#close(client);
      return;
    }
    this.#conns.add(host);
    await Promise.all([
      this.#pump(client, host, "client-to-host", connection),
      this.#pump(host, client, "host-to-client", connection),
    ]);
    this.#close(client);
    this.#close(host);
  }

  async #pump(from: Deno.Conn, to: Deno.Conn, direction: Direction, connection: number) {
    const buffer = new Uint8Array(256 * 1024);
    let pending: Uint8Array = new Uint8Array(0);
    let index = 0;
    try {
      while (true) {
        const n = await from.read(buffer);
        if (n === null) break;
        const chunk = buffer.slice(0, n);
        this.#captured[direction].push(chunk);
        pending = join(pending, chunk);
        // Forward every whole frame; keep a partial one until the rest arrives.
        const out: Uint8Array[] = [];
        while (pending.length >= FRAME_PREFIX_BYTES) {
          const length = new DataView(pending.buffer, pending.byteOffset).getUint32(0);
          if (pending.length < FRAME_PREFIX_BYTES + length) break;
          const payload = pending.slice(FRAME_PREFIX_BYTES, FRAME_PREFIX_BYTES + length);
          pending = pending.subarray(FRAME_PREFIX_BYTES + length);
          this.#frames[direction]++;
          const action = this.#tamper({ direction, index: index++, connection, payload });
          if ("cut" in action) {
            out.push(encodeFrame(payload).subarray(0, action.cut));
            await writeAll(to, join(...out));
            this.#closeAll();
            this.#markCut();
            return;
          }
          for (const replacement of action) out.push(encodeFrame(replacement));
        }
        if (out.length > 0) await writeAll(to, join(...out));
      }
      if (pending.length > 0) await writeAll(to, pending);
      await to.closeWrite();
    } catch {
      // One side went away (or a cut closed both): end this connection entirely.
      this.#close(from);
      this.#close(to);
    }
  }

  #closeAll(): void {
    for (const conn of this.#conns) this.#close(conn);
  }

  #close(conn: Deno.Conn): void {
    if (!this.#conns.delete(conn)) return;
    try {
      conn.close();
    } catch { /* already closed */ }
  }
}

function join(...parts: Uint8Array[]): Uint8Array {
  return parts.length === 1 ? parts[0] : concatBytes(parts);
}
