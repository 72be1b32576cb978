/**
 * Round trip: two p2pchat peers (NetSession pair: SPAKE2 handshake, ChaCha20-Poly1305, real codec
 * and message validation) over a real TCP loopback socket ping-pong small chat messages;
 * the baseline is raw `Deno.connect` ping-pong of the same size in the same run.
 *
 * @example
 * ```ts ignore
 * import { rttScenario } from "./rtt_bench.ts";
 * console.log(await rttScenario({ quick: true, tmp: "/tmp", log: console.error }));
 * ```
 * @module
 */

import { NetSession } from "../lib/session/net_session.ts";
import type { BenchContext } from "./bench_context.ts";
import { type BenchRow, benchRow } from "./bench_row.ts";
import { PASSKEY } from "../dev/test_passkey.ts";
import { median, percentile } from "./stats.ts";

/** Bytes of the raw payload and of the chat text. */
const SIZE = 32;
const WARMUP = 200;

/** Round-trip times (ms) of `count` raw TCP ping-pongs. */
async function rawRoundTrips(count: number): Promise<number[]> {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const accepted = listener.accept();
  const client = await Deno.connect({ hostname: "127.0.0.1", port: listener.addr.port });
  const server = await accepted;
  client.setNoDelay(true);
  server.setNoDelay(true);
  const echo = (async () => {
    const buffer = new Uint8Array(SIZE);
    while (true) {
      const n = await server.read(buffer);
      if (n === null) break;
      for (let off = 0; off < n;) off += await server.write(buffer.subarray(off, n));
    }
  })();
  const payload = new Uint8Array(SIZE).fill(7);
  const reply = new Uint8Array(SIZE);
  const times: number[] = [];
  for (let i = 0; i < WARMUP + count; i++) {
    const started = performance.now();
    for (let off = 0; off < SIZE;) off += await client.write(payload.subarray(off));
    for (let got = 0; got < SIZE;) {
      const n = await client.read(reply.subarray(got));
      if (n === null) throw new Error("echo closed");
      got += n;
    }
    if (i >= WARMUP) times.push(performance.now() - started);
  }
  client.close();
  await echo;
  server.close();
  listener.close();
  return times;
}

/** Round-trip times (ms) of `count` chat messages echoed between two p2pchat sessions. */
async function p2pchatRoundTrips(count: number): Promise<number[]> {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const accepted = listener.accept();
  const clientConn = await Deno.connect({ hostname: "127.0.0.1", port: listener.addr.port });
  const hostConn = await accepted;
  clientConn.setNoDelay(true);
  hostConn.setNoDelay(true);
  const [client, host] = await Promise.all([
    NetSession.start(clientConn, { role: "client", passkey: PASSKEY }),
    NetSession.start(hostConn, { role: "host", passkey: PASSKEY }),
  ]);
  const echo = host.receive(({ message }) => host.post(message));
  const text = "x".repeat(SIZE);
  const times: number[] = [];
  let i = 0;
  let started = 0;
  const send = () => {
    started = performance.now();
    client.post({ t: "chat", id: String(i), text });
  };
  // Each reply sends the next line, as a chat client's receive callback would.
  const done = client.receive(({ message }) => {
    if (message.t !== "chat" || message.id !== String(i)) throw new Error("p2pchat echo broke");
    if (i >= WARMUP) times.push(performance.now() - started);
    if (++i === WARMUP + count) return false;
    send();
  });
  send();
  await done;
  await client.close();
  await echo;
  await host.close();
  listener.close();
  return times;
}

/** Runs the round-trip scenario. */
export async function rttScenario(context: BenchContext): Promise<BenchRow[]> {
  const count = context.quick ? 1_000 : 10_000;
  const reps = context.quick ? 3 : 5;
  const raw = { p50: [] as number[], p99: [] as number[] };
  const ours = { p50: [] as number[], p99: [] as number[] };
  for (let rep = 0; rep < reps; rep++) {
    const a = await rawRoundTrips(count);
    const b = await p2pchatRoundTrips(count);
    raw.p50.push(percentile(a, 0.5));
    raw.p99.push(percentile(a, 0.99));
    ours.p50.push(percentile(b, 0.5));
    ours.p99.push(percentile(b, 0.99));
    context.log(
      `rtt rep ${rep + 1}/${reps}: raw p50 ${percentile(a, 0.5).toFixed(3)} ms, ` +
        `p2pchat p50 ${percentile(b, 0.5).toFixed(3)} ms`,
    );
  }
  const common = { scenario: "rtt", unit: "ms", baseline: "raw Deno TCP ping-pong" };
  const note = `${count} round trips of ${SIZE} B, median of ${reps} runs`;
  return [
    benchRow({
      ...common,
      metric: "p50",
      value: median(ours.p50),
      baselineValue: median(raw.p50),
      target: { of: "ratio", op: "<=", limit: 1.5 },
      note,
    }),
    benchRow({ ...common, metric: "p99", value: median(ours.p99), baselineValue: median(raw.p99) }),
  ];
}
