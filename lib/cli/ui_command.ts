/**
 * `p2pchat ui`: the graphical client. Serves the local web app on 127.0.0.1, prints its
 * address and opens the browser; runs until Ctrl+C.
 *
 * @example
 * ```ts ignore
 * import { uiCommand } from "./ui_command.ts";
 * Deno.exit(await uiCommand(parseOptions("ui", ["--no-open"])));
 * ```
 * @module
 */

import { StopSignals } from "../app/stop_signals.ts";
import { describeNetworkError } from "../session/network_error.ts";
import { openBrowser } from "../ui/open_browser.ts";
import { UiServer } from "../ui/ui_server.ts";
import { FatalError } from "./fatal_error.ts";
import type { Options } from "./options.ts";

/** Runs `ui`; resolves with the exit code once stopped (SIGINT/SIGTERM). */
export async function uiCommand(options: Options): Promise<number> {
  let server: UiServer;
  try {
    server = UiServer.start({
      port: options.port,
      name: options.name,
      receiveDir: options.dir,
      dataDir: options.data,
    });
  } catch (error) {
    throw new FatalError(
      `Could not listen on 127.0.0.1:${options.port}: ${describeNetworkError(error)}`,
    );
  }
  console.log(`[System] p2pchat is running at ${server.url}`);
  const opened = options.noOpen ? undefined : await openBrowser(server.url);
  if (opened && !opened.ok) {
    console.log("[System] Could not open a browser: open the address above.");
  }
  console.log("[System] Keep this window open while you chat. Press Ctrl+C to stop.");
  let stop;
  {
    using signals = StopSignals.listen();
    stop = await signals.received;
  }
  console.log("[System] Stopping.");
  await server.close();
  await opened?.dispose();
  // As the shell reports the signal (130 for Ctrl-C).
  return stop.status;
}
