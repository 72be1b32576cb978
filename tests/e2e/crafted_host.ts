/**
 * A hand-made host for end-to-end tests of the connecting side: it listens on loopback, runs
 * the real handshake and welcomes one `p2pchat connect` as a direct chat, then sends whatever
 * the test posts, including what no honest host sends (a file id used twice, twenty offers at
 * once, a file cut off half way).
 *
 * @example
 * ```ts ignore
 * import { CraftedHost } from "./crafted_host.ts";
 * await using host = CraftedHost.listen();
 * const bob = startConnector("bob", host.port, { cwd: dir });
 * const session = await host.accept("mallory");
 * session.post({ t: "offer", fid: 1, name: "a.txt", size: 3, from: "mallory" });
 * ```
 * @module
 */

import type { NetSession } from "../../lib/session/net_session.ts";
import type { Message } from "../../lib/session/message.ts";
import { PASSKEY, WAIT_MS } from "./cli_process.ts";
import { secureNext } from "./hostile_host.ts";

/** A listening crafted host. */
export class CraftedHost implements AsyncDisposable {
  /** The port `connect` dials. */
  readonly port: number;
  /** What the connected client sent after its hello, in order. */
  readonly received: Message[] = [];
  #listener: Deno.Listener;
  #session: NetSession | undefined;
  #reading: Promise<void> | undefined;

  private constructor() {
    this.#listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    this.port = (this.#listener.addr as Deno.NetAddr).port;
  }

  /** Listens on an ephemeral port of 127.0.0.1. */
  static listen(): CraftedHost {
    return new CraftedHost();
  }

  /**
   * Takes one connection, runs the handshake with the tests' passkey, waits for the client's
   * hello and welcomes it into a direct chat with `hostName` (once `options.welcome` resolves,
   * for a slow join); returns the session.
   */
  async accept(hostName: string, options: { welcome?: Promise<void> } = {}): Promise<NetSession> {
    const session = await secureNext(this.#listener, PASSKEY);
    this.#session = session;
    const reader = session.incoming.getReader();
    const { value } = await reader.read();
    if (value?.message.t !== "hello") throw new Error("no hello from the client");
    const you = value.message.name;
    await options.welcome;
    session.post({ t: "welcome", you, kind: "direct", members: [hostName, you], history: 0 });
    this.#reading = (async () => {
      while (true) {
        const { value, done } = await reader.read();
        if (done) break;
        this.received.push(value.message);
      }
      reader.releaseLock();
    })();
    return session;
  }

  /** Waits until the client has sent a message matching `test`, and returns it. */
  async waitFor(test: (message: Message) => boolean, timeoutMs = WAIT_MS): Promise<Message> {
    const deadline = Date.now() + timeoutMs;
    while (true) {
      const found = this.received.find(test);
      if (found) return found;
      if (Date.now() > deadline) {
        throw new Error(`not received within ${timeoutMs} ms: ${JSON.stringify(this.received)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  /** Closes the session (if any) and the listener. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.#session?.close();
    await this.#reading;
    try {
      this.#listener.close();
    } catch { /* already closed */ }
  }
}
