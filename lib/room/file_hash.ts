/**
 * The SHA-256 of a file at rest: what `/get` compares a kept file with before downloading it
 * again (transfers hash while they send and receive).
 *
 * @example
 * ```ts
 * import { sha256File } from "./file_hash.ts";
 * const path = await Deno.makeTempFile();
 * console.log(await sha256File(path));
 * // "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
 * await Deno.remove(path);
 * ```
 * @module
 */

import { createHash } from "node:crypto";

/**
 * Lower-case hex SHA-256 of the file at `path`, read in pieces so memory stays flat.
 *
 * @example
 * ```ts ignore
 * import { sha256File } from "./file_hash.ts";
 * console.log(await sha256File("received_files/report.pdf"));
 * ```
 */
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
