/**
 * A hub's {@linkcode KnownClients} in its SQLite database, beside the history: a hub restart
 * does not cut a returning member's replay down to `--history`. Bounded: a client unseen for
 * `maxAgeMs` (default 30 days) is forgotten, and past `maxClients` (default 100,000) those
 * seen longest ago go first.
 *
 * @example
 * ```ts
 * import { DatabaseSync } from "node:sqlite";
 * import { SqliteKnownClients } from "./sqlite_known_clients.ts";
 * const db = new DatabaseSync(":memory:");
 * const clients = new SqliteKnownClients(db);
 * clients.joined("c1", 40);
 * console.log(clients.replayFloor("c1")); // 40
 * db.close();
 * ```
 * @module
 */

import type { DatabaseSync, StatementSync } from "node:sqlite";
import type { KnownClients } from "./known_clients.ts";

/** Options of {@linkcode SqliteKnownClients}. */
export interface SqliteKnownClientsOptions {
  /** A client unseen this long is forgotten. Default 30 days. */
  maxAgeMs?: number;
  /** Most clients kept. Default 100,000. */
  maxClients?: number;
  /** The clock, for tests. */
  now?: () => number;
}

/** Joins between two prunings of the table. */
const PRUNE_EVERY = 1_000;

/** Known clients kept in a SQLite database. */
export class SqliteKnownClients implements KnownClients {
  #floor: StatementSync;
  #joined: StatementSync;
  #left: StatementSync;
  #expire: StatementSync;
  #trim: StatementSync;
  #maxAgeMs: number;
  #maxClients: number;
  #now: () => number;
  #sincePrune = 0;

  /** Uses (and if needed creates) the `clients` table of `db`, and prunes it. */
  constructor(db: DatabaseSync, options: SqliteKnownClientsOptions = {}) {
    this.#maxAgeMs = options.maxAgeMs ?? 30 * 24 * 3600 * 1000;
    this.#maxClients = options.maxClients ?? 100_000;
    this.#now = options.now ?? Date.now;
    db.exec(`CREATE TABLE IF NOT EXISTS clients (
      client TEXT PRIMARY KEY,
      floor INTEGER NOT NULL,
      seen INTEGER NOT NULL
    )`);
    db.exec("CREATE INDEX IF NOT EXISTS clients_seen ON clients (seen)");
    this.#floor = db.prepare("SELECT floor FROM clients WHERE client = ?");
    this.#joined = db.prepare(
      "INSERT INTO clients (client, floor, seen) VALUES (?, ?, ?) " +
        "ON CONFLICT (client) DO UPDATE SET seen = excluded.seen",
    );
    this.#left = db.prepare("UPDATE clients SET seen = ? WHERE client = ?");
    this.#expire = db.prepare("DELETE FROM clients WHERE seen < ?");
    this.#trim = db.prepare(
      "DELETE FROM clients WHERE client IN " +
        "(SELECT client FROM clients ORDER BY seen DESC LIMIT -1 OFFSET ?)",
    );
    this.#prune();
  }

  /** See {@linkcode KnownClients.replayFloor}; `undefined` when the database fails. */
  replayFloor(client: string): number | undefined {
    try {
      const row = this.#floor.get(client) as { floor: number } | undefined;
      return row?.floor;
    } catch {
      return undefined;
    }
  }

  /** See {@linkcode KnownClients.joined}; a failing database (a full disk) forgets it. */
  joined(client: string, floor: number): void {
    try {
      this.#joined.run(client, floor, this.#now());
      if (++this.#sincePrune >= PRUNE_EVERY) this.#prune();
    } catch { /* taken for a newcomer next time: less replayed, nothing lost */ }
  }

  /** See {@linkcode KnownClients.left}; a failing database forgets it. */
  left(client: string): void {
    try {
      this.#left.run(this.#now(), client);
    } catch { /* its join is remembered */ }
  }

  #prune(): void {
    this.#sincePrune = 0;
    this.#expire.run(this.#now() - this.#maxAgeMs);
    this.#trim.run(this.#maxClients);
  }
}
