/**
 * Scale: many idle members (handshake and `hello` done, nothing said) held by a `serve`
 * subprocess: its resident memory and bytes per client. Baseline in the same run: a bare Deno
 * listener (bench/raw_tcp_peer.ts `hold`) keeping as many idle sockets, each with a pending
 * 16 KiB read. Both servers and the generator run with a raised open-file limit.
 *
 * @example
 * ```ts ignore
 * import { idleScenario } from "./idle_bench.ts";
 * console.log(await idleScenario({ quick: true, tmp: "/tmp/x", log: console.error }));
 * ```
 * @module
 */

import type { BenchContext } from "./bench_context.ts";
import { BenchProcess } from "./bench_process.ts";
import { type BenchRow, benchRow } from "./bench_row.ts";
import { LoadGenerator } from "./load_generator.ts";
import { PASSKEY } from "../dev/test_passkey.ts";
import { startHub } from "./p2pchat_cli.ts";
import { memoryKiB, settle } from "./process_probe.ts";

const PEER = new URL("./raw_tcp_peer.ts", import.meta.url).pathname;

interface Held {
  connected: number;
  connectMs: number;
  baseKiB: number;
  rssKiB: number;
  peakKiB: number;
}

/** Connects `clients` idle clients to the server `pid` on `port` and measures its memory. */
async function hold(
  pid: number,
  port: number,
  dialect: "p2pchat" | "raw",
  clients: number,
  budgetMs: number | undefined,
  settleMs: number,
): Promise<Held> {
  await settle(pid, 2000);
  const baseKiB = await memoryKiB(pid, "VmRSS");
  const generator = await LoadGenerator.start({
    dialect,
    host: "127.0.0.1",
    port,
    passkey: dialect === "p2pchat" ? PASSKEY : null,
    clients,
    senders: 0,
    intervalMs: 1000,
    workers: 2,
    concurrency: 16,
    connectBudgetMs: budgetMs,
  });
  try {
    await settle(pid, settleMs);
    return {
      connected: generator.connected,
      connectMs: generator.connectMs,
      baseKiB,
      rssKiB: await memoryKiB(pid, "VmRSS"),
      peakKiB: await memoryKiB(pid, "VmHWM"),
    };
  } finally {
    await generator.stop();
  }
}

/** Runs the idle-clients scenario. */
export async function idleScenario(context: BenchContext): Promise<BenchRow[]> {
  const clients = context.quick ? 2_000 : 10_000;
  // Each join is announced to every member, so joining N costs O(N^2) messages on this hub:
  // the joins get a time budget, and the figures say how many made it.
  const budgetMs = context.quick ? 4_000 : 120_000;
  const dataDir = await Deno.makeTempDir({ dir: context.tmp, prefix: "idle_" });
  const hub = await startHub({ dataDir });
  let ours: Held;
  try {
    ours = await hold(
      hub.proc.pid,
      hub.port,
      "p2pchat",
      clients,
      budgetMs,
      context.quick ? 1000 : 20_000,
    );
  } finally {
    await hub.proc.stop();
  }
  context.log(
    `idle p2pchat: ${ours.connected}/${clients} in ${(ours.connectMs / 1000).toFixed(1)} s, ` +
      `RSS ${(ours.baseKiB / 1024).toFixed(0)} -> ${(ours.rssKiB / 1024).toFixed(0)} MiB`,
  );
  const bare = BenchProcess.start(Deno.execPath(), ["run", "--allow-net", PEER, "hold"], {
    nofile: 65536,
  });
  let base: Held;
  try {
    const port = Number((await bare.waitFor((e) => e.type === "listening")).port);
    base = await hold(bare.pid, port, "raw", ours.connected, undefined, 1000);
  } finally {
    await bare.stop();
  }
  context.log(
    `idle bare: ${base.connected} in ${(base.connectMs / 1000).toFixed(1)} s, ` +
      `RSS ${(base.baseKiB / 1024).toFixed(0)} -> ${(base.rssKiB / 1024).toFixed(0)} MiB`,
  );
  const perClient = (held: Held) => ((held.rssKiB - held.baseKiB) * 1024) / held.connected / 1000;
  const baseline = "bare Deno listener, pending 16 KiB read per socket";
  const note = `${ours.connected} of ${clients} clients joined in ${
    (ours.connectMs / 1000).toFixed(1)
  } s (time budget ${budgetMs / 1000} s; each join is announced to every member)`;
  return [
    benchRow({
      scenario: "idle-10000",
      metric: "clients-held",
      value: ours.connected,
      unit: "clients",
      baseline,
      baselineValue: base.connected,
      target: { of: "value", op: ">=", limit: clients },
      note,
    }),
    benchRow({
      scenario: "idle-10000",
      metric: "bytes-per-client",
      value: perClient(ours),
      unit: "KB",
      baseline,
      baselineValue: perClient(base),
      target: { of: "value", op: "<=", limit: 30 },
    }),
    benchRow({
      scenario: "idle-10000",
      metric: "hub-rss",
      value: ours.rssKiB / 1024,
      unit: "MiB",
      baseline,
      baselineValue: base.rssKiB / 1024,
    }),
    benchRow({
      scenario: "idle-10000",
      metric: "hub-peak-rss",
      value: ours.peakKiB / 1024,
      unit: "MiB",
      baseline,
      baselineValue: base.peakKiB / 1024,
    }),
    benchRow({
      scenario: "idle-10000",
      metric: "join-rate",
      value: ours.connected / (ours.connectMs / 1000),
      unit: "clients/s",
      baseline,
      baselineValue: base.connected / (base.connectMs / 1000),
    }),
  ];
}
