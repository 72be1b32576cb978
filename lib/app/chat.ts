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
import { type CommandContext, runLine } from "../room/slash_commands.ts";
import type { ChatEvent } from "./chat_event.ts";
import type { HostAnnouncement } from "./host_announcement.ts";
import { type StopSignal, StopSignals } from "./stop_signals.ts";

/** How a chat ended. */
export type ChatEnd =
  /** The person left (`/quit`, end of input, the page's Exit). */
  | { how: "quit" }
  /** The connection ended for good: the host's goodbye (`cleanly`), a loss, or `fatal`. */
  | { how: "ended"; reason?: string; fatal?: Error; cleanly: boolean }
  /** A stop signal; `announced` tells whether the chat had been announced on the LAN. */
  | ({ how: "signal"; announced: boolean } & StopSignal);

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
  /** Shows our own lines as `own` events (the browser; a terminal shows what was typed). */
  echo?: boolean;
  /** Set where `/send PATH` must not read local files: the error shown instead. */
  sendPathRefusal?: string;
  /** End on SIGINT/SIGTERM, in order (a terminal's chat). */
  signals?: boolean;
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
        ? (line) =>
          feed.emit({
            type: "own",
            from: client.name,
            text: line.text,
            me: "me" in line && line.me,
            ...("to" in line ? { to: line.to } : {}),
            time: new Date().toISOString(),
          })
        : undefined,
      sendPathRefusal: hooks.sendPathRefusal,
    };
    // Who whispered last, for /reply.
    client.subscribe((event) => {
      if (event.type === "private") this.#context.lastPrivateFrom = event.from;
    });
    parts.finished.then(({ reason, fatal }) => this.#finished(reason, fatal));
    if (hooks.signals) {
      const signals = StopSignals.listen();
      this.#signals = signals;
      signals.received.then((stop) => this.#stop(stop));
    }
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

  /** Runs one typed line: a chat line or a slash command. Ignored once the chat ends. */
  run(line: string): void {
    if (this.#leaving) return;
    runLine(line, this.#context);
  }

  /**
   * Leaves: waits for queued lines and files to be delivered, says goodbye to the LAN, closes
   * the hosted room with `reason` (default: the person ended it) and resolves when all is done.
   */
  leave(reason?: string): Promise<void> {
    this.#ending.resolve();
    this.#leaving ??= this.#leave(reason).then(() =>
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

  async #leave(reason: string | undefined, graceMs?: number): Promise<void> {
    await this.client.quit(graceMs);
    await this.#closeHosting(reason);
    await this.#parts.finished;
  }

  async #closeHosting(reason: string | undefined): Promise<void> {
    await this.#parts.announcement?.close(); // goodbye first: scanners forget the chat at once
    await this.#parts.host?.close(reason ?? this.#parts.goodbye?.() ?? "The chat has ended.");
  }

  /** Ctrl-C at the keyboard where a terminal reads it as a key: as SIGINT. */
  interrupt(): void {
    this.#stop({ signal: "SIGINT", status: 130 });
  }

  /** A signal: goodbye to the LAN, leave without waiting for files, close the room. */
  async #stop(stop: StopSignal): Promise<void> {
    if (this.#signalled) return;
    this.#signalled = stop;
    this.#ending.resolve();
    await this.#parts.announcement?.close();
    if (this.#leaving) {
      // Already leaving and waiting for files to be delivered: stop waiting.
      await this.client.disconnect();
    } else {
      this.#leaving = this.#leave(undefined, 0).then(() =>
        this.#end.resolve({ how: "signal", announced: this.#announced, ...stop })
      );
    }
    await this.#leaving;
  }

  /** The connection is over for good without leaving: close what remains. */
  async #finished(reason: string | undefined, fatal: Error | undefined): Promise<void> {
    if (this.#leaving) return;
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
