/**
 * The lines of a child process's output as they arrive, for the end-to-end tests and the
 * benchmark, which both watch what a program prints.
 *
 * @example
 * ```ts
 * import { readLines } from "./read_lines.ts";
 * const lines: string[] = [];
 * await readLines(new Response("one\ntwo").body!, (line) => lines.push(line));
 * console.log(lines); // ["one", "two"]
 * ```
 * @module
 */

/**
 * Calls `onLine` with each line of `stream` as it arrives (and a last line without a newline at
 * the end).
 *
 * @example
 * ```ts ignore
 * await readLines(child.stdout, (line) => console.log(line));
 * ```
 */
export async function readLines(
  stream: ReadableStream<Uint8Array>,
  onLine: (line: string) => void,
): Promise<void> {
  let rest = "";
  for await (const text of stream.pipeThrough(new TextDecoderStream())) {
    const parts = (rest + text).split("\n");
    rest = parts.pop()!;
    for (const line of parts) onLine(line);
  }
  if (rest) onLine(rest);
}
