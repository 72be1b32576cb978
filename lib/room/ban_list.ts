/**
 * Who may not join a hub (its bans), or may not speak in it (its mutes): each entry holds the
 * member's name, the id of its client program and its address, and an end time (or none, until
 * lifted). A join is refused when any of the three matches: a new name does not dodge a ban on
 * the client, and a new client (the `connect` program started again) does not dodge a ban on
 * the address. Names match as the room's names do (look-alikes too: `aIice` for `alice`);
 * addresses exactly (an IPv4 address written as IPv6 is the IPv4 address). Not by IPv6 /64, as
 * the handshake limits count guessers: on a LAN every device shares one /64, so such a ban
 * would shut out everyone; a member may dodge it with a new privacy address, not its client
 * nor its name. A loopback address (someone on the hub's own computer) is never banned, as the
 * per-address limits exempt it; nor can anything tell people apart behind one address (NAT, a
 * proxy): a ban holds all of them. Bounded ({@linkcode MAX_BANS}); expired entries go when next
 * looked at. Every look-up is O(1): a hub admits thousands of members.
 *
 * @example
 * ```ts
 * import { BanList } from "./ban_list.ts";
 * const bans = new BanList();
 * bans.add({ name: "bob", client: "c7", address: "10.0.0.5", by: "host", byHost: true });
 * console.log(bans.match({ name: "robert", client: "c8", address: "10.0.0.5" })?.name); // "bob"
 * console.log(bans.match({ name: "B0B", client: "c9" })?.name); // "bob"
 * console.log(bans.match({ name: "carol", client: "c9", address: "10.0.0.6" })); // undefined
 * ```
 * @module
 */

import { addressGroup, isLoopback } from "../session/address_group.ts";
import { nameKey, skeleton } from "./member_name.ts";

/** Most bans (or mutes) a list holds: past it, new ones are refused until some are lifted. */
export const MAX_BANS = 10_000;

/** One ban (or mute). */
export interface Ban {
  /** Its number in the list. */
  id: number;
  /** The member's name when it was banned. */
  name: string;
  /** The id of the member's client program: a secret, never shown. */
  client?: string;
  /** The member's address (see {@linkcode banAddress}); never a loopback address. */
  address?: string;
  reason?: string;
  /** Who banned: an operator's name, or `host`. */
  by: string;
  /** Whether the host did it (an operator may not lift it). */
  byHost: boolean;
  /** When (ms since the epoch). */
  since: number;
  /** When it ends (ms); absent: until lifted. */
  until?: number;
}

/** A ban as it is added: the list numbers and dates it. */
export type NewBan = Omit<Ban, "id" | "since"> & { since?: number };

/** Where bans are kept between runs (a hub's database); a list in memory needs none. */
export interface BanStore {
  /** The bans kept, at most `limit` of them. */
  load(limit: number): Ban[];
  /** Keeps `ban` and returns its number. */
  insert(ban: Omit<Ban, "id">): number;
  /** Forgets the bans numbered `ids`. */
  remove(ids: number[]): void;
}

/** Who wants in (or wants to speak). */
export interface Suspect {
  name: string;
  client?: string;
  /** Address, from {@linkcode banAddress}. */
  address?: string;
}

/** Options of {@linkcode BanList}. */
export interface BanListOptions {
  /** Where the bans are kept; none: in memory only. */
  store?: BanStore;
  /** Most bans. Default {@linkcode MAX_BANS}. */
  max?: number;
  /** The clock (ms), for tests. */
  now?: () => number;
}

/**
 * What a ban may hold of a connection's address (`host:port` or `[v6]:port`): the address,
 * lower-cased, without a zone, an IPv4 one written as IPv6 as IPv4; `undefined` for loopback
 * and anything that is not an address.
 *
 * @example
 * ```ts
 * import { banAddress } from "./ban_list.ts";
 * console.log(banAddress("192.168.1.7:50483")); // "192.168.1.7"
 * console.log(banAddress("[2001:DB8::5]:5050")); // "2001:db8::5"
 * console.log(banAddress("[::ffff:10.0.0.5]:77")); // "10.0.0.5"
 * console.log(banAddress("127.0.0.1:50483"), banAddress("this computer")); // undefined undefined
 * ```
 */
export function banAddress(remote: string): string | undefined {
  const match = remote.match(/^\[([0-9A-Fa-f:.%\w]+)\]:\d+$/) ?? remote.match(/^([\d.]+):\d+$/);
  if (!match || isLoopback(match[1])) return undefined;
  const address = match[1].toLowerCase().replace(/%.*$/, "");
  // addressGroup gives an IPv4 address (mapped or not) as itself; an IPv6 one by its /64.
  const group = addressGroup(address);
  return group.includes(":") ? address : group;
}

/** A map from key to the bans under it. */
class Index {
  #map: Map<string, Set<Ban>> = new Map();

  add(key: string | undefined, ban: Ban): void {
    if (key === undefined) return;
    let set = this.#map.get(key);
    if (!set) this.#map.set(key, set = new Set());
    set.add(ban);
  }

  delete(key: string | undefined, ban: Ban): void {
    if (key === undefined) return;
    const set = this.#map.get(key);
    set?.delete(ban);
    if (set?.size === 0) this.#map.delete(key);
  }

  get(key: string | undefined): Iterable<Ban> {
    return (key === undefined ? undefined : this.#map.get(key)) ?? [];
  }
}

/**
 * A hub's bans, or its mutes.
 *
 * @example
 * ```ts
 * import { BanList } from "./ban_list.ts";
 * const mutes = new BanList();
 * mutes.add({ name: "eve", client: "c5", by: "alice", byHost: false, until: Date.now() + 60_000 });
 * console.log(mutes.match({ name: "eve2", client: "c5" })?.by); // "alice"
 * ```
 */
export class BanList {
  #byId: Map<number, Ban> = new Map();
  #byName = new Index();
  #byClient = new Index();
  #byAddress = new Index();
  #store: BanStore | undefined;
  #max: number;
  #now: () => number;
  #nextId = 1;

  /** Creates the list with the bans its store kept (those still running). */
  constructor(options: BanListOptions = {}) {
    this.#store = options.store;
    this.#max = options.max ?? MAX_BANS;
    this.#now = options.now ?? Date.now;
    for (const ban of this.#store?.load(this.#max) ?? []) {
      this.#enter(ban);
      this.#nextId = Math.max(this.#nextId, ban.id + 1);
    }
    this.#expire();
  }

  /** Bans in force now. */
  get size(): number {
    this.#expire();
    return this.#byId.size;
  }

  /**
   * Adds a ban, in place of those on the same name (a second `/ban bob` changes bob's ban).
   * Returns it, and `kept: false` when its store failed (it holds until the hub stops);
   * `undefined` when the list is full.
   */
  add(ban: NewBan): { ban: Ban; kept: boolean } | undefined {
    this.removeName(ban.name);
    this.#expire();
    if (this.#byId.size >= this.#max) return undefined;
    const dated = { ...ban, since: ban.since ?? this.#now() };
    let kept = true;
    let id: number;
    try {
      id = this.#store ? this.#store.insert(dated) : this.#nextId;
    } catch {
      kept = false;
      id = this.#nextId;
    }
    // A store's numbers and ours never meet: ours go on from the highest seen.
    if (this.#byId.has(id)) id = this.#nextId;
    this.#nextId = Math.max(this.#nextId, id + 1);
    const entry: Ban = { ...dated, id };
    this.#enter(entry);
    return { ban: entry, kept };
  }

  /** The ban in force on `who` (its name, client or address), if any. */
  match(who: Suspect): Ban | undefined {
    // The usual case, looked at for every line a member says (mutes): nothing to look up.
    if (this.#byId.size === 0) return undefined;
    const now = this.#now();
    return this.#inForce(this.#byClient.get(who.client), now) ??
      this.#inForce(this.#byName.get(skeleton(who.name)), now) ??
      this.#inForce(this.#byAddress.get(who.address), now);
  }

  /** The first of `bans` in force at `now`; those whose time is up are lifted on the way. */
  #inForce(bans: Iterable<Ban>, now: number): Ban | undefined {
    let over: Ban[] | undefined;
    let found: Ban | undefined;
    for (const ban of bans) {
      if (ban.until === undefined || ban.until > now) {
        found = ban;
        break;
      }
      (over ??= []).push(ban);
    }
    if (over) this.#lift(over);
    return found;
  }

  /** Lifts the bans on exactly `name` (ignoring case; not a look-alike); returns them. */
  removeName(name: string): Ban[] {
    const key = nameKey(name);
    const lifted = [...this.#byName.get(skeleton(name))].filter((ban) => nameKey(ban.name) === key);
    this.#lift(lifted);
    return lifted;
  }

  /** The bans on exactly `name` (ignoring case), in force now. */
  onName(name: string): Ban[] {
    this.#expire();
    const key = nameKey(name);
    return [...this.#byName.get(skeleton(name))].filter((ban) => nameKey(ban.name) === key);
  }

  /** Lifts the bans on the client `client`; returns them. */
  removeClient(client: string): Ban[] {
    const lifted = [...this.#byClient.get(client)];
    this.#lift(lifted);
    return lifted;
  }

  /** Every ban in force, oldest first. */
  list(): Ban[] {
    this.#expire();
    return [...this.#byId.values()];
  }

  #enter(ban: Ban): void {
    this.#byId.set(ban.id, ban);
    this.#byName.add(skeleton(ban.name), ban);
    this.#byClient.add(ban.client, ban);
    this.#byAddress.add(ban.address, ban);
  }

  #lift(bans: Ban[]): void {
    if (bans.length === 0) return;
    for (const ban of bans) {
      this.#byId.delete(ban.id);
      this.#byName.delete(skeleton(ban.name), ban);
      this.#byClient.delete(ban.client, ban);
      this.#byAddress.delete(ban.address, ban);
    }
    try {
      this.#store?.remove(bans.map((ban) => ban.id));
    } catch { /* lifted while the hub runs; a failing disk may bring it back at a restart */ }
  }

  /** Lifts the bans whose time is up. */
  #expire(): void {
    const now = this.#now();
    const over = [...this.#byId.values()].filter((ban) =>
      ban.until !== undefined && ban.until <= now
    );
    this.#lift(over);
  }
}
