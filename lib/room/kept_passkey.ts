/**
 * A hub's passkey kept in its data folder (`passkey`, private like everything there), so a
 * restarted hub takes its members back without anyone typing a new passkey. The first start
 * makes one and keeps it; later starts read it; a renewal (`serve --new-passkey`) replaces it.
 *
 * @example
 * ```ts
 * import { DataFolder } from "./data_folder.ts";
 * import { keptPasskey } from "./kept_passkey.ts";
 * const root = await Deno.makeTempDir();
 * const folder = DataFolder.open(`${root}/p2pchat-data`);
 * const first = keptPasskey(folder);
 * console.log(keptPasskey(folder).passkey === first.passkey); // true
 * await Deno.remove(root, { recursive: true });
 * ```
 * @module
 */

import { generatePasskey, normalizePasskey, passkeyWeakness } from "../secure/passkey.ts";
import { type DataFolder, PRIVATE_FILE_MODE } from "./data_folder.ts";

/** The passkey a hub uses, and whether this start made it (first start or a renewal). */
export interface KeptPasskey {
  passkey: string;
  made: boolean;
}

/** The kept passkey cannot be used (not a file, unreadable, edited into a weak one). */
export class KeptPasskeyError extends Error {
  override name = "KeptPasskeyError";
}

/** The longest kept file read: a passkey is a few dozen bytes; more is not ours. */
const MAX_FILE_BYTES = 1024;

/**
 * The passkey kept in `folder`: read when there is one (and `renew` is not set), otherwise a
 * fresh one written there first (0600, whole or not at all). Throws
 * {@linkcode KeptPasskeyError} when the kept one cannot be used, saying what to do.
 *
 * @example
 * ```ts ignore
 * const { passkey, made } = keptPasskey(DataFolder.open("p2pchat-data"), { renew: true });
 * ```
 */
export function keptPasskey(folder: DataFolder, options: { renew?: boolean } = {}): KeptPasskey {
  const path = folder.passkey;
  if (!options.renew) {
    const kept = readKept(path);
    if (kept !== undefined) return { passkey: kept, made: false };
  }
  const passkey = generatePasskey();
  // Written beside it and renamed: a hub killed meanwhile leaves the old passkey or the new
  // one, never half of one.
  const temporary = `${path}.new`;
  Deno.writeTextFileSync(temporary, `${passkey}\n`, { mode: PRIVATE_FILE_MODE });
  if (Deno.build.os !== "windows") Deno.chmodSync(temporary, PRIVATE_FILE_MODE);
  Deno.renameSync(temporary, path);
  return { passkey, made: true };
}

/** The kept passkey, `undefined` when none is kept yet. */
function readKept(path: string): string | undefined {
  let info: Deno.FileInfo;
  try {
    info = Deno.lstatSync(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  }
  const fix = "remove it, or start with --new-passkey to make a new one";
  if (!info.isFile || info.size > MAX_FILE_BYTES) {
    throw new KeptPasskeyError(`${path} is not a kept passkey: ${fix}`);
  }
  const passkey = normalizePasskey(Deno.readTextFileSync(path));
  const weak = passkey === "" ? "It is empty" : passkeyWeakness(passkey);
  if (weak) {
    throw new KeptPasskeyError(`The passkey kept in ${path} cannot be used (${weak}): ${fix}`);
  }
  return passkey;
}
