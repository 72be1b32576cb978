/**
 * A hub member inside the test process: the same {@linkcode RoomClient} the CLI uses, over a
 * real encrypted TCP session, recording every event. Much cheaper than a subprocess, so tests
 * can run dozens of them.
 *
 * @example
 * ```ts ignore
 * import { HubMember } from "./hub_member.ts";
 * const alice = await HubMember.join(port, "alice", dir);
 * alice.client.say("hi");
 * await alice.until(() => alice.messages().length > 0, "a message");
 * await alice.leave();
 * ```
 * @module
 */

import { FileStore } from "../../lib/room/file_store.ts";
import { type ClientEvent, RoomClient } from "../../lib/room/room_client.ts";
import { dial } from "../../lib/session/dial.ts";
import { PASSKEY, WAIT_MS } from "../e2e/cli_process.ts";

/** A chat line as a member saw it. */
export type MessageEvent = Extract<ClientEvent, { type: "message" }>;

/**
 * Polls `condition` every few milliseconds until it holds; throws naming `what` (and
 * `detail()`, when given) after `timeoutMs`.
 *
 * @example
 * ```ts ignore
 * import { until } from "./hub_member.ts";
 * await until(() => received.length === 10, "ten lines");
 * ```
 */
export async function until(
  condition: () => boolean,
  what: string,
  timeoutMs: number = WAIT_MS,
  detail?: () => string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) {
      throw new Error(`not seen within ${timeoutMs} ms: ${what}${detail ? `\n${detail()}` : ""}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** One member of a hub, in this process. */
export class HubMember {
  /** The client, to say lines and send commands. */
  readonly client: RoomClient;
  /** Every event the client reported, in order. */
  readonly events: ClientEvent[] = [];

  private constructor(client: RoomClient) {
    this.client = client;
  }

  /**
   * Connects to the hub on 127.0.0.1:`port` as `name` and joins; received files land in
   * `receiveDir`.
   *
   * @example
   * ```ts ignore
   * const bob = await HubMember.join(port, "bob", `${dir}/bob`);
   * ```
   */
  static async join(port: number, name: string, receiveDir: string): Promise<HubMember> {
    const client = new RoomClient({ name, files: new FileStore(receiveDir) });
    const member = new HubMember(client);
    client.subscribe((event) => member.events.push(event));
    const session = await dial("127.0.0.1", port, PASSKEY);
    try {
      await client.join(session);
    } catch (error) {
      await session.close();
      throw error;
    }
    return member;
  }

  /** The chat lines seen so far (live and replayed), in order. */
  messages(): MessageEvent[] {
    return this.events.filter((event): event is MessageEvent => event.type === "message");
  }

  /** Waits until `condition` holds (see {@linkcode until}), showing this member's events on failure. */
  until(condition: () => boolean, what: string, timeoutMs: number = WAIT_MS): Promise<void> {
    return until(
      condition,
      `${this.client.name}: ${what}`,
      timeoutMs,
      () => this.events.slice(-10).map((event) => JSON.stringify(event)).join("\n"),
    );
  }

  /** Quits after everything sent was acknowledged (bounded by `graceMs`). */
  async leave(graceMs = 5_000): Promise<void> {
    await this.client.quit(graceMs);
  }
}
