/**
 * File transfer: a real `listen` subprocess receives (hashes, writes to a temporary name,
 * renames) what a real `connect` subprocess sends with `/send`, timed from the command to the
 * sender's `file-sent` (the receiver's confirmed hash). Baselines in the same run: raw Deno
 * TCP between two processes (64 KiB writes and reads) and `socat -u -b 65536`, and the disk's
 * own ceiling: the same bytes written to a new file and flushed, as the receiver must.
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

/** Seconds to send `path` through a listen/connect pair of p2pchat processes. */
async function p2pchatSeconds(context: BenchContext, path: string, bytes: number): Promise<number> {
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
 * Seconds to write `bytes` to a new file beside the receiver's and flush it to the disk
 * (`fdatasync`), as the receiver must before it confirms: the disk's own ceiling.
 */
async function diskSeconds(dir: string, bytes: number): Promise<number> {
  const path = join(dir, "disk_probe.bin");
  const started = performance.now();
  await writeSource(path, bytes);
  {
    // fdatasync through any descriptor flushes the file's data.
    using file = await Deno.open(path, { write: true });
    await file.syncData();
  }
  const seconds = (performance.now() - started) / 1000;
  await Deno.remove(path);
  return seconds;
}

/** Runs the file-transfer scenario. */
export async function fileScenario(context: BenchContext): Promise<BenchRow[]> {
  const bytes = context.quick ? 64 * MiB : 1024 * MiB;
  const reps = context.quick ? 1 : 3;
  const path = join(context.tmp, "source.bin");
  await writeSource(path, bytes);
  const rates = {
    p2pchat: [] as number[],
    raw: [] as number[],
    socat: [] as number[],
    disk: [] as number[],
  };
  const mb = bytes / 1e6;
  for (let rep = 0; rep < reps; rep++) {
    rates.raw.push(mb / await rawSeconds(bytes));
    rates.socat.push(mb / await socatSeconds(path));
    rates.disk.push(mb / await diskSeconds(context.tmp, bytes));
    rates.p2pchat.push(mb / await p2pchatSeconds(context, path, bytes));
    context.log(
      `file rep ${rep + 1}/${reps}: p2pchat ${rates.p2pchat.at(-1)!.toFixed(0)} MB/s, raw ` +
        `${rates.raw.at(-1)!.toFixed(0)} MB/s, socat ${rates.socat.at(-1)!.toFixed(0)} MB/s, ` +
        `disk write + fdatasync ${rates.disk.at(-1)!.toFixed(0)} MB/s`,
    );
  }
  await Deno.remove(path);
  const value = median(rates.p2pchat);
  const note = `${bytes / MiB} MiB, offer to confirmed receipt (hashed, written, renamed), ` +
    `median of ${reps}`;
  return [
    benchRow({
      scenario: "file",
      metric: "throughput",
      value,
      unit: "MB/s",
      baseline: "raw Deno TCP, 2 processes",
      baselineValue: median(rates.raw),
      target: { of: "ratio", op: ">=", limit: 0.6 },
      note,
    }),
    benchRow({
      scenario: "file",
      metric: "throughput-vs-socat",
      value,
      unit: "MB/s",
      baseline: "socat -u -b 65536",
      baselineValue: median(rates.socat),
    }),
    benchRow({
      scenario: "file",
      metric: "disk-write",
      value: median(rates.disk),
      unit: "MB/s",
      baseline: "raw Deno TCP, 2 processes",
      baselineValue: median(rates.raw),
      note: "the same bytes written by Deno to a new file on the receiver's disk and " +
        "fdatasync'ed, no network, no crypto: the ceiling for a received file here",
    }),
  ];
}
