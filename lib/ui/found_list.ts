/**
 * The chats found on the local network while the browser's connection screen is up: a scan
 * that runs until stopped, and the list sent to the page at most every
 * {@linkcode FOUND_LIST_GAP_MS} (announcements can come in floods), at most
 * {@linkcode FOUND_LIST_SHOWN} chats, sorted. What is listed is a hint from whoever answered:
 * the page shows labels as text (never HTML), and the passkey is what authenticates a host.
 *
 * @example
 * ```ts ignore
 * import { FoundList } from "./found_list.ts";
 * const list = new FoundList((chats, more) => console.log(chats, more));
 * list.start();
 * await list.stop();
 * ```
 * @module
 */

import type { FoundChat } from "../session/announcement.ts";
import { formatAddress } from "../session/chat_address.ts";
import type { LinkAddress } from "../session/mdns_link.ts";
import { Scanner } from "../session/scanner.ts";

/** Shortest time between two lists sent to the page. */
export const FOUND_LIST_GAP_MS = 500;
/** Chats sent to the page at most (the others are counted). */
export const FOUND_LIST_SHOWN = 50;

/** A chat as the page lists it: what fills the form, and what to show beside it. */
export interface ListedChat {
  label: string;
  kind: "direct" | "hub";
  host: string;
  port: number;
  /** `host:port` as typed (`[v6]:port`). */
  address: string;
  auth: "passkey" | "open";
  members?: number;
  busy?: boolean;
}

/** Options of {@linkcode FoundList}. */
export interface FoundListOptions {
  /** Where to scan instead of every IPv4 address of the machine (tests). */
  addresses?: LinkAddress[];
}

/** A running (or stopped) live list of found chats. */
export class FoundList {
  #show: (chats: ListedChat[], more: number) => void;
  #options: FoundListOptions;
  #scanner: Scanner | undefined;
  #running: Promise<void> = Promise.resolve();
  /** Counts starts and stops: a scan whose generation is past stops. */
  #generation = 0;
  #scanning = false;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #lastSent = 0;

  /** `show` gets the whole list each time it changes (rate-limited). */
  constructor(show: (chats: ListedChat[], more: number) => void, options: FoundListOptions = {}) {
    this.#show = show;
    this.#options = options;
  }

  /** Starts scanning (nothing if already running); a scan that cannot start lists nothing. */
  start(): void {
    if (this.#scanning) return;
    this.#scanning = true;
    const generation = ++this.#generation;
    const previous = this.#running;
    this.#running = previous.then(() => this.#run(generation));
  }

  /** Stops scanning and waits until the scan has closed its sockets. */
  async stop(): Promise<void> {
    if (this.#scanning) {
      this.#scanning = false;
      this.#generation++;
      clearTimeout(this.#timer);
      this.#timer = undefined;
      await this.#scanner?.stop();
    }
    await this.#running;
  }

  async #run(generation: number): Promise<void> {
    if (generation !== this.#generation) return;
    let scanner: Scanner;
    try {
      scanner = await Scanner.start({ timeoutMs: Infinity, addresses: this.#options.addresses });
    } catch {
      return; // no network to scan on: the list stays empty, the form still works
    }
    if (generation !== this.#generation) return await scanner.stop();
    this.#scanner = scanner;
    this.#send();
    for await (const _event of scanner) this.#changed();
    this.#scanner = undefined;
  }

  /** Something changed: send now, or once the gap since the last list has passed. */
  #changed(): void {
    if (this.#timer !== undefined || !this.#scanning) return;
    const wait = Math.max(0, this.#lastSent + FOUND_LIST_GAP_MS - Date.now());
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      if (this.#scanning) this.#send();
    }, wait);
  }

  #send(): void {
    this.#lastSent = Date.now();
    const found = this.#scanner?.found;
    const all = found?.list ?? [];
    const shown = all.slice(0, FOUND_LIST_SHOWN).map(listed);
    this.#show(shown, all.length - shown.length + (found?.hidden ?? 0));
  }
}

function listed(chat: FoundChat): ListedChat {
  return {
    label: chat.label,
    kind: chat.kind,
    host: chat.host,
    port: chat.port,
    address: formatAddress(chat.host, chat.port),
    auth: chat.auth,
    ...(chat.members !== undefined ? { members: chat.members } : {}),
    ...(chat.busy !== undefined ? { busy: chat.busy } : {}),
  };
}
