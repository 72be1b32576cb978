/**
 * The slash commands of the terminal: the table lives in the room layer so the browser
 * shares it (see `lib/room/slash_commands.ts`).
 *
 * @example
 * ```ts ignore
 * import { runLine } from "./commands.ts";
 * runLine("/nick alicia", context);
 * ```
 * @module
 */

export {
  type Command,
  type CommandContext,
  type CommandFeedback,
  COMMANDS,
  type OwnLine,
  runLine,
} from "../room/slash_commands.ts";
