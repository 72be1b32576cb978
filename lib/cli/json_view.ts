/**
 * `--json`: one JSON object per line on stdout, for bots and tests. The schema is in the
 * README ("JSON output").
 *
 * @example
 * ```ts
 * import { JsonView } from "./json_view.ts";
 * const view = new JsonView((line) => console.log(line));
 * view.show({ type: "system", text: "hello" }); // {"type":"system","text":"hello"}
 * ```
 * @module
 */

import { jsonForTerminal } from "./terminal_text.ts";
import type { View, ViewEvent } from "./view_event.ts";

type Json = { [key: string]: unknown } | undefined;
type Mapper<E> = (event: E, view: JsonView) => Json;
type Mappers = { [T in ViewEvent["type"]]: Mapper<Extract<ViewEvent, { type: T }>> };

/** Renders events as JSON lines. */
export class JsonView implements View {
  #write: (line: string) => void;
  /** Our own name, to tell the peer apart in a direct chat's member list. */
  you = "";

  /** Creates the view writing lines through `write`. */
  constructor(write: (line: string) => void) {
    this.#write = write;
  }

  /** Writes the JSON form of `event`, if it has one. */
  show(event: ViewEvent): void {
    const json = (MAPPERS[event.type] as Mapper<ViewEvent>)(event, this);
    if (json) this.#write(jsonForTerminal(json));
  }
}

const same: Mapper<ViewEvent> = (event) => ({ ...event });

// One entry per event type: the table is the schema.
const MAPPERS: Mappers = {
  listening: ({ host, port, addresses, passkey, hub }) => ({
    type: "listening",
    host,
    port,
    addresses,
    passkey,
    hub,
  }),
  "connected-to": ({ host, port }) => ({ type: "system", text: `Connected to ${host}:${port}` }),
  secured: same,
  reconnecting: same,
  reconnected: same,
  system: same,
  error: same,
  welcome: (event, view) => {
    view.you = event.you;
    if (event.kind === "hub") return { ...event };
    const peer = event.members.find((name) => name !== event.you);
    return peer ? { type: "connected", peer } : undefined;
  },
  message: ({ from, text, time, seq, me, history, mention }) => ({
    type: "message",
    from,
    text,
    time,
    seq,
    ...(me ? { me } : {}),
    ...(history ? { history } : {}),
    ...(mention ? { mention } : {}),
  }),
  private: same,
  joined: ({ name, count, remote }) =>
    remote !== undefined
      ? { type: "connected", peer: name, address: remote }
      : { type: "joined", name, count },
  left: same,
  crowd: same,
  renamed: same,
  members: same,
  notice: ({ text, error }) => error ? { type: "error", message: text } : { type: "system", text },
  "file-incoming": same,
  progress: () => undefined,
  file: same,
  "file-sent": same,
  "file-failed": ({ direction, name, reason }) => ({
    type: "error",
    message: `${direction === "send" ? "Sending" : "Receiving"} ${name} failed: ${reason}`,
    file: name,
  }),
  shared: same,
  "file-list": ({ files, page, pages, total }) => ({ type: "files", files, page, pages, total }),
  closed: same,
  moderated: same,
  topic: same,
  away: same,
  removed: same,
};
