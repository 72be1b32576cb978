/**
 * A hub's data folder (`serve --data`, default `p2pchat-data/`): the history database, its
 * journal (which holds members' resume ids), the kept files and the hub's passkey. Private to its owner: the
 * folder and every folder in it 0700, every file 0600 (POSIX), fixed at each start for a
 * folder an older version or another program left readable. A hub killed during an upload
 * left a temporary file behind; it is removed at the next start.
 *
 * @example
 * ```ts
 * import { DataFolder } from "./data_folder.ts";
 * const root = await Deno.makeTempDir();
 * const folder = DataFolder.open(`${root}/p2pchat-data`);
 * console.log(folder.database.endsWith("hub.db")); // true
 * await Deno.remove(root, { recursive: true });
 * ```
 * @module
 */

import { join } from "node:path";
import { isTemporaryFileName } from "./file_store.ts";

/**
 * Mode of the data folder and the folders in it: its owner only.
 *
 * @example
 * ```ts
 * import { PRIVATE_FOLDER_MODE } from "./data_folder.ts";
 * console.log(PRIVATE_FOLDER_MODE.toString(8)); // "700"
 * ```
 */
export const PRIVATE_FOLDER_MODE = 0o700;
/**
 * Mode of every file in the data folder: readable and writable by its owner only.
 *
 * @example
 * ```ts
 * import { PRIVATE_FILE_MODE } from "./data_folder.ts";
 * console.log(PRIVATE_FILE_MODE.toString(8)); // "600"
 * ```
 */
export const PRIVATE_FILE_MODE = 0o600;

/** A hub's data folder, opened (created, made private, cleared of leftovers). */
export class DataFolder {
  /** The folder as given. */
  readonly dir: string;

  private constructor(dir: string) {
    this.dir = dir;
  }

  /**
   * Creates `dir` (with parents) if needed, makes it and everything in it private, creates
   * the database and journal files private if they do not exist (SQLite gives its `-wal` and
   * `-shm` files the database's mode), and removes the temporary files of uploads that a
   * killed hub left unfinished. Throws when the folder cannot be made so.
   *
   * @example
   * ```ts
   * import { DataFolder } from "./data_folder.ts";
   * const root = await Deno.makeTempDir();
   * const folder = DataFolder.open(`${root}/data`);
   * console.log(Deno.statSync(folder.dir).isDirectory); // true
   * await Deno.remove(root, { recursive: true });
   * ```
   */
  static open(dir: string): DataFolder {
    const folder = new DataFolder(dir);
    Deno.mkdirSync(folder.files, { recursive: true, mode: PRIVATE_FOLDER_MODE });
    for (const path of [folder.database, folder.journal]) {
      Deno.openSync(path, { create: true, append: true, mode: PRIVATE_FILE_MODE }).close();
    }
    makePrivate(dir);
    for (const entry of Deno.readDirSync(folder.files)) {
      if (entry.isFile && isTemporaryFileName(entry.name)) {
        Deno.removeSync(join(folder.files, entry.name));
      }
    }
    return folder;
  }

  /**
   * The SQLite database of history and kept files.
   *
   * @example
   * ```ts ignore
   * new DatabaseSync(folder.database);
   * ```
   */
  get database(): string {
    return join(this.dir, "hub.db");
  }

  /**
   * The journal of lines not yet committed.
   *
   * @example
   * ```ts ignore
   * new LineJournal(folder.journal);
   * ```
   */
  get journal(): string {
    return join(this.dir, "hub.journal");
  }

  /**
   * The hub's kept passkey (see kept_passkey.ts).
   *
   * @example
   * ```ts ignore
   * keptPasskey(folder); // reads or writes folder.passkey
   * ```
   */
  get passkey(): string {
    return join(this.dir, "passkey");
  }

  /**
   * The folder of kept files.
   *
   * @example
   * ```ts ignore
   * new FileStore(folder.files, { fileMode: PRIVATE_FILE_MODE });
   * ```
   */
  get files(): string {
    return join(this.dir, "files");
  }
}

/**
 * Makes `dir` and what it holds private, folders first so nothing is readable meanwhile.
 * Symbolic links are left alone: a mode change would reach whatever they point to.
 */
function makePrivate(dir: string): void {
  if (Deno.build.os === "windows") return;
  Deno.chmodSync(dir, PRIVATE_FOLDER_MODE);
  for (const entry of Deno.readDirSync(dir)) {
    const path = join(dir, entry.name);
    if (entry.isDirectory) makePrivate(path);
    else if (entry.isFile) Deno.chmodSync(path, PRIVATE_FILE_MODE);
  }
}
