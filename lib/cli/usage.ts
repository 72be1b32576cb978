/**
 * Help text and usage errors of the command line.
 *
 * @example
 * ```ts
 * import { UsageError } from "./usage.ts";
 * const error = new UsageError("unknown command 'lsten'", "p2pchat --help lists the commands");
 * console.log(error.message);
 * ```
 * @module
 */

import { DEFAULTS } from "../app/defaults.ts";
import { commandList } from "../room/slash_commands.ts";

/** A mistake in the command line: exit 2 with the reason and a hint. */
export class UsageError extends Error {
  /** What to try instead. */
  readonly hint: string;
  /** Creates the error. */
  constructor(message: string, hint = "Run p2pchat --help for usage.") {
    super(message);
    this.name = "UsageError";
    this.hint = hint;
  }
}

/** The text of `p2pchat --help`; its chat commands come from the commands table. */
export const HELP =
  `p2pchat: chat and send files to people on the same network. Encrypted, no server.

Usage:
  p2pchat listen [PORT] [--host ADDR] [--name NAME] [--dir DIR] [--open] [--json]
                 [--accept MODE] [--label TEXT] [--no-announce]
  p2pchat connect [HOST [PORT]] [--name NAME] [--dir DIR] [--open] [--json]
                  [--accept MODE] [--label TEXT] [--timeout SECONDS]
  p2pchat serve [PORT] [--host ADDR] [--data DIR] [--new-passkey] [--history N] [--open]
                [--json] [--max-file-size SIZE] [--max-storage SIZE] [--max-clients N] [--rate N]
                [--label TEXT] [--no-announce]
  p2pchat scan [--timeout SECONDS] [--json]
  p2pchat ui [--port PORT] [--no-open]
  p2pchat --help | --version

Commands:
  listen    Wait for one person to connect (a direct chat). Prints the passkey to give them.
  connect   Connect to a listening peer or a hub. Asks for the passkey. Without HOST,
            finds the chat on the local network (a list to pick from if several).
  serve     Host a group hub: many people, history, shared files.
  scan      List the chats announced on the local network (listen and serve announce).
  ui        Open the graphical client in your browser.

Options:
  HOST              The computer to connect to: 192.168.1.12, 192.168.1.12:5050,
                    hub.local:5050, [fe80::1]:5050 (a port given twice must agree).
  PORT, --port PORT TCP port (default ${DEFAULTS.port}; 0 picks a free one).
  --host ADDR       Address to listen on (default ${DEFAULTS.listenHost}: every network).
  --name NAME       Your name: A-Z a-z 0-9 _ . - up to 16 (default: your user name).
  --dir DIR         Where received files go (default ${DEFAULTS.receiveDir}).
  --open            No passkey: still encrypted, but the peer is not authenticated;
                    compare the safety code on both screens.
  --json            One JSON object per line on stdout, for programs.
  --accept MODE     Files offered in a direct chat: ask, all or none (default: ask
                    at a terminal, all for programs and --json).
  --data DIR        A hub's history, shared files and passkey (default ${DEFAULTS.dataDir}).
  --new-passkey     A hub makes a new passkey instead of the one kept in --data.
  --history N       Lines a hub replays to newcomers (default ${DEFAULTS.history}).
  --rate N          Lines a second each hub member may send, bursts of 2N
                    (default ${DEFAULTS.rate}; 0: no limit).
  --max-clients N   Members of a hub at once (default ${DEFAULTS.maxClients}).
  --label TEXT      The name scan shows for your chat (default: this computer's name);
                    connect: go to the chat announced with exactly this label.
  --no-announce     Do not announce the chat on the local network.
  --timeout SECONDS How long scan (and connect without HOST) waits for answers
                    (default ${DEFAULTS.scanTimeoutMs / 1000}).

Passkey:
  listen prints a fresh passkey (or uses P2PCHAT_PASSKEY when set). serve keeps its
  passkey in --data across restarts (P2PCHAT_PASSKEY, when set, is used and not kept).
  connect reads P2PCHAT_PASSKEY, else asks without echo (three tries).

In the chat (a line starting with // sends the rest as it is):
${commandList().join("\n")}
`;
