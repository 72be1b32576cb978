/**
 * `p2pchat connect`: join a listening peer or a hub through the front door. At a terminal a
 * wrong passkey is asked for again (three tries) and a taken name asks for another; programs
 * (stdin not a terminal, or `--json`) exit 1 with the reason.
 *
 * @example
 * ```ts ignore
 * import { connectCommand } from "./connect_command.ts";
 * Deno.exit(await connectCommand(parseOptions("connect", ["192.168.1.12", "5050"])));
 * ```
 * @module
 */

import { connectChat } from "../app/front_door.ts";
import { chatLoop } from "./chat_loop.ts";
import { FatalError } from "./fatal_error.ts";
import { findChat } from "./find_chat.ts";
import type { Options } from "./options.ts";
import { openOutput } from "./output.ts";
import { clientPasskey, PASSKEY_QUESTION } from "./passkey_source.ts";

/** Runs `connect`; resolves with the exit code. */
export async function connectCommand(options: Options): Promise<number> {
  const { terminal, view } = openOutput(options.json);
  const prompts = Deno.stdin.isTerminal() && !options.json;
  if (options.host === "") {
    // No address: found on the local network (then the passkey is asked as always).
    let found;
    try {
      found = await findChat(options, terminal, view, prompts);
    } catch (error) {
      terminal.close();
      throw error;
    }
    if ("exit" in found) {
      terminal.close();
      return found.exit;
    }
    options = { ...options, host: found.host, port: found.port };
  }
  const askPasskey = () => terminal.askSecret(PASSKEY_QUESTION);
  let passkey;
  try {
    // Asked for once the address answered as p2pchat (the front door tries it first).
    passkey = clientPasskey(options, askPasskey);
  } catch (error) {
    terminal.close();
    throw error;
  }
  let chat;
  try {
    chat = await connectChat({
      host: options.host,
      port: options.port,
      name: options.name,
      receiveDir: options.dir,
      passkey,
      numberIfTaken: !options.nameGiven,
      accept: options.accept ?? (prompts ? "ask" : "all"),
    }, {
      onEvent: (event) => {
        view.show(event);
        // Dialled: from here on what is typed is kept for the chat (the passkey prompt is over).
        if (event.type === "connected-to") terminal.open();
      },
      ask: prompts
        ? {
          // Asked again after a wrong one only when it was typed (not from the environment).
          passkey: typeof passkey === "function" ? askPasskey : undefined,
          name: () => terminal.ask("Another name: "),
        }
        : undefined,
      signals: true,
      inOrder: !Deno.stdin.isTerminal(),
      echo: "actions",
    });
  } catch (error) {
    terminal.close();
    throw error;
  }
  const end = await chatLoop(chat, terminal);
  if (end.how === "ended" && end.fatal) throw new FatalError(end.fatal.message);
  view.show({ type: "exiting" });
  // Ctrl-C or a signal: as the shell reports one (130 for SIGINT). A direct chat that ended
  // without the host's goodbye was lost (killed, tampered with).
  if (end.how === "signal") return end.status;
  return end.how === "ended" && !end.cleanly ? 1 : 0;
}
