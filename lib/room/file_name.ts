/**
 * File names offered by a peer, checked before anything touches the disk
 * (CVE-2023-43616 / 43619: the receiver decides the path, a bare name inside its folder).
 *
 * @module
 */

import { posix, win32 } from "node:path";

/** Longest accepted name, in UTF-8 bytes (the usual per-component limit of file systems). */
export const MAX_FILE_NAME_BYTES = 255;

/**
 * Thrown by {@linkcode safeFileName} when an offered name cannot be used as is.
 *
 * @example Showing the reason to the user
 * ```ts
 * import { safeFileName, UnsafeFileNameError } from "./file_name.ts";
 *
 * try {
 *   safeFileName("../.ssh/authorized_keys");
 * } catch (err) {
 *   if (err instanceof UnsafeFileNameError) console.log(err.reason); // "contains a path separator"
 * }
 * ```
 */
export class UnsafeFileNameError extends Error {
  /** Short human reason, such as `"contains a path separator"`. */
  readonly reason: string;

  /**
   * @param reason Short human reason; the message becomes `unsafe file name: <reason>`.
   *
   * @example
   * ```ts
   * import { UnsafeFileNameError } from "./file_name.ts";
   *
   * const err = new UnsafeFileNameError("is empty");
   * console.log(err.message); // "unsafe file name: is empty"
   * ```
   */
  constructor(reason: string) {
    super(`unsafe file name: ${reason}`);
    this.name = "UnsafeFileNameError";
    this.reason = reason;
  }
}

const CONTROL = /\p{Cc}/u; // C0, DEL and C1 exactly
// Bidi controls and every other invisible format character (zero-width spaces, tag
// characters) that let a name look like another one, but not ZWNJ/ZWJ (emoji and several
// scripts need them) nor the visible Arabic-style number signs; line and paragraph
// separators; lone surrogates cannot be encoded as UTF-8 and would silently become U+FFFD.
const INVISIBLE =
  /[[\p{Cf}\p{Zl}\p{Zp}\p{Cs}]--[\u200c\u200d\u0600-\u0605\u06dd\u070f\u0890\u0891\u08e2\u{110bd}\u{110cd}]]/v;
const RESERVED_CHARACTER = /[<>:"|?*]/;
const DRIVE_PREFIX = /^[A-Za-z]:/;
// Windows treats these as devices whatever the extension ("nul.txt", "COM1.tar.gz").
const DEVICE_NAME = /^(con|prn|aux|nul|conin\$|conout\$|com[0-9¹²³]|lpt[0-9¹²³])$/i;
const encoder = new TextEncoder();

function codePoint(ch: string): string {
  return `U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}`;
}

/**
 * Returns `offered` unchanged when it is safe to create inside the receive folder on any
 * common operating system, else throws {@linkcode UnsafeFileNameError}. Nothing is
 * rewritten: a doubtful name is refused, so what the user approved is what lands.
 *
 * Refused: empty, `.` and `..`, path separators (`/`, `\`), drive prefixes (`C:`), the
 * characters `<>:"|?*`, control characters (C0, DEL, C1), bidi and other invisible format
 * characters, Windows device names (`CON`, `nul.txt`, `COM1`...), a trailing dot or
 * space, leading or trailing whitespace, and more than 255 UTF-8 bytes.
 *
 * @param offered The name as the peer announced it.
 * @returns The same name.
 * @throws {UnsafeFileNameError} When the name is unsafe.
 *
 * @example
 * ```ts
 * import { safeFileName } from "./file_name.ts";
 *
 * safeFileName("report.pdf"); // "report.pdf"
 * // safeFileName("../etc/passwd") throws UnsafeFileNameError: unsafe file name: contains a path separator
 * ```
 */
export function safeFileName(offered: string): string {
  const reason = unsafeReason(offered);
  if (reason !== undefined) throw new UnsafeFileNameError(reason);
  return offered;
}

function unsafeReason(name: string): string | undefined {
  if (name.length === 0) return "is empty";
  if (name === "." || name === "..") return "is a relative path";
  if (name.includes("/") || name.includes("\\")) return "contains a path separator";
  if (DRIVE_PREFIX.test(name)) return "starts with a drive letter";
  const control = CONTROL.exec(name);
  if (control) return `contains control character ${codePoint(control[0])}`;
  const invisible = INVISIBLE.exec(name);
  if (invisible) return `contains invisible character ${codePoint(invisible[0])}`;
  const reserved = RESERVED_CHARACTER.exec(name);
  if (reserved) return `contains the reserved character ${reserved[0]}`;
  if (name.trim() !== name) return "starts or ends with whitespace";
  if (name.endsWith(".") || name.endsWith(" ")) return "ends with a dot or space";
  const stem = name.split(".")[0].trimEnd();
  if (DEVICE_NAME.test(stem)) return "is a reserved device name on Windows";
  const bytes = encoder.encode(name).length;
  if (bytes > MAX_FILE_NAME_BYTES) {
    return `is longer than ${MAX_FILE_NAME_BYTES} bytes (${bytes})`;
  }
  return undefined;
}

// Only unsafe on some systems (Windows, some network shares): replaced rather than refused.
const NOT_PORTABLE = /[<>:"|?*\\]/g;

/**
 * `name` with the characters some systems do not allow in a file name (`<>:"|?*\`) replaced
 * with `_`: what a sender offers, so `meeting 10:30.txt` arrives as `meeting 10_30.txt`
 * instead of being refused. The receiver still checks the result ({@linkcode safeFileName}).
 *
 * @example
 * ```ts
 * import { portableName } from "./file_name.ts";
 * portableName("meeting 10:30.txt"); // "meeting 10_30.txt"
 * ```
 */
export function portableName(name: string): string {
  return name.replace(NOT_PORTABLE, "_");
}

/**
 * The name to offer for a local file on the SENDING side: the last component of `path`.
 * On Windows both `\` and `/` separate components; elsewhere only `/` does (a POSIX name
 * may contain `\`: {@linkcode portableName} makes it `_`, as it does `:` and the others).
 *
 * @param path A local file path.
 * @returns Its base name, without trailing separators (may be `""` for a root path).
 *
 * @example
 * ```ts
 * import { senderFileName } from "./file_name.ts";
 *
 * senderFileName("/home/alice/docs/report.pdf"); // "report.pdf"
 * ```
 */
export function senderFileName(path: string): string {
  return Deno.build.os === "windows" ? win32.basename(path) : posix.basename(path);
}
