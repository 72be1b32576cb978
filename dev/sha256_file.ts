/**
 * The SHA-256 of a file on disk, for tests that check what landed is what was sent: the
 * product's own (lib/room/file_hash.ts).
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

export { sha256File } from "../lib/room/file_hash.ts";
