/**
 * Moderation orders: what the host and its operators may do to members (kick, ban, mute, op,
 * topic), who may give which, and how they are typed (`/ban NAME [DURATION] [REASON]`). Shared
 * by the host's console and the members' slash commands; the room checks and carries them out.
 *
 * Who may do what: the host everything; an operator (made with `/op`) kicks, bans, unbans,
 * mutes, unmutes and sets the topic, but not to the host nor to another operator, and may not
 * lift a ban or mute the host made, nor make or unmake operators; a member none of it.
 *
 * @example
 * ```ts
 * import { orderDenied, parseOrder } from "./moderation.ts";
 * console.log(parseOrder("ban", "bob 2h flooding the room"));
 * // { action: "ban", name: "bob", seconds: 7200, reason: "flooding the room" }
 * console.log(orderDenied("kick", "member")); // "Only operators may kick: ask the host."
 * ```
 * @module
 */

import { looksLikeDuration, parseDuration, untilText } from "./duration.ts";
import { skeleton } from "./member_name.ts";

/** The name the host speaks and acts under; no member may take it (nor one like it). */
export const HOST_NAME = "host";

/**
 * Names no member may take, nor any that looks like them: `host` (the host's lines and
 * orders) and `System` (a terminal shows the room's own notices as `[System] ...`).
 */
const RESERVED: ReadonlySet<string> = new Set([HOST_NAME, "system"].map(skeleton));

/**
 * Whether `name` is kept for the hub itself.
 *
 * @example
 * ```ts
 * import { isReservedName } from "./moderation.ts";
 * console.log(isReservedName("H0ST"), isReservedName("System"), isReservedName("hosta")); // true true false
 * ```
 */
export function isReservedName(name: string): boolean {
  return RESERVED.has(skeleton(name));
}

/** What someone is in a room: a member, an operator, or the host. */
export type Role = "member" | "op" | "host";

/** An order about a member (or the topic). */
export type Order =
  | { action: "kick"; name: string; reason?: string }
  | { action: "ban"; name: string; seconds?: number; reason?: string }
  | { action: "unban"; name: string }
  | { action: "mute"; name: string; seconds?: number; reason?: string }
  | { action: "unmute"; name: string }
  | { action: "op"; name: string }
  | { action: "deop"; name: string }
  /** `""` clears the topic. */
  | { action: "topic"; text: string };

/** The kind of an order. */
export type OrderAction = Order["action"];

/** How each order is typed. */
export const ORDER_USAGE: { readonly [A in OrderAction]: string } = {
  kick: "/kick NAME [REASON]",
  ban: "/ban NAME [DURATION] [REASON]",
  unban: "/unban NAME",
  mute: "/mute NAME [DURATION] [REASON]",
  unmute: "/unmute NAME",
  op: "/op NAME",
  deop: "/deop NAME",
  topic: "/topic TEXT",
};

/** Who may give each order. */
const MAY: { readonly [A in OrderAction]: "op" | "host" } = {
  kick: "op",
  ban: "op",
  unban: "op",
  mute: "op",
  unmute: "op",
  topic: "op",
  op: "host",
  deop: "host",
};

const VERB: { readonly [A in OrderAction]: string } = {
  kick: "kick",
  ban: "ban",
  unban: "unban",
  mute: "mute",
  unmute: "unmute",
  topic: "set the topic",
  op: "make operators",
  deop: "unmake operators",
};

/**
 * Whether someone of `role` may give orders of kind `action`; `undefined` when allowed, else
 * why not.
 *
 * @example
 * ```ts
 * import { orderDenied } from "./moderation.ts";
 * console.log(orderDenied("op", "op")); // "Only the host may make operators."
 * console.log(orderDenied("mute", "op")); // undefined
 * ```
 */
export function orderDenied(action: OrderAction, role: Role): string | undefined {
  if (role === "host" || (role === "op" && MAY[action] === "op")) return undefined;
  return MAY[action] === "host"
    ? `Only the host may ${VERB[action]}.`
    : `Only operators may ${VERB[action]}: ask the host.`;
}

/**
 * The order typed as `/ACTION ARGS`, or what is wrong with it. A word after the name that
 * starts with a digit is the duration (of a ban or mute) and must be a good one.
 *
 * @example
 * ```ts
 * import { parseOrder } from "./moderation.ts";
 * console.log(parseOrder("kick", "bob stop it")); // { action: "kick", name: "bob", reason: "stop it" }
 * console.log(parseOrder("mute", "bob 1.5h")); // { error: "Not a duration: 1.5h (...)." }
 * ```
 */
export function parseOrder(action: OrderAction, args: string): Order | { error: string } {
  const usage = { error: `Usage: ${ORDER_USAGE[action]}` };
  const text = args.trim();
  if (action === "topic") return text === "" ? usage : { action, text };
  const [, name, rest = ""] = text.match(/^(\S+)\s*(.*)$/s) ?? [];
  if (name === undefined) return usage;
  switch (action) {
    case "kick":
      return { action, name, ...(rest !== "" ? { reason: rest } : {}) };
    case "ban":
    case "mute": {
      const [, first, after = ""] = rest.match(/^(\S+)\s*(.*)$/s) ?? [];
      if (first !== undefined && looksLikeDuration(first)) {
        const duration = parseDuration(first);
        if ("error" in duration) return duration;
        return {
          action,
          name,
          seconds: duration.seconds,
          ...(after !== "" ? { reason: after } : {}),
        };
      }
      return { action, name, ...(rest !== "" ? { reason: rest } : {}) };
    }
    default:
      return rest === "" ? { action, name } : usage;
  }
}

/**
 * What a member put out of the room is told (its goodbye): `You were kicked by the host
 * (REASON).`, `You were banned by alice until ... (REASON).`.
 *
 * @example
 * ```ts
 * import { expelledText } from "./moderation.ts";
 * console.log(expelledText({ banned: false, by: "host", host: true, reason: "flooding" }));
 * // "You were kicked by the host (flooding)."
 * ```
 */
export function expelledText(
  how: { banned: boolean; by: string; host: boolean; reason?: string; until?: number },
  now: number = Date.now(),
): string {
  const by = how.host && how.by === HOST_NAME ? "the host" : how.by;
  const span = !how.banned
    ? ""
    : how.until === undefined
    ? " until unbanned"
    : ` until ${untilText(how.until, now)}`;
  const reason = how.reason ? ` (${how.reason})` : "";
  return `You were ${how.banned ? "banned" : "kicked"} by ${by}${span}${reason}.`;
}
