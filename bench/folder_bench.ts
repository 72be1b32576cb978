/**
 * Folder transfer: 10,000 files of 4 KiB (100 folders of 100, `--quick`: 1,000 files) sent with
 * `/send DIR` by a real `connect` subprocess to a real `listen` subprocess, timed from the
 * command to the sender's `file-sent` (every file written, the set's hash confirmed). Baselines
 * in the same run, on the same folder and the same disk: `wormhole send DIR` (wall time from
 * starting it to the folder saved, its handshake included; see wormhole_peer.ts) and
 * `tar | socat | tar` over 127.0.0.1 (no encryption, no hash, no sync: the floor).
 *
 * Every repetition runs each system once, starting with a different one each time; the folder
 * is read once before each, so every one finds it in the page cache.
 *
 * @example
 * ```ts ignore
 * import { folderScenario } from "./folder_bench.ts";
 * console.log(await folderScenario({ quick: true, tmp: "/tmp/x", log: console.error }));
 * ```
 * @module
 */

import { join } from "node:path";
import type { BenchContext } from "./bench_context.ts";
import { type BenchRow, benchRow } from "./bench_row.ts";
import { freePort } from "../dev/free_port.ts";
import { p2pchatSeconds } from "./file_bench.ts";
import { median } from "./stats.ts";
import { WormholePeer } from "./wormhole_peer.ts";
import { inTurn, paired, range, type Timings, withTempDir } from "./in_turn.ts";

const FILE_BYTES = 4096;
const PER_FOLDER = 100;

/** Writes `files` files of 4 KiB of random data into `dir`, 100 to a subfolder. */
export async function writeFolder(dir: string, files: number): Promise<void> {
  const block = new Uint8Array(FILE_BYTES);
  for (let i = 0; i < files; i++) {
    const sub = join(dir, `part-${String(Math.floor(i / PER_FOLDER)).padStart(3, "0")}`);
    if (i % PER_FOLDER === 0) await Deno.mkdir(sub, { recursive: true });
    crypto.getRandomValues(block);
    await Deno.writeFile(join(sub, `file-${String(i).padStart(5, "0")}.bin`), block);
  }
}

/** Reads every file under `dir` once, so that every system finds them in the page cache. */
async function warm(dir: string): Promise<void> {
  for await (const entry of Deno.readDir(dir)) {
    const path = join(dir, entry.name);
    if (entry.isDirectory) await warm(path);
    else if (entry.isFile) await Deno.readFile(path);
  }
}

/** How many files `dir` holds, in all its subfolders. */
async function countFiles(dir: string): Promise<number> {
  let count = 0;
  for await (const entry of Deno.readDir(dir)) {
    if (entry.isDirectory) count += await countFiles(join(dir, entry.name));
    else if (entry.isFile) count++;
  }
  return count;
}

/** Seconds for `tar -c DIR | socat` to `socat | tar -x` into `outDir`, over 127.0.0.1. */
async function tarSocatSeconds(source: string, outDir: string): Promise<number> {
  const port = freePort();
  const shell = (script: string) =>
    new Deno.Command("sh", { args: ["-c", script], stdout: "null", stderr: "piped" }).spawn();
  const sink = shell(
    `socat -u TCP-LISTEN:${port},bind=127.0.0.1,reuseaddr - | tar -C '${outDir}' -xf -`,
  );
  await new Promise((resolve) => setTimeout(resolve, 200));
  const started = performance.now();
  const parent = join(source, "..");
  const name = source.slice(parent.length + 1);
  const sender = shell(
    `tar -C '${parent}' -cf - '${name}' | ` +
      `socat -u - TCP:127.0.0.1:${port},retry=100,interval=0.01`,
  );
  const [a, b] = await Promise.all([sender.output(), sink.output()]);
  const seconds = (performance.now() - started) / 1000;
  if (!a.success || !b.success) {
    const decoder = new TextDecoder();
    throw new Error(`tar | socat failed: ${decoder.decode(a.stderr)} ${decoder.decode(b.stderr)}`);
  }
  return seconds;
}

/** Runs the folder-transfer scenario. */
export async function folderScenario(context: BenchContext): Promise<BenchRow[]> {
  const files = context.quick ? 1_000 : 10_000;
  const reps = context.quick ? 1 : 3;
  const source = join(context.tmp, "folder_source");
  await writeFolder(source, files);
  const bytes = files * FILE_BYTES;
  const wormholeDir = await Deno.makeTempDir({ dir: context.tmp, prefix: "wormhole_" });
  const wormhole = await WormholePeer.start(wormholeDir);
  let seconds: Timings;
  try {
    seconds = await inTurn(reps, (rep) => ({
      p2pchat: async () => (await warm(source), await p2pchatSeconds(context, source, bytes)),
      wormhole: async () =>
        (await wormhole.transferFresh(source, context.tmp, `${rep + 2}-folder`, warm)).seconds,
      tarSocat: async () => {
        await warm(source);
        return await withTempDir(context.tmp, "tar_rx_", async (outDir) => {
          const taken = await tarSocatSeconds(source, outDir);
          const got = await countFiles(outDir);
          if (got !== files) throw new Error(`tar | socat saved ${got} of ${files} files`);
          return taken;
        });
      },
    }), (rep, rotated, seconds) => {
      const taken = (system: string) => seconds[system].at(-1)!.toFixed(2);
      context.log(
        `folder rep ${rep + 1}/${reps} (${rotated.join(", ")}): p2pchat ${taken("p2pchat")} s, ` +
          `magic-wormhole ${taken("wormhole")} s, tar | socat ${taken("tarSocat")} s`,
      );
    });
  } finally {
    await wormhole.stop();
    await Deno.remove(source, { recursive: true });
  }
  const rates = (system: string) => seconds[system].map((s) => files / s);
  const value = median(rates("p2pchat"));
  const what = `${files} files of 4 KiB in ${files / PER_FOLDER} folders`;
  return [
    benchRow({
      scenario: "folder",
      metric: "files-per-second-vs-wormhole",
      value,
      unit: "files/s",
      baseline: "wormhole send DIR, start to folder saved (handshake included)",
      baselineValue: median(rates("wormhole")),
      target: { of: "ratio", op: ">=", limit: 2 },
      note:
        `${what}, /send to confirmed receipt, median of ${reps} (${
          range(rates("p2pchat"))
        } files/s); magic-wormhole ${range(rates("wormhole"))} files/s; ratio in each ` +
        `repetition: ${paired(seconds, "wormhole")}`,
    }),
    benchRow({
      scenario: "folder",
      metric: "files-per-second-vs-tar-socat",
      value,
      unit: "files/s",
      baseline: "tar | socat | tar over 127.0.0.1 (no encryption, no hash, no sync)",
      baselineValue: median(rates("tarSocat")),
      note: `${what}; tar | socat ${range(rates("tarSocat"))} files/s`,
    }),
  ];
}
