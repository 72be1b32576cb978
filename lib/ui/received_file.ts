/**
 * A received file, served to the page from the receive folder: by its bare name, with the
 * same checks as a name a peer offers (lib/room/file_name.ts), never a temporary file, a
 * folder or a link, so nothing outside the receive folder can be read. What peers sent is
 * served as a download, or shown in a sandbox (no script, no access to the app) when it is a
 * picture or plain text.
 *
 * @example
 * ```ts ignore
 * import { receivedFileResponse } from "./received_file.ts";
 * const response = await receivedFileResponse("received_files", "report.pdf", false);
 * console.log(response.headers.get("content-disposition")); // attachment; filename="report.pdf"; ...
 * ```
 * @module
 */

import { extname, join } from "node:path";
import { safeFileName, UnsafeFileNameError } from "../room/file_name.ts";
import { isTemporaryFileName } from "../room/file_store.ts";

/** Types a browser shows by itself without running anything a peer wrote. */
const SHOWN: { [extension: string]: string } = {
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".gif": "image/gif",
  ".webp": "image/webp",
  ".txt": "text/plain; charset=utf-8",
};

/** Why a received file cannot be served, with the HTTP status to answer. */
export class ReceivedFileError extends Error {
  /** 400 for a name that is not one, 404 for no such file. */
  readonly status: number;
  /** Creates the error. */
  constructor(message: string, status: number) {
    super(message);
    this.name = "ReceivedFileError";
    this.status = status;
  }
}

/**
 * Whether the page may open `name` in a tab (a picture or plain text) rather than only
 * download it.
 *
 * @example
 * ```ts
 * import { canOpen } from "./received_file.ts";
 * console.log(canOpen("photo.JPG"), canOpen("page.html")); // true false
 * ```
 */
export function canOpen(name: string): boolean {
  return Object.hasOwn(SHOWN, extname(name).toLowerCase());
}

/**
 * `Content-Disposition` for `name`: an ASCII fallback and the exact name (RFC 6266, 8187).
 *
 * @example
 * ```ts
 * import { contentDisposition } from "./received_file.ts";
 * console.log(contentDisposition("attachment", "été.txt"));
 * // attachment; filename="_t_.txt"; filename*=UTF-8''%C3%A9t%C3%A9.txt
 * ```
 */
export function contentDisposition(kind: "attachment" | "inline", name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\%]/g, "_");
  const exact = encodeURIComponent(name).replace(
    /['()*]/g,
    (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${exact}`;
}

/**
 * Answers a request for the received file `name` in `dir`: the file's bytes, streamed, as an
 * attachment, or shown when `open` and {@linkcode canOpen}. Throws
 * {@linkcode ReceivedFileError} for a name that is not a bare file name of the folder.
 */
export async function receivedFileResponse(
  dir: string,
  name: string,
  open: boolean,
): Promise<Response> {
  try {
    safeFileName(name);
  } catch (error) {
    if (error instanceof UnsafeFileNameError) throw new ReceivedFileError(error.message, 400);
    throw error;
  }
  if (isTemporaryFileName(name)) throw new ReceivedFileError("not a received file", 404);
  const path = join(dir, name);
  let linked: Deno.FileInfo;
  try {
    linked = await Deno.lstat(path);
  } catch {
    throw new ReceivedFileError("no such file", 404);
  }
  // A link could point anywhere: only a plain file that is in the folder itself.
  if (!linked.isFile) throw new ReceivedFileError("not a received file", 404);
  const file = await Deno.open(path, { read: true });
  const info = await file.stat();
  if (info.ino !== linked.ino || info.dev !== linked.dev) {
    file.close(); // replaced between the look and the open
    throw new ReceivedFileError("not a received file", 404);
  }
  const shown = open && canOpen(name);
  return new Response(file.readable, {
    headers: {
      "content-type": shown ? SHOWN[extname(name).toLowerCase()] : "application/octet-stream",
      "content-length": String(info.size),
      "content-disposition": contentDisposition(shown ? "inline" : "attachment", name),
      // What a peer sent never runs here: no script, a unique origin (not the app's).
      "content-security-policy": "sandbox; default-src 'none'; img-src 'self'; " +
        "style-src 'unsafe-inline'",
      "x-content-type-options": "nosniff",
      "referrer-policy": "no-referrer",
      "cache-control": "no-store",
    },
  });
}
