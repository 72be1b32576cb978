/**
 * What a receive or data folder holds, for the end-to-end tests that check nothing was left
 * behind (hidden temporary files included).
 *
 * @example
 * ```ts ignore
 * import { listing } from "./folder_listing.ts";
 * assert.deepEqual(await listing(`${dir}/received_files`), ["report.pdf"]);
 * ```
 * @module
 */

import { join } from "node:path";
import { sha256File, WAIT_MS } from "./cli_process.ts";

/** Names in `dir`, hidden ones included, sorted; none when it does not exist. */
export async function listing(dir: string): Promise<string[]> {
  try {
    return (await Array.fromAsync(Deno.readDir(dir))).map((entry) => entry.name).sort();
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return [];
    throw error;
  }
}

/** Waits until `dir` holds a temporary file (`.p2pchat-*`) of at least `bytes`. */
export async function untilTempHolds(dir: string, bytes: number): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  while (true) {
    for (const name of await listing(dir)) {
      if (!name.startsWith(".p2pchat-")) continue;
      const size = await Deno.stat(join(dir, name)).then((info) => info.size, () => 0);
      if (size >= bytes) return;
    }
    if (Date.now() > deadline) throw new Error(`no temporary file of ${bytes} bytes in ${dir}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * Every path under `dir` (hidden ones included, folders ending in `/`), each file with its
 * SHA-256, in order: two folders hold the same when their trees are equal.
 */
export async function hashedTree(dir: string, prefix = ""): Promise<string[]> {
  const found: string[] = [];
  for (const name of await listing(join(dir, prefix))) {
    const path = prefix + name;
    const info = await Deno.lstat(join(dir, path));
    if (info.isDirectory) found.push(`${path}/`, ...await hashedTree(dir, `${path}/`));
    else if (info.isFile) found.push(`${path} ${await sha256File(join(dir, path))}`);
    else found.push(`${path} (not a file)`);
  }
  return found;
}
