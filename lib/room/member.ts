/**
 * A member of a room: a person behind one session.
 *
 * @example
 * ```ts ignore
 * import { Member } from "./member.ts";
 * const member = new Member(session, "alice", "client-id", { perSecond: 0, burst: 0 });
 * member.post({ t: "notice", text: "hello" });
 * ```
 * @module
 */

import type { Message } from "../session/message.ts";
import type { Session } from "../session/session.ts";
import type { LineReplay } from "./line_replay.ts";
import { type RateLimit, RateLimiter } from "./rate_limiter.ts";

/** One person in a room. */
export class Member {
  /** The session to this member's client. */
  readonly session: Session;
  /** Stable id of the client program, kept across reconnects. */
  readonly client: string;
  /** Flood control for this member's lines (and renames, which reach everyone as well). */
  readonly limiter: RateLimiter;
  /**
   * Flood control for what this member asks the room (`/who`, `/files`): the same rate, in a
   * bucket of its own, so asking after a burst of lines is still answered.
   */
  readonly queries: RateLimiter;
  /** The replay of the lines it missed (or its history), while it runs. */
  replay: LineReplay | undefined;
  /** Whether this is the host itself, taking part (no operator may touch it). */
  readonly host: boolean;
  /** The member's away message (`""`: away without one); `undefined` while here. */
  away: string | undefined;
  #name: string;
  #saidNew = false;

  /** Creates a member; `host` for the host's own client taking part. */
  constructor(session: Session, name: string, client: string, rate: RateLimit, host = false) {
    this.session = session;
    this.host = host;
    this.#name = name;
    this.client = client;
    this.limiter = new RateLimiter(rate);
    this.queries = new RateLimiter(rate);
  }

  /**
   * Whether this member's next line may be one it said before: a client re-sends its
   * unacknowledged lines first thing on a new connection, so this holds until its first new
   * line.
   */
  get mayResend(): boolean {
    return !this.#saidNew;
  }

  /** Notes that the member said a new line: later ones on this connection are new too. */
  saidNew(): void {
    this.#saidNew = true;
  }

  /** The member's current name. */
  get name(): string {
    return this.#name;
  }

  /** Renames the member (the room checks uniqueness). */
  rename(name: string): void {
    this.#name = name;
  }

  /** Queues a message to the member; `record` is its encoding, when already made. */
  post(message: Message, body?: Uint8Array, record?: Uint8Array): void {
    this.session.post(message, body, record);
  }
}
