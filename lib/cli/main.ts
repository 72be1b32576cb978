/**
 * The command line: picks the command from a table and turns failures into exit codes
 * (2 for usage mistakes, 1 for failures) with one clear line, never a stack trace.
 *
 * @example
 * ```ts ignore
 * import { main } from "./main.ts";
 * Deno.exit(await main(["--version"]));
 * ```
 * @module
 */

import config from "../../deno.json" with { type: "json" };
import { ChatError } from "../app/chat_error.ts";
import { connectCommand } from "./connect_command.ts";
import { FatalError } from "./fatal_error.ts";
import { listenCommand } from "./listen_command.ts";
import { type Options, parseOptions } from "./options.ts";
import { scanCommand } from "./scan_command.ts";
import { serveCommand } from "./serve_command.ts";
import { escapeForTerminal as clean, jsonForTerminal } from "./terminal_text.ts";
import { uiCommand } from "./ui_command.ts";
import { HELP, UsageError } from "./usage.ts";

/** The program's version. */
export const VERSION: string = config.version;

/** Every command, by name. */
const COMMANDS: { [name: string]: (options: Options) => Promise<number> } = {
  listen: listenCommand,
  connect: connectCommand,
  serve: serveCommand,
  scan: scanCommand,
  ui: uiCommand,
};

/** Runs the command line; resolves with the exit code. */
export async function main(args: string[]): Promise<number> {
  try {
    const [command, ...rest] = args;
    if (command === undefined || command === "--help" || command === "-h" || command === "help") {
      console.log(HELP);
      return command === undefined ? 2 : 0;
    }
    if (command === "--version" || command === "-V") {
      console.log(`p2pchat ${VERSION}`);
      return 0;
    }
    if (rest.includes("--help") || rest.includes("-h")) {
      console.log(HELP);
      return 0;
    }
    const run = Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined;
    if (!run) {
      throw new UsageError(
        `unknown command '${command}'`,
        "Commands: listen, connect, serve, scan, ui. Run p2pchat --help.",
      );
    }
    return await run(parseOptions(command, rest));
  } catch (error) {
    // A usage error's hint is a line of its own.
    const lines = error instanceof UsageError
      ? [error.message, error.hint]
      : error instanceof FatalError || error instanceof ChatError
      ? [error.message]
      : [`unexpected error: ${error instanceof Error ? error.message : String(error)}`];
    const exit = error instanceof UsageError ? 2 : 1;
    const message = lines.join("\n");
    // Messages may carry what a peer or host sent (a refusal, a goodbye): escaped, never raw.
    console.error(`p2pchat: ${lines.map(clean).join("\n")}`);
    // A program reading --json learns the outcome from stdout too, as the last event.
    if (args.includes("--json")) console.log(jsonForTerminal({ type: "fatal", message, exit }));
    return exit;
  }
}
