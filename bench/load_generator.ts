/**
 * The load generator's controller: splits N clients over worker processes
 * (bench/load_worker.ts), starts timed send windows, and checks what every receiver actually
 * got against what every sender sent. Works against the p2pchat hub (real handshake, `hello`,
 * encrypted session) and against `ncat --broker` (plain lines) with the same profile.
 *
 * @example
 * ```ts ignore
 * import { LoadGenerator } from "./load_generator.ts";
 * const generator = await LoadGenerator.start({ dialect: "line", host: "127.0.0.1", port,
 *   passkey: null, clients: 100, senders: 10, intervalMs: 100, workers: 1 });
 * const result = await generator.run({ durationMs: 5000, targetPid: ncatPid });
 * console.log(result.deliveryRatio, result.p99Ms);
 * await generator.stop();
 * ```
 * @module
 */

import { BenchProcess, flagsFromEnv, type JsonLine } from "./bench_process.ts";
import { LatencyHistogram } from "./latency_histogram.ts";
import type { Dialect } from "./load_client.ts";
import type { WorkerConfig } from "./load_worker.ts";
import { CpuMeter } from "./process_probe.ts";

/** What to generate. */
export interface LoadProfile {
  dialect: Dialect;
  host: string;
  port: number;
  passkey: string | null;
  /** Clients in all. */
  clients: number;
  /** How many of them send. */
  senders: number;
  /** Each sender sends one line per this many ms. */
  intervalMs: number;
  /** Worker processes. Default 1. */
  workers?: number;
  /** Connections opened at once per worker. Default 16. */
  concurrency?: number;
  /** Reconnect dropped clients with the product's backoff. */
  reconnect?: boolean;
  /** Stop opening clients after this long, a time budget (the rest count as not connected). */
  connectBudgetMs?: number;
}

/** Options of one send window. */
export interface RunOptions {
  durationMs: number;
  /** Longest wait for stragglers after the window. Default 10 s. */
  drainMs?: number;
  /** Process whose CPU % is measured over the window (the hub or ncat). */
  targetPid?: number;
}

/** What one send window gave. */
export interface RunResult {
  sent: number;
  expected: number;
  received: number;
  deliveryRatio: number;
  /** Receivers that got every line meant for them, and how many receivers there were. */
  receiversComplete: number;
  receivers: number;
  /** Lines seen twice or out of order per sender. */
  anomalies: number;
  /** Lines that did not parse (e.g. two lines interleaved by a relay). */
  malformed: number;
  deliveriesPerSec: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Every latency of the window, for percentiles beyond p50 and p99. */
  histogram: LatencyHistogram;
  /**
   * Highest event-loop utilisation of any worker over the window (1 = saturated): the CPU
   * share of its main thread, where its event loop runs.
   */
  generatorElu: number;
  /** CPU % of one core used by `targetPid` over the window. */
  targetCpu: number;
  /** Lines sent per second per sender, against the profile's 1000 / intervalMs. */
  offeredPerSender: number;
}

/** The worker script and the config that resolves its imports. */
const WORKER = new URL("./load_worker.ts", import.meta.url).pathname;
const CONFIG = new URL("../deno.json", import.meta.url).pathname;

/** The load generator's worker processes and their clients. */
export class LoadGenerator {
  /** Clients that completed their handshake and `hello` (p2pchat) or connect. */
  readonly connected: number;
  /** Time it took to open them, in ms. */
  readonly connectMs: number;
  /** First errors seen while connecting. */
  readonly errors: string[];
  /** The workers' process ids. */
  readonly pids: number[];
  #workers: BenchProcess[];
  #profile: LoadProfile;
  #runs = 0;
  #req = 0;

  private constructor(
    workers: BenchProcess[],
    profile: LoadProfile,
    ready: JsonLine[],
    connectMs: number,
  ) {
    this.#workers = workers;
    this.#profile = profile;
    this.pids = workers.map((worker) => worker.pid);
    this.connected = ready.reduce((sum, event) => sum + Number(event.connected), 0);
    this.errors = ready.flatMap((event) => event.errors as string[]);
    this.connectMs = connectMs;
  }

  /** Starts the workers and resolves once every client is connected (or failed). */
  static async start(profile: LoadProfile): Promise<LoadGenerator> {
    const count = profile.workers ?? 1;
    const workers: BenchProcess[] = [];
    const started = performance.now();
    for (let w = 0; w < count; w++) {
      const first = Math.floor((profile.clients * w) / count);
      const last = Math.floor((profile.clients * (w + 1)) / count);
      const config: WorkerConfig = {
        dialect: profile.dialect,
        host: profile.host,
        port: profile.port,
        passkey: profile.passkey,
        first,
        count: last - first,
        senders: profile.senders,
        intervalMs: profile.intervalMs,
        concurrency: profile.concurrency ?? 16,
        reconnect: profile.reconnect ?? false,
        prefix: "b",
        connectDeadline: profile.connectBudgetMs
          ? performance.timeOrigin + started + profile.connectBudgetMs
          : 0,
      };
      workers.push(BenchProcess.start(Deno.execPath(), [
        "run",
        "--allow-net",
        "--allow-env",
        `--config=${CONFIG}`,
        ...flagsFromEnv("BENCH_WORKER_FLAGS"),
        WORKER,
        JSON.stringify(config),
      ], { nofile: 65536 }));
    }
    const timeout = (profile.connectBudgetMs ?? 600_000) + 60_000;
    const ready = await Promise.all(
      workers.map((worker) => worker.waitFor((event) => event.type === "ready", timeout)),
    );
    return new LoadGenerator(workers, profile, ready, performance.now() - started);
  }

  /** Runs one send window and checks every delivery. */
  async run(options: RunOptions): Promise<RunResult> {
    const runId = `r${++this.#runs}`;
    const startAt = performance.timeOrigin + performance.now() + 300;
    for (const worker of this.#workers) {
      await worker.writeLine(
        JSON.stringify({ cmd: "run", run: runId, startAt, durationMs: options.durationMs }),
      );
    }
    const meter = options.targetPid ? new CpuMeter(options.targetPid) : undefined;
    const loops = this.pids.map((pid) => new CpuMeter(pid, true));
    await sleep(startAt - (performance.timeOrigin + performance.now()));
    await Promise.all([meter?.start(), ...loops.map((loop) => loop.start())]);
    const sentEvents = await Promise.all(this.#workers.map((worker) =>
      worker.waitFor(
        (event) => event.type === "sent" && event.run === runId,
        options.durationMs + 60_000,
      )
    ));
    const targetCpu = (await meter?.stop()) ?? NaN;
    const loopBusy = await Promise.all(loops.map((loop) => loop.stop()));
    // Lines sent by each global sender index.
    const sentBy = new Map<number, number>();
    for (const event of sentEvents) {
      const senders = event.senders as number[];
      const sent = event.sent as number[];
      senders.forEach((sender, i) => sentBy.set(sender, sent[i]));
    }
    const sent = [...sentBy.values()].reduce((a, b) => a + b, 0);
    // Wait for stragglers: until everything arrived, nothing new came for a while, or the limit.
    const drainMs = options.drainMs ?? 10_000;
    const drainUntil = performance.now() + drainMs;
    let before = -1;
    let quietSince = performance.now();
    let reports = await this.#reports();
    while (performance.now() < drainUntil) {
      const { received, expected } = tally(reports, sentBy);
      if (received >= expected) break;
      if (received !== before) {
        before = received;
        quietSince = performance.now();
      } else if (performance.now() - quietSince > Math.min(2000, drainMs / 2)) break;
      await sleep(200);
      reports = await this.#reports();
    }
    const { received, expected, receivers, complete } = tally(reports, sentBy);
    const histogram = new LatencyHistogram();
    for (const report of reports) {
      histogram.merge(
        LatencyHistogram.fromJSON(report.histogram as { buckets: [number, number][]; max: number }),
      );
    }
    const lastArrival = Math.max(...reports.map((report) => Number(report.lastArrival)));
    const spanSec = Math.max(options.durationMs, lastArrival - startAt) / 1000;
    return {
      sent,
      expected,
      received,
      deliveryRatio: expected > 0 ? received / expected : NaN,
      receiversComplete: complete,
      receivers,
      anomalies: reports.reduce((sum, report) => sum + Number(report.anomalies), 0),
      malformed: reports.reduce((sum, report) => sum + Number(report.malformed), 0),
      deliveriesPerSec: received / spanSec,
      p50Ms: histogram.percentile(0.5),
      p99Ms: histogram.percentile(0.99),
      maxMs: histogram.max,
      histogram,
      // The busy fraction of each worker's main (event-loop) thread over the window. Not
      // node:perf_hooks eventLoopUtilization(): in Deno 2.9 it answers zeros, or 0.2 for a
      // worker that `top` shows at 100 % of a core.
      generatorElu: Math.max(...loopBusy) / 100,
      targetCpu,
      offeredPerSender: sentBy.size > 0 ? sent / sentBy.size / (options.durationMs / 1000) : 0,
    };
  }

  /** Counters of every worker: received lines, closed and reconnected clients. */
  stats(): Promise<JsonLine[]> {
    return this.#ask("stats");
  }

  /** Stops the workers. */
  async stop(): Promise<void> {
    await Promise.all(this.#workers.map(async (worker) => {
      await worker.writeLine(JSON.stringify({ cmd: "exit" })).catch(() => {});
      await worker.stop(2000);
    }));
  }

  #reports(): Promise<JsonLine[]> {
    return this.#ask("report");
  }

  async #ask(cmd: string): Promise<JsonLine[]> {
    const req = ++this.#req;
    await Promise.all(
      this.#workers.map((worker) => worker.writeLine(JSON.stringify({ cmd, req }))),
    );
    const answers = await Promise.all(
      this.#workers.map((worker) => worker.waitFor((event) => event.req === req, 60_000)),
    );
    // Answers are kept in `events`; drop old ones so polling stays cheap.
    for (const worker of this.#workers) worker.forget((event) => event.req !== undefined);
    return answers;
  }

  /** The profile this generator runs. */
  get profile(): LoadProfile {
    return this.#profile;
  }
}

/** Counts deliveries against what each present receiver should have got. */
function tally(
  reports: JsonLine[],
  sentBy: Map<number, number>,
): { received: number; expected: number; receivers: number; complete: number } {
  const total = [...sentBy.values()].reduce((a, b) => a + b, 0);
  let received = 0;
  let expected = 0;
  let receivers = 0;
  let complete = 0;
  for (const report of reports) {
    const first = Number(report.first);
    const got = report.received as number[];
    const present = report.present as number[];
    got.forEach((count, local) => {
      if (!present[local]) return;
      // Everyone gets every line but their own (the hub and ncat --broker both skip the sender).
      const want = total - (sentBy.get(first + local) ?? 0);
      receivers++;
      expected += want;
      received += count;
      if (count >= want) complete++;
    });
  }
  return { received, expected, receivers, complete };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}
