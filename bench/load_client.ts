/**
 * One connection of the load generator, in either dialect: `p2pchat` (TCP, SPAKE2 handshake,
 * encrypted session, `hello` until `welcome`, `chat` messages: the real client protocol) or
 * `line` (plain newline-terminated lines, for `ncat --broker`), or `raw` (a bare socket with a
 * pending read, for the idle baselines). Every received chat text goes to `onLine`.
 *
 * @example
 * ```ts ignore
 * import { openLoadClient } from "./load_client.ts";
 * const client = await openLoadClient({ dialect: "line", host: "127.0.0.1", port: 7000,
 *   name: "b1", passkey: null, onLine: (text) => console.log(text) });
 * client.send("hello");
 * await client.close();
 * ```
 * @module
 */

import { handshakeConn } from "../lib/secure/conn_handshake.ts";
import { loadFastAead } from "../lib/secure/chacha20_poly1305.ts";
import { FrameOpener, FrameSealer } from "../lib/secure/encrypted_channel.ts";
import { type Message, parseMessage, PROTOCOL_VERSION } from "../lib/session/message.ts";
import { readUint32 } from "../lib/wire/bytes.ts";
import { decodeRecord, encodeRecord, recordEnd, splitRecords } from "../lib/wire/codec.ts";
import { encodeFrame, encodeFrames } from "../lib/wire/frame_encoder.ts";
import { FRAME_PREFIX_BYTES } from "../lib/wire/limits.ts";
import { BatchWriter } from "./batch_writer.ts";

/** The protocol a load client speaks. */
export type Dialect = "p2pchat" | "line" | "raw";

/** Where and how a load client connects. */
export interface LoadClientOptions {
  dialect: Dialect;
  host: string;
  port: number;
  /** Member name (p2pchat). */
  name: string;
  /** Stable client id across reconnects (p2pchat); random when absent. */
  client?: string;
  /** Passkey (p2pchat); `null` for an open hub. */
  passkey: string | null;
  /**
   * Called with the text of every chat line from someone else (not history) and the wall
   * clock when it was read (one reading per socket read: `performance.now()` is a call into
   * the runtime, which costs more than a line).
   */
  onLine: (text: string, now: number) => void;
}

/** An open load client. */
export interface LoadClient {
  /** Sends one chat line. */
  send(text: string): void;
  /** Resolves with a reason when the connection ends. */
  readonly closed: Promise<string | undefined>;
  /** Closes the connection. */
  close(): Promise<void>;
}

/** Connects and, for p2pchat, runs the handshake and waits for `welcome`. */
export function openLoadClient(options: LoadClientOptions): Promise<LoadClient> {
  return OPENERS[options.dialect](options);
}

const OPENERS: { [D in Dialect]: (options: LoadClientOptions) => Promise<LoadClient> } = {
  p2pchat: openP2pchat,
  line: (options) => openLine(options, true),
  raw: (options) => openLine(options, false),
};

async function connect(options: LoadClientOptions): Promise<Deno.TcpConn> {
  const conn = await Deno.connect({ hostname: options.host, port: options.port });
  conn.setNoDelay(true);
  return conn;
}

/** Plaintext taken into one sealed frame by a load client's writer. */
const SEND_BATCH_BYTES = 128 * 1024;

/**
 * The real protocol on a lean client: the handshake, sealed frames and records of the
 * product, but a received chat line is not parsed as JSON. Its text is read straight from
 * the record, which costs a tenth of decoding and validating the whole message; on 2 cores
 * the generator otherwise uses more CPU than the hub it measures. Anything else (and any
 * chat line the quick reading cannot take) is decoded in full.
 */
async function openP2pchat(options: LoadClientOptions): Promise<LoadClient> {
  const conn = await connect(options);
  const [{ frames, keys }] = await Promise.all([
    handshakeConn(conn, { role: "client", passkey: options.passkey }),
    loadFastAead(),
  ]);
  const sealer = new FrameSealer(keys.sendKey);
  const opener = new FrameOpener(keys.receiveKey);
  // Waiting records leave as one sealed frame of up to SEND_BATCH_BYTES.
  const writer = new BatchWriter<Uint8Array>(conn, (queued) => {
    let size = 0;
    let taken = 0;
    while (taken < queued.length && (taken === 0 || size < SEND_BATCH_BYTES)) {
      size += FRAME_PREFIX_BYTES + queued[taken++].length;
    }
    return { bytes: encodeFrame(sealer.seal(encodeFrames(queued.slice(0, taken)))), taken };
  });
  const post = (message: Message) => writer.push(encodeRecord(message));
  let welcomed = false;
  let refusal: string | undefined;
  /** Any message, decoded and validated in full. */
  const handle = (record: Uint8Array, now: number) => {
    const message = parseMessage(decodeRecord(record).header);
    if (message.t === "ping") post({ t: "pong" });
    else if (message.t === "welcome") welcomed = true;
    else if (message.t === "chat" && welcomed && !message.history) {
      options.onLine(message.text, now);
    } else if (!welcomed && (message.t === "bye" || (message.t === "notice" && message.error))) {
      refusal = message.t === "bye" ? message.reason : message.text;
    }
  };
  /**
   * The records of an opened frame after the welcome: chat lines the quick way (see
   * {@linkcode chatText}), anything else in full. The frame is turned into a string once,
   * a character per byte, so that finding a line's text takes native string calls.
   */
  const handleAfterWelcome = (plain: Uint8Array, now: number) => {
    const chars = byteDecoder.decode(plain);
    // Not splitRecords: its generator costs 75 against 52 ns a record here, and a worker walks
    // about half a million records a second at saturation.
    for (let offset = 0, end = 0; offset < plain.length; offset = end) {
      end = recordEnd(plain, offset);
      const record = plain.subarray(offset + FRAME_PREFIX_BYTES, end);
      const text = chatText(chars, offset + FRAME_PREFIX_BYTES, record);
      if (text === undefined) handle(record, now);
      else if (text !== null) options.onLine(text, now);
    }
  };
  /** Reads and handles frames until `until()` holds; `false` when the input ended first. */
  const readUntil = async (until: () => boolean): Promise<boolean> => {
    while (!until()) {
      if (!await frames.fill()) return false;
      const now = wallNow();
      for (let frame = frames.take(); frame; frame = frames.take()) {
        const plain = opener.open(frame);
        if (welcomed) handleAfterWelcome(plain, now);
        else for (const record of splitRecords(plain)) handle(record, now);
      }
    }
    return true;
  };
  post({
    t: "hello",
    v: PROTOCOL_VERSION,
    name: options.name,
    client: options.client ?? crypto.randomUUID(),
  });
  try {
    await readUntil(() => welcomed || refusal !== undefined);
  } catch (error) {
    refusal ??= error instanceof Error ? error.message : String(error);
  }
  if (!welcomed) {
    closeConn(conn);
    throw new Error(`refused: ${refusal ?? "the connection closed"}`);
  }
  const closed = (async () => {
    try {
      await readUntil(() => false);
      return writer.failed ?? "the connection closed";
    } catch (error) {
      return writer.failed ?? (error instanceof Error ? error.message : String(error));
    }
  })();
  let nextId = 1;
  return {
    send: (text) => post({ t: "chat", id: String(nextId++), text }),
    closed,
    close: async () => {
      closeConn(conn);
      await closed;
    },
  };
}

function closeConn(conn: Deno.Conn): void {
  try {
    conn.close();
  } catch { /* already closed */ }
}

const CHAT_PREFIX = '{"t":"chat",';
const TEXT_KEY = '"text":"';
const HISTORY_SUFFIX = ',"history":true}';
/**
 * One character per byte (WHATWG's "latin1" is windows-1252, which maps every byte to one
 * UTF-16 unit), so offsets in the string are offsets in the frame.
 */
const byteDecoder = new TextDecoder("latin1");
/** What the quick reading leaves to the full decoder: escapes and anything not ASCII. */
const NOT_PLAIN = /[\\\u0080-\uffff]/;

/**
 * The text of a live chat line read straight from its `record`, which starts at `start` in
 * `chars` (its frame, a character per byte); `null` for a replayed (history) line; `undefined`
 * when the record is anything else or the text is not plain ASCII.
 */
function chatText(chars: string, start: number, record: Uint8Array): string | null | undefined {
  if (record.length < FRAME_PREFIX_BYTES) return undefined;
  const json = start + FRAME_PREFIX_BYTES;
  const jsonEnd = json + readUint32(record, 0);
  if (jsonEnd > start + record.length || !chars.startsWith(CHAT_PREFIX, json)) return undefined;
  if (chars.startsWith(HISTORY_SUFFIX, jsonEnd - HISTORY_SUFFIX.length)) return null;
  const key = chars.indexOf(TEXT_KEY, json + CHAT_PREFIX.length);
  if (key < 0 || key >= jsonEnd) return undefined;
  const from = key + TEXT_KEY.length;
  const quote = chars.indexOf('"', from);
  if (quote < 0 || quote >= jsonEnd) return undefined;
  const text = chars.slice(from, quote);
  return NOT_PLAIN.test(text) ? undefined : text;
}

/** Wall-clock time in ms with sub-ms precision, comparable across processes. */
export function wallNow(): number {
  return performance.timeOrigin + performance.now();
}

const encoder = new TextEncoder();

async function openLine(options: LoadClientOptions, lines: boolean): Promise<LoadClient> {
  const conn = await connect(options);
  const writer = new BatchWriter<string>(conn, (queued) => ({
    bytes: encoder.encode(queued.join("")),
    taken: queued.length,
  }));
  const closed = (async () => {
    // A pending read of 16 KiB per socket, as the bare baseline listener keeps.
    const buffer = new Uint8Array(16 * 1024);
    const decoder = new TextDecoder();
    let rest = "";
    try {
      while (true) {
        const n = await conn.read(buffer);
        if (n === null) break;
        if (!lines) continue;
        const now = wallNow();
        const parts = (rest + decoder.decode(buffer.subarray(0, n), { stream: true })).split("\n");
        rest = parts.pop()!;
        for (const part of parts) options.onLine(part, now);
      }
      return writer.failed;
    } catch (error) {
      return error instanceof Error ? error.message : String(error);
    }
  })();
  return {
    send: (text) => writer.push(`${text}\n`),
    closed,
    close: async () => {
      closeConn(conn);
      await closed;
    },
  };
}
