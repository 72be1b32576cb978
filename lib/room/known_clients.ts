/**
 * The clients a room has seen, by their secret client id, and where each one's replays may
 * start: a member that comes back (a dropped connection, a restarted hub) is replayed what it
 * missed from its own `lastSeq`, but only a client the room knows; a stranger that claims an
 * old `lastSeq` gets the last `--history` lines like any newcomer. The memory is bounded.
 *
 * @example
 * ```ts
 * import { MemoryKnownClients } from "./known_clients.ts";
 * const clients = new MemoryKnownClients();
 * console.log(clients.replayFloor("c1")); // undefined: never seen
 * clients.joined("c1", 40);
 * clients.joined("c1", 90); // the first floor stays
 * console.log(clients.replayFloor("c1")); // 40
 * ```
 * @module
 */

/**
 * What a room remembers of the clients it has seen. Best effort: the methods never throw (a
 * storage that fails forgets, and the client is taken for a newcomer).
 */
export interface KnownClients {
  /**
   * The number after which lines were first offered to `client` (its first join's replay
   * started there): it may be replayed nothing older. `undefined` for a client never seen
   * (or forgotten).
   */
  replayFloor(client: string): number | undefined;
  /** Notes that `client` joined; `floor` is kept only the first time. */
  joined(client: string, floor: number): void;
  /** Notes that `client` left: it was here until now. */
  left(client: string): void;
}

/** Client ids a {@linkcode MemoryKnownClients} keeps by default. */
const DEFAULT_CAPACITY = 10_000;

/** Known clients in memory (direct chats, tests): the most recently seen `capacity` of them. */
export class MemoryKnownClients implements KnownClients {
  #floors: Map<string, number> = new Map();
  #capacity: number;

  /** Keeps at most `capacity` clients, forgetting the one seen longest ago first. */
  constructor(capacity: number = DEFAULT_CAPACITY) {
    this.#capacity = Math.max(capacity, 1);
  }

  /** See {@linkcode KnownClients.replayFloor}. */
  replayFloor(client: string): number | undefined {
    return this.#floors.get(client);
  }

  /** See {@linkcode KnownClients.joined}. */
  joined(client: string, floor: number): void {
    const known = this.#floors.get(client);
    // Map keeps insertion order: re-inserting makes this the most recently seen.
    this.#floors.delete(client);
    this.#floors.set(client, known ?? floor);
    if (this.#floors.size > this.#capacity) {
      this.#floors.delete(this.#floors.keys().next().value!);
    }
  }

  /** See {@linkcode KnownClients.left}. */
  left(client: string): void {
    const known = this.#floors.get(client);
    if (known !== undefined) this.joined(client, known);
  }
}
