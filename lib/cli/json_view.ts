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

import type { ChatEvent } from "../app/chat_event.ts";
import { EventWords, plainText } from "../app/event_words.ts";
import { jsonForTerminal } from "./terminal_text.ts";
import type { View } from "./view_event.ts";

/** A kept file as a `/files` page lists it. */
type KeptFile = Extract<ChatEvent, { type: "file-list" }>["files"][number];

type Json = { [key: string]: unknown } | undefined;
type Mapper<E> = (event: E, view: JsonView) => Json;
type Mappers = { [T in ChatEvent["type"]]: Mapper<Extract<ChatEvent, { type: T }>> };

/** Options of {@linkcode JsonView}. */
export interface JsonViewOptions {
  /** A hub's log (`serve --json`): room events as `hub-*` objects with their fields. */
  hubLog?: boolean;
}

/** Renders events as JSON lines. */
export class JsonView implements View {
  #write: (line: string) => void;
  /** The sentences of the events written as a `system` or `error` notice. */
  readonly words: EventWords = new EventWords();
  /** Whether room events are a hub's log. */
  readonly hubLog: boolean;

  /** Creates the view writing lines through `write`. */
  constructor(write: (line: string) => void, options: JsonViewOptions = {}) {
    this.#write = write;
    this.hubLog = options.hubLog ?? false;
  }

  /** Writes the JSON form of `event`, if it has one. */
  show(event: ChatEvent): void {
    const json = (MAPPERS[event.type] as Mapper<ChatEvent>)(event, this);
    if (json) this.#write(jsonForTerminal(json));
  }
}

const same: Mapper<ChatEvent> = (event) => ({ ...event });

/** An event programs get as its sentence: an `error` or a `system` notice. */
const notice: Mapper<ChatEvent> = (event, view) => {
  const [line] = view.words.lines(event);
  if (!line) return undefined;
  const text = plainText(line.text);
  return line.kind === "error" || line.kind === "alert"
    ? { type: "error", message: text }
    : { type: "system", text };
};

/** Kept files with their size as `bytes`, as in every event; `size` stays for one version. */
function withBytes(files: KeptFile[]): (KeptFile & { bytes: number })[] {
  return files.map((file) => ({ ...file, bytes: file.size }));
}

// One entry per event type: the table is the schema.
const MAPPERS: Mappers = {
  listening: ({ host, port, addresses, passkey, hub, kept }) => ({
    type: "listening",
    host,
    port,
    addresses,
    passkey,
    hub,
    ...(kept ? { passkeyKept: !kept.given } : {}),
  }),
  scanning: notice,
  "found-chat": same,
  connecting: notice,
  "connected-to": notice,
  secured: same,
  reconnecting: same,
  reconnected: same,
  waiting: notice,
  announced: notice,
  "announce-failed": notice,
  "passkey-changed": same,
  "name-numbered": same,
  retry: notice,
  // A program sees the lines it sent as it sent them.
  own: () => undefined,
  room: ({ event }, view) =>
    view.hubLog ? { ...event, type: `hub-${event.type}` } : notice({ type: "room", event }, view),
  quitting: ({ lines, transfers, connected, how }, view) => ({
    type: "quitting",
    lines,
    files: transfers.map(({ direction, name, done, total }) => ({
      direction,
      name,
      bytes: total,
      done,
    })),
    connected,
    how,
    text: plainText(
      view.words.lines({ type: "quitting", lines, transfers, connected, how })[0].text,
    ),
  }),
  dropped: same,
  console: ({ event }) => ({
    ...event,
    type: `console-${event.type}`,
    ...(event.type === "files" ? { files: withBytes(event.files) } : {}),
  }),
  stopping: notice,
  stopped: notice,
  exiting: notice,
  system: same,
  error: same,
  refused: notice,
  "handshake-failed": notice,
  throttled: notice,
  "accept-failed": notice,
  "accept-resumed": notice,
  welcome: (event) => {
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
  notice,
  "file-offer": same,
  "file-waiting": same,
  "file-paused": same,
  "file-declined": same,
  "file-incoming": same,
  progress: () => undefined,
  file: same,
  "file-sent": same,
  "file-failed": (event, view) => ({ ...notice(event, view), file: event.name }),
  shared: same,
  // Sizes are `bytes` in every event; `size` stays beside it for one version (README).
  "file-list": ({ files, page, pages, total }) => ({
    type: "files",
    files: withBytes(files),
    page,
    pages,
    total,
  }),
  sent: same,
  "not-sent": same,
  closed: same,
  moderated: same,
  topic: same,
  away: same,
  removed: same,
};
