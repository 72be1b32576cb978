/**
 * A small disk for the disk-full tests: a tmpfs of a given size mounted on a fresh folder
 * (Linux, as root, which CI is), that a test can fill to the last byte and free again. Tests
 * that need one are ignored elsewhere, saying why in their name.
 *
 * @example
 * ```ts ignore
 * import { mountSmallDisk, SMALL_DISK_IGNORED, smallDiskTestName } from "./small_disk.ts";
 * Deno.test({ name: smallDiskTestName("..."), ignore: SMALL_DISK_IGNORED !== undefined,
 *   async fn() {
 *     await using disk = await mountSmallDisk(64 * 1024 * 1024);
 *     await disk.fill();
 *     await disk.free();
 *   } });
 * ```
 * @module
 */

import { join } from "node:path";

/**
 * Why the disk-full tests cannot run here (and are ignored), or `undefined` when they can:
 * mounting a tmpfs takes Linux and root.
 */
export const SMALL_DISK_IGNORED: string | undefined = Deno.build.os !== "linux"
  ? "(ignored: mounting a tmpfs needs Linux)"
  : Deno.uid() !== 0
  ? "(ignored: mounting a tmpfs needs root; CI runs as root)"
  : undefined;

/** `name`, with the reason it is ignored here when it is. */
export function smallDiskTestName(name: string): string {
  return SMALL_DISK_IGNORED ? `${name} ${SMALL_DISK_IGNORED}` : name;
}

/** A mounted small disk. */
export interface SmallDisk extends AsyncDisposable {
  /** Where it is mounted. */
  path: string;
  /** Writes a filler file until the disk is full to the last byte. */
  fill(): Promise<void>;
  /** Removes the filler. */
  free(): Promise<void>;
}

async function run(command: string, args: string[]): Promise<void> {
  const { code, stderr } = await new Deno.Command(command, { args, stdout: "null" }).output();
  if (code !== 0) {
    throw new Error(`${command} ${args.join(" ")}: ${new TextDecoder().decode(stderr)}`);
  }
}

/** Mounts a tmpfs of `bytes` on a new temporary folder; disposing unmounts and removes it. */
export async function mountSmallDisk(bytes: number): Promise<SmallDisk> {
  const path = await Deno.makeTempDir({ prefix: "p2pchat_small_disk_" });
  try {
    await run("mount", ["-t", "tmpfs", "-o", `size=${bytes},mode=0755`, "tmpfs", path]);
  } catch (error) {
    await Deno.remove(path);
    throw error;
  }
  const filler = join(path, "filler");
  return {
    path,
    async fill() {
      using file = await Deno.open(filler, { write: true, create: true, append: true });
      // Big pieces first, then smaller ones, until not even a byte fits.
      for (let piece = 1024 * 1024; piece >= 1; piece = Math.floor(piece / 16)) {
        const bytes = new Uint8Array(piece);
        while (true) {
          try {
            if (await file.write(bytes) < piece) break;
          } catch {
            break; // no space for a whole piece
          }
        }
      }
    },
    async free() {
      await Deno.remove(filler).catch(() => {});
    },
    async [Symbol.asyncDispose]() {
      try {
        await run("umount", [path]);
      } catch {
        await run("umount", ["-l", path]); // still busy: detach it now, it goes when free
      }
      await Deno.remove(path, { recursive: true });
    },
  };
}
