/**
 * Picks how the command line talks: a terminal and text, or JSON lines for programs.
 *
 * @example
 * ```ts ignore
 * import { openOutput } from "./output.ts";
 * const { terminal, view } = openOutput(false);
 * view.show({ type: "system", text: "hello" });
 * ```
 * @module
 */

import { JsonView } from "./json_view.ts";
import { mentionMark } from "./mention_mark.ts";
import { openTerminal, type Terminal } from "./terminal.ts";
import { TextView } from "./text_view.ts";
import type { View } from "./view_event.ts";

/** The terminal for input and the view for output. */
export interface Output {
  terminal: Terminal;
  view: View;
}

/** Opens the terminal and the text or JSON view on it. */
export function openOutput(json: boolean): Output {
  const terminal = openTerminal();
  const view = json
    ? new JsonView((line) => terminal.print(line))
    : new TextView(terminal, { mention: mentionMark() });
  return { terminal, view };
}
