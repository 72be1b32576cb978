/**
 * Who holds which name in a room: the members present, and the names of members whose
 * connection dropped, kept for their own client for a while so nobody else can take them
 * before they are back. Names are compared by {@linkcode skeleton}, so a name that looks
 * like one held (`aIice` beside `alice`) is refused too. Every operation is O(1): a hub
 * holds 10,000 members.
 *
 * @example
 * ```ts
 * import { NameRegistry } from "./name_registry.ts";
 * const names = new NameRegistry<{ name: string; client: string }>();
 * const alice = { name: "alice", client: "c1" };
 * names.add(alice);
 * names.remove(alice, true); // her connection dropped
 * console.log(names.clash("aIice", "c2")?.kind); // "kept"
 * console.log(names.clash("alice", "c1")); // undefined: her own client gets it back
 * ```
 * @module
 */

import { nameKey, skeleton } from "./member_name.ts";

/** How long a dropped member's name stays kept for its client: time enough to reconnect. */
export const NAME_GRACE_MS = 2 * 60_000;

/**
 * Most names kept at once; past it the oldest is let go. Filling it within the grace period
 * takes more joins a second than a hub's handshakes allow, and it bounds what churn can cost.
 */
export const MAX_KEPT_NAMES = 50_000;

/** What a registry needs of a member. */
export interface Named {
  /** The member's current name. */
  readonly name: string;
  /** The id of its client program, the same across reconnects. */
  readonly client: string;
}

/** Why a name cannot be had, and whose name is in the way. */
export type NameClash =
  /** A member here has this name (ignoring case). */
  | { kind: "taken"; holder: string }
  /** A member here has a name that looks the same. */
  | { kind: "similar"; holder: string }
  /** A member whose connection dropped holds it (or one like it) for `seconds` more. */
  | { kind: "kept"; holder: string; seconds: number };

/** Options of {@linkcode NameRegistry}. */
export interface NameRegistryOptions {
  /** How long a dropped member's name is kept. Default {@linkcode NAME_GRACE_MS}; 0: never. */
  graceMs?: number;
  /** Most names kept at once. Default {@linkcode MAX_KEPT_NAMES}. */
  maxKept?: number;
  /** The clock (ms), for tests. */
  now?: () => number;
}

interface Kept {
  key: string;
  name: string;
  client: string;
  until: number;
}

/**
 * The names of a room's members, present and recently dropped.
 *
 * @example
 * ```ts
 * import { NameRegistry } from "./name_registry.ts";
 * const names = new NameRegistry<{ name: string; client: string }>({ graceMs: 60_000 });
 * names.add({ name: "bob", client: "c7" });
 * console.log(names.clash("B0B", "c8")); // { kind: "similar", holder: "bob" }
 * ```
 */
export class NameRegistry<M extends Named> {
  #present: Map<string, M> = new Map();
  /** By skeleton, in the order kept: with one grace period for all, oldest first. */
  #kept: Map<string, Kept> = new Map();
  #keptByClient: Map<string, Kept> = new Map();
  #graceMs: number;
  #maxKept: number;
  #now: () => number;

  /** Creates an empty registry. */
  constructor(options: NameRegistryOptions = {}) {
    this.#graceMs = options.graceMs ?? NAME_GRACE_MS;
    this.#maxKept = options.maxKept ?? MAX_KEPT_NAMES;
    this.#now = options.now ?? Date.now;
  }

  /** Names kept for members whose connection dropped, right now. */
  get kept(): number {
    this.#expire();
    return this.#kept.size;
  }

  /**
   * Why `client` cannot take `name`, or `undefined` when it can: nobody else holds it or
   * anything that looks like it. A client's own names never clash with it; a client without
   * an id (`undefined`) owns none.
   */
  clash(name: string, client: string | undefined): NameClash | undefined {
    const key = skeleton(name);
    const present = this.#present.get(key);
    if (present) {
      if (present.client === client) return undefined;
      return nameKey(present.name) === nameKey(name)
        ? { kind: "taken", holder: present.name }
        : { kind: "similar", holder: present.name };
    }
    this.#expire();
    const kept = this.#kept.get(key);
    if (!kept || kept.client === client) return undefined;
    return {
      kind: "kept",
      holder: kept.name,
      seconds: Math.ceil((kept.until - this.#now()) / 1000),
    };
  }

  /**
   * Enters `member` under its current name, in place of its own client's earlier connection
   * or kept name. Check {@linkcode clash} first.
   */
  add(member: M): void {
    const mine = this.#keptByClient.get(member.client);
    if (mine) this.#unkeep(mine);
    this.#present.set(skeleton(member.name), member);
  }

  /**
   * Takes `member` out under its current name; with `keep` (its connection dropped), the name
   * stays kept for its client for the grace period. A member that was replaced already (by
   * its own reconnect) changes nothing.
   */
  remove(member: M, keep: boolean): void {
    const key = skeleton(member.name);
    if (this.#present.get(key) !== member) return;
    this.#present.delete(key);
    if (!keep || this.#graceMs <= 0) return;
    this.#expire();
    const earlier = this.#keptByClient.get(member.client);
    if (earlier) this.#unkeep(earlier);
    const kept = {
      key,
      name: member.name,
      client: member.client,
      until: this.#now() + this.#graceMs,
    };
    this.#kept.set(key, kept);
    this.#keptByClient.set(member.client, kept);
    if (this.#kept.size > this.#maxKept) this.#unkeep(this.#kept.values().next().value!);
  }

  /** The member present with exactly `name`, ignoring case (not merely one like it). */
  find(name: string): M | undefined {
    const member = this.#present.get(skeleton(name));
    return member && nameKey(member.name) === nameKey(name) ? member : undefined;
  }

  /** Lets go of kept names whose time is up: the oldest come first. */
  #expire(): void {
    const now = this.#now();
    for (const kept of this.#kept.values()) {
      if (kept.until > now) return;
      this.#unkeep(kept);
    }
  }

  #unkeep(kept: Kept): void {
    if (this.#kept.get(kept.key) === kept) this.#kept.delete(kept.key);
    if (this.#keptByClient.get(kept.client) === kept) this.#keptByClient.delete(kept.client);
  }
}

/**
 * The sentence that tells a person why `name` was refused: when joining (`join`), with how to
 * pick another; for `/nick`, on its own.
 *
 * @example
 * ```ts
 * import { clashReason } from "./name_registry.ts";
 * clashReason("aIice", { kind: "similar", holder: "alice" }, "nick");
 * // "The name aIice is too similar to alice, who is in this chat."
 * ```
 */
export function clashReason(name: string, clash: NameClash, when: "join" | "nick"): string {
  const end = when === "join" ? "; choose another with --name." : ".";
  switch (clash.kind) {
    case "taken":
      return when === "join"
        ? `The name ${name} is taken in this chat${end}`
        : `The name ${name} is taken${end}`;
    case "similar":
      return `The name ${name} is too similar to ${clash.holder}, who is in this chat${end}`;
    case "kept": {
      const held = nameKey(name) === nameKey(clash.holder)
        ? `The name ${name} is kept`
        : `The name ${name} is too similar to ${clash.holder}, kept`;
      const why = `for its owner for another ${clash.seconds} s (their connection dropped)`;
      return `${held} ${why}${end}`;
    }
  }
}

/**
 * Whether a room's refusal of a join is about the name asked for (taken, too similar, kept,
 * not allowed): another name may get in, so a person can be asked for one.
 *
 * @example
 * ```ts
 * import { isNameRefusal } from "./name_registry.ts";
 * isNameRefusal("The name bob is taken in this chat; choose another with --name."); // true
 * isNameRefusal("The hub is full (3 members)."); // false
 * ```
 */
export function isNameRefusal(reason: string): boolean {
  return reason.startsWith("The name ");
}
