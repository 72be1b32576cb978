/**
 * A hub's bans in its SQLite database (`bans`, beside the history in `--data`), so they hold
 * after a restart, even a killed hub's. Rows that do not look like bans (a damaged or edited
 * database) are skipped, not trusted.
 *
 * @example
 * ```ts
 * import { DatabaseSync } from "node:sqlite";
 * import { BanList } from "./ban_list.ts";
 * import { SqliteBanStore } from "./sqlite_ban_store.ts";
 * const db = new DatabaseSync(":memory:");
 * new BanList({ store: new SqliteBanStore(db) }).add({ name: "bob", by: "host", byHost: true });
 * console.log(new BanList({ store: new SqliteBanStore(db) }).list()[0].name); // "bob"
 * db.close();
 * ```
 * @module
 */

import type { DatabaseSync, StatementSync } from "node:sqlite";
import type { Ban, BanStore } from "./ban_list.ts";

interface Row {
  id: unknown;
  name: unknown;
  client: unknown;
  address: unknown;
  reason: unknown;
  by_name: unknown;
  by_host: unknown;
  since: unknown;
  until: unknown;
}

/** Options of {@linkcode SqliteBanStore}. */
export interface SqliteBanStoreOptions {
  /**
   * Ends whatever transaction is open on the database before a ban is written (a hub's history
   * commits its lines in groups): the ban is then written on its own and is on disk at once,
   * and a failure of those lines cannot take it back.
   */
  settle?: () => void;
}

/**
 * Bans kept in a SQLite database.
 *
 * @example
 * ```ts
 * import { DatabaseSync } from "node:sqlite";
 * import { SqliteBanStore } from "./sqlite_ban_store.ts";
 * const store = new SqliteBanStore(new DatabaseSync(":memory:"));
 * const id = store.insert({ name: "bob", by: "host", byHost: true, since: Date.now() });
 * store.remove([id]);
 * ```
 */
export class SqliteBanStore implements BanStore {
  #db: DatabaseSync;
  #insert: StatementSync;
  #remove: StatementSync;
  #settle: () => void;

  /** Uses (and if needed creates) the `bans` table of `db`. */
  constructor(db: DatabaseSync, options: SqliteBanStoreOptions = {}) {
    this.#db = db;
    this.#settle = options.settle ?? (() => {});
    db.exec(`CREATE TABLE IF NOT EXISTS bans (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      name TEXT NOT NULL,
      client TEXT,
      address TEXT,
      reason TEXT,
      by_name TEXT NOT NULL,
      by_host INTEGER NOT NULL,
      since INTEGER NOT NULL,
      until INTEGER
    )`);
    this.#insert = db.prepare(
      "INSERT INTO bans (name, client, address, reason, by_name, by_host, since, until) " +
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
    );
    this.#remove = db.prepare("DELETE FROM bans WHERE id = ?");
  }

  /** See {@linkcode BanStore.load}: the newest `limit` bans. */
  load(limit: number): Ban[] {
    const rows = this.#db.prepare("SELECT * FROM bans ORDER BY id DESC LIMIT ?").all(limit);
    return (rows as unknown as Row[]).flatMap((row) => {
      const ban = banOf(row);
      return ban ? [ban] : [];
    }).reverse();
  }

  /** See {@linkcode BanStore.insert}. */
  insert(ban: Omit<Ban, "id">): number {
    this.#settle();
    const row = this.#insert.get(
      ban.name,
      ban.client ?? null,
      ban.address ?? null,
      ban.reason ?? null,
      ban.by,
      ban.byHost ? 1 : 0,
      ban.since,
      ban.until ?? null,
    ) as { id: number };
    return row.id;
  }

  /** See {@linkcode BanStore.remove}. */
  remove(ids: number[]): void {
    this.#settle();
    for (const id of ids) this.#remove.run(id);
  }
}

const text = (v: unknown, max: number) => typeof v === "string" && v.length <= max;
const time = (v: unknown) => Number.isSafeInteger(v) && (v as number) >= 0;

/** `row` as a ban, or `undefined` when it is not one. */
function banOf(row: Row): Ban | undefined {
  if (
    !time(row.id) || !text(row.name, 64) || !text(row.by_name, 64) || !time(row.since) ||
    !(row.client === null || text(row.client, 64)) ||
    !(row.address === null || text(row.address, 64)) ||
    !(row.reason === null || text(row.reason, 1024)) ||
    !(row.until === null || time(row.until)) || !(row.by_host === 0 || row.by_host === 1)
  ) return undefined;
  return {
    id: row.id as number,
    name: row.name as string,
    ...(row.client !== null ? { client: row.client as string } : {}),
    ...(row.address !== null ? { address: row.address as string } : {}),
    ...(row.reason !== null ? { reason: row.reason as string } : {}),
    by: row.by_name as string,
    byHost: row.by_host === 1,
    since: row.since as number,
    ...(row.until !== null ? { until: row.until as number } : {}),
  };
}
