/**
 * A hand-made host for end-to-end tests: it listens on loopback, runs the real handshake
 * (lib/session/net_session.ts) and reads the client's hello, then sends whatever the test
 * posts, including what a correct p2pchat host never sends (escape sequences in a refusal,
 * bidi overrides in names).
 *
 * @example
 * ```ts ignore
 * import { HostileHost } from "./hostile_host.ts";
 * await using host = HostileHost.start();
 * const bob = startConnector("bob", host.port, { cwd: dir, json: false });
 * const { session } = await host.accept();
 * session.post({ t: "notice", text: "\x1b[2J", error: true });
 * await session.close();
 * ```
 * @module
 */

import { HandshakeError } from "../../lib/secure/handshake.ts";
import type { Message } from "../../lib/session/message.ts";
import { NetSession } from "../../lib/session/net_session.ts";
import { PASSKEY } from "./cli_process.ts";

/**
 * The next connection on `listener`, secured as a host with `passkey`; the probes a client
 * sends before it asks for the passkey are answered and passed over.
 *
 * @example
 * ```ts ignore
 * const session = await secureNext(Deno.listen({ port: 0 }), PASSKEY);
 * ```
 */
export async function secureNext(
  listener: Deno.Listener,
  passkey: string | null,
): Promise<NetSession> {
  while (true) {
    const conn = await listener.accept();
    try {
      return await NetSession.start(conn, { role: "host", passkey });
    } catch (error) {
      if (!(error instanceof HandshakeError && error.code === "probe")) throw error;
    }
  }
}

/** A connection the hostile host accepted, after the client's hello. */
export interface Accepted {
  /** The secured session. */
  session: NetSession;
  /** The client's hello. */
  hello: Extract<Message, { t: "hello" }>;
}

/** A host that runs the handshake properly and then says what the test wants. */
export class HostileHost implements AsyncDisposable {
  /** The port it listens on (127.0.0.1). */
  readonly port: number;
  #listener: Deno.TcpListener;
  #passkey: string | null;
  #sessions: NetSession[] = [];

  /** Listens on a free loopback port; `passkey` `null` is open mode. */
  static start(passkey: string | null = PASSKEY): HostileHost {
    return new HostileHost(passkey);
  }

  private constructor(passkey: string | null) {
    this.#passkey = passkey;
    this.#listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    this.port = this.#listener.addr.port;
  }

  /** Accepts the next connection, secures it and waits for its hello. */
  async accept(): Promise<Accepted> {
    const session = await secureNext(this.#listener, this.#passkey);
    this.#sessions.push(session);
    const reader = session.incoming.getReader();
    try {
      const { value, done } = await reader.read();
      if (done || value.message.t !== "hello") throw new Error("expected a hello");
      return { session, hello: value.message };
    } finally {
      reader.releaseLock();
    }
  }

  /** Sends `messages`, then closes the session after they were written. */
  async say(session: NetSession, messages: Message[]): Promise<void> {
    for (const message of messages) session.post(message);
    await session.close();
  }

  /** Stops listening and closes every session. */
  async [Symbol.asyncDispose](): Promise<void> {
    this.#listener.close();
    await Promise.all(this.#sessions.map((session) => session.close()));
  }
}
