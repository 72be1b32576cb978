/**
 * Writes all of a byte array to a connection or file: `write` may take only part of it.
 *
 * @example
 * ```ts
 * import { writeAll } from "./write_all.ts";
 * const path = await Deno.makeTempFile();
 * using file = await Deno.open(path, { write: true });
 * await writeAll(file, new TextEncoder().encode("hello"));
 * console.log(await Deno.readTextFile(path)); // "hello"
 * await Deno.remove(path);
 * ```
 * @module
 */

/** Anything with Deno's `write` contract, such as a `Deno.Conn` or a `Deno.FsFile`. */
export interface ByteSink {
  write(bytes: Uint8Array): Promise<number>;
}

/** Writes every byte of `bytes` to `sink`, calling `write` again for what it left. */
export async function writeAll(sink: ByteSink, bytes: Uint8Array): Promise<void> {
  for (let offset = 0; offset < bytes.length;) offset += await sink.write(bytes.subarray(offset));
}
