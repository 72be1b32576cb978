/**
 * `p2pchat scan`: lists the chats announced on the local network within `--timeout`. What
 * it shows is a hint from whoever answered, never trusted: labels are escaped for the
 * terminal, the list is bounded, and the passkey is still what authenticates a connection.
 *
 * @example
 * ```ts ignore
 * import { scanCommand } from "./scan_command.ts";
 * Deno.exit(await scanCommand(parseOptions("scan", ["--timeout", "1"])));
 * ```
 * @module
 */

import type { FoundChat } from "../session/announcement.ts";
import type { FoundChats } from "../session/found_chats.ts";
import { Scanner } from "../session/scanner.ts";
import { FatalError } from "./fatal_error.ts";
import type { Options } from "./options.ts";
import { escapeForTerminal } from "./terminal_text.ts";

/** Why nothing may have been found, for people. */
export const NOTHING_FOUND_HINT =
  "If you expected one: the host may run with --no-announce; you may be on another network,\n" +
  "or on a Wi-Fi that keeps devices apart (client isolation, common on guest networks); a\n" +
  "firewall may block multicast DNS (UDP port 5353). The address still works:\n" +
  "p2pchat connect HOST PORT";

/** The `found` event of `--json`: only the announced fields a program needs. */
export function foundEvent(chat: FoundChat): Record<string, unknown> {
  return {
    type: "found",
    label: chat.label,
    kind: chat.kind,
    host: chat.host,
    port: chat.port,
    auth: chat.auth,
    ...(chat.members !== undefined ? { members: chat.members } : {}),
    ...(chat.busy !== undefined ? { busy: chat.busy } : {}),
  };
}

/** How many more were seen than shown, in words. */
function moreText(found: FoundChats): string {
  return `${found.hidden}${found.hiddenCapped ? " or more" : ""}`;
}

/**
 * One aligned line per chat (label escaped, kind, address, members or busy, passkey or
 * open), for `scan` and for `connect`'s list to choose from.
 */
export function chatRows(chats: readonly FoundChat[]): string[] {
  const rows = chats.map((chat) => [
    escapeForTerminal(chat.label),
    chat.kind,
    `${chat.host}:${chat.port}`,
    chat.kind === "hub"
      ? (chat.members === undefined ? "" : `${chat.members} member${chat.members === 1 ? "" : "s"}`)
      : (chat.busy ? "busy" : chat.busy === false ? "waiting" : ""),
    chat.auth === "passkey" ? "passkey" : "open (no passkey)",
  ]);
  if (rows.length === 0) return [];
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  return rows.map((row) => row.map((cell, i) => cell.padEnd(widths[i])).join("  ").trimEnd());
}

/** The lines `scan` prints for people. */
export function scanText(found: FoundChats, timeoutMs: number): string[] {
  const chats = found.list;
  const seconds = `${timeoutMs / 1000} s`;
  if (chats.length === 0) {
    return [`No chats found on the local network within ${seconds}.`, NOTHING_FOUND_HINT];
  }
  const lines = [`Found ${chats.length} chat${chats.length === 1 ? "" : "s"} within ${seconds}:`];
  for (const row of chatRows(chats)) lines.push(`  ${row}`);
  if (found.hidden > 0) {
    lines.push(`  ... and ${moreText(found)} more not shown (at most ${chats.length} are listed).`);
  }
  lines.push("Join one with: p2pchat connect HOST PORT");
  return lines;
}

/**
 * Scans for `timeoutMs` and returns what was found, one view of the network, sorted; a scan
 * that cannot start is a {@linkcode FatalError}.
 */
export async function scanToEnd(timeoutMs: number): Promise<FoundChats> {
  let scanner: Scanner;
  try {
    scanner = await Scanner.start({ timeoutMs });
  } catch (error) {
    throw new FatalError(
      `Could not scan the local network: ${error instanceof Error ? error.message : error}`,
    );
  }
  for await (const _event of scanner) {
    // The list is read once the time is up.
  }
  await scanner.stop();
  return scanner.found;
}

/** Runs `scan`; exit 0 whatever was found. */
export async function scanCommand(options: Options): Promise<number> {
  const found = await scanToEnd(options.timeoutMs);
  if (options.json) {
    for (const chat of found.list) console.log(JSON.stringify(foundEvent(chat)));
    console.log(JSON.stringify({
      type: "scan-done",
      count: found.size,
      ...(found.hidden > 0 ? { more: found.hidden } : {}),
    }));
  } else {
    for (const line of scanText(found, options.timeoutMs)) console.log(line);
  }
  return 0;
}
