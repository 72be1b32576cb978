/**
 * What the secure channel costs on loopback, in one run: handshake time, chat round trip and
 * file-like bulk throughput, each WITHOUT encryption (the same frame splitter, record codec,
 * send queue and batched writes over plain TCP) and WITH it (`NetSession`: SPAKE2 handshake,
 * ChaCha20-Poly1305 sealed frames). The peer is a second process (this script with `--serve`), as
 * two people's computers would be. Bulk also reports the CPU time both processes spent per GiB,
 * which stays meaningful when other work competes for the CPUs (wall-clock rates do not).
 *
 * ```sh
 * deno run -A bench/encryption_cost.ts [--handshakes 50] [--pings 2000] [--mib 256] [--rounds 3]
 * ```
 *
 * @module
 */

import { parseArgs } from "node:util";
import { FrameSplitter, RecordDecoder } from "../dev/stream_forms.ts";
import { encodeFrames } from "../lib/wire/frame_encoder.ts";
import { encodeRecord } from "../lib/wire/codec.ts";
import { FILE_CHUNK_BYTES, MAX_FRAME_BYTES } from "../lib/wire/limits.ts";
import { type Message, parseMessage } from "../lib/session/message.ts";
import { isBulk } from "../lib/session/session.ts";
import { SendQueue } from "../lib/session/send_queue.ts";
import { NetSession } from "../lib/session/net_session.ts";
import { SessionListener } from "../lib/session/session_listener.ts";
import { cpuSeconds } from "./process_probe.ts";
import { median, percentile } from "./stats.ts";
import { writeAll } from "../lib/wire/write_all.ts";

const PASSKEY_ENV = "P2PCHAT_PASSKEY";
const PASSKEY = "7-orbit-lemon-cradle";
const SHA256_PLACEHOLDER = "0".repeat(64);

/** The part of a session both variants share: post, drained, incoming messages, close. */
interface BenchSession {
  post(message: Message, body?: Uint8Array): void;
  drained(): Promise<void>;
  next(): Promise<{ message: Message; body: Uint8Array } | undefined>;
  close(): Promise<void>;
}

/** NetSession's pipeline without the handshake and the sealing: the plaintext baseline. */
class PlainSession implements BenchSession {
  #conn: Deno.Conn;
  #queue = new SendQueue({ maxBytes: 8 * 1024 * 1024, bulkLowWater: 1024 * 1024 });
  #records: ReadableStreamDefaultReader<{ header: unknown; body: Uint8Array }>;
  #closing = false;
  /** Wakes the write loop when something was posted (or the session closes). */
  #wake: (() => void) | undefined;
  #pump: Promise<void>;

  constructor(conn: Deno.Conn) {
    this.#conn = conn;
    this.#records = conn.readable
      .pipeThrough(new FrameSplitter({ maxFrameBytes: MAX_FRAME_BYTES + 64 }))
      .pipeThrough(new RecordDecoder())
      .getReader();
    this.#pump = this.#writeLoop();
  }

  post(message: Message, body?: Uint8Array): void {
    if (!this.#queue.push(encodeRecord(message, body), isBulk(message))) {
      throw new Error("send queue full");
    }
    this.#wake?.();
  }

  drained(): Promise<void> {
    return this.#queue.drained();
  }

  async next(): Promise<{ message: Message; body: Uint8Array } | undefined> {
    const { done, value } = await this.#records.read().catch(() => ({ done: true, value: null }));
    if (done || !value) return undefined;
    return { message: parseMessage(value.header), body: value.body };
  }

  async close(): Promise<void> {
    this.#closing = true;
    this.#queue.release();
    this.#wake?.();
    await this.#pump;
    try {
      this.#conn.close();
    } catch { /* already closed */ }
    await this.#records.cancel().catch(() => {});
  }

  async #writeLoop(): Promise<void> {
    while (true) {
      if (this.#queue.empty) {
        if (this.#closing) return;
        await new Promise<void>((resolve) => this.#wake = resolve);
        continue;
      }
      try {
        await writeAll(this.#conn, encodeFrames(this.#queue.take(64)));
      } catch {
        return;
      }
    }
  }
}

/** Adapts a {@linkcode NetSession} to {@linkcode BenchSession}. */
class SecureSession implements BenchSession {
  #session: NetSession;
  #incoming: ReadableStreamDefaultReader<{ message: Message; body: Uint8Array }>;

  constructor(session: NetSession) {
    this.#session = session;
    this.#incoming = session.incoming.getReader();
  }

  post(message: Message, body?: Uint8Array): void {
    this.#session.post(message, body);
  }

  drained(): Promise<void> {
    return this.#session.drained();
  }

  async next(): Promise<{ message: Message; body: Uint8Array } | undefined> {
    const { done, value } = await this.#incoming.read();
    return done ? undefined : value;
  }

  async close(): Promise<void> {
    this.#incoming.releaseLock();
    await this.#session.close();
  }
}

/** The peer: answers chat lines with acks, swallows file chunks, confirms the end. */
async function answer(session: BenchSession): Promise<void> {
  let bytes = 0;
  while (true) {
    const envelope = await session.next();
    if (!envelope) break;
    const { message, body } = envelope;
    if (message.t === "chat") session.post({ t: "ack", id: message.id });
    else if (message.t === "chunk") bytes += body.length;
    else if (message.t === "end") {
      session.post({ t: "received", fid: message.fid, ok: true, reason: String(bytes) });
      bytes = 0;
    }
  }
  await session.close();
}

/** `--serve`: listens for both variants, prints the ports, answers until stdin closes. */
async function serve(): Promise<void> {
  const passkey = Deno.env.get(PASSKEY_ENV) ?? PASSKEY;
  const plain = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const secure = new SessionListener(Deno.listen({ hostname: "127.0.0.1", port: 0 }), {
    passkey,
    maxPerAddress: 1000,
    onSession: (session) => void answer(new SecureSession(session)),
  });
  console.log(JSON.stringify({ plain: plain.addr.port, secure: secure.addr.port }));
  const serving = secure.serve();
  const accepting = (async () => {
    for await (const conn of plain) {
      conn.setNoDelay(true);
      void answer(new PlainSession(conn));
    }
  })().catch(() => {});
  for await (const _ of Deno.stdin.readable) { /* until the parent goes away */ }
  plain.close();
  secure.close();
  await Promise.all([serving, accepting]);
  Deno.exit(0);
}

type Variant = "plain" | "secure";

async function open(variant: Variant, port: number): Promise<BenchSession> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  conn.setNoDelay(true);
  if (variant === "plain") return new PlainSession(conn);
  return new SecureSession(await NetSession.start(conn, { role: "client", passkey: PASSKEY }));
}

/** Milliseconds from `connect` until the session is usable (secured, for "secure"). */
async function handshakeTimes(variant: Variant, port: number, count: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < count + 5; i++) {
    const started = performance.now();
    const session = await open(variant, port);
    // Plain TCP is usable once connected; to compare like with like, both include one small
    // round trip so the peer has really accepted the connection.
    session.post({ t: "chat", id: "h", text: "hi" });
    await session.next();
    const elapsed = performance.now() - started;
    await session.close();
    if (i >= 5) times.push(elapsed); // the first few warm up the JIT and the blinding cache
  }
  return times;
}

async function roundTrips(variant: Variant, port: number, count: number): Promise<number[]> {
  const session = await open(variant, port);
  const times: number[] = [];
  const text = "a small chat line, about this long 👋";
  try {
    for (let i = 0; i < count + 200; i++) {
      const started = performance.now();
      session.post({ t: "chat", id: `c${i}`, text });
      const reply = await session.next();
      if (reply?.message.t !== "ack") throw new Error("no ack");
      if (i >= 200) times.push(performance.now() - started);
    }
  } finally {
    await session.close();
  }
  return times;
}

/** Bytes per second of `mib` MiB of 128 KiB chunk records, sent the way RoomClient sends. */
async function bulk(variant: Variant, port: number, mib: number): Promise<number> {
  const session = await open(variant, port);
  const chunk = new Uint8Array(FILE_CHUNK_BYTES);
  for (let i = 0; i < chunk.length; i += 65536) {
    crypto.getRandomValues(chunk.subarray(i, i + 65536));
  }
  const total = mib * 1024 * 1024;
  try {
    const started = performance.now();
    session.post({ t: "offer", fid: 1, name: "bulk.bin", size: total });
    for (let sent = 0; sent < total; sent += chunk.length) {
      session.post({ t: "chunk", fid: 1 }, chunk);
      await session.drained();
    }
    session.post({ t: "end", fid: 1, sha256: SHA256_PLACEHOLDER });
    const reply = await session.next();
    const seconds = (performance.now() - started) / 1000;
    if (reply?.message.t !== "received" || reply.message.reason !== String(total)) {
      throw new Error(`the peer did not confirm ${total} bytes`);
    }
    return total / seconds;
  } finally {
    await session.close();
  }
}

/** The channel cipher alone, in this process: seal and open `mib` MiB in file-chunk frames. */
async function sealOnly(mib: number): Promise<number> {
  const { FrameOpener, FrameSealer } = await import("../lib/secure/encrypted_channel.ts");
  const key = crypto.getRandomValues(new Uint8Array(32));
  const sealer = new FrameSealer(key);
  const opener = new FrameOpener(key);
  const chunk = new Uint8Array(FILE_CHUNK_BYTES);
  const total = mib * 1024 * 1024;
  const started = performance.now();
  for (let done = 0; done < total; done += chunk.length) {
    opener.open(sealer.seal(chunk));
  }
  return total / ((performance.now() - started) / 1000);
}

const ms = (value: number) => `${value < 1 ? value.toFixed(3) : value.toFixed(2)} ms`;
const gbps = (value: number) => `${(value / 1e9).toFixed(2)} GB/s`;

async function run(): Promise<void> {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      handshakes: { type: "string", default: "50" },
      pings: { type: "string", default: "2000" },
      mib: { type: "string", default: "256" },
      rounds: { type: "string", default: "3" },
    },
  });
  const handshakes = Number(values.handshakes);
  const pings = Number(values.pings);
  const mib = Number(values.mib);
  const rounds = Number(values.rounds);

  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", new URL(import.meta.url).pathname, "--serve"],
    env: { [PASSKEY_ENV]: PASSKEY },
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  const { value: first } = await lines.read();
  const ports = JSON.parse(first!.split("\n")[0]) as { [variant in Variant]: number };

  const results: { [variant in Variant]: { [what: string]: number } } = { plain: {}, secure: {} };
  try {
    for (const variant of ["plain", "secure"] as const) {
      const port = ports[variant];
      const hs = await handshakeTimes(variant, port, handshakes);
      const rtt = await roundTrips(variant, port, pings);
      const rates: number[] = [];
      const cpuPerGiB: number[] = [];
      for (let i = 0; i < rounds; i++) {
        const before = await cpuSeconds(Deno.pid) + await cpuSeconds(child.pid);
        rates.push(await bulk(variant, port, mib));
        const after = await cpuSeconds(Deno.pid) + await cpuSeconds(child.pid);
        cpuPerGiB.push((after - before) * 1024 / mib);
      }
      results[variant] = {
        handshake: median(hs),
        handshakeP99: percentile(hs, 0.99),
        rttP50: median(rtt),
        rttP99: percentile(rtt, 0.99),
        bulk: median(rates),
        bulkCpu: median(cpuPerGiB),
      };
    }
    results.secure.sealOnly = await sealOnly(Math.min(mib, 256));
  } finally {
    await child.stdin.close();
    await lines.cancel();
    await child.status;
  }

  const { plain, secure } = results;
  const rows: [string, string, string, string][] = [
    ["", "plaintext", "encrypted", "cost"],
    [
      `connect until usable (median of ${handshakes})`,
      ms(plain.handshake),
      ms(secure.handshake),
      `+${ms(secure.handshake - plain.handshake)}`,
    ],
    [
      `  same, p99`,
      ms(plain.handshakeP99),
      ms(secure.handshakeP99),
      `+${ms(secure.handshakeP99 - plain.handshakeP99)}`,
    ],
    [
      `chat round trip p50 (${pings})`,
      ms(plain.rttP50),
      ms(secure.rttP50),
      `+${ms(secure.rttP50 - plain.rttP50)}`,
    ],
    [
      `chat round trip p99 (${pings})`,
      ms(plain.rttP99),
      ms(secure.rttP99),
      `+${ms(secure.rttP99 - plain.rttP99)}`,
    ],
    [
      `bulk ${mib} MiB, 128 KiB chunks (median of ${rounds})`,
      gbps(plain.bulk),
      gbps(secure.bulk),
      `${(100 * (secure.bulk / plain.bulk - 1)).toFixed(0)}%`,
    ],
    [
      "  CPU time of both processes per GiB",
      `${plain.bulkCpu.toFixed(2)} s`,
      `${secure.bulkCpu.toFixed(2)} s`,
      `+${(secure.bulkCpu - plain.bulkCpu).toFixed(2)} s`,
    ],
    ["ChaCha20-Poly1305 seal+open alone, in one process", "", gbps(secure.sealOnly), ""],
  ];
  const widths = [0, 1, 2, 3].map((column) => Math.max(...rows.map((row) => row[column].length)));
  // Other work on a 2-core machine skews everything: show how busy it was.
  const load = (await Deno.readTextFile("/proc/loadavg").catch(() => "? ? ?")).split(" ");
  console.log(
    `p2pchat encryption cost on loopback (Deno ${Deno.version.deno}, two processes, ` +
      `${navigator.hardwareConcurrency} CPUs, load average ${load.slice(0, 3).join(" ")})`,
  );
  for (const row of rows) {
    console.log(
      row.map((cell, i) => i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i])).join("  "),
    );
  }
}

if (import.meta.main) {
  if (Deno.args.includes("--serve")) await serve();
  else await run();
}
