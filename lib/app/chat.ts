/**
 * One person's chat, as the front door hands it to a face: the room client, every event for
 * any number of listeners, the typed lines (chat and slash commands), leaving, and how it
 * ended. It also owns what hosting left running (the room, the LAN announcement) and, where
 * asked, the stop signals, so everything ends in one order: goodbye to the LAN, leave the
 * chat, then the room (which removes unfinished temporary files).
 *
 * @example
 * ```ts ignore
 * import { connectChat } from "./front_door.ts";
 * const chat = await connectChat(plan, { onEvent: (event) => console.log(event) });
 * chat.run("hello");
 * chat.run("/quit");
 * console.log(await chat.done); // { how: "quit" }
 * ```
 * @module
 */

import type { Listeners } from "../room/listeners.ts";
import type { RoomClient } from "../room/room_client.ts";
import type { RoomHost } from "../room/room_host.ts";
import { type CommandContext, isCommand, runLine } from "../room/slash_commands.ts";
import type { ChatEvent } from "./chat_event.ts";
import type { HostAnnouncement } from "./host_announcement.ts";
import { type StopSignal, StopSignals } from "./stop_signals.ts";

/** How long leaving waits, while only lines are on their way, before it says so. */
const QUIET_WAIT_MS = 500;

/** How a chat ended. */
export type ChatEnd =
  /** The person left (`/quit`, end of input, the page's Exit). */
  | { how: "quit" }
  /** The connection ended for good: the host's goodbye (`cleanly`), a loss, or `fatal`. */
  | { how: "ended"; reason?: string; fatal?: Error; cleanly: boolean }
  /** A stop signal; `announced` tells whether the chat had been announced on the LAN. */
  | ({ how: "signal"; announced: boolean } & StopSignal);

/** Who a hosted chat would stop for if its host left: the others in the room. */
export interface Audience {
  kind: "direct" | "hub";
  /** The other members' names, in joining order. */
  others: string[];
}

/** What a face asks of the front door. */
export interface ChatHooks {
  /** The first listener, subscribed before anything happens. */
  onEvent?: (event: ChatEvent) => void;
  /**
   * Asked again after a failed join (a terminal's prompts); without them a failed join throws
   * a {@linkcode ChatError}. `undefined` or empty gives up.
   */
  ask?: {
    passkey?: () => Promise<string | undefined>;
    name?: () => Promise<string | undefined>;
  };
  /**
   * Shows our own lines as `own` events: every one (the browser), or `"actions"`, only `/me`
   * and private lines (a terminal, which shows what was typed: `/me waves` is not what the
   * others see).
   */
  echo?: boolean | "actions";
  /** Set where `/send PATH` must not read local files: the error shown instead. */
  sendPathRefusal?: string;
  /** End on SIGINT/SIGTERM, in order (a terminal's chat). */
  signals?: boolean;
  /**
   * A program types (stdin is not a terminal): each command waits until the one before it
   * has its outcome (a `/send` its file-sent or error), so answers come in the order asked.
   * Chat lines never wait.
   */
  inOrder?: boolean;
}

/** What the front door builds a {@linkcode Chat} from. */
export interface ChatParts {
  /** The chat's listeners (the face's first one already subscribed). */
  feed: Listeners<ChatEvent>;
  client: RoomClient;
  /** Resolves once the connection is over for good: why, and an error that ended retrying. */
  finished: Promise<{ reason?: string; fatal?: Error }>;
  /** The room this person hosts, if any. */
  host?: RoomHost;
  announcement?: HostAnnouncement;
  /** What the hosted room tells the others when this person leaves. */
  goodbye?: () => string;
  hooks: ChatHooks;
}

/** One person's chat. */
export class Chat {
  /** The connection to the room. */
  readonly client: RoomClient;
  #parts: ChatParts;
  #context: CommandContext;
  #ending = Promise.withResolvers<void>();
  #end = Promise.withResolvers<ChatEnd>();
  #leaving: Promise<void> | undefined;
  #dropping: Promise<void> | undefined;
  /** The commands typed so far, in order (with `inOrder`). */
  #commands: Promise<void> = Promise.resolve();
  #signalled: StopSignal | undefined;
  #signals: StopSignals | undefined;

  /** Made by the front door (front_door.ts). */
  constructor(parts: ChatParts) {
    this.#parts = parts;
    const { client, feed, hooks } = parts;
    this.client = client;
    this.#context = {
      client,
      show: (feedback) => feed.emit(feedback),
      quit: () => void this.leave(),
      said: hooks.echo
        ? (line) => {
          if (hooks.echo !== true && !("to" in line) && !line.me) return;
          feed.emit({
            type: "own",
            from: client.name,
            text: line.text,
            me: "me" in line && line.me,
            ...("to" in line ? { to: line.to } : {}),
            time: new Date().toISOString(),
          });
        }
        : undefined,
      sendPathRefusal: hooks.sendPathRefusal,
    };
    // Who whispered last, for /reply.
    client.subscribe((event) => {
      if (event.type === "private") this.#context.lastPrivateFrom = event.from;
    });
    parts.finished.then(({ reason, fatal }) => this.#finished(reason, fatal));
    if (hooks.signals) this.#signals = StopSignals.listen((stop) => this.#stop(stop));
    this.#end.promise.then(() => this.#signals?.close());
  }

  /** Listens to every event of the chat from now on; the function returned stops it. */
  subscribe(listener: (event: ChatEvent) => void): () => void {
    return this.#parts.feed.subscribe(listener);
  }

  /** Resolves as soon as the chat begins to end (leaving, a signal, the connection over). */
  get ending(): Promise<void> {
    return this.#ending.promise;
  }

  /** Resolves once the chat is over and everything it ran is closed. */
  get done(): Promise<ChatEnd> {
    return this.#end.promise;
  }

  /**
   * The others a leave would stop the chat for: set only when this person hosts the room (a
   * hub or a direct chat it listens on), while the room is open.
   */
  get audience(): Audience | undefined {
    const room = this.#parts.host?.room;
    if (!room || this.#leaving) return undefined;
    return { kind: room.kind, others: room.names.filter((name) => name !== this.client.name) };
  }

  /**
   * Runs one typed line: a chat line or a slash command. While leaving, `/quit` leaves without
   * waiting; anything else is not sent, and the person is told.
   */
  run(line: string): void {
    if (this.#leaving) {
      if (/^\/(quit|exit)$/i.test(line.trim())) void this.leave();
      else if (line.trim() !== "") {
        this.#parts.feed.emit({
          type: "system",
          text: "Not sent: you are leaving (/quit again leaves without waiting).",
        });
      }
      return;
    }
    if (this.#parts.hooks.inOrder && isCommand(line)) {
      this.#commands = this.#commands.then(() =>
        this.#leaving ? this.run(line) : runLine(line, this.#context)
      );
    } else runLine(line, this.#context);
  }

  /** The end of what is typed: leaves as `/quit` does (after the commands before it). */
  endOfInput(): void {
    this.#commands = this.#commands.then(() => {
      if (!this.#leaving) void this.leave();
    });
  }

  /**
   * Leaves: waits for lines not delivered yet and files under way (saying so when it takes a
   * while), says goodbye to the LAN, closes the hosted room with `reason` (default: the person
   * ended it) and resolves when all is done. Asked again while it waits, it gives up what is
   * still on its way (lines dropped, files cancelled, both sides told).
   */
  leave(reason?: string): Promise<void> {
    return this.#quit(reason, "quit");
  }

  /** Ctrl-C at the keyboard where a terminal reads it as a key: as SIGINT. */
  interrupt(): void {
    this.#stop({ signal: "SIGINT", status: 130 });
  }

  #quit(reason: string | undefined, how: "quit" | "signal"): Promise<void> {
    this.#ending.resolve();
    if (this.#leaving) {
      void this.#drop();
      return this.#leaving;
    }
    this.#leaving = this.#leave(reason, how).then(() =>
      this.#end.resolve(
        this.#signalled
          ? { how: "signal", announced: this.#announced, ...this.#signalled }
          : { how: "quit" },
      )
    );
    return this.#leaving;
  }

  get #announced(): boolean {
    return this.#parts.announcement?.announced ?? false;
  }

  async #leave(reason: string | undefined, how: "quit" | "signal"): Promise<void> {
    const client = this.client;
    const delivered = client.deliver();
    const timer = this.#tellWaiting(how);
    await delivered;
    clearTimeout(timer);
    if (this.#parts.host) {
      // Hosting: the room closes with its goodbye, which tells the others once (no "left"
      // of our own before it).
      await this.#closeHosting(reason);
    } else await client.quit();
    await this.#parts.finished;
  }

  /** Says what leaving waits for: at once for files or a lost connection, lines after a bit. */
  #tellWaiting(how: "quit" | "signal"): ReturnType<typeof setTimeout> | undefined {
    const tell = () => {
      const { lines, transfers } = this.client.inFlight;
      if (this.#dropping || (lines === 0 && transfers.length === 0)) return;
      const connected = this.client.connected;
      this.#parts.feed.emit({ type: "quitting", lines, transfers, connected, how });
    };
    const { transfers } = this.client.inFlight;
    if (transfers.length > 0 || !this.client.connected) return void tell();
    return setTimeout(tell, QUIET_WAIT_MS);
  }

  /** Gives up what is in flight, once, saying how many lines were dropped. */
  #drop(): Promise<void> {
    this.#dropping ??= this.client.drop().then((lines) => {
      if (lines > 0) this.#parts.feed.emit({ type: "dropped", lines });
    });
    return this.#dropping;
  }

  async #closeHosting(reason: string | undefined): Promise<void> {
    await this.#parts.announcement?.close(); // goodbye first: scanners forget the chat at once
    await this.#parts.host?.close(reason ?? this.#parts.goodbye?.() ?? "The chat has ended.");
  }

  /**
   * A signal: the first SIGINT leaves as `/quit` does (waiting for what is in flight), the
   * second gives that up; SIGTERM never waits.
   */
  #stop(stop: StopSignal): void {
    this.#signalled ??= stop;
    if (stop.signal !== "SIGINT") void this.#drop();
    void this.#quit(undefined, "signal");
  }

  /** The connection is over for good without leaving: close what remains. */
  async #finished(reason: string | undefined, fatal: Error | undefined): Promise<void> {
    if (this.#leaving) {
      // Nothing more can be delivered (a hub that will not take us back).
      if (this.client.busy) void this.#drop();
      return;
    }
    this.#leaving = Promise.resolve();
    this.#ending.resolve();
    await this.#closeHosting(undefined);
    this.#end.resolve({
      how: "ended",
      ...(reason ? { reason } : {}),
      ...(fatal ? { fatal } : {}),
      cleanly: this.client.endedCleanly,
    });
  }
}
