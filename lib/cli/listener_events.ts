/**
 * How a host's console shows failed handshakes and refused connections.
 *
 * @example
 * ```ts ignore
 * import { listenerEventView } from "./listener_events.ts";
 * const onEvent = listenerEventView(view);
 * ```
 * @module
 */

import type { ListenerEvent } from "../session/session_listener.ts";
import type { View } from "./view_event.ts";

/** Returns a listener event handler that shows each event on `view`. */
export function listenerEventView(view: View): (event: ListenerEvent) => void {
  return (event) => {
    if (event.type === "refused") {
      view.show({ type: "error", message: `Refused ${event.remote}: ${event.reason}` });
      return;
    }
    const slowed = event.delayMs > 0
      ? ` (${event.failures} failures from this address; its next attempt waits ${
        event.delayMs / 1000
      } s)`
      : "";
    view.show({ type: "error", message: `${event.reason} from ${event.remote}${slowed}` });
  };
}
