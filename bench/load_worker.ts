/**
 * One process of the load generator. It opens its share of the clients, then obeys JSON
 * commands on stdin and answers with JSON lines on stdout:
 *
 * - `{"cmd":"run","run":"r1","startAt":ms,"durationMs":ms}`: its senders send one line every
 *   `intervalMs` from `startAt` (wall clock) for `durationMs`, each line carrying the sender,
 *   a sequence number and the send time; answers `{"type":"sent",...}` when done.
 * - `{"cmd":"report"}`: what each of its receivers actually got in the current run, latency
 *   histogram, event-loop utilisation of the send window; answers `{"type":"report",...}`.
 * - `{"cmd":"stats"}`: cheap counters for polling (received, closed, reconnected).
 * - `{"cmd":"exit"}`.
 *
 * Started by {@linkcode LoadGenerator} with its configuration as the only argument.
 *
 * @example
 * ```ts ignore
 * // deno run --allow-net bench/load_worker.ts '{"dialect":"line","host":"127.0.0.1",...}'
 * ```
 * @module
 */

import { backoffMs } from "../lib/room/reconnector.ts";
import { LatencyHistogram } from "./latency_histogram.ts";
import { type Dialect, type LoadClient, openLoadClient, wallNow } from "./load_client.ts";

/** What a worker is told at start. */
export interface WorkerConfig {
  dialect: Dialect;
  host: string;
  port: number;
  passkey: string | null;
  /** Global index of this worker's first client. */
  first: number;
  /** Clients this worker opens. */
  count: number;
  /** Clients with a global index below this are senders. */
  senders: number;
  /** Each sender sends one line per this many ms. */
  intervalMs: number;
  /** Connections opened at once. */
  concurrency: number;
  /** Reconnect dropped clients with the backoff of lib/room/reconnector.ts. */
  reconnect: boolean;
  /** Names are `${prefix}${index}`. */
  prefix: string;
  /** Wall-clock ms after which no new client is opened (a time budget); 0 = none. */
  connectDeadline: number;
}

const config: WorkerConfig = JSON.parse(Deno.args[0]);
const clients: (LoadClient | undefined)[] = new Array(config.count);
const ids = Array.from({ length: config.count }, () => crypto.randomUUID());
const received = new Float64Array(config.count);
// Highest sequence seen per (receiver, sender): a repeat or a step back is an anomaly.
const lastSeq = new Int32Array(config.count * Math.max(1, config.senders)).fill(-1);
let run = "";
let histogram = new LatencyHistogram();
let anomalies = 0;
let malformed = 0;
let lastArrival = 0;
let closedCount = 0;
let reconnected = 0;
let lastBackAt = 0;
let exiting = false;
/** 1 for clients connected when the current run started: the receivers it expects. */
const present = new Uint8Array(config.count);

function print(value: unknown): void {
  console.log(JSON.stringify(value));
}

function onLine(local: number, text: string, now: number): void {
  const parts = text.split(" ");
  if (parts.length !== 4 || parts[3] !== run) {
    if (parts.length !== 4) malformed++;
    return;
  }
  const sender = Number(parts[0]);
  const seq = Number(parts[1]);
  histogram.record(now - Number(parts[2]));
  received[local]++;
  lastArrival = now;
  const slot = local * config.senders + sender;
  if (seq <= lastSeq[slot]) anomalies++;
  else lastSeq[slot] = seq;
}

function open(local: number): Promise<LoadClient> {
  const index = config.first + local;
  return openLoadClient({
    dialect: config.dialect,
    host: config.host,
    port: config.port,
    name: `${config.prefix}${index}`,
    client: ids[local],
    passkey: config.passkey,
    onLine: (text, now) => onLine(local, text, now),
  });
}

/** Watches a client; with `reconnect`, dials again with backoff when it drops. */
async function watch(local: number, client: LoadClient): Promise<void> {
  while (true) {
    await client.closed;
    clients[local] = undefined;
    closedCount++;
    if (!config.reconnect || exiting) return;
    for (let attempt = 1;; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, backoffMs(attempt)));
      if (exiting) return;
      try {
        client = await open(local);
      } catch {
        continue;
      }
      clients[local] = client;
      reconnected++;
      lastBackAt = wallNow();
      break;
    }
  }
}

async function connectAll(): Promise<{ connected: number; failed: number; errors: string[] }> {
  let next = 0;
  let connected = 0;
  const errors: string[] = [];
  const lane = async () => {
    while (next < config.count) {
      if (config.connectDeadline > 0 && wallNow() > config.connectDeadline) return;
      const local = next++;
      try {
        const client = await open(local);
        clients[local] = client;
        connected++;
        watch(local, client);
      } catch (error) {
        if (errors.length < 5) errors.push(error instanceof Error ? error.message : String(error));
      }
    }
  };
  await Promise.all(Array.from({ length: config.concurrency }, lane));
  return { connected, failed: config.count - connected, errors };
}

interface RunCommand {
  run: string;
  startAt: number;
  durationMs: number;
}

async function send(command: RunCommand): Promise<void> {
  run = command.run;
  histogram = new LatencyHistogram();
  received.fill(0);
  lastSeq.fill(-1);
  anomalies = 0;
  malformed = 0;
  lastArrival = 0;
  for (let local = 0; local < config.count; local++) present[local] = clients[local] ? 1 : 0;
  const locals: number[] = [];
  for (let local = 0; local < config.count; local++) {
    if (config.first + local < config.senders) locals.push(local);
  }
  const sent = new Array(locals.length).fill(0);
  const wait = command.startAt - wallNow();
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  const endAt = command.startAt + command.durationMs;
  // Senders are spread over the interval so lines do not all leave at the same instant.
  const offset = (local: number) =>
    ((config.first + local) / Math.max(1, config.senders)) * config.intervalMs;
  const due = (i: number) => command.startAt + offset(locals[i]) + sent[i] * config.intervalMs;
  while (true) {
    const now = wallNow();
    if (now >= endAt) break;
    let next = endAt;
    for (let i = 0; i < locals.length; i++) {
      const client = clients[locals[i]];
      // Open loop: lines due by now go out now, a few at most per wake-up when running late.
      for (let burst = 0; burst < 8 && due(i) <= now && due(i) < endAt; burst++) {
        if (client) {
          client.send(`${config.first + locals[i]} ${sent[i]} ${wallNow().toFixed(3)} ${run}`);
        }
        sent[i]++;
      }
      next = Math.min(next, due(i));
    }
    // Wake for the next line due, not on a fixed tick: a tick as long as the gap between two
    // senders would now and then catch two of them at once and send them together.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, next - wallNow())));
  }
  print({
    type: "sent",
    run: command.run,
    senders: locals.map((local) => config.first + local),
    sent,
  });
}

function report(req: number): void {
  print({
    type: "report",
    req,
    first: config.first,
    received: Array.from(received),
    anomalies,
    malformed,
    lastArrival,
    histogram: histogram.toJSON(),
    closed: closedCount,
    present: Array.from(present),
  });
}

const ready = await connectAll();
print({ type: "ready", ...ready });

const decoder = new TextDecoderStream();
let rest = "";
for await (const text of Deno.stdin.readable.pipeThrough(decoder)) {
  const lines = (rest + text).split("\n");
  rest = lines.pop()!;
  for (const line of lines) {
    const command = JSON.parse(line);
    if (command.cmd === "run") send(command);
    else if (command.cmd === "report") report(command.req);
    else if (command.cmd === "stats") {
      print({
        type: "stats",
        req: command.req,
        received: received.reduce((a, b) => a + b, 0),
        lastArrival,
        closed: closedCount,
        reconnected,
        lastBackAt,
        open: clients.filter((client) => client !== undefined).length,
      });
    } else if (command.cmd === "exit") {
      exiting = true;
      Deno.exit(0);
    }
  }
}
exiting = true;
Deno.exit(0);
