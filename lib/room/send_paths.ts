/**
 * The paths of `/send PATH [PATH ...]`, read the way a shell would split them: what a
 * terminal types when files are dropped on it (`\ ` escapes or quotes) and `~/` work.
 *
 * @example
 * ```ts
 * import { splitSendPaths } from "./send_paths.ts";
 * splitSendPaths(String.raw`~/My\ Notes.txt "a b.pdf"`, "/home/al"); // ["/home/al/My Notes.txt", "a b.pdf"]
 * ```
 * @module
 */

/** Thrown by {@linkcode splitSendPaths} for a line that cannot be read as paths. */
export class SendPathsError extends Error {
  /**
   * @param message What is wrong, for the person who typed it.
   *
   * @example
   * ```ts
   * import { SendPathsError } from "./send_paths.ts";
   * console.log(new SendPathsError("a quote is not closed").message);
   * ```
   */
  constructor(message: string) {
    super(message);
    this.name = "SendPathsError";
  }
}

/**
 * Splits `line` into paths: blanks separate them; `'...'` keeps everything as typed; `"..."`
 * keeps everything but `\"` and `\\`, which stand for `"` and `\`; outside quotes a `\`
 * keeps the next character (`My\ Notes.txt`). A path that starts with `~/` (unquoted) starts
 * in `home` when one is given; `~` alone is `home`.
 *
 * @param line What follows `/send`.
 * @param home The person's home folder, for `~/`.
 * @returns The paths, in order (empty for a blank line).
 * @throws {SendPathsError} When a quote is not closed or the line ends in a lone `\`.
 *
 * @example
 * ```ts
 * import { splitSendPaths } from "./send_paths.ts";
 * splitSendPaths("'it''s here' b"); // ["its here", "b"]
 * ```
 */
export function splitSendPaths(line: string, home?: string): string[] {
  const paths: string[] = [];
  let current: string | undefined;
  let i = 0;
  while (i < line.length) {
    const ch = line[i];
    if (/\s/.test(ch)) {
      if (current !== undefined) paths.push(current);
      current = undefined;
      i++;
      continue;
    }
    if (current === undefined) {
      current = "";
      const tilde = home !== undefined && ch === "~" &&
        (i + 1 === line.length || line[i + 1] === "/" || /\s/.test(line[i + 1]));
      if (tilde) {
        current = home;
        i++;
        continue;
      }
    }
    if (ch === "'") {
      const close = line.indexOf("'", i + 1);
      if (close < 0) throw new SendPathsError("a quote (') is not closed");
      current += line.slice(i + 1, close);
      i = close + 1;
    } else if (ch === '"') {
      i++;
      while (i < line.length && line[i] !== '"') {
        const escaped = line[i] === "\\" && (line[i + 1] === '"' || line[i + 1] === "\\");
        current += escaped ? line[i + 1] : line[i];
        i += escaped ? 2 : 1;
      }
      if (i >= line.length) throw new SendPathsError('a quote (") is not closed');
      i++;
    } else if (ch === "\\") {
      if (i + 1 >= line.length) throw new SendPathsError("the line ends with a lone \\");
      current += line[i + 1];
      i += 2;
    } else {
      current += ch;
      i++;
    }
  }
  if (current !== undefined) paths.push(current);
  return paths;
}
