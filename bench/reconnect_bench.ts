/**
 * Reconnect storm: N members joined, the `serve` subprocess is killed (SIGKILL) and started
 * again on the same port and data folder; every generator client redials with the product's
 * backoff (`backoffMs` of lib/room/reconnector.ts) and joins again. Measured: seconds from the
 * kill until all are back, and handshakes per second. Baseline in the same run: the same
 * storm against a bare Deno listener (plain TCP connects, same backoff).
 *
 * @example
 * ```ts ignore
 * import { reconnectScenario } from "./reconnect_bench.ts";
 * console.log(await reconnectScenario({ quick: true, tmp: "/tmp/x", log: console.error }));
 * ```
 * @module
 */

import type { BenchContext } from "./bench_context.ts";
import { BenchProcess } from "./bench_process.ts";
import { type BenchRow, benchRow } from "./bench_row.ts";
import { LoadGenerator } from "./load_generator.ts";
import { PASSKEY } from "../dev/test_passkey.ts";
import { startHub, stopHub } from "./p2pchat_cli.ts";

const PEER = new URL("./raw_tcp_peer.ts", import.meta.url).pathname;

/** How a storm went. */
interface Storm {
  connected: number;
  back: number;
  /** Seconds from the kill until the last client was back. */
  allBackSec: number;
  /** Seconds from the kill until the restarted server listened. */
  restartSec: number;
}

/** A server that can be killed and started again on the same port. */
interface Restartable {
  start(port: number): Promise<{ pid: number; port: number; proc: BenchProcess }>;
  /** Stops it at the end. */
  stop(proc: BenchProcess): Promise<unknown>;
}

async function storm(
  server: Restartable,
  dialect: "p2pchat" | "raw",
  clients: number,
  timeoutMs: number,
): Promise<Storm> {
  let current = await server.start(0);
  const port = current.port;
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
    reconnect: true,
  });
  try {
    await new Promise((resolve) => setTimeout(resolve, 500));
    const killedAt = performance.timeOrigin + performance.now();
    current.proc.kill("SIGKILL");
    await current.proc.status;
    current = await server.start(port);
    const restartSec = (performance.timeOrigin + performance.now() - killedAt) / 1000;
    const deadline = performance.now() + timeoutMs;
    let back = 0;
    let lastBackAt = 0;
    while (performance.now() < deadline) {
      const stats = await generator.stats();
      back = stats.reduce((sum, s) => sum + Number(s.reconnected), 0);
      lastBackAt = Math.max(...stats.map((s) => Number(s.lastBackAt)));
      if (back >= generator.connected) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return {
      connected: generator.connected,
      back,
      allBackSec: back >= generator.connected ? (lastBackAt - killedAt) / 1000 : NaN,
      restartSec,
    };
  } finally {
    await generator.stop();
    await server.stop(current.proc);
  }
}

/** Runs the reconnect-storm scenario. */
export async function reconnectScenario(context: BenchContext): Promise<BenchRow[]> {
  const clients = context.quick ? 200 : 1000;
  const timeoutMs = context.quick ? 15_000 : 60_000;
  const dataDir = await Deno.makeTempDir({ dir: context.tmp, prefix: "storm_" });
  const hub: Restartable = {
    start: async (port) => {
      const { proc, port: bound } = await startHub({ dataDir, port });
      return { pid: proc.pid, port: bound, proc };
    },
    stop: stopHub,
  };
  const bare: Restartable = {
    start: async (port) => {
      const proc = BenchProcess.start(
        Deno.execPath(),
        ["run", "--allow-net", PEER, "hold", String(port)],
        { nofile: 65536 },
      );
      const bound = Number((await proc.waitFor((e) => e.type === "listening")).port);
      return { pid: proc.pid, port: bound, proc };
    },
    stop: (proc) => proc.stop(),
  };
  const ours = await storm(hub, "p2pchat", clients, timeoutMs);
  context.log(
    `reconnect p2pchat: ${ours.back}/${ours.connected} back in ${ours.allBackSec.toFixed(2)} s ` +
      `(hub listening again after ${ours.restartSec.toFixed(2)} s)`,
  );
  const base = await storm(bare, "raw", ours.connected, timeoutMs);
  context.log(
    `reconnect bare: ${base.back}/${base.connected} back in ${base.allBackSec.toFixed(2)} s`,
  );
  const baseline = "bare Deno listener, plain TCP reconnects, same backoff";
  const note = `${ours.connected} clients, backoff 1 s +-25% then doubling (reconnector.ts); ` +
    `${ours.back} back; the hub listened again ${ours.restartSec.toFixed(2)} s after the kill`;
  return [
    benchRow({
      scenario: "reconnect-1000",
      metric: "all-back",
      value: ours.allBackSec,
      unit: "s",
      baseline,
      baselineValue: base.allBackSec,
      target: { of: "value", op: "<=", limit: 5 },
      note,
    }),
    benchRow({
      scenario: "reconnect-1000",
      metric: "handshakes-per-s",
      value: ours.back / ours.allBackSec,
      unit: "1/s",
      baseline,
      baselineValue: base.back / base.allBackSec,
    }),
  ];
}
