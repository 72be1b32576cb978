/**
 * Every default of taking part in a chat, in one place: the terminal's options, its `--help`
 * and the browser's connection form all read them from here.
 *
 * @example
 * ```ts
 * import { DEFAULTS } from "./defaults.ts";
 * console.log(DEFAULTS.port); // 5050
 * ```
 * @module
 */

import { userInfo } from "node:os";
import { sanitizeName } from "../room/member_name.ts";
import { capUtf8 } from "../session/announcement.ts";

/** The defaults of connect, listen, serve, scan and ui. */
export const DEFAULTS = {
  /** The TCP port a chat listens on and is dialled at. */
  port: 5050,
  /** Where a host listens: every network. */
  listenHost: "0.0.0.0",
  /** Where the browser's connection form dials unless told. */
  connectHost: "127.0.0.1",
  /** The port of `p2pchat ui`'s local web app: any free one. */
  uiPort: 0,
  /** Lines of history a hub replays to a newcomer. */
  history: 50,
  /** Lines a second each hub member may send (bursts of twice as many); 0 turns it off. */
  rate: 5,
  /** Members of a hub at once. */
  maxClients: 10_000,
  /** Where received files go. */
  receiveDir: "received_files",
  /** A hub's database and shared files. */
  dataDir: "p2pchat-data",
  /** How long `scan` waits for answers, in milliseconds. */
  scanTimeoutMs: 2000,
  /**
   * How long `ui` keeps the chat of a page that was closed, in milliseconds: a reload (or a
   * phone that dropped the page's connection for a moment) comes back to its seat; after it,
   * the chat is left cleanly.
   */
  closedPageGraceMs: 20_000,
} as const;

/** The OS user name, made a usable name, or "guest". */
export function defaultName(): string {
  let raw = Deno.env.get("USER") ?? Deno.env.get("USERNAME") ?? "";
  if (!raw) {
    try {
      raw = userInfo().username;
    } catch { /* no permission or no user database */ }
  }
  return sanitizeName(raw) || "guest";
}

/** The label a host announces by default: the computer's name (or "p2pchat"). */
export function defaultLabel(): string {
  let name = "";
  try {
    name = Deno.hostname();
  } catch { /* no permission */ }
  return capUtf8(name.replace(/[\p{Cc}\p{Cf}]/gu, "").trim()) || "p2pchat";
}
