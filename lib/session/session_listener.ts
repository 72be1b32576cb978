/**
 * Accepts TCP connections and turns each into a secured {@linkcode NetSession}: the
 * handshake deadline, a cap on connections per address, a cap on handshakes under way and
 * waiting, and the pacing of passkey guesses per address (IPv6 by /64) and for the whole
 * listener (each failure is one online guess; see README "Security" and
 * {@linkcode HandshakeGate}).
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

import { busyFrame, HandshakeError } from "../secure/handshake.ts";
import { encodeFrame } from "../wire/frame_encoder.ts";
import { writeAll } from "../wire/write_all.ts";
import { addressGroup, isLoopback } from "./address_group.ts";
import { HandshakeGate, type HandshakeOutcome } from "./handshake_gate.ts";
import { NetSession, type NetSessionOptions, remoteOf } from "./net_session.ts";

/** What the listener reports to the host's console. */
export type ListenerEvent =
  | { type: "handshake-failed"; remote: string; reason: string; failures: number; delayMs: number }
  | { type: "refused"; remote: string; reason: string }
  /** The listener's guess budget ran out: new handshakes wait for it (once per episode). */
  | { type: "throttled"; reason: string }
  /** Accepting failed (e.g. out of file descriptors); retried after `retryMs` (once per episode). */
  | { type: "accept-failed"; reason: string; retryMs: number }
  /** Accepting works again after `failures` failed attempts. */
  | { type: "accept-resumed"; failures: number };

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
  /** Failures from one address (IPv6: one /64) before its attempts are spaced out. Default 3. */
  freeFailures?: number;
  /** Handshakes under way at once, whoever they come from. Default 64. */
  maxHandshakes?: number;
  /** Connections waiting for a place to run their handshake; more are refused. Default 1,024. */
  maxWaiting?: number;
  /** Failed guesses the whole listener allows at once, and then a second. Default 100, 1. */
  guessBudget?: { burst: number; perSecond: number };
}

/** First pause after a failed accept; it doubles up to {@linkcode MAX_ACCEPT_BACKOFF_MS}. */
const MIN_ACCEPT_BACKOFF_MS = 10;
const MAX_ACCEPT_BACKOFF_MS = 1000;
/** Refusals are logged at most this often (with how many were not). */
const REFUSAL_LOG_MS = 1000;

/** Accepts and secures connections on a `Deno.Listener`. */
export class SessionListener {
  #listener: Deno.Listener;
  #options: SessionListenerOptions;
  #gate: HandshakeGate;
  #perAddress: Map<string, number> = new Map();
  #pending: Set<Promise<void>> = new Set();
  #closed = false;
  /** Ends the pause after a failed accept early, on close. */
  #wakeAccept: (() => void) | undefined;
  #lastRefusalLog = 0;
  #unloggedRefusals = 0;

  /** Wraps `listener`; call {@linkcode serve} to start accepting. */
  constructor(listener: Deno.Listener, options: SessionListenerOptions) {
    this.#listener = listener;
    this.#options = options;
    const handshakeTimeoutMs = options.handshakeTimeoutMs ?? 10_000;
    this.#gate = new HandshakeGate({
      maxRunning: options.maxHandshakes,
      maxWaiting: options.maxWaiting,
      maxWaitMs: handshakeTimeoutMs,
      freeFailures: options.freeFailures,
      guessBudget: options.guessBudget,
      onThrottled: ({ burst, perSecond }) =>
        options.onEvent?.({
          type: "throttled",
          reason: `${burst} guesses failed in a short time, from any address: new connections ` +
            `now wait their turn (at most ${perSecond} guess${perSecond === 1 ? "" : "es"} a ` +
            `second)`,
        }),
    });
  }

  /** The bound address. */
  get addr(): Deno.NetAddr {
    return this.#listener.addr as Deno.NetAddr;
  }

  /** The spacing the next attempt from `address` (IPv6: its /64) gets after its failures so far. */
  delayFor(address: string): number {
    return this.#gate.delayFor(addressGroup(address));
  }

  /**
   * Accepts until {@linkcode close}. When accepting fails (say, out of file descriptors) it
   * pauses 10 ms, doubling up to 1 s, and tells the host once per episode: members already
   * connected go on meanwhile.
   */
  async serve(): Promise<void> {
    let failures = 0;
    while (!this.#closed) {
      let conn: Deno.TcpConn;
      try {
        conn = await this.#listener.accept() as Deno.TcpConn;
      } catch (error) {
        if (this.#closed || error instanceof Deno.errors.BadResource) break;
        const retryMs = Math.min(MIN_ACCEPT_BACKOFF_MS * 2 ** failures, MAX_ACCEPT_BACKOFF_MS);
        if (failures++ === 0) {
          const reason = error instanceof Error ? error.message : String(error);
          this.#options.onEvent?.({ type: "accept-failed", reason, retryMs });
        }
        await this.#pause(retryMs);
        continue;
      }
      if (failures > 0) {
        this.#options.onEvent?.({ type: "accept-resumed", failures });
        failures = 0;
      }
      const job = this.#secure(conn);
      this.#pending.add(job);
      job.finally(() => this.#pending.delete(job));
    }
    await Promise.all(this.#pending);
  }

  /** Stops accepting; handshakes under way finish or fail by themselves, waiting ones are refused. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#gate.close();
    this.#wakeAccept?.();
    try {
      this.#listener.close();
    } catch { /* already closed */ }
  }

  #pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.#wakeAccept = done;
    });
  }

  async #secure(conn: Deno.TcpConn): Promise<void> {
    const address = (conn.remoteAddr as Deno.NetAddr).hostname;
    const remote = remoteOf(conn);
    const open = this.#perAddress.get(address) ?? 0;
    // Loopback is this computer itself (tests, benchmarks, a local UI): not capped.
    if (!isLoopback(address) && open >= (this.#options.maxPerAddress ?? 16)) {
      await this.#refuse(conn, remote, "too many connections from this address");
      return;
    }
    this.#perAddress.set(address, open + 1);
    let counted = true;
    try {
      const group = addressGroup(address);
      const answer = await this.#gate.enter(group);
      if ("refused" in answer) {
        await this.#refuse(conn, remote, answer.refused);
        return;
      }
      let session: NetSession;
      try {
        conn.setNoDelay(true);
        session = await NetSession.start(conn, {
          ...this.#options,
          role: "host",
          passkey: this.#options.passkey,
          timeoutMs: this.#options.handshakeTimeoutMs ?? 10_000,
        });
      } catch (error) {
        answer.pass.done(outcomeOf(error));
        // A client checking the port before its passkey is typed: nothing failed.
        if (error instanceof HandshakeError && error.code === "probe") return;
        this.#options.onEvent?.({
          type: "handshake-failed",
          remote,
          reason: error instanceof Error ? error.message : String(error),
          failures: this.#gate.failures(group),
          delayMs: this.#gate.delayFor(group),
        });
        return;
      }
      answer.pass.done("secured");
      this.#options.onSession(session);
      // Still counted until it closes, but without keeping this function suspended per
      // connection (a hub may hold ten thousand).
      counted = false;
      session.closed.finally(() => this.#release(address));
    } finally {
      if (counted) this.#release(address);
    }
  }

  /** Tells a connection the host is busy, closes it, and logs it (at most once a second). */
  async #refuse(conn: Deno.Conn, remote: string, reason: string): Promise<void> {
    // Seven bytes into a fresh socket's buffer: this does not wait for the peer.
    await writeAll(conn, encodeFrame(busyFrame())).catch(() => {});
    try {
      conn.close();
    } catch { /* already closed */ }
    const now = Date.now();
    if (now - this.#lastRefusalLog < REFUSAL_LOG_MS) {
      this.#unloggedRefusals++;
      return;
    }
    const more = this.#unloggedRefusals;
    this.#lastRefusalLog = now;
    this.#unloggedRefusals = 0;
    this.#options.onEvent?.({
      type: "refused",
      remote,
      reason: more > 0 ? `${reason} (and ${more} more refused since the last notice)` : reason,
    });
  }

  #release(address: string): void {
    const left = (this.#perAddress.get(address) ?? 1) - 1;
    if (left <= 0) this.#perAddress.delete(address);
    else this.#perAddress.set(address, left);
  }
}

/**
 * What a failed handshake cost: a wrong passkey, or a hang-up or stall after our hello (which
 * lets the client check one guess offline), is a guess; a stall before it guessed nothing but
 * held a place, so it counts against its address too; anything else revealed nothing.
 */
function outcomeOf(error: unknown): HandshakeOutcome {
  if (!(error instanceof HandshakeError)) return "failed";
  if (error.guessed) return "guessed";
  return error.code === "timeout" ? "stalled" : "failed";
}
