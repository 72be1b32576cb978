/**
 * File transfer: a real `listen` subprocess receives (hashes, writes to a temporary name,
 * flushes, renames) what a real `connect` subprocess sends with `/send`, timed from the command
 * to the sender's `file-sent` (the receiver's confirmed hash). Peers and baselines in the same
 * run, on the same file and the same disk: magic-wormhole (wall time from starting it to the
 * file saved, its handshake included; see wormhole_peer.ts), raw Deno TCP between two processes
 * (64 KiB writes and reads), `socat -u -b 65536`, and the disk alone: the same number of bytes
 * written to a new file as the receiver writes them, with and without `fdatasync`.
 *
 * Every repetition runs each system once, starting with a different one each time (the first
 * run of a series is often slower here); the source file is read once before each system that
 * reads it, so every one finds it in the page cache, and every one writes a new file.
 *
 * @example
 * ```ts ignore
 * import { fileScenario } from "./file_bench.ts";
 * console.log(await fileScenario({ quick: true, tmp: "/tmp/x", log: console.error }));
 * ```
 * @module
 */

import { join } from "node:path";
import type { BenchContext } from "./bench_context.ts";
import { BenchProcess } from "./bench_process.ts";
import { freePort } from "../dev/free_port.ts";
import { type BenchRow, benchRow } from "./bench_row.ts";
import { startCli } from "./p2pchat_cli.ts";
import { median } from "./stats.ts";
import { WormholePeer } from "./wormhole_peer.ts";
import { inTurn, paired, range, type Timings } from "./in_turn.ts";
import { GATHER_BYTES } from "../lib/room/file_store.ts";

const MiB = 1024 * 1024;
const PEER = new URL("./raw_tcp_peer.ts", import.meta.url).pathname;

/** Writes `bytes` of random-looking data (a random MiB, varied per MiB) to `path`. */
async function writeSource(path: string, bytes: number): Promise<void> {
  using file = await Deno.open(path, { write: true, create: true, truncate: true });
  const block = new Uint8Array(MiB);
  for (let i = 0; i < block.length; i += 65536) {
    crypto.getRandomValues(block.subarray(i, i + 65536));
  }
  for (let done = 0; done < bytes; done += MiB) {
    new DataView(block.buffer).setUint32(0, done / MiB);
    const part = block.subarray(0, Math.min(MiB, bytes - done));
    for (let off = 0; off < part.length;) off += await file.write(part.subarray(off));
  }
}

/**
 * Seconds to send `path` (a file or a folder of `bytes` in all) through a listen/connect pair
 * of p2pchat processes.
 */
export async function p2pchatSeconds(
  context: BenchContext,
  path: string,
  bytes: number,
): Promise<number> {
  const dir = await Deno.makeTempDir({ dir: context.tmp, prefix: "file_" });
  const receiver = startCli(["listen", "0", "--host", "127.0.0.1", "--name", "alice", "--json"], {
    cwd: dir,
  });
  let sender: BenchProcess | undefined;
  try {
    const port = Number((await receiver.waitFor((e) => e.type === "listening")).port);
    sender = startCli(["connect", "127.0.0.1", String(port), "--name", "bob", "--json"], {
      cwd: dir,
    });
    await sender.waitFor((e) => e.type === "connected");
    await receiver.waitFor((e) => e.type === "connected");
    const started = performance.now();
    await sender.writeLine(`/send ${path}`);
    const sent = await sender.waitFor((e) => e.type === "file-sent" || e.type === "error", 600_000);
    const seconds = (performance.now() - started) / 1000;
    if (sent.type !== "file-sent") throw new Error(`p2pchat transfer failed: ${sent.message}`);
    const got = await receiver.waitFor((e) => e.type === "file");
    if (got.bytes !== bytes || got.sha256 !== sent.sha256) {
      throw new Error("p2pchat transfer: the received file does not match");
    }
    return seconds;
  } finally {
    await sender?.stop();
    await receiver.stop();
    await Deno.remove(dir, { recursive: true });
  }
}

/** Seconds for raw Deno TCP between two processes (connect to the receiver's last byte). */
async function rawSeconds(bytes: number): Promise<number> {
  const flags = ["run", "--allow-net", PEER];
  const sink = BenchProcess.start(Deno.execPath(), [...flags, "sink"]);
  const port = Number((await sink.waitFor((e) => e.type === "listening")).port);
  const source = BenchProcess.start(Deno.execPath(), [
    ...flags,
    "source",
    String(port),
    String(bytes),
  ]);
  const done = await source.waitFor((e) => e.type === "done", 600_000);
  const received = await sink.waitFor((e) => e.type === "received");
  await Promise.all([source.status, sink.status]);
  if (received.bytes !== bytes) throw new Error("raw TCP transfer lost bytes");
  return Number(done.ms) / 1000;
}

/** Seconds for `socat -u -b 65536` from the file to a socat writing to /dev/null. */
async function socatSeconds(path: string): Promise<number> {
  const port = freePort();
  const sink = BenchProcess.start("socat", [
    "-u",
    "-b",
    "65536",
    `TCP-LISTEN:${port},bind=127.0.0.1,reuseaddr`,
    "OPEN:/dev/null",
  ]);
  await new Promise((resolve) => setTimeout(resolve, 200));
  const started = performance.now();
  const source = BenchProcess.start("socat", [
    "-u",
    "-b",
    "65536",
    `OPEN:${path}`,
    `TCP:127.0.0.1:${port},retry=100,interval=0.01`,
  ]);
  const [a, b] = await Promise.all([source.status, sink.status]);
  if (!a.success || !b.success) throw new Error(`socat failed: ${source.stderr} ${sink.stderr}`);
  return (performance.now() - started) / 1000;
}

/**
 * Seconds to write `bytes` to a new file beside the receiver's, in the pieces the receiver
 * writes ({@linkcode GATHER_BYTES}), and with `sync` to flush it to the disk (`fdatasync`) as
 * the receiver does before it confirms: the disk's own ceiling for a received file.
 */
async function diskSeconds(dir: string, bytes: number, sync: boolean): Promise<number> {
  const path = join(dir, "disk_probe.bin");
  const block = new Uint8Array(GATHER_BYTES);
  for (let i = 0; i < block.length; i += 65536) {
    crypto.getRandomValues(block.subarray(i, i + 65536));
  }
  const started = performance.now();
  {
    using file = await Deno.open(path, { write: true, createNew: true });
    for (let done = 0; done < bytes;) {
      const piece = block.subarray(0, Math.min(block.length, bytes - done));
      new DataView(block.buffer).setUint32(0, done / GATHER_BYTES); // no two pieces alike
      for (let off = 0; off < piece.length;) off += await file.write(piece.subarray(off));
      done += piece.length;
    }
    if (sync) await file.syncData();
  }
  const seconds = (performance.now() - started) / 1000;
  await Deno.remove(path);
  return seconds;
}

/** Reads `path` once, so that every system finds it in the page cache. */
async function warm(path: string): Promise<void> {
  using file = await Deno.open(path, { read: true });
  const buffer = new Uint8Array(MiB);
  while (await file.read(buffer) !== null) { /* only the page cache matters */ }
}

/** Runs the file-transfer scenario. */
export async function fileScenario(context: BenchContext): Promise<BenchRow[]> {
  const bytes = context.quick ? 64 * MiB : 1024 * MiB;
  const reps = context.quick ? 1 : 5;
  const path = join(context.tmp, "source.bin");
  await writeSource(path, bytes);
  const wormholeDir = await Deno.makeTempDir({ dir: context.tmp, prefix: "wormhole_" });
  const wormhole = await WormholePeer.start(wormholeDir);
  let seconds: Timings;
  const wormholeTransfer: number[] = [];
  try {
    seconds = await inTurn(reps, (rep) => ({
      p2pchat: async () => (await warm(path), await p2pchatSeconds(context, path, bytes)),
      wormhole: async () => {
        const timed = await wormhole.transferFresh(path, context.tmp, `${rep + 2}-bench`, warm);
        wormholeTransfer.push(timed.transferSeconds);
        return timed.seconds;
      },
      raw: () => rawSeconds(bytes),
      socat: async () => (await warm(path), await socatSeconds(path)),
      disk: () => diskSeconds(context.tmp, bytes, true),
      diskNoSync: () => diskSeconds(context.tmp, bytes, false),
    }), (rep, rotated, seconds) => {
      const rate = (system: string) => (bytes / 1e6 / seconds[system].at(-1)!).toFixed(0);
      context.log(
        `file rep ${rep + 1}/${reps} (${rotated.join(", ")}): p2pchat ${rate("p2pchat")} MB/s, ` +
          `magic-wormhole ${rate("wormhole")}, raw ${rate("raw")}, socat ${rate("socat")}, ` +
          `disk write + fdatasync ${rate("disk")}, write alone ${rate("diskNoSync")}`,
      );
    });
  } finally {
    await wormhole.stop();
    await Deno.remove(path);
  }
  const mb = bytes / 1e6;
  const rates = (system: string) => seconds[system].map((s) => mb / s);
  const value = median(rates("p2pchat"));
  const note = `${bytes / MiB} MiB, offer to confirmed receipt (hashed, written, flushed, ` +
    `renamed), median of ${reps} (${range(rates("p2pchat"))} MB/s)`;
  return [
    benchRow({
      scenario: "file",
      metric: "throughput",
      value,
      unit: "MB/s",
      baseline: "raw Deno TCP, 2 processes",
      baselineValue: median(rates("raw")),
      target: { of: "ratio", op: ">=", limit: 0.6 },
      note,
    }),
    benchRow({
      scenario: "file",
      metric: "throughput-vs-socat",
      value,
      unit: "MB/s",
      baseline: "socat -u -b 65536",
      baselineValue: median(rates("socat")),
    }),
    benchRow({
      scenario: "file",
      metric: "throughput-vs-wormhole",
      value,
      unit: "MB/s",
      baseline: "magic-wormhole, start to file saved (handshake included)",
      baselineValue: median(rates("wormhole")),
      target: { of: "ratio", op: ">=", limit: 2 },
      note: `magic-wormhole ${range(rates("wormhole"))} MB/s, mailbox and transit relay on ` +
        `127.0.0.1, --no-listen; ratio in each repetition: ${paired(seconds, "wormhole")}`,
    }),
    benchRow({
      scenario: "file",
      metric: "throughput-vs-wormhole-transfer",
      value,
      unit: "MB/s",
      baseline: "magic-wormhole's own transfer phase (rx file: no start-up, no handshake)",
      baselineValue: median(wormholeTransfer.map((s) => mb / s)),
    }),
    benchRow({
      scenario: "file",
      metric: "throughput-vs-disk",
      value,
      unit: "MB/s",
      baseline: "the disk alone: write + fdatasync",
      baselineValue: median(rates("disk")),
      target: { of: "ratio", op: ">=", limit: 0.8 },
      note: `the same bytes written by Deno to a new file as the receiver writes them, then ` +
        `fdatasync'ed: ${range(rates("disk"))} MB/s; ratio in each repetition: ${
          paired(seconds, "disk")
        }`,
    }),
    benchRow({
      scenario: "file",
      metric: "disk-write",
      value: median(rates("disk")),
      unit: "MB/s",
      baseline: "raw Deno TCP, 2 processes",
      baselineValue: median(rates("raw")),
      note: "the disk alone, write + fdatasync: the ceiling for a received file here",
    }),
    benchRow({
      scenario: "file",
      metric: "disk-write-no-fdatasync",
      value: median(rates("diskNoSync")),
      unit: "MB/s",
      baseline: "the disk alone: write + fdatasync",
      baselineValue: median(rates("disk")),
      note: `the same writes left in the page cache (${range(rates("diskNoSync"))} MB/s)`,
    }),
  ];
}
