/**
 * The chat at a terminal: lines typed go to the chat, until `/quit`, end of input (which
 * quits too), a stop signal or the end of the connection. While the chat waits to leave
 * (lines or files still on their way) the terminal stays open, so `/quit` or Ctrl-C again can
 * give them up. The front door's chat shows its events through the command's view and owns
 * the signals.
 *
 * @example
 * ```ts ignore
 * import { chatLoop } from "./chat_loop.ts";
 * const end = await chatLoop(chat, terminal);
 * ```
 * @module
 */

import type { Chat, ChatEnd } from "../app/chat.ts";
import type { Terminal } from "./terminal.ts";

/** Runs the typed lines through `chat` until it is over; resolves with how it ended. */
export async function chatLoop(chat: Chat, terminal: Terminal): Promise<ChatEnd> {
  // Ctrl-C typed at the prompt is the chat's SIGINT.
  terminal.onInterrupt(() => chat.interrupt());
  const lines = terminal.lines()[Symbol.asyncIterator]();
  const over = chat.done.then(() => "over" as const);
  while (true) {
    const next = await Promise.race([lines.next(), over]);
    if (next === "over") break;
    if (next.done) {
      // End of input: like /quit, once what is queued (files too) has been delivered.
      chat.endOfInput();
      break;
    }
    chat.run(next.value);
  }
  const end = await chat.done;
  terminal.close();
  return end;
}
