/**
 * The SHA-256 of a file on disk, for tests that check what landed is what was sent (the
 * product hashes while it sends and receives, never a file at rest).
 *
 * @example
 * ```ts
 * import { sha256File } from "./sha256_file.ts";
 * const path = await Deno.makeTempFile();
 * console.log(await sha256File(path));
 * // "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
 * await Deno.remove(path);
 * ```
 * @module
 */

import { createHash } from "node:crypto";

/** Lower-case hex SHA-256 of the file at `path`, read in pieces so memory stays flat. */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash("sha256");
  const buffer = new Uint8Array(256 * 1024);
  using file = await Deno.open(path, { read: true });
  while (true) {
    const n = await file.read(buffer);
    if (n === null) break;
    hash.update(buffer.subarray(0, n));
  }
  return hash.digest("hex");
}
