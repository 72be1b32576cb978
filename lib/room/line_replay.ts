/**
 * Replays kept lines to one member (what a returning member missed, a newcomer's history) at
 * the pace the member takes them: a page of lines from the history, posted while the member's
 * backlog is low, then a wait until it has taken them. Posted all at once, ten thousand lines
 * (up to 40 MiB) went into a send queue that cuts a member off at 1 MiB; the member came back,
 * was replayed the same again, and so for ever.
 *
 * While a replay runs, the room's new lines are not sent to the member live: the replay sends
 * them, from the history, after the ones before them, and stops once it has caught up (in the
 * same turn as it finds nothing more, so the next line goes out live). The member sees every
 * line once and in order. The member's own lines come back to it with its id, which its
 * client takes as their acknowledgement: an ack sent ahead of the replay would say that
 * every line before it had arrived ({@linkcode LineReplay.mayAck}).
 *
 * @example
 * ```ts ignore
 * import { LineReplay } from "./line_replay.ts";
 * const replay = new LineReplay({ history, session, client, start: 0, historyLines: 50,
 *   alive: () => true });
 * await replay.run();
 * ```
 * @module
 */

import type { Session } from "../session/session.ts";
import { type History, lineMessage } from "./history.ts";

/** Lines read from the history at a time. */
const PAGE_LINES = 256;
/**
 * A replay posts while the member's backlog is at most this: well under what makes a room
 * hold its senders for a member that is behind (BacklogGate, 256 KiB), so a member being
 * replayed holds up no one, and far under the 1 MiB that cuts a member off.
 */
export const REPLAY_HIGH_WATER_BYTES = 128 * 1024;
/** Above it, the replay waits until the member's backlog is down to this. */
const REPLAY_LOW_WATER_BYTES = 32 * 1024;

/** Options of {@linkcode LineReplay}. */
export interface LineReplayOptions {
  history: History;
  /** The member's session. */
  session: Session;
  /** The member's client id: its own lines are sent with their ids. */
  client: string;
  /** Lines after this number are replayed. */
  start: number;
  /** The first this many are marked as history; later ones came while it ran. */
  historyLines: number;
  /** Whether the member is still in the room. */
  alive: () => boolean;
}

/** One member's replay. */
export class LineReplay {
  #options: LineReplayOptions;
  /** The number of the last line posted to the member (or where the replay starts). */
  #sentUpTo: number;
  #running = true;

  /** Prepares the replay; the room's lines go past this member from now until it is done. */
  constructor(options: LineReplayOptions) {
    this.#options = options;
    this.#sentUpTo = options.start;
  }

  /** Whether the replay still sends the member its lines (the room must not). */
  get running(): boolean {
    return this.#running;
  }

  /**
   * Whether the acknowledgement of the member's own line `seq` may go now: once the replay
   * is done, or for a line it has passed. Otherwise the replay sends the line itself.
   */
  mayAck(seq: number): boolean {
    return !this.#running || seq <= this.#sentUpTo;
  }

  /** Sends the lines, page by page, until it has caught up with the history. Never throws. */
  async run(): Promise<void> {
    const { history, session, client, historyLines, alive } = this.#options;
    let sent = 0;
    try {
      while (alive()) {
        const page = history.after(this.#sentUpTo, PAGE_LINES);
        if (page.length === 0) break; // caught up: from here, lines go out live
        for (const line of page) {
          if (session.backlog > REPLAY_HIGH_WATER_BYTES) {
            await session.backlogBelow(REPLAY_LOW_WATER_BYTES);
            if (!alive()) return;
          }
          session.post(lineMessage(line, {
            own: line.client === client,
            history: sent++ < historyLines,
          }));
          this.#sentUpTo = line.seq;
        }
      }
    } catch {
      /* a history that fails to read ends the replay; the member goes on live */
    } finally {
      this.#running = false;
    }
  }
}
