/**
 * The slash commands, as a table: name, usage, help and what it does. Shared by the
 * terminal and the browser, which differ only in how they show the feedback.
 *
 * @example
 * ```ts ignore
 * import { runLine } from "./slash_commands.ts";
 * runLine("/nick alicia", context);
 * ```
 * @module
 */

import { ORDER_USAGE, type OrderAction, parseOrder, type Role } from "./moderation.ts";
import type { RoomClient } from "./room_client.ts";
import { SendPathsError, splitSendPaths } from "./send_paths.ts";

/** What a command shows the person: a line of help or an error. */
export type CommandFeedback =
  | { type: "system"; text: string }
  | { type: "error"; message: string };

/** What a command can reach. */
export interface CommandContext {
  /** The room connection. */
  client: RoomClient;
  /** Shows feedback. */
  show(event: CommandFeedback): void;
  /** Asks the chat loop to leave. */
  quit(): void;
  /** The last person who sent us a private line (for /reply). */
  lastPrivateFrom?: string;
  /**
   * Told about each line we sent, for views that show our own lines (the room does not
   * echo them; a terminal already shows what was typed).
   */
  said?(line: OwnLine): void;
  /**
   * Set where `/send PATH` must not read local files (the browser sends only files picked
   * in it, so a line typed there cannot send whatever the person can read): the error
   * shown instead.
   */
  sendPathRefusal?: string;
}

/** A line we sent: to everyone (`me` for an action) or privately `to` someone. */
export type OwnLine = { text: string; me: boolean } | { text: string; to: string };

/** One slash command. */
export interface Command {
  /** How to call it, e.g. `/send PATH`. */
  usage: string;
  /** One line of help. */
  help: string;
  /** Only meaningful in a hub. */
  hubOnly?: boolean;
  /** Only for operators (`op`, the host too) or the host (`host`); /help lists it only to them. */
  role?: "op" | "host";
  /**
   * Runs it with the rest of the line; what it returns settles once its outcome is known (a
   * file sent: confirmed or failed), where that comes later.
   */
  run(context: CommandContext, args: string): void | Promise<void>;
}

/** A moderation order, sent to the hub, which checks that we may give it. */
function order(action: Exclude<OrderAction, "topic">, help: string, role: "op" | "host"): Command {
  return {
    usage: ORDER_USAGE[action],
    help,
    hubOnly: true,
    role,
    run(context, args) {
      const parsed = parseOrder(action, args);
      if ("error" in parsed) return void context.show({ type: "error", message: parsed.error });
      context.client.order(parsed);
    },
  };
}

function needs(args: string, usage: string, context: CommandContext): boolean {
  if (args.trim() !== "") return true;
  context.show({ type: "error", message: `Usage: ${usage}` });
  return false;
}

/** Every command, by name. */
export const COMMANDS: { readonly [name: string]: Command } = {
  send: {
    usage: "/send PATH ...",
    help: "send files (in a hub: share them with everyone)",
    run(context, args) {
      if (context.sendPathRefusal !== undefined) {
        return void context.show({ type: "error", message: context.sendPathRefusal });
      }
      if (!needs(args, this.usage, context)) return;
      let paths: string[];
      try {
        paths = sendPaths(args.trim());
      } catch (error) {
        if (!(error instanceof SendPathsError)) throw error;
        return void context.show({ type: "error", message: `${error.message}: ${this.usage}` });
      }
      // Each runs in the background: chat keeps flowing while the files stream. Commands kept
      // in order wait for them all, but not for a person asked whether to take one.
      return Promise.all(paths.map((path) =>
        new Promise<void>((resolve) => {
          context.client.sendFile(path, { unanswered: resolve })
            .catch(() => {/* shown as file-failed */})
            .finally(resolve);
        })
      )).then(() => {});
    },
  },
  accept: {
    usage: "/accept [ID]",
    help: "take an offered file (y answers the question too)",
    run: (context, args) => answer(context, args, true, "/accept [ID]"),
  },
  decline: {
    usage: "/decline [ID]",
    help: "refuse an offered file (or n)",
    run: (context, args) => answer(context, args, false, "/decline [ID]"),
  },
  msg: {
    usage: "/msg NAME TEXT",
    help: "private message to one person",
    hubOnly: true,
    run(context, args) {
      const match = args.trim().match(/^(\S+)\s+(.+)$/s);
      if (!match) return void context.show({ type: "error", message: `Usage: ${this.usage}` });
      context.client.whisper(match[1], match[2]);
      context.said?.({ to: match[1], text: match[2] });
    },
  },
  reply: {
    usage: "/reply TEXT",
    help: "answer the last private message",
    hubOnly: true,
    run(context, args) {
      if (!context.lastPrivateFrom) {
        return void context.show({ type: "error", message: "No private message to reply to." });
      }
      if (needs(args, this.usage, context)) {
        context.client.whisper(context.lastPrivateFrom, args.trim());
        context.said?.({ to: context.lastPrivateFrom, text: args.trim() });
      }
    },
  },
  me: {
    usage: "/me ACTION",
    help: "say what you are doing (* alice waves)",
    run(context, args) {
      if (!needs(args, this.usage, context)) return;
      context.client.say(args.trim(), true);
      context.said?.({ text: args.trim(), me: true });
    },
  },
  nick: {
    usage: "/nick NAME",
    help: "change your name",
    run(context, args) {
      if (needs(args, this.usage, context)) context.client.nick(args.trim());
    },
  },
  who: {
    usage: "/who [PAGE]",
    help: "who is here (a page at a time in a big hub)",
    run(context, args) {
      const page = pageNumber(args, this.usage, context);
      if (page !== undefined) context.client.who(page);
    },
  },
  files: {
    usage: "/files [PAGE]",
    help: "list the hub's shared files, newest first",
    hubOnly: true,
    run(context, args) {
      const page = pageNumber(args, this.usage, context);
      if (page !== undefined) context.client.listFiles(page);
    },
  },
  get: {
    usage: "/get ID",
    help: "download a shared file into your receive folder",
    hubOnly: true,
    run(context, args) {
      const id = Number(args.trim());
      if (!Number.isSafeInteger(id) || id <= 0) {
        return void context.show({ type: "error", message: `Usage: ${this.usage}` });
      }
      return context.client.fetch(id);
    },
  },
  away: {
    usage: "/away [MESSAGE]",
    help: "mark yourself away; a private message to you gets MESSAGE back",
    hubOnly: true,
    run(context, args) {
      context.client.away(args.trim() || undefined);
    },
  },
  back: {
    usage: "/back",
    help: "you are back (no longer away)",
    hubOnly: true,
    run: (context) => context.client.back(),
  },
  ignore: {
    usage: "/ignore [NAME]",
    help: "hide NAME's lines and private messages from you (alone: whom you ignore)",
    hubOnly: true,
    run(context, args) {
      const name = args.trim();
      if (name === "") {
        const ignored = context.client.ignored;
        return void context.show({
          type: "system",
          text: ignored.length ? `You ignore: ${ignored.join(", ")}` : "You ignore no one.",
        });
      }
      const problem = context.client.ignore(name);
      context.show(
        problem
          ? { type: "error", message: problem }
          : { type: "system", text: `You ignore ${name} now: /unignore ${name} to undo.` },
      );
    },
  },
  unignore: {
    usage: "/unignore NAME",
    help: "show NAME's lines again",
    hubOnly: true,
    run(context, args) {
      if (!needs(args, this.usage, context)) return;
      const name = args.trim();
      context.show(
        context.client.unignore(name)
          ? { type: "system", text: `You no longer ignore ${name}.` }
          : { type: "error", message: `You do not ignore ${name}.` },
      );
    },
  },
  topic: {
    usage: "/topic [TEXT | --clear]",
    help: "show the topic; operators set or clear it",
    hubOnly: true,
    run(context, args) {
      const text = args.trim();
      if (text === "") {
        const topic = context.client.topic;
        return void context.show({ type: "system", text: topic ? `Topic: ${topic}` : "No topic." });
      }
      context.client.order({ action: "topic", text: text === "--clear" ? "" : text });
    },
  },
  kick: order("kick", "put a member out", "op"),
  ban: order("ban", "keep a member out: 10m, 2h, 7d or until /unban", "op"),
  unban: order("unban", "let a banned member back in", "op"),
  mute: order("mute", "a member may read but not speak", "op"),
  unmute: order("unmute", "let a muted member speak again", "op"),
  op: order("op", "make a member an operator", "host"),
  deop: order("deop", "an operator is a member again", "host"),
  help: {
    usage: "/help",
    help: "this list",
    run(context) {
      const lines = commandList({
        hub: context.client.kind === "hub",
        send: context.sendPathRefusal === undefined,
        role: context.client.role,
      });
      context.show({ type: "system", text: `Commands:\n${lines.join("\n")}` });
    },
  },
  quit: {
    usage: "/quit",
    help: "leave (after queued messages and files are delivered)",
    run: (context) => context.quit(),
  },
};

/** Answers offer ID (the oldest waiting when none is given). */
function answer(context: CommandContext, args: string, yes: boolean, usage: string): void {
  const id = args.trim() === "" ? undefined : Number(args.trim());
  if (id !== undefined && (!/^\d+$/.test(args.trim()) || !Number.isSafeInteger(id))) {
    return void context.show({ type: "error", message: `Usage: ${usage}` });
  }
  if (!context.client.answerOffer(id, yes)) {
    context.show({ type: "error", message: "No file offer waits for an answer." });
  }
}

/** What answers the question about an offer when one waits: `y`, `yes`, `n`, `no` (or Enter: yes). */
const SHORT_ANSWER = /^\s*(y|yes|n|no)\s*$/i;

/** The page a list command asks for (1 when none is given); `undefined` after a usage error. */
function pageNumber(args: string, usage: string, context: CommandContext): number | undefined {
  if (args.trim() === "") return 1;
  const page = Number(args.trim());
  if (/^\d+$/.test(args.trim()) && Number.isSafeInteger(page) && page > 0) return page;
  context.show({ type: "error", message: `Usage: ${usage}` });
  return undefined;
}

/** Other names people type for the same commands. */
export const ALIASES: { readonly [alias: string]: string } = {
  names: "who",
  exit: "quit",
  nickname: "nick",
};

/**
 * The commands as lines of help, from the table: `/help` in a chat (`hub` says which room
 * it is in, `role` what we are in it) and `p2pchat --help` (no `hub` nor `role`: every
 * command, the hub-only and operators' ones marked). `send` false leaves out `/send PATH`
 * (where paths are refused).
 *
 * @example
 * ```ts
 * import { commandList } from "./slash_commands.ts";
 * console.log(commandList({ hub: false })[0]); // "  /send PATH       send a file ..."
 * ```
 */
export function commandList(
  options: { hub?: boolean; send?: boolean; role?: Role } = {},
): string[] {
  const shown = Object.entries(COMMANDS).filter(([name, command]) =>
    (options.hub !== false || !command.hubOnly) && (options.send !== false || name !== "send") &&
    mayUse(command, options.role)
  );
  const lines = shown.map(([, command]) =>
    `  ${command.usage.padEnd(16)} ` +
    (options.role === undefined && command.role ? `${ROLE_NOTE[command.role]}: ` : "") +
    command.help + (options.hub === undefined && command.hubOnly ? " (hubs only)" : "")
  );
  const aliases = Object.entries(ALIASES)
    .filter(([, name]) => shown.some(([shownName]) => shownName === name))
    .map(([alias, name]) => `/${alias} for /${name}`);
  if (aliases.length > 0) lines.push(`  Also: ${aliases.join(", ")}.`);
  return lines;
}

/**
 * The paths of `/send`, split as a shell would ({@linkcode splitSendPaths}); a line that
 * names one existing file as typed (`/send my notes.txt`, as before paths were split) is
 * that file.
 */
function sendPaths(args: string): string[] {
  const paths = splitSendPaths(args, homeFolder());
  if (paths.length > 1 && isFile(args)) return [args];
  return paths;
}

function homeFolder(): string | undefined {
  try {
    return Deno.env.get("HOME") ?? Deno.env.get("USERPROFILE");
  } catch {
    return undefined; // no permission to read the environment: `~` stays as typed
  }
}

function isFile(path: string): boolean {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
}

/** Who may use the commands kept for a role, as `--help` marks them. */
const ROLE_NOTE: { readonly [R in "op" | "host"]: string } = {
  op: "operators",
  host: "the host",
};

/** Whether someone of `role` may use `command` (any command, when the role is not known). */
function mayUse(command: Command, role: Role | undefined): boolean {
  return role === undefined || command.role === undefined || role === "host" ||
    (command.role === "op" && role === "op");
}

/**
 * Runs one line typed by the person: a command, or a chat line (`//` sends a line that
 * starts with `/`).
 *
 * @example
 * ```ts ignore
 * runLine("/me waves", { client, show: console.log, quit: () => {} });
 * ```
 */
export function runLine(line: string, context: CommandContext): void | Promise<void> {
  const waiting = context.client.offersWaiting.length > 0;
  // The question reads `[Y/n]`: Enter alone takes the default, yes.
  if (line.trim() === "") {
    if (waiting) context.client.answerOffer(undefined, true);
    return;
  }
  const short = SHORT_ANSWER.exec(line);
  if (short && waiting) {
    context.client.answerOffer(undefined, short[1].toLowerCase().startsWith("y"));
    return;
  }
  if (!isCommand(line)) {
    const text = line.startsWith("//") ? line.slice(1) : line;
    context.client.say(text);
    context.said?.({ text, me: false });
    return;
  }
  const [, name, args = ""] = line.match(/^\/(\S*)\s*(.*)$/s) ?? [];
  const key = name.toLowerCase();
  const resolved = Object.hasOwn(ALIASES, key) ? ALIASES[key] : key;
  const command = Object.hasOwn(COMMANDS, resolved) ? COMMANDS[resolved] : undefined;
  if (!command) {
    context.show({ type: "error", message: `Unknown command /${name}. Type /help for the list.` });
    return;
  }
  return command.run(context, args);
}

/**
 * Whether `line` is a slash command (`//` starts a chat line with `/`).
 *
 * @example
 * ```ts
 * import { isCommand } from "./slash_commands.ts";
 * console.log(isCommand("/who"), isCommand("//who"), isCommand("hi")); // true false false
 * ```
 */
export function isCommand(line: string): boolean {
  return line.startsWith("/") && !line.startsWith("//");
}
