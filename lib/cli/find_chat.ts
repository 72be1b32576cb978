/**
 * `connect` without an address: scans the local network, then goes to the one chat found,
 * lets a person pick one of several from a numbered list, or stops with the list (exit 2)
 * where nobody can pick. `--label TEXT` narrows the scan to chats announced with exactly that
 * label; two with one label are listed with their addresses and asked about, never picked.
 * What a scan finds is a hint from whoever answered: labels are escaped, and the passkey
 * (asked for next) is what authenticates the host.
 *
 * @example
 * ```ts ignore
 * import { findChat } from "./find_chat.ts";
 * const found = await findChat(options, terminal, view); // { host, port } or an exit code
 * ```
 * @module
 */

import type { FoundChat } from "../session/announcement.ts";
import { formatAddress } from "../session/chat_address.ts";
import type { Options } from "./options.ts";
import { chatRows, foundEvent, NOTHING_FOUND_HINT, scanToEnd } from "./scan_command.ts";
import type { Terminal } from "./terminal.ts";
import { escapeForTerminal } from "./terminal_text.ts";
import type { View } from "./view_event.ts";

/** The chat chosen, or the exit code when none was (the reason already shown). */
export type FindResult = { host: string; port: number } | { exit: number };

/**
 * Scans for `options.timeoutMs` (chats labelled `options.label` only, when given) and
 * chooses where `connect` goes. Shows what it does through `view`; asks at `terminal` when
 * several were found and a person can answer (`ask`).
 */
export async function findChat(
  options: Options,
  terminal: Terminal,
  view: View,
  ask: boolean,
): Promise<FindResult> {
  const label = options.label === "" ? undefined : options.label;
  view.show({ type: "scanning", timeoutMs: options.timeoutMs, ...(label ? { label } : {}) });
  const found = await scanToEnd(options.timeoutMs);
  const chats = found.list.filter((chat) => label === undefined || chat.label === label);
  const seconds = `${options.timeoutMs / 1000} s`;
  if (chats.length === 0) {
    const what = label === undefined
      ? "No chats"
      : `No chat labelled "${escapeForTerminal(label)}"`;
    console.error(`${what} found on the local network within ${seconds}.\n${NOTHING_FOUND_HINT}`);
    return { exit: 1 };
  }
  const chosen = chats.length === 1 ? chats[0] : await pick(chats, terminal, options.json, ask);
  if (!chosen) return { exit: ask ? 1 : 2 };
  view.show({
    type: "found-chat",
    label: chosen.label,
    kind: chosen.kind,
    host: chosen.host,
    port: chosen.port,
  });
  return { host: chosen.host, port: chosen.port };
}

/**
 * Several chats: a numbered list to pick from where a person can answer; otherwise the list
 * and how to choose (the caller exits 2).
 */
async function pick(
  chats: FoundChat[],
  terminal: Terminal,
  json: boolean,
  ask: boolean,
): Promise<FoundChat | undefined> {
  const rows = chatRows(chats);
  if (!ask) {
    if (json) { for (const chat of chats) terminal.print(JSON.stringify(foundEvent(chat))); }
    console.error(`Found ${chats.length} chats; choose one by its address:`);
    chats.forEach((chat, i) =>
      console.error(`  p2pchat connect ${formatAddress(chat.host, chat.port)}    ${rows[i]}`)
    );
    return undefined;
  }
  terminal.print(`Found ${chats.length} chats:`);
  const width = String(chats.length).length;
  rows.forEach((row, i) => terminal.print(`  ${String(i + 1).padStart(width)}) ${row}`));
  while (true) {
    const answer = (await terminal.ask(`Which one? (1-${chats.length}, Enter to stop): `))?.trim();
    if (!answer) return undefined;
    const n = Number(answer);
    if (Number.isInteger(n) && n >= 1 && n <= chats.length) return chats[n - 1];
    terminal.print(`Type a number from 1 to ${chats.length}.`);
  }
}
