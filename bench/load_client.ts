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

import { NetSession } from "../lib/session/net_session.ts";
import { PROTOCOL_VERSION } from "../lib/session/message.ts";

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
  /** Called with the text of every chat line from someone else (not history). */
  onLine: (text: string) => void;
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

async function openP2pchat(options: LoadClientOptions): Promise<LoadClient> {
  const session = await NetSession.start(await connect(options), {
    role: "client",
    passkey: options.passkey,
  });
  session.post({
    t: "hello",
    v: PROTOCOL_VERSION,
    name: options.name,
    client: options.client ?? crypto.randomUUID(),
  });
  let welcomed = false;
  let refusal: string | undefined;
  await session.receive(({ message }) => {
    if (message.t === "welcome") welcomed = true;
    else if (message.t === "bye" || (message.t === "notice" && message.error)) {
      refusal = message.t === "bye" ? message.reason : message.text;
    } else return;
    return false;
  });
  if (refusal !== undefined) await session.close();
  if (!welcomed) throw new Error(`refused: ${refusal ?? await session.closed}`);
  // The real client's path: a callback per message, no stream in between.
  const closed = session.receive(({ message }) => {
    if (message.t === "chat" && !message.history) options.onLine(message.text);
  }).then(() => session.closed);
  let nextId = 1;
  return {
    send: (text) => session.post({ t: "chat", id: String(nextId++), text }),
    closed,
    close: () => session.close(),
  };
}

const encoder = new TextEncoder();

async function openLine(options: LoadClientOptions, lines: boolean): Promise<LoadClient> {
  const conn = await connect(options);
  // Lines written while a write is under way are batched into the next write, as a
  // session's send queue does.
  let queued: string[] = [];
  let writing = false;
  let failed: string | undefined;
  const flush = async () => {
    writing = true;
    try {
      while (queued.length > 0 && !failed) {
        const bytes = encoder.encode(queued.join(""));
        queued = [];
        for (let offset = 0; offset < bytes.length;) {
          offset += await conn.write(bytes.subarray(offset));
        }
      }
    } catch (error) {
      failed = error instanceof Error ? error.message : String(error);
    } finally {
      writing = false;
    }
  };
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
        const parts = (rest + decoder.decode(buffer.subarray(0, n), { stream: true })).split("\n");
        rest = parts.pop()!;
        for (const part of parts) options.onLine(part);
      }
      return failed;
    } catch (error) {
      return error instanceof Error ? error.message : String(error);
    }
  })();
  return {
    send(text) {
      queued.push(`${text}\n`);
      if (!writing) flush();
    },
    closed,
    close: async () => {
      try {
        conn.close();
      } catch { /* already closed */ }
      await closed;
    },
  };
}
