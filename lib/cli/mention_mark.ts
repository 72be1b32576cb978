/**
 * How a terminal marks a line that mentions the person: the bell rings (on a terminal), and the
 * line stands out: in bold reverse video where the terminal shows it and the person has not
 * asked for no colour (`NO_COLOR`), else behind a `*`.
 *
 * @example
 * ```ts
 * import { markMention } from "./mention_mark.ts";
 * console.log(markMention("[alice] hi bob", { bell: false, styled: false })); // "* [alice] hi bob"
 * ```
 * @module
 */

/** How mentions are marked on one terminal. */
export interface MentionMark {
  /** Ring the terminal's bell (BEL) for a line said now (not for replayed history). */
  bell: boolean;
  /** Bold reverse video (SGR); otherwise a `*` before the line. */
  styled: boolean;
}

const BEL = "\x07";
const STANDOUT = "\x1b[1;7m";
const PLAIN = "\x1b[0m";

/**
 * The mark for stdout: the bell and styles only on a terminal, styles only where `TERM` is not
 * `dumb` and `NO_COLOR` is not set (https://no-color.org).
 *
 * @example
 * ```ts
 * import { mentionMark } from "./mention_mark.ts";
 * console.log(mentionMark({ terminal: true, env: { NO_COLOR: "1" } })); // { bell: true, styled: false }
 * ```
 */
export function mentionMark(
  on: { terminal: boolean; env: { [name: string]: string | undefined } } = {
    terminal: Deno.stdout.isTerminal(),
    env: Deno.env.toObject(),
  },
): MentionMark {
  const colour = (on.env.NO_COLOR ?? "") === "" && on.env.TERM !== "dumb";
  return { bell: on.terminal, styled: on.terminal && colour };
}

/**
 * `line` (already escaped for the terminal) marked as mentioning the person; `ring`: with the
 * bell, when the mark rings at all.
 *
 * @example
 * ```ts
 * import { markMention } from "./mention_mark.ts";
 * markMention("[alice] hi bob", { bell: true, styled: true }, true); // "\x07\x1b[1;7m[alice] hi bob\x1b[0m"
 * ```
 */
export function markMention(line: string, mark: MentionMark, ring = false): string {
  const bell = ring && mark.bell ? BEL : "";
  return mark.styled ? `${bell}${STANDOUT}${line}${PLAIN}` : `${bell}* ${line}`;
}
