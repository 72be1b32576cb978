/**
 * The one voice of p2pchat: every visible event's sentence and its kind, in one table, for the
 * terminal, the host's log, the JSON stream's notices and the browser alike. What a peer chose
 * (names, lines, file names, reasons, addresses) stays a segment of its own, so the terminal
 * escapes it and the browser isolates its direction; our own words are plain strings.
 *
 * @example
 * ```ts
 * import { EventWords, plainText } from "./event_words.ts";
 * const words = new EventWords();
 * const [line] = words.lines({ type: "joined", name: "bob", count: 2 });
 * console.log(line.kind, plainText(line.text)); // system bob joined. (Connected: 2)
 * ```
 * @module
 */

import { formatBytes } from "../room/byte_size.ts";
import { untilText } from "../room/duration.ts";
import { HOST_NAME } from "../room/moderation.ts";
import type { RoomEvent } from "../room/room.ts";
import type { Transfer } from "../room/room_client.ts";
import type { HostRoomEvent } from "../room/room_host.ts";
import { formatAddress } from "../session/chat_address.ts";
import type { Message } from "../session/message.ts";
import type { ChatEvent } from "./chat_event.ts";
import type { ConsoleEvent } from "./host_console.ts";

/** A piece of a sentence: our own words, or what a peer chose. */
export type Segment = string | { peer: string };

/**
 * How a line is shown: `system` notices, `error`s of this program (labelled `Error: `),
 * `alert`s (refusals and failures a peer or the room reported), `safety` codes to compare,
 * `divider`s around history, and lines people said (`chat`, `history`, `private`).
 */
export type LineKind =
  | "system"
  | "error"
  | "alert"
  | "safety"
  | "divider"
  | "chat"
  | "history"
  | "private";

/** One line to show. */
export interface Line {
  kind: LineKind;
  /** Shown before the text, as part of the sentence (`Error: `). */
  label?: string;
  /** Who said it (people's lines). */
  from?: Segment[];
  /** When it was said (ISO), for people's lines. */
  time?: string;
  /** Said by us. */
  self?: boolean;
  /** Mentions us by name: faces make it stand out (and a terminal rings for a live one). */
  mention?: boolean;
  /** The sentence. */
  text: Segment[];
}

/** What the wording of an event depends on: the chat so far. */
export interface ChatState {
  /** The room's kind, known after the welcome. */
  kind: "direct" | "hub";
  /** Our own name. */
  you: string;
  /** Replayed lines still to come after a welcome, to close the history after the last. */
  historyLeft: number;
  /** The clock (ms since 1970): how long a ban or mute has left is reckoned on it. */
  now: () => number;
}

type Words<E> = (event: E, chat: ChatState) => Line[];
/** One entry per event type: a new event does not compile until it has its words. */
type EventTable = { [T in ChatEvent["type"]]: Words<Extract<ChatEvent, { type: T }>> };
type RoomTable = {
  [T in RoomEvent["type"]]: (
    event: Extract<HostRoomEvent, { type: T }>,
    chat: ChatState,
  ) => Segment[];
};
type ConsoleTable = {
  [T in ConsoleEvent["type"]]: (
    event: Extract<ConsoleEvent, { type: T }>,
    chat: ChatState,
  ) => Line[];
};

const peer = (text: string): Segment => ({ peer: text });
const system = (...text: Segment[]): Line[] => [{ kind: "system", text }];
const error = (...text: Segment[]): Line[] => [{ kind: "error", label: "Error: ", text }];
const alert = (...text: Segment[]): Line[] => [{ kind: "alert", text }];

/** A list of names: "ann, ben" with each name a peer's. */
function names(list: string[]): Segment[] {
  return list.flatMap((name, i) => i === 0 ? [peer(name)] : [", ", peer(name)]);
}

/** A list of names with their marks, as `/who` shows them: "ann (op), ben (away, muted)". */
function markedNames(
  list: string[],
  marks: { away?: string[]; ops?: string[]; muted?: string[] },
): Segment[] {
  return list.flatMap((name, i): Segment[] => {
    const shown = [
      ...(marks.ops?.includes(name) ? ["op"] : []),
      ...(marks.away?.includes(name) ? ["away"] : []),
      ...(marks.muted?.includes(name) ? ["muted"] : []),
    ];
    return [
      ...(i > 0 ? [", "] : []),
      peer(name),
      ...(shown.length ? [` (${shown.join(", ")})`] : []),
    ];
  });
}

/** "12 more joined, 3 more left." for a crowd a big room counts rather than names. */
function crowdText(joined: number, left: number): string {
  const parts = [];
  if (joined > 0) parts.push(`${joined} more joined`);
  if (left > 0) parts.push(`${left} more left`);
  return `${parts.join(", ")}.`;
}

/** "3 lines", "1 line". */
function lineCount(lines: number): string {
  return lines === 1 ? "1 line" : `${lines} lines`;
}

/** How far files are through, summed: "40 %". */
function percent(transfers: Transfer[]): string {
  const total = transfers.reduce((bytes, transfer) => bytes + transfer.total, 0);
  const done = transfers.reduce((bytes, transfer) => bytes + transfer.done, 0);
  return `${total === 0 ? 100 : Math.floor((done / total) * 100)} %`;
}

/** What leaving waits for, and what asking again does. */
function quittingWords(
  { lines, transfers, connected, how }: Extract<ChatEvent, { type: "quitting" }>,
): Segment[] {
  const again = how === "signal" ? "Ctrl-C again" : "/quit again";
  const files: Segment[] = transfers.length === 0
    ? []
    : transfers.length === 1
    ? [peer(transfers[0].name), ` to finish (${percent(transfers)})`]
    : [`${transfers.length} files to finish (${percent(transfers)})`];
  const many = transfers.length + lines > 1;
  if (files.length === 0 && !connected) {
    return [
      `${lineCount(lines)} ${lines === 1 ? "is" : "are"} not delivered yet: waiting for the ` +
      `connection to come back; ${again} drops ${many ? "them" : "it"} and quits.`,
    ];
  }
  const what: Segment[] = files.length && lines
    ? [...files, ` and ${lineCount(lines)} to be delivered`]
    : files.length
    ? files
    : [`${lineCount(lines)} to be delivered`];
  const gives = files.length === 0 ? "drops" : lines === 0 ? "cancels" : "gives up";
  return ["Waiting for ", ...what, `; ${again} ${gives} ${many ? "them" : "it"} and quits.`];
}

/** What the host of a served hub is told: how to take part too, and its console. */
function servedLines(host: string, port: number): Line[] {
  const own = host === "0.0.0.0" ? "127.0.0.1" : host === "::" ? "::1" : host;
  return [
    ...system(`To chat too, in another terminal: p2pchat connect ${own} ${port}`),
    ...system("Type /help for the host's commands; a line without / is said as host."),
  ];
}

/** "bob (10.0.0.5:4000)", or the address alone before the member said who it is. */
function who(event: { name?: string; remote: string }): Segment[] {
  return event.name === undefined
    ? [peer(event.remote)]
    : [peer(event.name), " (", peer(event.remote), ")"];
}

/** "the host", or the operator's name. */
function byWhom(by: string, host?: boolean): Segment {
  return by === HOST_NAME && host !== false ? "the host" : peer(by);
}

/** The same, at the start of a sentence. */
function subject(by: string, host?: boolean): Segment {
  return by === HOST_NAME && host !== false ? "The host" : peer(by);
}

/** " until 2026-12-05 14:03:20 UTC (another 9m 58s)", or ` until ${lifted}` when it has no end. */
function until(iso: string | undefined, lifted: string, now: number): Segment[] {
  if (iso === undefined) return [` until ${lifted}`];
  const time = Date.parse(iso);
  // A time that does not read as one (not from a hub of ours) is shown as it came.
  return Number.isNaN(time) ? [" until ", peer(iso)] : [` until ${untilText(time, now)}`];
}

/** " (REASON)", when there is one. */
function because(reason: string | undefined): Segment[] {
  return reason ? [" (", peer(reason), ")"] : [];
}

/** What the host or an operator did, as everyone is told: `bob was kicked by the host (spam).` */
function moderated(done: Omit<Extract<Message, { t: "moderated" }>, "t">, now: number): Segment[] {
  const by = byWhom(done.by, done.host);
  const name = peer(done.name);
  switch (done.action) {
    case "kicked":
      return [name, " was kicked by ", by, ...because(done.reason), "."];
    case "banned":
      return [
        name,
        " was banned by ",
        by,
        ...until(done.until, "unbanned", now),
        ...because(done.reason),
        ".",
      ];
    case "unbanned":
      return [name, " was unbanned by ", by, "."];
    case "muted":
      return [
        name,
        " was muted by ",
        by,
        ...until(done.until, "unmuted", now),
        ...because(done.reason),
        ".",
      ];
    case "unmuted":
      return [name, " may speak again (unmuted by ", by, ")."];
    case "op":
      return [name, " is now an operator (made by ", by, ")."];
    case "deop":
      return [name, " is no longer an operator (by ", by, ")."];
  }
}

/** "the name, the client and the address 10.0.0.7": what a ban holds. */
function held(client: boolean, address: string | undefined): Segment[] {
  const parts: Segment[][] = [
    ["the name"],
    ...(client ? [["the client"]] : []),
    ...(address ? [["the address ", peer(address)]] : []),
  ];
  return parts.flatMap((part, i) =>
    i === 0 ? part : [i === parts.length - 1 ? " and " : ", ", ...part]
  );
}

/** " (page 2 of 3)" of a list the console answers a page at a time. */
function pageOf({ page, pages }: { page: number; pages: number }): string {
  return pages > 1 ? `; page ${page} of ${pages}` : "";
}

/** The host's console's answers, a line each (the list commands a line per entry). */
const CONSOLE_WORDS: ConsoleTable = {
  help: ({ commands }) => [
    ...system("Host commands (a line without / is said to everyone as host):"),
    ...commands.flatMap(({ usage, help }) => system(`  ${usage.padEnd(32)} ${help}`)),
    ...system("DURATION: 90s, 10m, 2h, 7d; without one, until /unban or /unmute."),
  ],
  who: (event) => [
    ...system(`Members (${event.total}${pageOf(event)}):`),
    ...event.members.flatMap((m) =>
      system(
        "  ",
        peer(m.name),
        " from ",
        peer(m.remote),
        ...(m.role !== "member" ? [` (${m.role === "op" ? "operator" : "the host"})`] : []),
        ...(m.away !== undefined ? [" (away", ...(m.away ? [": ", peer(m.away)] : []), ")"] : []),
        ...(m.muted ? [" (muted)"] : []),
      )
    ),
  ],
  bans: (event, chat) =>
    event.bans.length === 0 ? system("No bans.") : [
      ...system(`Bans (${event.total}${pageOf(event)}):`),
      ...event.bans.flatMap((ban) =>
        system(
          "  ",
          peer(ban.name),
          ...until(ban.until, "unbanned", chat.now()),
          " by ",
          peer(ban.by),
          ...because(ban.reason),
          "; holds ",
          ...held(ban.client, ban.address),
        )
      ),
    ],
  files: (event) =>
    event.files.length === 0 ? system("No shared files.") : [
      ...system(`Shared files (${event.total}${pageOf(event)}):`),
      ...event.files.flatMap((f) =>
        system(
          `  ${f.file}  `,
          peer(f.name),
          ` (${formatBytes(f.size)}) from `,
          peer(f.from),
        )
      ),
    ],
  passkey: ({ passkey }) =>
    system(
      passkey === null
        ? "Open mode: no passkey."
        : `Passkey: ${passkey} (give it to the person connecting)`,
    ),
  topic: ({ text, by }) =>
    text === undefined
      ? system("No topic: /topic TEXT sets one.")
      : system("Topic: ", peer(text), " (set by ", peer(by ?? "?"), ")"),
  error: ({ message }) => error(peer(message)),
};

/** The host log's sentence of each room event. */
const ROOM_WORDS: RoomTable = {
  joined: ({ name, remote, count, safety }) => [
    peer(name),
    " joined from ",
    peer(remote),
    // Open mode: the member compares this code with the one their screen shows.
    ...(safety ? [` (not authenticated, safety code ${safety})`] : []),
    `. (Connected: ${count})`,
  ],
  left: ({ name, reason, count }) => [
    peer(name),
    " left",
    ...(reason ? [" (", peer(reason), ")"] : []),
    `. (Connected: ${count})`,
  ],
  renamed: ({ from, to }) => [peer(from), " is now known as ", peer(to), "."],
  refused: ({ remote, reason }) => ["Refused ", peer(remote), ": ", peer(reason)],
  shared: ({ from, name, size, file }) => [
    peer(from),
    " shared ",
    peer(name),
    ` (${formatBytes(size)}) as file ${file}.`,
  ],
  "file-failed": ({ name, from, reason }) => [
    "Upload of ",
    peer(name),
    " from ",
    peer(from),
    " failed: ",
    peer(reason),
  ],
  "history-failed": ({ from, reason }) => [
    "Could not keep a message from ",
    peer(from),
    " in the history: ",
    peer(reason),
  ],
  skipped: (event) => [
    "Skipped a message from ",
    ...who(event),
    " that could not be read (",
    peer(event.reason),
    `${event.count > 1 ? `; ${event.count} so far` : ""})`,
  ],
  unsendable: (event) => [
    `Did not send a `,
    peer(event.message),
    " message to ",
    ...who(event),
    `: its header (${event.bytes} bytes) is over the limit`,
  ],
  kicked: (event, chat) => moderated({ ...event, action: "kicked" }, chat.now()),
  banned: (event, chat) => [
    ...moderated({ ...event, action: "banned" }, chat.now()),
    " The ban holds ",
    ...held(event.client, event.address),
    event.kept === false ? "; the disk refused it: it holds until the hub stops." : ".",
  ],
  unbanned: (event, chat) => moderated({ ...event, action: "unbanned" }, chat.now()),
  muted: (event, chat) => moderated({ ...event, action: "muted" }, chat.now()),
  unmuted: (event, chat) => moderated({ ...event, action: "unmuted" }, chat.now()),
  op: (event, chat) => moderated({ ...event, action: "op" }, chat.now()),
  deop: (event, chat) => moderated({ ...event, action: "deop" }, chat.now()),
  topic: ({ text, by }) =>
    text ? [subject(by), " set the topic: ", peer(text)] : [subject(by), " cleared the topic."],
  said: ({ text }) => [`[${HOST_NAME}] `, peer(text)],
  removed: ({ file, name, by }) => [
    subject(by),
    ` removed shared file ${file} (`,
    peer(name),
    ").",
  ],
  denied: ({ name, order, reason }) => [`Refused /${order} from `, peer(name), ": ", peer(reason)],
};

/** Where a host's passkey lives, said beside it. */
function passkeyNote(kept: { dir: string; given: boolean } | undefined): string {
  if (!kept) return "give it to the person connecting";
  const dir = kept.dir.endsWith("/") ? kept.dir : `${kept.dir}/`;
  return kept.given
    ? `given at start; not kept in ${dir}`
    : `kept in ${dir}; --new-passkey makes a new one`;
}

/**
 * Every event's lines. Most events are one line; a few are none (progress is drawn, not
 * said) or several (a listening host's addresses, a welcome).
 */
export const WORDS: EventTable = {
  listening: ({ host, port, addresses, passkey, hub, kept, served }) => [
    ...system(`${hub ? "Hub listening" : "Listening"} on ${host}:${port} ...`),
    ...(addresses.length
      ? addresses.flatMap((a) => system(`Others can connect with: p2pchat connect ${a} ${port}`))
      : system("No network address found; others on this computer can use 127.0.0.1.")),
    ...(passkey === null
      ? system("Open mode: no passkey. Connections are encrypted but NOT authenticated.")
      : system(`Passkey: ${passkey} (${passkeyNote(kept)})`)),
    ...(served ? servedLines(host, port) : []),
  ],
  scanning: ({ timeoutMs, label }) =>
    label === undefined
      ? system(`Looking for chats on the local network (${timeoutMs / 1000} s) ...`)
      : system(
        `Looking for the chat labelled "`,
        peer(label),
        `" on the local network (${timeoutMs / 1000} s) ...`,
      ),
  "found-chat": ({ label, host, port }) =>
    system("Found ", peer(label), ` at ${formatAddress(host, port)}`),
  connecting: ({ host, port }) => system(`Connecting to ${formatAddress(host, port)} ...`),
  "connected-to": ({ host, port }) => system(`Connected to ${formatAddress(host, port)}`),
  secured: ({ authenticated, safety, peer: address, previousSafety, safetyChanged }) => {
    if (authenticated) {
      return system(
        "Passkey accepted: the connection with ",
        peer(address),
        " is encrypted and authenticated.",
      );
    }
    const text: Segment[] = safetyChanged === undefined
      ? [
        "Encrypted, but ",
        peer(address),
        " is NOT authenticated (open mode). " +
        `Safety code: ${safety} - check that the other screen shows the same.`,
      ]
      : [
        "New connection to ",
        peer(address),
        ", NOT authenticated (open mode). " +
        (safetyChanged
          ? `The safety code CHANGED: now ${safety}` +
            (previousSafety ? ` (was ${previousSafety})` : "") +
            " - check that the other screen shows the new code."
          : `The safety code is the same as before: ${safety} - check the other screen.`),
      ];
    return [{ kind: "safety", text }];
  },
  reconnecting: ({ reason, delayMs }) =>
    system(
      "Connection lost (",
      peer(reason),
      `), retrying in ${Math.round(delayMs / 100) / 10} s`,
    ),
  reconnected: () => system("Reconnected."),
  waiting: ({ port }) => system(`Waiting for the next person on port ${port} ...`),
  announced: ({ label }) =>
    system(
      `Announced on the local network as "`,
      peer(label),
      `" (p2pchat scan lists it; --no-announce turns this off).`,
    ),
  "announce-failed": ({ reason }) =>
    error(
      "Could not announce the chat on the local network (",
      peer(reason),
      "); others can still connect with the address.",
    ),
  "name-numbered": ({ taken, name }) =>
    system(
      "The name ",
      peer(taken),
      " is taken here; you are ",
      peer(name),
      " (choose another with /nick).",
    ),
  "passkey-changed": ({ queued, asking }, chat) => {
    const lines = queued === 1 ? "1 line" : `${queued} lines`;
    // A direct chat's listener restarted with a new passkey reads the same, of its host.
    const changed = `The ${
      chat.kind === "direct" ? "host" : "hub"
    }'s passkey changed (it was restarted with a new one)`;
    if (!asking) return alert(`${changed}: ${lines} not delivered.`);
    return alert(
      `${changed}. Type the new passkey to rejoin`,
      queued ? `; your ${lines} not delivered yet ${queued === 1 ? "is" : "are"} kept.` : ".",
    );
  },
  retry: ({ ask, reason, triesLeft }) =>
    ask === "passkey"
      ? alert(
        peer(reason),
        `, try again (${triesLeft === 1 ? "1 try" : `${triesLeft} tries`} left)`,
      )
      : alert(peer(reason)),
  own: ({ from, text, me, to, time }) =>
    to !== undefined
      ? [{ kind: "private", from: ["you -> ", peer(to)], time, self: true, text: [peer(text)] }]
      : me
      ? [{ kind: "chat", time, self: true, text: ["* ", peer(from), " ", peer(text)] }]
      : [{ kind: "chat", from: [peer(from)], time, self: true, text: [peer(text)] }],
  room: ({ event }, chat) =>
    system(
      ...(ROOM_WORDS[event.type] as (event: HostRoomEvent, chat: ChatState) => Segment[])(
        event,
        chat,
      ),
    ),
  console: ({ event }, chat) =>
    (CONSOLE_WORDS[event.type] as (event: ConsoleEvent, chat: ChatState) => Line[])(event, chat),
  quitting: (event) => system(...quittingWords(event)),
  dropped: ({ lines }) =>
    alert(`${lineCount(lines)} ${lines === 1 ? "was" : "were"} not delivered (dropped).`),
  stopping: () => system("Stopping: telling members and flushing."),
  stopped: () => system("Hub stopped."),
  exiting: () => system("Exiting."),
  system: ({ text }) => system(text),
  error: ({ message }) => error(message),
  // What the host's listener reports.
  refused: ({ remote, reason }) => error("Refused ", peer(remote), ": ", peer(reason)),
  "handshake-failed": ({ remote, reason, failures, delayMs }) =>
    error(
      peer(reason),
      " from ",
      peer(remote),
      delayMs > 0
        ? ` (${failures} failures from this address; its next attempt waits ${delayMs / 1000} s)`
        : "",
    ),
  throttled: ({ reason }) => error("Guessing suspected: ", peer(reason)),
  "accept-failed": ({ reason }) =>
    error(
      "Could not accept connections: ",
      peer(reason),
      "; retrying, at most a second apart (members already connected go on)",
    ),
  "accept-resumed": ({ failures }) =>
    system(`Accepting connections again (after ${failures} failed attempts).`),
  // What the room client reports.
  welcome: (event, chat) => {
    chat.kind = event.kind;
    chat.you = event.you;
    chat.historyLeft = event.history;
    const others = event.members.filter((name) => name !== event.you);
    const lines: Line[] = [];
    if (event.kind === "hub") {
      lines.push(
        ...system(`${event.resumed ? "Back in" : "Joined"} the hub as `, peer(event.you), "."),
      );
      const more = event.count - event.members.length;
      lines.push(
        ...system(
          "Connected: ",
          ...markedNames(event.members, event),
          `${more > 0 ? ` and ${more} more` : ""} (${event.count})`,
        ),
      );
    } else if (others.length) lines.push(...system("Chatting with ", ...names(others), "."));
    if (event.skipped) {
      // More was missed than the hub replays: the oldest of it is not shown.
      lines.push(
        ...system(`${event.skipped} earlier ${event.skipped === 1 ? "line" : "lines"} not shown.`),
      );
    }
    if (event.topic) lines.push(...system("Topic: ", peer(event.topic)));
    if (event.role && event.kind === "hub") {
      lines.push(...system(event.role === "op" ? "You are an operator." : "You are the host."));
    }
    if (event.history > 0) {
      lines.push({
        kind: "divider",
        text: [
          `Replaying ${event.history} ${event.history === 1 ? "line" : "lines"} of earlier history`,
        ],
      });
    }
    if (!event.resumed) lines.push(...system("Type /help for commands."));
    return lines;
  },
  message: ({ from, text, time, me, history, mention }, chat) => {
    const kind = history ? "history" : "chat";
    const self = from === chat.you;
    const line: Line = me
      ? { kind, time, self, text: ["* ", peer(from), " ", peer(text)] }
      : { kind, time, self, from: [peer(from)], text: [peer(text)] };
    if (mention) line.mention = true;
    if (history && --chat.historyLeft === 0) {
      return [line, { kind: "divider", text: ["End of history"] }];
    }
    return [line];
  },
  private: ({ from, text, time }) => [
    { kind: "private", from: [peer(from), " -> you"], time, text: [peer(text)] },
  ],
  joined: ({ name, count, remote }) =>
    remote !== undefined
      ? system("Connected by ", peer(remote), " (", peer(name), ")")
      : system(peer(name), ` joined. (Connected: ${count})`),
  left: ({ name, count, reason }, chat) => {
    const why: Segment[] = reason ? [" (", peer(reason), ")"] : [];
    return chat.kind === "direct"
      ? system(peer(name), " has left the chat.", ...why)
      : system(peer(name), " left", ...why, `. (Connected: ${count})`);
  },
  crowd: ({ joined, left, count }) => system(`${crowdText(joined, left)} (Connected: ${count})`),
  renamed: ({ from, to }, chat) => {
    if (from === chat.you) chat.you = to;
    return system(peer(from), " is now known as ", peer(to), ".");
  },
  members: ({ names: list, page, pages, total, away, ops, muted }) => {
    const marked = markedNames(list, { away, ops, muted });
    return pages <= 1 ? system("Connected: ", ...marked, ` (${total})`) : system(
      `Connected (page ${page} of ${pages}): `,
      ...marked,
      ` (${total} in all${page < pages ? `; /who ${page + 1} for more` : ""})`,
    );
  },
  notice: ({ text, error }) => error ? alert(peer(text)) : system(peer(text)),
  // Said only when the person is asked; otherwise what was decided follows.
  "file-offer": ({ name, bytes, from, files, ask }) =>
    ask
      ? system(
        files === undefined ? "Accept " : "Accept folder ",
        peer(name),
        ` (${sizeWords(bytes, files)}) from `,
        peer(from),
        "? [Y/n]",
      )
      : [],
  "file-waiting": ({ name }) => system("Offered ", peer(name), ": waiting for an answer."),
  "file-paused": ({ name, by }) =>
    by === undefined
      ? system("Sending ", peer(name), " paused: the connection was lost. It goes on once back.")
      : system(
        "Sending ",
        peer(name),
        " paused: ",
        peer(by),
        " was cut off. It goes on if ",
        peer(by),
        " comes back.",
      ),
  "file-declined": ({ name, by, from }) =>
    from !== undefined
      ? system("Declined ", peer(name), " from ", peer(from), ".")
      : system(by !== undefined ? peer(by) : "The receiver", " declined ", peer(name)),
  "file-incoming": ({ name, bytes, from, files }) =>
    system(
      files === undefined ? "Incoming file " : "Incoming folder ",
      peer(name),
      ` (${sizeWords(bytes, files)}) from `,
      peer(from),
      "...",
    ),
  // Drawn as a progress bar or a transfer row, not said.
  progress: () => [],
  file: ({ path, bytes, sha256, resumedFrom, skipped, files }) =>
    skipped
      ? system(
        "Already here: ",
        peer(path),
        ` (${formatBytes(bytes)}, same SHA-256 ${sha256.slice(0, 12)}...): nothing was sent`,
      )
      : system(
        files === undefined ? "File saved to " : "Folder saved to ",
        peer(path),
        ` (${sizeWords(bytes, files)}`,
        resumedFrom ? `, resumed at ${formatBytes(resumedFrom)}` : "",
        `, SHA-256 ${sha256.slice(0, 12)}... verified)`,
      ),
  "file-sent": ({ name, bytes, to, resumedFrom, skipped, files, leftOut }) =>
    skipped
      ? system(
        ...(to ? [peer(to), " already has "] : ["Already there: "]),
        peer(name),
        ` (${formatBytes(bytes)}, same SHA-256): nothing was sent`,
      )
      : system(
        files === undefined ? "Sent file " : "Sent folder ",
        peer(name),
        ` (${sizeWords(bytes, files)}`,
        resumedFrom ? `, resumed at ${formatBytes(resumedFrom)}` : "",
        ")",
        ...(to ? [" to ", peer(to)] : []),
        ", hash verified",
        ...(leftOut ? [`; ${leftOut} ${leftOut === 1 ? "link" : "links"} not sent`] : []),
      ),
  "file-failed": ({ direction, name, reason, held }) =>
    held
      ? system(
        "Receiving ",
        peer(name),
        " stopped: ",
        peer(reason),
        ". What came is kept: it goes on when it is sent again.",
      )
      : alert(
        `${direction === "send" ? "Sending" : "Receiving"} `,
        peer(name),
        " failed: ",
        peer(reason),
      ),
  shared: ({ from, name, bytes, file, files }) =>
    system(
      peer(from),
      files === undefined ? " shared " : " shared the folder ",
      peer(name),
      ` (${sizeWords(bytes, files)}): /get ${file}`,
    ),
  "file-list": ({ files, page, pages, total }) =>
    files.length === 0 ? system("No shared files yet.") : [
      ...system(
        pages <= 1
          ? `Shared files (${total}):`
          : `Shared files, newest first (page ${page} of ${pages}, ${total} in all${
            page < pages ? `; /files ${page + 1} for older` : ""
          }):`,
      ),
      ...files.flatMap((f) =>
        system(
          `  /get ${f.file}  `,
          peer(f.name),
          ` (${sizeWords(f.folder?.bytes ?? f.size, f.folder?.files)}) from `,
          peer(f.from),
        )
      ),
    ],
  moderated: (event, chat) => system(...moderated(event, chat.now())),
  topic: ({ text, by }) =>
    by === undefined ? system(...(text ? ["Topic: ", peer(text)] : ["No topic."])) : system(
      ...(text
        ? [subject(by), " set the topic: ", peer(text)]
        : [subject(by), " cleared the topic."]),
    ),
  away: ({ name, text }) => system(peer(name), " is away", ...(text ? [": ", peer(text)] : ["."])),
  removed: ({ file, name, by }) =>
    system(subject(by), ` removed shared file ${file} (`, peer(name), ")."),
  // The room took our line: the terminal shows what was typed, the browser its own echo.
  sent: () => [],
  // A refused line's notice says why; dropped lines are counted by `dropped`.
  "not-sent": () => [],
  // A hub's lost connection is told once, by the reconnect notice that follows it.
  closed: ({ reason }, chat) =>
    chat.kind === "direct"
      ? system(...(reason ? ["Peer disconnected: ", peer(reason)] : ["Peer disconnected."]))
      : [],
};

/** `3.1 MB`, or for a folder `2 files, 3.1 MB`. */
function sizeWords(bytes: number, files: number | undefined): string {
  if (files === undefined) return formatBytes(bytes);
  return `${files} ${files === 1 ? "file" : "files"}, ${formatBytes(bytes)}`;
}

/** The words of one chat's events, keeping what they depend on (the room's kind, our name). */
export class EventWords {
  /** The chat so far. */
  readonly chat: ChatState;

  /** Words on the clock `now` (the time of day, by default). */
  constructor(options: { now?: () => number } = {}) {
    this.chat = { kind: "direct", you: "", historyLeft: 0, now: options.now ?? Date.now };
  }

  /** The lines `event` is shown as (none for some). */
  lines(event: ChatEvent): Line[] {
    return (WORDS[event.type] as Words<ChatEvent>)(event, this.chat);
  }
}

/** A sentence as plain text, what peers chose included as it is (escape it before printing). */
export function plainText(text: Segment[]): string {
  return text.map((segment) => typeof segment === "string" ? segment : segment.peer).join("");
}

/**
 * The byte counts of an event, worded, in the order it holds them: for faces that lay them
 * out themselves (the browser's transfer rows and file lists).
 */
export function sizesOf(event: ChatEvent): string[] {
  switch (event.type) {
    case "file-offer":
    case "file-incoming":
    case "file":
    case "file-sent":
    case "shared":
      return [formatBytes(event.bytes)];
    case "progress":
      return [formatBytes(event.total)];
    case "file-list":
      return event.files.map((file) => formatBytes(file.folder?.bytes ?? file.size));
    default:
      return [];
  }
}
