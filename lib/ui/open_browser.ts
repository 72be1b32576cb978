/**
 * Opens the default browser on the app. The tokened URL is not put on a command line (any
 * user of the computer can read those, and a freshly started browser keeps its own); the
 * opener gets a private file that forwards the browser to it, as Jupyter does.
 *
 * @example
 * ```ts ignore
 * import { openBrowser } from "./open_browser.ts";
 * const opened = await openBrowser("http://127.0.0.1:8080/?token=...");
 * if (!opened.ok) console.log("Open the address yourself.");
 * await opened.dispose();
 * ```
 * @module
 */

import { join } from "node:path";
import { pathToFileURL } from "node:url";

/** How long the opener may take to report failure. */
const OPENER_WAIT_MS = 5_000;

/** The outcome of {@linkcode openBrowser}. */
export interface Opened {
  /** Whether an opener ran and succeeded. */
  ok: boolean;
  /** Removes the forwarding file (call when the app stops). */
  dispose(): Promise<void>;
}

/** The command that opens a file or URL with the desktop's default application. */
function opener(target: string): { command: string; args: string[] } {
  switch (Deno.build.os) {
    case "darwin":
      return { command: "open", args: [target] };
    case "windows":
      // `start` is built into cmd; the empty argument is the window title.
      return { command: "cmd", args: ["/c", "start", "", target] };
    default:
      return { command: "xdg-open", args: [target] };
  }
}

/**
 * Writes a page that forwards to `url` into a folder only this user can read.
 *
 * @example
 * ```ts ignore
 * const { path, dir } = await writeForwardingPage("http://127.0.0.1:8080/?token=x");
 * ```
 */
export async function writeForwardingPage(url: string): Promise<{ path: string; dir: string }> {
  const dir = await Deno.makeTempDir({ prefix: "p2pchat_ui_" });
  await Deno.chmod(dir, 0o700).catch(() => {/* not on Windows */});
  const path = join(dir, "open.html");
  const href = url.replace(/&/g, "&amp;").replace(/"/g, "&quot;");
  await Deno.writeTextFile(
    path,
    `<!doctype html><meta charset="utf-8"><meta http-equiv="refresh" content="0;url=${href}">` +
      `<title>p2pchat</title><a href="${href}">Open p2pchat</a>\n`,
    { mode: 0o600 },
  );
  return { path, dir };
}

/** Asks the desktop to open `url` in the default browser; never throws. */
export async function openBrowser(url: string): Promise<Opened> {
  let dir: string | undefined;
  const dispose = async () => {
    if (dir) await Deno.remove(dir, { recursive: true }).catch(() => {});
  };
  try {
    const forward = await writeForwardingPage(url);
    dir = forward.dir;
    const { command, args } = opener(pathToFileURL(forward.path).href);
    const child = new Deno.Command(command, {
      args,
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).spawn();
    // Some openers stay in the foreground with the browser: do not wait for those.
    let timer: ReturnType<typeof setTimeout> | undefined;
    const status = await Promise.race([
      child.status,
      new Promise<undefined>((resolve) =>
        timer = setTimeout(() => resolve(undefined), OPENER_WAIT_MS)
      ),
    ]);
    clearTimeout(timer);
    if (status === undefined) child.unref();
    return { ok: status?.success ?? true, dispose };
  } catch {
    return { ok: false, dispose };
  }
}
