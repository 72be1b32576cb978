/**
 * Test helper: a {@linkcode Room} with {@linkcode RoomClient}s joined over in-memory sessions,
 * recording what each person is shown.
 *
 * @module
 */

import { memorySessionPair } from "../../lib/session/memory_session.ts";
import type { Envelope, Message } from "../../lib/session/message.ts";
import type { Session } from "../../lib/session/session.ts";
import { FileStore } from "../../lib/room/file_store.ts";
import { Room, type RoomEvent, type RoomOptions } from "../../lib/room/room.ts";
import {
  type AcceptMode,
  type ClientEvent,
  RefusedError,
  RoomClient,
} from "../../lib/room/room_client.ts";

/** Why the room refused a join: `promise` must reject with a {@linkcode RefusedError}. */
export async function refusal(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof RefusedError) return error.message;
    throw new Error(`the join failed otherwise: ${error}`);
  }
  throw new Error("the join should have been refused");
}

/** Collects items and lets a test wait for one that matches. */
export class Recorder<T> {
  readonly items: T[] = [];
  #waiters: (() => void)[] = [];

  /** Records `item` and wakes waiters. */
  push(item: T): void {
    this.items.push(item);
    for (const wake of this.#waiters.splice(0)) wake();
  }

  /**
   * Resolves with the first recorded item (from `from` on) that matches. Never times out:
   * with memory sessions a missing item leaves nothing pending, and Deno reports the test.
   */
  async waitFor<U extends T>(match: (item: T) => item is U, from?: number): Promise<U>;
  async waitFor(match: (item: T) => boolean, from?: number): Promise<T>;
  async waitFor(match: (item: T) => boolean, from = 0): Promise<T> {
    while (true) {
      const found = this.items.slice(from).find(match);
      if (found !== undefined) return found;
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
  }
}

/** One person in the room, through a real {@linkcode RoomClient}. */
export interface Person {
  client: RoomClient;
  events: Recorder<ClientEvent>;
  /** The receive folder. */
  dir: string;
  /** Resolves when the room has handled everything this person sent so far. */
  sync(): Promise<void>;
  /** Events of one type, in order. */
  seen<T extends ClientEvent["type"]>(type: T): Extract<ClientEvent, { type: T }>[];
}

/** A member driven by hand, to send what a real client would not. */
export interface RawMember {
  session: Session;
  received: Recorder<Envelope>;
  post(message: Message, body?: Uint8Array): void;
}

/** A room in memory, with temporary receive folders removed by {@linkcode close}. */
export class InMemoryRoom {
  readonly room: Room;
  readonly roomEvents: Recorder<RoomEvent> = new Recorder();
  #admitted: Promise<void>[] = [];
  #people: Person[] = [];
  #dirs: string[] = [];

  constructor(options: Omit<RoomOptions, "onEvent">) {
    this.room = new Room({ ...options, onEvent: (event) => this.roomEvents.push(event) });
  }

  /**
   * Joins `name` through a RoomClient (taking offered files as `accept` says, waiting
   * `offerAnswerMs` for answers to its offers); rejects like `RoomClient.join` when refused.
   */
  async join(
    name: string,
    remote = "192.168.1.7:50483",
    accept?: AcceptMode,
    offerAnswerMs?: number,
  ): Promise<Person> {
    const dir = await Deno.makeTempDir({ prefix: "p2pchat_room_" });
    this.#dirs.push(dir);
    const ownSide = this.connect(remote);
    const client = new RoomClient({ name, files: new FileStore(dir), accept, offerAnswerMs });
    const events = new Recorder<ClientEvent>();
    client.subscribe((event) => events.push(event));
    await client.join(ownSide);
    const person: Person = {
      client,
      events,
      dir,
      async sync() {
        // The room answers `who` in order, after everything sent before it.
        const from = events.items.length;
        client.who();
        await events.waitFor((event) => event.type === "members", from);
      },
      seen: <T extends ClientEvent["type"]>(type: T) =>
        events.items.filter((event): event is Extract<ClientEvent, { type: T }> =>
          event.type === type
        ),
    };
    this.#people.push(person);
    return person;
  }

  /** A new connection to the room (not joined yet): the client's side of it. */
  connect(remote = "192.168.1.7:50483"): Session {
    const [hostSide, ownSide] = memorySessionPair(remote);
    this.#admitted.push(this.room.admit(hostSide));
    return ownSide;
  }

  /** Joins a member driven by hand, after sending `hello` for it. */
  raw(hello: Extract<Message, { t: "hello" }>, remote = "10.0.0.66:4444"): RawMember {
    const ownSide = this.connect(remote);
    const received = new Recorder<Envelope>();
    (async () => {
      for await (const envelope of ownSide.incoming) received.push(envelope);
    })();
    ownSide.post(hello);
    return {
      session: ownSide,
      received,
      post: (message, body) => ownSide.post(message, body),
    };
  }

  /** Closes the room, waits for every member to be done, and removes the folders. */
  async close(): Promise<void> {
    await this.room.close();
    await Promise.all(this.#admitted);
    await Promise.all(this.#people.map((person) => person.client.ended()));
    for (const dir of this.#dirs) await Deno.remove(dir, { recursive: true });
  }
}
