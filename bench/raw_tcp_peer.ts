/**
 * Plain Deno TCP processes for the baselines, with no p2pchat code at all:
 *
 * - `sink`: listens on 127.0.0.1:0, prints `{"type":"listening","port":P}`, reads one
 *   connection to its end in 64 KiB reads, answers one byte, exits.
 * - `source PORT BYTES`: connects, writes BYTES in 64 KiB writes, half-closes, waits for the
 *   byte, prints `{"type":"done","ms":...}` timed from connect to that byte.
 * - `hold [PORT]`: listens (on PORT, default any), prints `listening`, and keeps every
 *   accepted socket idle with one pending 16 KiB read, as a bare server would.
 *
 * @example
 * ```ts ignore
 * // deno run --allow-net bench/raw_tcp_peer.ts sink
 * ```
 * @module
 */

const [mode, ...args] = Deno.args;
const CHUNK = 64 * 1024;

async function sink(): Promise<void> {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  console.log(JSON.stringify({ type: "listening", port: (listener.addr as Deno.NetAddr).port }));
  const conn = await listener.accept();
  const buffer = new Uint8Array(CHUNK);
  let total = 0;
  while (true) {
    const n = await conn.read(buffer);
    if (n === null) break;
    total += n;
  }
  await conn.write(new Uint8Array([1]));
  conn.close();
  listener.close();
  console.log(JSON.stringify({ type: "received", bytes: total }));
}

async function source(port: number, bytes: number): Promise<void> {
  const buffer = new Uint8Array(CHUNK);
  crypto.getRandomValues(buffer);
  const started = performance.now();
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  for (let sent = 0; sent < bytes;) {
    sent += await conn.write(buffer.subarray(0, Math.min(CHUNK, bytes - sent)));
  }
  await conn.closeWrite();
  await conn.read(new Uint8Array(1));
  const ms = performance.now() - started;
  conn.close();
  console.log(JSON.stringify({ type: "done", ms }));
}

async function hold(port: number): Promise<void> {
  const listener = Deno.listen({ hostname: "127.0.0.1", port });
  console.log(JSON.stringify({ type: "listening", port: (listener.addr as Deno.NetAddr).port }));
  for await (const conn of listener) {
    (async () => {
      const buffer = new Uint8Array(16 * 1024);
      try {
        while ((await conn.read(buffer)) !== null) { /* idle clients send nothing */ }
      } catch { /* reset */ }
      conn.close();
    })();
  }
}

if (mode === "sink") await sink();
else if (mode === "source") await source(Number(args[0]), Number(args[1]));
else if (mode === "hold") await hold(Number(args[0] ?? 0));
else throw new Error(`unknown mode ${mode}`);
