/**
 * The chat itself: lines from the person go to the room (the command shows the room's events),
 * until `/quit`, end of input, or the connection ends for good.
 *
 * @example
 * ```ts ignore
 * import { chatLoop } from "./chat_loop.ts";
 * const how = await chatLoop({ client, terminal, view, finished: client.ended() });
 * ```
 * @module
 */

import type { ClientEvent, RoomClient } from "../room/room_client.ts";
import { type CommandContext, runLine } from "../room/slash_commands.ts";
import type { Terminal } from "./terminal.ts";
import type { View } from "./view_event.ts";

/** What {@linkcode chatLoop} works with. */
export interface ChatLoopOptions {
  client: RoomClient;
  terminal: Terminal;
  view: View;
  /** Resolves when the connection is over for good (no reconnect will follow). */
  finished: Promise<unknown>;
}

/** Shows a client's events on the view. */
export function routeEvents(client: RoomClient, view: View): () => void {
  return client.subscribe((event: ClientEvent) => view.show(event));
}

/**
 * Signals that end the chat at once: files still coming are abandoned (their temporary files
 * removed) and files being sent are not waited for.
 */
const STOP_SIGNALS: Deno.Signal[] = Deno.build.os === "windows"
  ? ["SIGINT"]
  : ["SIGINT", "SIGTERM"];

/**
 * Runs the chat. Returns `"quit"` when the person left (after queued lines and files were
 * delivered, unless a signal said to stop now) or `"ended"` when the connection ended first.
 */
export async function chatLoop(options: ChatLoopOptions): Promise<"quit" | "ended"> {
  const { client, terminal, view } = options;
  let quitting = false;
  const context: CommandContext = {
    client,
    show: (event) => view.show(event),
    quit: () => quitting = true,
  };
  // Who whispered last, for /reply. (The command shows the events itself.)
  const unsubscribe = client.subscribe((event) => {
    if (event.type === "private") context.lastPrivateFrom = event.from;
  });
  // Without a listener the runtime would end the process at once, leaving the temporary
  // files of transfers under way behind.
  const stopped = Promise.withResolvers<"signal">();
  const onSignal = () => stopped.resolve("signal");
  for (const signal of STOP_SIGNALS) Deno.addSignalListener(signal, onSignal);
  try {
    const lines = terminal.lines()[Symbol.asyncIterator]();
    const finished = options.finished.then(() => "ended" as const);
    let signalled = false;
    while (!quitting) {
      const next = await Promise.race([lines.next(), finished, stopped.promise]);
      if (next === "ended") {
        terminal.close();
        return "ended";
      }
      if (next === "signal") signalled = true;
      if (next === "signal" || next.done) break;
      runLine(next.value, context);
    }
    terminal.close();
    const leaving = client.quit(signalled ? 0 : undefined);
    // A signal while waiting for files to be delivered: stop waiting.
    stopped.promise.then(() => client.disconnect());
    await leaving;
    return "quit";
  } finally {
    unsubscribe();
    for (const signal of STOP_SIGNALS) Deno.removeSignalListener(signal, onSignal);
  }
}
