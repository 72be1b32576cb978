/**
 * Splits text into lines (for stdin that is not a terminal).
 *
 * @example
 * ```ts
 * import { LineSplitter } from "./line_splitter.ts";
 * const lines = ReadableStream.from(["a\nb", "c\r\n"]).pipeThrough(new LineSplitter());
 * console.log(await Array.fromAsync(lines)); // ["a", "bc"]
 * ```
 * @module
 */

/** Turns text chunks into lines without their `\n` or `\r\n`. */
export class LineSplitter extends TransformStream<string, string> {
  /** Creates the splitter. */
  constructor() {
    let partial = "";
    super({
      transform(chunk, controller) {
        const parts = (partial + chunk).split("\n");
        partial = parts.pop()!;
        for (const line of parts) {
          controller.enqueue(line.endsWith("\r") ? line.slice(0, -1) : line);
        }
      },
      flush(controller) {
        if (partial !== "") controller.enqueue(partial);
      },
    });
  }
}
