/**
 * Parsing of each command's arguments into typed options, with usage errors for people.
 *
 * @example
 * ```ts
 * import { parseOptions } from "./options.ts";
 * const options = parseOptions("listen", ["0", "--name", "alice"]);
 * console.log(options.port, options.name); // 0 "alice"
 * ```
 * @module
 */

import { parseArgs } from "node:util";
import { defaultLabel, defaultName, DEFAULTS } from "../app/defaults.ts";
import { ACCEPT_MODES, type AcceptMode } from "../app/front_door.ts";
import { sanitizeName } from "../room/member_name.ts";
import { labelProblem } from "../session/announcement.ts";
import { AddressError, parseChatAddress, portToUse } from "../session/chat_address.ts";
import { escapeForTerminal } from "./terminal_text.ts";
import { UsageError } from "./usage.ts";

/** Options of every command (each command reads the ones it has). */
export interface Options {
  command: string;
  /** listen/serve: where to listen; connect: where to connect, `""` to find a chat by scanning. */
  host: string;
  port: number;
  name: string;
  /** Whether the name was given with --name (a default one that is taken becomes NAME-2). */
  nameGiven: boolean;
  dir: string;
  data: string;
  json: boolean;
  open: boolean;
  history: number;
  maxFileBytes?: number;
  /** `serve --max-storage`: bytes the hub keeps for its members (default in lib/room). */
  maxStorageBytes?: number;
  maxClients: number;
  rate: number;
  noOpen: boolean;
  /**
   * listen/serve: what the LAN announcement calls this chat (default: the host's name);
   * connect: the label of the chat to find (`""`: any).
   */
  label: string;
  /** listen/serve: announce on the LAN (`--no-announce` turns it off). */
  announce: boolean;
  /** serve: make a new passkey instead of the one kept in the data folder. */
  newPasskey: boolean;
  /** scan, and connect without HOST: how long to wait for answers. */
  timeoutMs: number;
  /** listen/connect `--accept`: what happens to offered files (unset: the command decides). */
  accept?: AcceptMode;
}

type Flag = { type: "string" | "boolean"; default?: string | boolean };

const COMMON: { [flag: string]: Flag } = {
  json: { type: "boolean" },
  open: { type: "boolean" },
  passkey: { type: "string" },
  // As `ui --port`: every command that takes a port takes it this way too.
  port: { type: "string" },
};

/** The LAN announcement of listen and serve. */
const ANNOUNCE: { [flag: string]: Flag } = {
  label: { type: "string" },
  "no-announce": { type: "boolean" },
};

/** Flags each command accepts, and how many positionals (after the command). */
const SPECS: { [command: string]: { flags: { [flag: string]: Flag }; positionals: string[] } } = {
  listen: {
    flags: {
      ...COMMON,
      ...ANNOUNCE,
      host: { type: "string" },
      name: { type: "string" },
      dir: { type: "string" },
      accept: { type: "string" },
    },
    positionals: ["PORT"],
  },
  connect: {
    flags: {
      ...COMMON,
      name: { type: "string" },
      dir: { type: "string" },
      accept: { type: "string" },
      label: { type: "string" },
      timeout: { type: "string" },
    },
    positionals: ["HOST", "PORT"],
  },
  serve: {
    flags: {
      ...COMMON,
      ...ANNOUNCE,
      host: { type: "string" },
      data: { type: "string" },
      "new-passkey": { type: "boolean" },
      history: { type: "string" },
      "max-file-size": { type: "string" },
      "max-storage": { type: "string" },
      "max-clients": { type: "string" },
      rate: { type: "string" },
    },
    positionals: ["PORT"],
  },
  ui: {
    flags: { port: { type: "string" }, "no-open": { type: "boolean" }, dir: { type: "string" } },
    positionals: [],
  },
  scan: {
    flags: { timeout: { type: "string" }, json: { type: "boolean" } },
    positionals: [],
  },
};

/** The commands that take options. */
export const OPTION_COMMANDS: readonly string[] = Object.keys(SPECS);

/** Parses a port: 0-65535. */
export function parsePort(text: string, what = "port"): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65535) {
    throw new UsageError(
      `invalid ${what} '${text}'`,
      "A port is a number from 0 to 65535, e.g. 5050.",
    );
  }
  return port;
}

/** Parses a size such as `50MB`, `1.5 GB`, `800k` or a plain number of bytes. */
export function parseSize(text: string): number {
  const match = text.trim().match(/^(\d+(?:\.\d+)?)\s*([kmgt]?)(i?b?)$/i);
  if (!match) throw new UsageError(`invalid size '${text}'`, "Use e.g. 500MB, 2GB or 1048576.");
  const power = " kmgt".indexOf(match[2].toLowerCase() || " ");
  const base = match[3].toLowerCase().startsWith("i") ? 1024 : 1000;
  return Math.round(Number(match[1]) * base ** power);
}

function count(text: string, what: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text)) throw new UsageError(`invalid ${what} '${text}'`, `Use a whole number.`);
  return n;
}

/** Parses `--timeout SECONDS` (0.1 to 600, decimals allowed) into milliseconds. */
export function parseTimeout(text: string): number {
  const seconds = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text) || seconds < 0.1 || seconds > 600) {
    throw new UsageError(
      `invalid timeout '${text}'`,
      "A timeout is a number of seconds from 0.1 to 600, e.g. 2 or 0.5.",
    );
  }
  return Math.round(seconds * 1000);
}

/**
 * `--history -1` as `--history=-1`: a value that looks like a negative number goes with its
 * flag, so it is refused by the flag's own check (with its hint), not as "ambiguous".
 */
function joinDashValues(args: string[], flags: { [flag: string]: Flag }): string[] {
  const joined: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const flag = args[i].startsWith("--") ? flags[args[i].slice(2)] : undefined;
    if (flag?.type === "string" && /^-[\d.]/.test(args[i + 1] ?? "")) {
      joined.push(`${args[i]}=${args[++i]}`);
    } else joined.push(args[i]);
  }
  return joined;
}

/**
 * Where `connect` goes: `HOST [PORT]`, `HOST:PORT` or `[IPv6]:PORT` (a port given twice must
 * agree); no HOST (`""`) finds a chat by scanning, by its `--label` if given.
 */
function connectTarget(
  typed: string | undefined,
  portText: string | undefined,
  label: string | undefined,
): { host: string; port: number } {
  // No HOST: connect finds the chat on the local network (by --label, if given).
  if (typed === undefined) {
    return { host: "", port: portText === undefined ? DEFAULTS.port : parsePort(portText) };
  }
  if (label !== undefined) {
    throw new UsageError(
      "connect takes a HOST or a --label, not both",
      'Example: p2pchat connect 192.168.1.12:5050, or p2pchat connect --label "alice\'s hub"',
    );
  }
  const port = portText === undefined ? undefined : parsePort(portText);
  try {
    const address = parseChatAddress(typed);
    return { host: address.host, port: portToUse(address, port, DEFAULTS.port) };
  } catch (error) {
    if (!(error instanceof AddressError)) throw error;
    throw new UsageError(
      error.message,
      "Example: p2pchat connect 192.168.1.12:5050 (or 192.168.1.12 5050, or [fe80::1]:5050)",
    );
  }
}

/** Parses `args` of `command`, throwing {@linkcode UsageError} for mistakes. */
export function parseOptions(command: string, args: string[]): Options {
  const spec = SPECS[command];
  let parsed;
  try {
    parsed = parseArgs({
      args: joinDashValues(args, spec.flags),
      options: spec.flags,
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    const message = error instanceof Error ? error.message.split("\n")[0] : String(error);
    throw new UsageError(message.replace(/\. To specify .*$/, ""), `Run p2pchat --help for usage.`);
  }
  const { values, positionals } = parsed as {
    values: { [flag: string]: string | boolean | undefined };
    positionals: string[];
  };
  if (positionals.length > spec.positionals.length) {
    throw new UsageError(`unexpected argument '${positionals[spec.positionals.length]}'`);
  }
  const str = (flag: string) => values[flag] as string | undefined;
  let host = str("host") ?? DEFAULTS.listenHost;
  // PORT as typed (after HOST for connect) or --port, which every command takes: given both
  // ways, they must agree.
  let portText: string | undefined = command === "connect" ? positionals[1] : positionals[0];
  if (str("port") !== undefined) {
    if (portText !== undefined && portText !== str("port")) {
      throw new UsageError(
        `two ports given: '${portText}' and --port '${str("port")}'`,
        "Give the port once.",
      );
    }
    portText = str("port");
  }
  let port = portText === undefined
    ? (command === "ui" ? DEFAULTS.uiPort : DEFAULTS.port)
    : parsePort(portText);
  if (command === "connect") {
    // connectTarget reads HOST (maybe HOST:PORT, whose port must agree with PORT).
    ({ host, port } = connectTarget(positionals[0], portText, str("label")));
  }
  const name = str("name") ?? defaultName();
  if (str("name") !== undefined && (name === "" || sanitizeName(name) !== name)) {
    throw new UsageError(`invalid name '${name}'`, "A name is 1-16 of A-Z a-z 0-9 _ . -");
  }
  // A program's arguments are shown to every user of the computer (ps): no secret goes there.
  if (str("passkey") !== undefined) {
    throw new UsageError(
      "--passkey would show the passkey to every user of this computer (ps lists arguments)",
      "Set P2PCHAT_PASSKEY, or leave it out and type the passkey when asked.",
    );
  }
  const accept = str("accept");
  if (accept !== undefined && !(ACCEPT_MODES as readonly string[]).includes(accept)) {
    throw new UsageError(
      `invalid --accept '${escapeForTerminal(accept)}'`,
      "Use --accept ask, --accept all or --accept none.",
    );
  }
  const label = str("label");
  const problem = label === undefined ? undefined : labelProblem(label);
  if (problem) {
    throw new UsageError(
      `invalid label '${escapeForTerminal(label!)}': ${problem}`,
      'Example: --label "alice\'s hub"',
    );
  }
  return {
    command,
    host,
    port,
    name,
    nameGiven: str("name") !== undefined,
    dir: str("dir") ?? DEFAULTS.receiveDir,
    data: str("data") ?? DEFAULTS.dataDir,
    json: values.json === true,
    open: values.open === true,
    history: str("history") === undefined
      ? DEFAULTS.history
      : count(str("history")!, "history size"),
    maxFileBytes: str("max-file-size") === undefined ? undefined : parseSize(str("max-file-size")!),
    maxStorageBytes: str("max-storage") === undefined ? undefined : parseSize(str("max-storage")!),
    maxClients: str("max-clients") === undefined
      ? DEFAULTS.maxClients
      : count(str("max-clients")!, "client limit"),
    rate: str("rate") === undefined ? DEFAULTS.rate : count(str("rate")!, "rate"),
    noOpen: values["no-open"] === true,
    label: label ?? (command === "listen" || command === "serve" ? defaultLabel() : ""),
    announce: values["no-announce"] !== true,
    newPasskey: values["new-passkey"] === true,
    timeoutMs: str("timeout") === undefined
      ? DEFAULTS.scanTimeoutMs
      : parseTimeout(str("timeout")!),
    ...(accept !== undefined ? { accept: accept as AcceptMode } : {}),
  };
}
