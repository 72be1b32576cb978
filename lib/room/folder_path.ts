/**
 * Relative paths inside a folder offered by a peer, checked before anything touches the disk:
 * every component is a file name ({@linkcode safeFileName}), after the characters that are
 * unsafe only on some systems (`<>:"|?*\`) became `_`; nothing absolute, no `..`, no empty
 * component, bounded depth and length. The limits bound what we send as well.
 *
 * @example
 * ```ts
 * import { safeRelativePath } from "./folder_path.ts";
 * safeRelativePath("photos/2024: summer/a.jpg"); // ["photos", "2024_ summer", "a.jpg"]
 * ```
 * @module
 */

import { portableName, safeFileName, UnsafeFileNameError } from "./file_name.ts";

/** Most folders nested inside a sent folder (its own name not counted). */
export const MAX_FOLDER_DEPTH = 32;
/** Most entries (files and folders together) in one sent folder. */
export const MAX_FOLDER_ENTRIES = 100_000;
/** Longest relative path inside a sent folder, in UTF-8 bytes. */
export const MAX_RELATIVE_PATH_BYTES = 4096;

const encoder = new TextEncoder();

/**
 * `name` with the characters that some systems do not allow in a file name (`<>:"|?*\`)
 * replaced with `_`, then checked with {@linkcode safeFileName} (which refuses `.` and `..`,
 * control and invisible characters, device names and the like).
 *
 * @param name One path component as offered.
 * @returns The name to create.
 * @throws {UnsafeFileNameError} When it is still unsafe.
 *
 * @example
 * ```ts
 * import { portableFileName } from "./folder_path.ts";
 * portableFileName('say "hi".txt'); // "say _hi_.txt"
 * ```
 */
export function portableFileName(name: string): string {
  return safeFileName(portableName(name));
}

/**
 * The components of `offered`, a `/`-separated path relative to a sent folder, each made
 * portable and checked with {@linkcode portableFileName}.
 *
 * @param offered The relative path as the peer announced it.
 * @returns Its components, at least one.
 * @throws {UnsafeFileNameError} When it is absolute, has an empty, `.` or `..` component,
 * is deeper than {@linkcode MAX_FOLDER_DEPTH} or longer than
 * {@linkcode MAX_RELATIVE_PATH_BYTES}, or a component is unsafe.
 *
 * @example
 * ```ts
 * import { safeRelativePath } from "./folder_path.ts";
 * // safeRelativePath("../x") throws UnsafeFileNameError: unsafe file name: is a relative path
 * safeRelativePath("a/b.txt"); // ["a", "b.txt"]
 * ```
 */
export function safeRelativePath(offered: string): string[] {
  if (offered.startsWith("/")) throw new UnsafeFileNameError("is an absolute path");
  const bytes = encoder.encode(offered).length;
  if (bytes > MAX_RELATIVE_PATH_BYTES) {
    throw new UnsafeFileNameError(
      `is a path longer than ${MAX_RELATIVE_PATH_BYTES} bytes (${bytes})`,
    );
  }
  const parts = offered.split("/");
  if (parts.length > MAX_FOLDER_DEPTH + 1) {
    throw new UnsafeFileNameError(`is nested deeper than ${MAX_FOLDER_DEPTH} folders`);
  }
  return parts.map(portableFileName);
}
