/**
 * Flushing a folder just received to the disk before it is confirmed, so that once both sides
 * say it is saved it survives a power cut: every file's data and size, and every folder's
 * entries (the names it holds).
 *
 * A folder of many files is flushed with one `syncfs` of the file system that holds it
 * (`sync -f`, Linux): the file system writes each changed block once, where a flush per file
 * writes the block of inodes and the folder that a file shares with its neighbours once for
 * every file. Where that cannot be run (another system, no `sync` program or one without
 * `-f`, no permission to run it), and for a few files, each file is flushed (`fdatasync`) and
 * then each folder (`fsync`), many at once. A `sync` that reports an error writing to the disk
 * fails the flush: a file opened again after such an error would not report it.
 *
 * @example
 * ```ts ignore
 * import { syncFolder, syncReceived } from "./folder_sync.ts";
 * await syncReceived("received/.p2pchat-1.tmp", files, folders);
 * ```
 * @module
 */

/** From this many files on, the whole file system is flushed at once (where it can be). */
export const SYNCFS_FILES = 64;

/** Files and folders flushed at once when each is flushed. */
export const SYNCS_AT_ONCE = 16;

/** Programs that flush one file system (`sync -f PATH`), the first found is run. */
const SYNC_PROGRAMS = ["/usr/bin/sync", "/bin/sync"];

/** How a folder was flushed: the whole file system at once, or each file and folder. */
export type SyncWay = "filesystem" | "each";

/** Options of {@linkcode syncReceived}. */
export interface SyncOptions {
  /** Programs to try for `sync -f` (for tests); the system's `sync` by default. */
  programs?: string[];
  /** From this many files on, the file system is flushed at once; {@linkcode SYNCFS_FILES}. */
  syncfsFiles?: number;
}

/**
 * Flushes what was received into `root`: the `files` written there and the `folders` made
 * (`root` included). Resolves with the way it was done; rejects when a flush failed.
 *
 * @example
 * ```ts ignore
 * const way = await syncReceived(temp, ["/r/.t/a.txt"], ["/r/.t"]);
 * console.log(way); // "each"
 * ```
 */
export async function syncReceived(
  root: string,
  files: string[],
  folders: string[],
  options: SyncOptions = {},
): Promise<SyncWay> {
  const many = files.length >= (options.syncfsFiles ?? SYNCFS_FILES);
  if (many && await syncFileSystem(root, options.programs ?? SYNC_PROGRAMS)) return "filesystem";
  await inParallel(files, async (path) => {
    using file = await Deno.open(path, { write: true });
    await file.syncData();
  });
  await inParallel(folders, syncFolder);
  return "each";
}

/**
 * Flushes a folder's own entries (the names it holds, as after a rename) to the disk; a folder
 * cannot be flushed on Windows, where this does nothing.
 *
 * @example
 * ```ts ignore
 * await syncFolder("received_files");
 * ```
 */
export async function syncFolder(path: string): Promise<void> {
  if (Deno.build.os === "windows") return;
  using folder = await Deno.open(path, { read: true });
  await folder.sync();
}

/**
 * `sync -f path` (a `syncfs` of its file system): true once it succeeded, false when it could
 * not be run (or knows no `-f`).
 *
 * @throws {Error} When it reports an error writing to the disk.
 */
async function syncFileSystem(path: string, programs: string[]): Promise<boolean> {
  if (Deno.build.os !== "linux") return false;
  for (const program of programs) {
    // Never a permission prompt in the middle of a chat: only when running it was granted.
    if (Deno.permissions.querySync({ name: "run", command: program }).state !== "granted") continue;
    let output: Deno.CommandOutput;
    try {
      output = await new Deno.Command(program, {
        args: ["-f", "--", path],
        clearEnv: true, // messages in the C locale, read below
        stdin: "null",
        stdout: "null",
        stderr: "piped",
      }).output();
    } catch {
      continue; // not there, or not allowed to run: the next, else each file is flushed
    }
    if (output.success) return true;
    const message = new TextDecoder().decode(output.stderr);
    if (/error syncing/i.test(message)) {
      throw new Error(`cannot write the folder to the disk: ${message.trim().slice(0, 200)}`);
    }
    return false;
  }
  return false;
}

/**
 * Runs `work` on every item, {@linkcode SYNCS_AT_ONCE} at a time; after a failure no more
 * are started, and it rejects with that failure once those under way have ended.
 */
async function inParallel<T>(items: T[], work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failed: { error: unknown } | undefined;
  const worker = async () => {
    while (next < items.length && !failed) {
      await work(items[next++]).catch((error) => void (failed ??= { error }));
    }
  };
  await Promise.all(Array.from({ length: Math.min(SYNCS_AT_ONCE, items.length) }, worker));
  if (failed) throw failed.error;
}
