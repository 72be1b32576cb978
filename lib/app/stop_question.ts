/**
 * The question a host is asked before leaving stops the chat for others: "Stop the hub for 12
 * people?", "End the chat with bob?". Asked by a face that can ask (the browser's Exit); the
 * words are here, once, with what a peer chose (a name) a segment of its own.
 *
 * @example
 * ```ts
 * import { stopQuestion } from "./stop_question.ts";
 * import { plainText } from "./event_words.ts";
 * const asked = stopQuestion({ kind: "hub", others: ["ann", "ben"] });
 * console.log(plainText(asked!.question)); // Stop the hub for 2 people?
 * ```
 * @module
 */

import type { Audience } from "./chat.ts";
import type { Segment } from "./event_words.ts";

/** A question before stopping a chat for others, and its two answers. */
export interface StopQuestion {
  question: Segment[];
  /** What happens to the others. */
  detail: string;
  /** The answer that stops it. */
  stop: string;
  /** The answer that keeps it going. */
  keep: string;
}

/** What to ask before leaving a chat hosted for `audience`; `undefined`: nobody else is there. */
export function stopQuestion(audience: Audience | undefined): StopQuestion | undefined {
  const count = audience?.others.length ?? 0;
  if (!audience || count === 0) return undefined;
  if (audience.kind === "hub") {
    return {
      question: [`Stop the hub for ${count} ${count === 1 ? "person" : "people"}?`],
      detail: "They are disconnected, and their chats keep trying to reconnect until a hub " +
        "runs on this port again.",
      stop: "Stop the hub",
      keep: "Keep it running",
    };
  }
  return {
    question: ["End the chat with ", { peer: audience.others[0] }, "?"],
    detail: "The chat ends for them too.",
    stop: "End the chat",
    keep: "Stay",
  };
}
