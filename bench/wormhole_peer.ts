/**
 * magic-wormhole (Debian's `wormhole`, Python) as a same-run peer of the file benchmark, with
 * every socket on 127.0.0.1: its mailbox server and transit relay run here (`twist3
 * wormhole-mailbox`, `twist3 transitrelay`, on free ports of 127.0.0.1), and sender and
 * receiver run with `--no-listen`, so neither opens the listener on all interfaces that it
 * otherwise offers for a direct connection: the bytes go through the local transit relay.
 *
 * A transfer is timed as a person would see it: from starting `wormhole send` and `wormhole
 * receive` (together) to the receiver's exit, when the file is in place under its name. The
 * receiver's own `--dump-timing` gives the part spent moving the file (`rx file`), without the
 * start-up and the handshake.
 *
 * @example
 * ```ts ignore
 * import { WormholePeer } from "./wormhole_peer.ts";
 * const peer = await WormholePeer.start("/tmp/wh");
 * const { seconds } = await peer.transfer("/tmp/source.bin", "/tmp/out", "7-bench-one");
 * await peer.stop();
 * ```
 * @module
 */

import { join } from "node:path";
import { freePort } from "../dev/free_port.ts";

/** How long the mailbox and the relay may take to start listening. */
const START_TIMEOUT_MS = 30_000;

/** One timed transfer. */
export interface WormholeTransfer {
  /** From starting both commands to the receiver's exit (the file saved), in seconds. */
  seconds: number;
  /** The receiver's `rx file` phase alone (no start-up, no handshake), in seconds. */
  transferSeconds: number;
}

/** A running mailbox and transit relay, for any number of transfers in turn. */
export class WormholePeer {
  #dir: string;
  #servers: Deno.ChildProcess[];
  #mailboxPort: number;
  #relayPort: number;

  private constructor(
    dir: string,
    servers: Deno.ChildProcess[],
    mailboxPort: number,
    relayPort: number,
  ) {
    this.#dir = dir;
    this.#servers = servers;
    this.#mailboxPort = mailboxPort;
    this.#relayPort = relayPort;
  }

  /** Starts the mailbox and the relay (their state and logs in `dir`) and waits for both. */
  static async start(dir: string): Promise<WormholePeer> {
    const mailboxPort = freePort();
    const relayPort = freePort();
    const server = (args: string[]) =>
      new Deno.Command("twist3", {
        args,
        cwd: dir,
        stdin: "null",
        stdout: "null",
        stderr: "null",
      }).spawn();
    const servers = [
      server([
        "wormhole-mailbox",
        `--port=tcp:${mailboxPort}:interface=127.0.0.1`,
        `--channel-db=${join(dir, "mailbox.sqlite")}`,
      ]),
      server(["transitrelay", `--port=tcp:${relayPort}:interface=127.0.0.1`]),
    ];
    const peer = new WormholePeer(dir, servers, mailboxPort, relayPort);
    try {
      await Promise.all([waitForListener(mailboxPort), waitForListener(relayPort)]);
    } catch (error) {
      await peer.stop();
      throw error;
    }
    return peer;
  }

  /**
   * Sends `path` (a file or a folder) with `code` into `outDir`; resolves with the timings once the
   * receiver has saved it and the sender has its confirmation. Throws when either side fails
   * or the saved file is not the size of the source.
   */
  async transfer(path: string, outDir: string, code: string): Promise<WormholeTransfer> {
    const common = [
      "--relay-url",
      `ws://127.0.0.1:${this.#mailboxPort}/v1`,
      "--transit-helper",
      `tcp:127.0.0.1:${this.#relayPort}`,
    ];
    const timing = join(this.#dir, `timing-${code}.json`);
    const output = join(outDir, "received.bin");
    const started = performance.now();
    const sender = run([...common, "send", "--no-listen", "--hide-progress", "--code", code, path]);
    const receiver = run(
      [
        ...common,
        "--dump-timing",
        timing,
        "receive",
        "--no-listen",
        "--hide-progress",
        "--accept-file",
        "--output-file",
        output,
        code,
      ],
      outDir,
    );
    const received = await receiver;
    const seconds = (performance.now() - started) / 1000;
    const sent = await sender;
    if (!received.success || !sent.success) {
      throw new Error(
        `wormhole failed: receive exit ${received.code} (${received.stderr.trim()}), ` +
          `send exit ${sent.code} (${sent.stderr.trim()})`,
      );
    }
    const size = await treeBytes(path);
    const saved = await treeBytes(output);
    await Deno.remove(output, { recursive: true });
    if (saved !== size) throw new Error(`wormhole saved ${saved} of ${size} bytes`);
    const phases: { name: string; start: number; stop: number | null }[] = JSON.parse(
      await Deno.readTextFile(timing),
    );
    const rx = phases.find((phase) => phase.name === "rx file");
    return { seconds, transferSeconds: rx?.stop ? rx.stop - rx.start : NaN };
  }

  /**
   * As {@linkcode WormholePeer.transfer}, into a fresh folder in `tmp` removed afterwards,
   * after reading `path` once so that it is in the page cache (`warm`).
   */
  async transferFresh(
    path: string,
    tmp: string,
    code: string,
    warm: (path: string) => Promise<void>,
  ): Promise<WormholeTransfer> {
    await warm(path);
    const outDir = await Deno.makeTempDir({ dir: tmp, prefix: "wormhole_rx_" });
    try {
      return await this.transfer(path, outDir, code);
    } finally {
      await Deno.remove(outDir, { recursive: true });
    }
  }

  /** Stops the mailbox and the relay. */
  async stop(): Promise<void> {
    for (const server of this.#servers) {
      try {
        server.kill("SIGTERM");
      } catch { /* already gone */ }
    }
    await Promise.all(this.#servers.map((server) => server.status));
  }
}

async function run(
  args: string[],
  cwd?: string,
): Promise<{ success: boolean; code: number; stderr: string }> {
  const { success, code, stdout, stderr } = await new Deno.Command("wormhole", {
    args,
    cwd,
    stdin: "null",
  }).output();
  const decoder = new TextDecoder();
  return { success, code, stderr: decoder.decode(stderr) + decoder.decode(stdout) };
}

/** The bytes of the file at `path`, or of every file in the folder at `path`. */
async function treeBytes(path: string): Promise<number> {
  const info = await Deno.stat(path);
  if (!info.isDirectory) return info.size;
  let bytes = 0;
  for await (const entry of Deno.readDir(path)) bytes += await treeBytes(join(path, entry.name));
  return bytes;
}

/** Resolves once something accepts connections on 127.0.0.1:`port`. */
async function waitForListener(port: number): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (true) {
    try {
      const conn = await Deno.connect({ hostname: "127.0.0.1", port });
      conn.close();
      return;
    } catch (error) {
      if (Date.now() > deadline) {
        throw new Error(`nothing listens on 127.0.0.1:${port}: ${error}`, { cause: error });
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}
