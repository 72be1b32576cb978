/**
 * Hub fan-out: the load generator (bench/load_generator.ts) drives N clients of the real
 * protocol (handshake, `hello`, encrypted session) against a `serve` subprocess, S of them
 * sending every I ms with send times inside the lines; every receiver's count is checked
 * against what was sent. The same profile drives `ncat --broker` (plain lines) in the same
 * run as the baseline. Profiles: fanout-100, fanout-1000 (10 senders at 10 msg/s each) and
 * saturation (200 clients, 50 senders every 5 ms).
 *
 * @example
 * ```ts ignore
 * import { fanoutScenario } from "./fanout_bench.ts";
 * const rows = await fanoutScenario("fanout-100")({ quick: true, tmp: "/tmp/x", log: console.error });
 * ```
 * @module
 */

import type { BenchContext, Scenario } from "./bench_context.ts";
import { BenchProcess } from "./bench_process.ts";
import { freePort } from "../dev/free_port.ts";
import { type BenchRow, benchRow, type RowInput } from "./bench_row.ts";
import { LoadGenerator, type LoadProfile, type RunResult } from "./load_generator.ts";
import { PASSKEY } from "../dev/test_passkey.ts";
import { startHub, stopHub } from "./p2pchat_cli.ts";
import { memoryKiB, settle } from "./process_probe.ts";
import { median } from "./stats.ts";

/** One fan-out profile. */
interface FanoutProfile {
  scenario: string;
  clients: number;
  senders: number;
  intervalMs: number;
  workers: number;
  /**
   * A fresh server and fresh clients for every window: an overloaded hub cuts off the
   * clients it cannot keep up with and stays behind for long after a window, so later
   * windows on the same hub would measure the wreckage of the first.
   */
  freshPerWindow?: boolean;
}

/** What one system (hub or ncat) did under a profile, medians over the windows. */
interface SystemResult {
  runs: RunResult[];
  connected: number;
  connectMs: number;
  peakRssKiB: number;
}

const PROFILES: FanoutProfile[] = [
  { scenario: "fanout-100", clients: 100, senders: 10, intervalMs: 100, workers: 2 },
  { scenario: "fanout-1000", clients: 1000, senders: 10, intervalMs: 100, workers: 2 },
  {
    scenario: "saturation",
    clients: 200,
    senders: 50,
    intervalMs: 5,
    workers: 2,
    freshPerWindow: true,
  },
];

/** Starts `ncat --broker` and waits until it accepts connections. */
async function startNcat(): Promise<{ proc: BenchProcess; port: number }> {
  const port = freePort();
  const proc = BenchProcess.start(
    "ncat",
    ["--broker", "--nodns", "--max-conns", "20000", "-l", "127.0.0.1", String(port)],
    { nofile: 65536 },
  );
  for (let attempt = 0; attempt < 100; attempt++) {
    try {
      const conn = await Deno.connect({ hostname: "127.0.0.1", port });
      conn.close();
      return { proc, port };
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
  throw new Error(`ncat did not start: ${proc.stderr}`);
}

/** Runs `windows` send windows of one profile against one system. */
async function drive(
  context: BenchContext,
  profile: FanoutProfile,
  target: { pid: number; port: number },
  dialect: "p2pchat" | "line",
  windows: number,
  durationMs: number,
  connectBudgetMs: number | undefined,
): Promise<SystemResult> {
  const load: LoadProfile = {
    dialect,
    host: "127.0.0.1",
    port: target.port,
    passkey: dialect === "p2pchat" ? PASSKEY : null,
    clients: profile.clients,
    senders: profile.senders,
    intervalMs: profile.intervalMs,
    workers: profile.workers,
    concurrency: dialect === "line" ? 32 : 16,
    connectBudgetMs,
  };
  const generator = await LoadGenerator.start(load);
  context.log(
    `${profile.scenario} ${dialect}: ${generator.connected}/${profile.clients} clients in ` +
      `${(generator.connectMs / 1000).toFixed(1)} s${
        generator.errors.length ? ` (${generator.errors[0]})` : ""
      }`,
  );
  const runs: RunResult[] = [];
  try {
    for (let i = 0; i < windows; i++) {
      // Presence notices of the last joins, or the last window's lines from a hub that fell
      // behind, may still be flowing: each window starts from an idle hub (lines of an older
      // window would not be counted).
      await settle(target.pid, context.quick ? 2000 : 30_000);
      const result = await generator.run({
        durationMs,
        // A line still on its way is late, not lost: the wait ends early once nothing has
        // arrived for 2 s, and lateness is what the latency figures report. In saturation
        // the backlog (held in the senders' sockets) takes longer than 10 s to drain on a
        // slow day, which a 10 s limit counted as loss.
        drainMs: context.quick ? 2000 : 30_000,
        targetPid: target.pid,
      });
      runs.push(result);
      context.log(
        `  window ${i + 1}/${windows}: delivery ${result.deliveryRatio.toFixed(4)} ` +
          `(${result.receiversComplete}/${result.receivers} complete), ` +
          `${result.deliveriesPerSec.toFixed(0)}/s, p50 ${result.p50Ms.toFixed(2)} ms, ` +
          `p99 ${result.p99Ms.toFixed(2)} ms, cpu ${result.targetCpu.toFixed(0)}%, ` +
          `generator ELU ${result.generatorElu.toFixed(2)}, sent ${result.sent}, ` +
          `malformed ${result.malformed}, out of order ${result.anomalies}`,
      );
    }
  } finally {
    await generator.stop();
  }
  return {
    runs,
    connected: generator.connected,
    connectMs: generator.connectMs,
    peakRssKiB: await memoryKiB(target.pid, "VmHWM"),
  };
}

const med = (result: SystemResult, pick: (run: RunResult) => number) =>
  median(result.runs.map(pick));

/** Rows of one profile: p2pchat hub against ncat --broker. */
function rows(profile: FanoutProfile, hub: SystemResult, ncat: SystemResult): BenchRow[] {
  const baseline = "ncat --broker";
  const scenario = profile.scenario;
  const elu = med(hub, (run) => run.generatorElu);
  const eluNcat = med(ncat, (run) => run.generatorElu);
  const bound = elu > 0.9 ? "; the generator was saturated (ELU > 0.9): figures are a floor" : "";
  const partial = hub.connected < profile.clients
    ? `; only ${hub.connected} of ${profile.clients} clients joined within the time budget`
    : "";
  const note =
    `${hub.connected} clients (${ncat.connected} on ncat), ${profile.senders} senders every ` +
    `${profile.intervalMs} ms, ${hub.runs.length} windows; joining took ` +
    `${(hub.connectMs / 1000).toFixed(1)} s (ncat ${(ncat.connectMs / 1000).toFixed(1)} s)` +
    partial + bound;
  const row = (input: Omit<RowInput, "scenario" | "baseline">) =>
    benchRow({ scenario, baseline, ...input });
  const delivery = row({
    metric: "delivery-ratio",
    value: med(hub, (run) => run.deliveryRatio),
    unit: "ratio",
    baselineValue: med(ncat, (run) => run.deliveryRatio),
    target: { of: "value", op: ">=", limit: 1 },
    note,
  });
  const out: BenchRow[] = [
    delivery,
    row({
      metric: "deliveries-per-s",
      value: med(hub, (run) => run.deliveriesPerSec),
      unit: "msg/s",
      baselineValue: med(ncat, (run) => run.deliveriesPerSec),
      ...(scenario === "saturation" ? { target: { of: "ratio", op: ">=", limit: 0.5 } } : {}),
    }),
    row({
      metric: "latency-p50",
      value: med(hub, (run) => run.p50Ms),
      unit: "ms",
      baselineValue: med(ncat, (run) => run.p50Ms),
    }),
    row({
      metric: "latency-p99",
      value: med(hub, (run) => run.p99Ms),
      unit: "ms",
      baselineValue: med(ncat, (run) => run.p99Ms),
      ...(scenario === "fanout-100" ? { target: { of: "value", op: "<=", limit: 5 } } : {}),
    }),
    row({
      metric: "hub-cpu",
      value: med(hub, (run) => run.targetCpu),
      unit: "% of a core",
      baselineValue: med(ncat, (run) => run.targetCpu),
      ...(scenario === "fanout-1000" ? { target: { of: "ratio", op: "<=", limit: 1 } } : {}),
    }),
    row({
      metric: "hub-peak-rss",
      value: hub.peakRssKiB / 1024,
      unit: "MiB",
      baselineValue: ncat.peakRssKiB / 1024,
      ...(scenario === "fanout-1000" ? { target: { of: "value", op: "<=", limit: 64 } } : {}),
    }),
    row({ metric: "generator-elu", value: elu, unit: "0..1", baselineValue: eluNcat }),
  ];
  return out;
}

/** The fan-out scenarios, by name: `fanout-100`, `fanout-1000` and `saturation`. */
export const FANOUT_SCENARIOS: readonly string[] = PROFILES.map((profile) => profile.scenario);

/** The scenario that runs profile `name` against the hub, then against ncat --broker. */
export function fanoutScenario(name: string): Scenario {
  const profile = PROFILES.find((p) => p.scenario === name);
  if (!profile) throw new Error(`no fan-out profile ${name}`);
  return async (context) => {
    const windows = context.quick ? 1 : 3;
    const durationMs = context.quick ? 1000 : 10_000;
    // Joining 1000 members is slow on this hub (each join is announced to everyone): in quick
    // mode the joins get a time budget and the window runs with whoever made it.
    const budget = context.quick && profile.clients >= 1000 ? 4000 : undefined;
    const rounds = profile.freshPerWindow ? windows : 1;
    const perRound = profile.freshPerWindow ? 1 : windows;
    const hubResults: SystemResult[] = [];
    const ncatResults: SystemResult[] = [];
    for (let round = 0; round < rounds; round++) {
      const dataDir = await Deno.makeTempDir({ dir: context.tmp, prefix: "hub_" });
      const hub = await startHub({ dataDir });
      try {
        hubResults.push(
          await drive(
            context,
            profile,
            { pid: hub.proc.pid, port: hub.port },
            "p2pchat",
            perRound,
            durationMs,
            budget,
          ),
        );
      } finally {
        await stopHub(hub.proc);
      }
      const ncat = await startNcat();
      try {
        ncatResults.push(
          await drive(
            context,
            { ...profile, clients: hubResults[round].connected },
            { pid: ncat.proc.pid, port: ncat.port },
            "line",
            perRound,
            durationMs,
            undefined,
          ),
        );
      } finally {
        await ncat.proc.stop();
      }
    }
    return rows(profile, combine(hubResults), combine(ncatResults));
  };
}

/** One result of several rounds: all their windows, the fewest clients, the highest peak. */
function combine(results: SystemResult[]): SystemResult {
  return {
    runs: results.flatMap((result) => result.runs),
    connected: Math.min(...results.map((result) => result.connected)),
    connectMs: median(results.map((result) => result.connectMs)),
    peakRssKiB: Math.max(...results.map((result) => result.peakRssKiB)),
  };
}
