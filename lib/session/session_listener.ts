/**
 * Accepts TCP connections and turns each into a secured {@linkcode NetSession}: the
 * handshake deadline, a cap on connections per address, and slowing down an address that
 * keeps failing the passkey (each failure is one online guess; see README "Security").
 *
 * @example
 * ```ts ignore
 * import { SessionListener } from "./session_listener.ts";
 * const listener = new SessionListener(Deno.listen({ port: 5050 }), {
 *   passkey: "7-orbit-lemon-cradle",
 *   onSession: (session) => console.log("secured", session.remote),
 * });
 * await listener.serve();
 * ```
 * @module
 */

import { HandshakeError } from "../secure/handshake.ts";
import { NetSession, type NetSessionOptions } from "./net_session.ts";

/** What the listener reports to the host's console. */
export type ListenerEvent =
  | { type: "handshake-failed"; remote: string; reason: string; failures: number; delayMs: number }
  | { type: "refused"; remote: string; reason: string };

/** Options of {@linkcode SessionListener}. */
export interface SessionListenerOptions extends NetSessionOptions {
  /** Normalized passkey, or `null` for open mode. */
  passkey: string | null;
  /** Called with every secured session; the listener does not wait for it. */
  onSession: (session: NetSession) => void;
  /** The host's console. */
  onEvent?: (event: ListenerEvent) => void;
  /** Handshake deadline. Default 10 s. */
  handshakeTimeoutMs?: number;
  /** Connections at once from one address (loopback is exempt). Default 16. */
  maxPerAddress?: number;
  /** Failures from one address before each new attempt is delayed. Default 3. */
  freeFailures?: number;
}

interface Failures {
  count: number;
  last: number;
}

/** Forget an address's failures after this long without one. */
const FORGET_MS = 10 * 60_000;
/** The longest delay imposed on an address that keeps guessing. */
const MAX_DELAY_MS = 30_000;

/** Accepts and secures connections on a `Deno.Listener`. */
export class SessionListener {
  #listener: Deno.Listener;
  #options: SessionListenerOptions;
  #perAddress: Map<string, number> = new Map();
  #failures: Map<string, Failures> = new Map();
  /** When the next attempt from a slowed-down address may start its handshake. */
  #nextStart: Map<string, number> = new Map();
  #pending: Set<Promise<void>> = new Set();
  #closed = false;

  /** Wraps `listener`; call {@linkcode serve} to start accepting. */
  constructor(listener: Deno.Listener, options: SessionListenerOptions) {
    this.#listener = listener;
    this.#options = options;
  }

  /** The bound address. */
  get addr(): Deno.NetAddr {
    return this.#listener.addr as Deno.NetAddr;
  }

  /** The delay the next attempt from `address` will wait, after its failures so far. */
  delayFor(address: string): number {
    const failures = this.#failures.get(address);
    if (!failures) return 0;
    if (Date.now() - failures.last > FORGET_MS) {
      this.#failures.delete(address);
      this.#nextStart.delete(address);
      return 0;
    }
    const over = failures.count - (this.#options.freeFailures ?? 3);
    return over < 0 ? 0 : Math.min(1000 * 2 ** over, MAX_DELAY_MS);
  }

  /** Accepts until {@linkcode close}. */
  async serve(): Promise<void> {
    while (!this.#closed) {
      let conn: Deno.TcpConn;
      try {
        conn = await this.#listener.accept() as Deno.TcpConn;
      } catch (error) {
        if (this.#closed || error instanceof Deno.errors.BadResource) break;
        continue; // e.g. EMFILE: keep serving those already connected
      }
      const job = this.#secure(conn);
      this.#pending.add(job);
      job.finally(() => this.#pending.delete(job));
    }
    await Promise.all(this.#pending);
  }

  /** Stops accepting; handshakes under way finish or fail by themselves. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.#listener.close();
    } catch { /* already closed */ }
  }

  async #secure(conn: Deno.TcpConn): Promise<void> {
    const address = (conn.remoteAddr as Deno.NetAddr).hostname;
    const remote = `${address}:${(conn.remoteAddr as Deno.NetAddr).port}`;
    const open = this.#perAddress.get(address) ?? 0;
    // Loopback is this computer itself (tests, benchmarks, a local UI): not capped.
    const loopback = address.startsWith("127.") || address === "::1";
    if (!loopback && open >= (this.#options.maxPerAddress ?? 16)) {
      conn.close();
      this.#options.onEvent?.({
        type: "refused",
        remote,
        reason: "too many connections from this address",
      });
      return;
    }
    this.#perAddress.set(address, open + 1);
    let counted = true;
    try {
      conn.setNoDelay(true);
      const delay = this.delayFor(address);
      if (delay > 0) {
        // One attempt per delay for the whole address, so parallel connections gain nothing.
        const start = Math.max(Date.now(), this.#nextStart.get(address) ?? 0) + delay;
        this.#nextStart.set(address, start);
        await new Promise((resolve) => setTimeout(resolve, start - Date.now()));
      }
      let session: NetSession;
      try {
        session = await NetSession.start(conn, {
          ...this.#options,
          role: "host",
          passkey: this.#options.passkey,
          timeoutMs: this.#options.handshakeTimeoutMs ?? 10_000,
        });
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        const failures = this.#failures.get(address) ?? { count: 0, last: 0 };
        // A wrong passkey, but also a hang-up after our hello: either way, one guess spent.
        if (error instanceof HandshakeError && error.guessed) {
          failures.count++;
          failures.last = Date.now();
          this.#failures.set(address, failures);
        }
        this.#options.onEvent?.({
          type: "handshake-failed",
          remote,
          reason,
          failures: failures.count,
          delayMs: this.delayFor(address),
        });
        return;
      }
      this.#failures.delete(address);
      this.#nextStart.delete(address);
      this.#options.onSession(session);
      // Still counted until it closes, but without keeping this function suspended per
      // connection (a hub may hold ten thousand).
      counted = false;
      session.closed.finally(() => this.#release(address));
    } finally {
      if (counted) this.#release(address);
    }
  }

  #release(address: string): void {
    const left = (this.#perAddress.get(address) ?? 1) - 1;
    if (left <= 0) this.#perAddress.delete(address);
    else this.#perAddress.set(address, left);
  }
}
