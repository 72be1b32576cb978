/**
 * `p2pchat listen`: host a direct chat, a room of two, and take part in it, through the front
 * door; after each person it waits for the next.
 *
 * @example
 * ```ts ignore
 * import { listenCommand } from "./listen_command.ts";
 * Deno.exit(await listenCommand(parseOptions("listen", ["5050"])));
 * ```
 * @module
 */

import { listenChat } from "../app/front_door.ts";
import { chatLoop } from "./chat_loop.ts";
import type { Options } from "./options.ts";
import { openOutput } from "./output.ts";
import { hostPasskey } from "./passkey_source.ts";

/** Runs `listen`; resolves with the exit code. */
export async function listenCommand(options: Options): Promise<number> {
  const passkey = hostPasskey(options);
  const { terminal, view } = openOutput(options.json);
  const chat = await listenChat({
    host: options.host,
    port: options.port,
    passkey,
    label: options.label,
    announce: options.announce,
    name: options.name,
    receiveDir: options.dir,
    // Asked at a terminal; programs (and --json, which get a file-offer event) take all.
    accept: options.accept ?? (Deno.stdin.isTerminal() && !options.json ? "ask" : "all"),
  }, {
    onEvent: (event) => view.show(event),
    signals: true,
    inOrder: !Deno.stdin.isTerminal(),
    echo: "actions",
  });
  terminal.open();
  const end = await chatLoop(chat, terminal);
  view.show({ type: "exiting" });
  // Ctrl-C or a signal: as the shell reports one (130 for SIGINT), once the goodbye to the
  // LAN was said.
  return end.how === "signal" ? end.status : 0;
}
