/**
 * A view: how the command line shows a chat's events, to a person or a program.
 *
 * @example
 * ```ts
 * import type { View } from "./view_event.ts";
 * const view: View = { show: (event) => console.log(event.type) };
 * view.show({ type: "exiting" }); // exiting
 * ```
 * @module
 */

import type { ChatEvent } from "../app/chat_event.ts";

/** Turns events into output for a person or a program. */
export interface View {
  /** Shows one event. */
  show(event: ChatEvent): void;
}
