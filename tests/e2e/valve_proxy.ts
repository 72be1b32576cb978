/**
 * A TCP proxy on loopback that can hold a transfer half way: after a given number of bytes
 * from the client (or to it) it stops passing (and reading) them until released. A test
 * can then act at a known moment of a file transfer between two real processes: fill the
 * receiver's disk, or kill the sender. It counts the bytes it passes each way, so a test can
 * tell how much of a file crossed the wire, and it can cut every connection at once.
 *
 * @example
 * ```ts ignore
 * import { ValveProxy } from "./valve_proxy.ts";
 * await using proxy = ValveProxy.start(hostPort);
 * // connect the sender to proxy.port, then:
 * proxy.holdAfter(4 * 1024 * 1024);
 * await proxy.held;
 * proxy.release();
 * ```
 * @module
 */

import { writeAll } from "../../lib/wire/write_all.ts";

/** A proxy from an ephemeral port of 127.0.0.1 to `127.0.0.1:target`. */
export class ValveProxy implements AsyncDisposable {
  /** The port clients connect to. */
  readonly port: number;
  #listener: Deno.Listener;
  #target: number;
  #conns: Set<Deno.Conn> = new Set();
  #jobs: Set<Promise<void>> = new Set();
  #accepting: Promise<void>;
  /** Client bytes still allowed through, or `undefined` when the valve is open. */
  #allowance: number | undefined;
  #held = Promise.withResolvers<void>();
  /** Bytes passed from clients to the target, and back, over every connection so far. */
  #passed = { fromClient: 0, toClient: 0 };
  #released = Promise.withResolvers<void>();
  /** Whether the valve is on the bytes to the client (else on those from it). */
  #toClient = false;

  private constructor(target: number) {
    this.#listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    this.port = (this.#listener.addr as Deno.NetAddr).port;
    this.#target = target;
    this.#accepting = this.#accept();
  }

  /** Starts a proxy to `127.0.0.1:targetPort`. */
  static start(targetPort: number): ValveProxy {
    return new ValveProxy(targetPort);
  }

  /** Lets `bytes` more bytes from the client (or `toClient`: to it) through, then holds the rest. */
  holdAfter(bytes: number, toClient = false): void {
    this.#toClient = toClient;
    this.#allowance = bytes;
    this.#held = Promise.withResolvers<void>();
    this.#released = Promise.withResolvers<void>();
  }

  /** Bytes passed so far over all connections: from the clients, and to them. */
  get passed(): { fromClient: number; toClient: number } {
    return { ...this.#passed };
  }

  /** Resolves once the valve holds bytes back. */
  get held(): Promise<void> {
    return this.#held.promise;
  }

  /** Lets everything through again. */
  release(): void {
    this.#allowance = undefined;
    this.#released.resolve();
  }

  /**
   * Cuts every connection open now, as a pulled cable would (no goodbye reaches either side),
   * and lets later connections through freely.
   */
  cut(): void {
    for (const conn of this.#conns) this.#close(conn);
    this.release();
  }

  /** Stops accepting, closes every connection and waits for the pumps to end. */
  async [Symbol.asyncDispose](): Promise<void> {
    try {
      this.#listener.close();
    } catch { /* already closed */ }
    await this.#accepting;
    this.release();
    for (const conn of this.#conns) this.#close(conn);
    await Promise.all(this.#jobs);
  }

  async #accept(): Promise<void> {
    while (true) {
      let client: Deno.Conn;
      try {
        client = await this.#listener.accept();
      } catch {
        return; // the listener was closed
      }
      const job = this.#serve(client);
      this.#jobs.add(job);
    }
  }

  async #serve(client: Deno.Conn): Promise<void> {
    this.#conns.add(client);
    let host: Deno.Conn;
    try {
      host = await Deno.connect({ hostname: "127.0.0.1", port: this.#target });
    } catch {
      this.#close(client);
      return;
    }
    this.#conns.add(host);
    await Promise.all([this.#pump(client, host, true), this.#pump(host, client, false)]);
    this.#close(client);
    this.#close(host);
  }

  async #pump(from: Deno.Conn, to: Deno.Conn, fromClient: boolean): Promise<void> {
    const buffer = new Uint8Array(64 * 1024);
    try {
      while (true) {
        const n = await from.read(buffer);
        if (n === null) break;
        let chunk = buffer.subarray(0, n);
        const valved = fromClient !== this.#toClient;
        while (valved && this.#allowance !== undefined && chunk.length > this.#allowance) {
          // Pass what is allowed, hold the rest (and read no more) until released.
          await writeAll(to, chunk.subarray(0, this.#allowance));
          this.#passed[fromClient ? "fromClient" : "toClient"] += this.#allowance;
          chunk = chunk.subarray(this.#allowance);
          this.#allowance = 0;
          this.#held.resolve();
          await this.#released.promise;
        }
        if (valved && this.#allowance !== undefined) this.#allowance -= chunk.length;
        await writeAll(to, chunk);
        this.#passed[fromClient ? "fromClient" : "toClient"] += chunk.length;
      }
      await to.closeWrite();
    } catch {
      // One side went away: end this connection entirely, as a network would.
      this.#close(from);
      this.#close(to);
    }
  }

  #close(conn: Deno.Conn): void {
    if (!this.#conns.delete(conn)) return;
    try {
      conn.close();
    } catch { /* already closed */ }
  }
}
