/**
 * The host's console of a hub: a line the host types (at `serve`'s prompt, or a line of its
 * stdin from a script) is a command run against the room. What the commands do to the room
 * (kicks, bans, the topic, the host's lines) is reported by the room as its own events, for
 * the hub's log; what the console answers (who is here, the bans, a refusal and why) comes
 * as a {@linkcode ConsoleEvent}. A line that is not a command is said to everyone as `host`,
 * as in the chat (`//` says a line that starts with `/`).
 *
 * @example
 * ```ts ignore
 * import { HostConsole } from "./host_console.ts";
 * const console = new HostConsole({ room: host.room, passkey, show: (event) => log(event) });
 * await console.run("/ban bob 2h flooding");
 * if (await console.run("/quit") === "stop") await host.close("The hub is stopping.");
 * ```
 * @module
 */

import { listPage } from "../room/list_page.ts";
import { HOST_NAME, ORDER_USAGE, type OrderAction, parseOrder } from "../room/moderation.ts";
import type { Room, RosterEntry } from "../room/room.ts";
import type { SharedFileInfo } from "../session/message.ts";

/** Bans on one page of `/bans`: a hub may hold thousands. */
const BANS_PAGE_ENTRIES = 100;

/** A ban as the host is shown it: the client id is a secret, so only whether it is held. */
export interface BanInfo {
  name: string;
  /** Whether the ban holds the member's client. */
  client: boolean;
  /** The address (group) it holds. */
  address?: string;
  reason?: string;
  by: string;
  /** ISO times it began and ends (absent: until unbanned). */
  since: string;
  until?: string;
}

/** What the console answers. */
export type ConsoleEvent =
  | { type: "help"; commands: { usage: string; help: string }[] }
  | { type: "who"; members: RosterEntry[]; page: number; pages: number; total: number }
  | { type: "bans"; bans: BanInfo[]; page: number; pages: number; total: number }
  | { type: "files"; files: SharedFileInfo[]; page: number; pages: number; total: number }
  | { type: "passkey"; passkey: string | null }
  /** The topic, when asked (absent: none). */
  | { type: "topic"; text?: string; by?: string }
  /** A command that could not be done, and why. */
  | { type: "error"; message: string };

/** What a command may ask of the caller: to stop the hub (as SIGINT does). */
export type ConsoleOutcome = "stop" | undefined;

/** Options of {@linkcode HostConsole}. */
export interface HostConsoleOptions {
  /** The hub's room. */
  room: Room;
  /** The hub's passkey (`null` in open mode), for `/passkey`. */
  passkey: string | null;
  /** Shows what the console answers. */
  show(event: ConsoleEvent): void;
}

/** One host command. */
interface HostCommand {
  usage: string;
  help: string;
  run(
    options: HostConsoleOptions,
    args: string,
  ): Promise<ConsoleOutcome | void> | ConsoleOutcome | void;
}

const error = (options: HostConsoleOptions, message: string) =>
  options.show({ type: "error", message });

/** A command that gives an order to the room (`/kick`, `/ban`, ...). */
function order(action: Exclude<OrderAction, "topic">, help: string): HostCommand {
  return {
    usage: ORDER_USAGE[action],
    help,
    run(options, args) {
      const parsed = parseOrder(action, args);
      if ("error" in parsed) return error(options, parsed.error);
      const refusal = options.room.moderate(parsed, "host");
      if (refusal) error(options, refusal);
    },
  };
}

/** The page a list command asks for (1 when none is given); `undefined` after a usage error. */
function page(options: HostConsoleOptions, args: string, usage: string): number | undefined {
  const text = args.trim();
  if (text === "") return 1;
  if (/^\d{1,9}$/.test(text) && Number(text) > 0) return Number(text);
  error(options, `Usage: ${usage}`);
  return undefined;
}

/**
 * Every host command, by name.
 *
 * @example
 * ```ts
 * import { HOST_COMMANDS } from "./host_console.ts";
 * console.log(HOST_COMMANDS.ban.usage); // "/ban NAME [DURATION] [REASON]"
 * ```
 */
export const HOST_COMMANDS: { readonly [name: string]: HostCommand } = {
  kick: order("kick", "put a member out, with a reason"),
  ban: order("ban", "keep out (name, client, address)"),
  unban: order("unban", "let a banned member back in"),
  mute: order("mute", "a member may read but not speak"),
  unmute: order("unmute", "let a muted member speak again"),
  op: order("op", "make an operator (kick, ban, mute)"),
  deop: order("deop", "an operator is a member again"),
  topic: {
    usage: "/topic [TEXT | --clear]",
    help: "show, set or clear the topic",
    run(options, args) {
      const text = args.trim();
      if (text === "") return options.show({ type: "topic", ...options.room.topic });
      const refusal = options.room.moderate(
        { action: "topic", text: text === "--clear" ? "" : text },
        "host",
      );
      if (refusal) error(options, refusal);
    },
  },
  say: {
    usage: "/say TEXT",
    help: `a line to everyone, as ${HOST_NAME}`,
    async run(options, args) {
      if (args.trim() === "") return error(options, `Usage: ${this.usage}`);
      const refusal = await options.room.say(args);
      if (refusal) error(options, refusal);
    },
  },
  who: {
    usage: "/who [PAGE]",
    help: "members: address, role, away, muted",
    run(options, args) {
      const at = page(options, args, this.usage);
      if (at !== undefined) options.show({ type: "who", ...options.room.roster(at) });
    },
  },
  bans: {
    usage: "/bans [PAGE]",
    help: "the bans in force, oldest first",
    run(options, args) {
      const at = page(options, args, this.usage);
      if (at === undefined) return;
      const all = options.room.bans();
      const shown = listPage(all.length, at, BANS_PAGE_ENTRIES);
      const bans = all.slice(shown.start, shown.end).map((ban): BanInfo => ({
        name: ban.name,
        client: ban.client !== undefined,
        ...(ban.address !== undefined ? { address: ban.address } : {}),
        ...(ban.reason !== undefined ? { reason: ban.reason } : {}),
        by: ban.by,
        since: new Date(ban.since).toISOString(),
        ...(ban.until !== undefined ? { until: new Date(ban.until).toISOString() } : {}),
      }));
      options.show({
        type: "bans",
        bans,
        page: shown.page,
        pages: shown.pages,
        total: shown.total,
      });
    },
  },
  files: {
    usage: "/files [PAGE]",
    help: "the shared files, newest first",
    run(options, args) {
      const at = page(options, args, this.usage);
      if (at === undefined) return;
      const list = options.room.fileList(at);
      if (!list) return error(options, "This room keeps no files.");
      options.show({ type: "files", ...list });
    },
  },
  rm: {
    usage: "/rm FILE",
    help: "remove a shared file for everyone",
    async run(options, args) {
      const text = args.trim();
      if (!/^\d{1,15}$/.test(text) || Number(text) === 0) {
        return error(options, `Usage: ${this.usage}`);
      }
      const refusal = await options.room.removeFile(Number(text));
      if (refusal) error(options, refusal);
    },
  },
  passkey: {
    usage: "/passkey",
    help: "show the passkey again",
    run: (options) => options.show({ type: "passkey", passkey: options.passkey }),
  },
  help: {
    usage: "/help",
    help: "this list",
    run(options) {
      options.show({
        type: "help",
        commands: Object.values(HOST_COMMANDS).map(({ usage, help }) => ({ usage, help })),
      });
    },
  },
  quit: {
    usage: "/quit",
    help: "stop the hub (members are told)",
    run: () => "stop",
  },
};

/** Other names for the same commands. */
const ALIASES: { readonly [alias: string]: string } = { names: "who", exit: "quit" };

/**
 * The host's console of one room.
 *
 * @example
 * ```ts ignore
 * import { HostConsole } from "./host_console.ts";
 * const hostConsole = new HostConsole({ room, passkey: null, show: (e) => console.log(e) });
 * await hostConsole.run("/who"); // { type: "who", members: [...], ... }
 * ```
 */
export class HostConsole {
  #options: HostConsoleOptions;

  /** Creates the console. */
  constructor(options: HostConsoleOptions) {
    this.#options = options;
  }

  /**
   * Runs one line the host typed; resolves once it is done, with `"stop"` when the hub should
   * stop. Never throws: what goes wrong is shown as an error.
   */
  async run(line: string): Promise<ConsoleOutcome> {
    if (line.trim() === "") return undefined;
    if (!line.startsWith("/") || line.startsWith("//")) {
      await HOST_COMMANDS.say.run(this.#options, line.startsWith("//") ? line.slice(1) : line);
      return undefined;
    }
    const [, name, args = ""] = line.match(/^\/(\S*)\s*(.*)$/s) ?? [];
    const key = name.toLowerCase();
    const resolved = Object.hasOwn(ALIASES, key) ? ALIASES[key] : key;
    const command = Object.hasOwn(HOST_COMMANDS, resolved) ? HOST_COMMANDS[resolved] : undefined;
    if (!command) {
      error(
        this.#options,
        `Unknown command /${name.slice(0, 32)}. /help lists the host's commands.`,
      );
      return undefined;
    }
    try {
      // Only a command that says so stops the hub, whatever else a command returns.
      const outcome = await command.run(this.#options, args) === "stop" ? "stop" : undefined;
      // What the command sent reaches everyone before the next one runs: a script's orders
      // are paced like a member's lines, never piled up in slow members' queues.
      await this.#options.room.settled();
      return outcome;
    } catch (caught) {
      error(
        this.#options,
        `/${resolved} failed: ${caught instanceof Error ? caught.message : caught}`,
      );
      return undefined;
    }
  }
}
