/**
 * What the page and the p2pchat process say to each other over the local WebSocket: JSON
 * objects, one per WebSocket message. Requests from the page are checked before use.
 *
 * @example
 * ```ts
 * import { parseUiRequest } from "./ui_protocol.ts";
 * const request = parseUiRequest('{"type":"line","text":"hi"}');
 * console.log(request?.type); // "line"
 * ```
 * @module
 */

import type { ChatEvent } from "../app/chat_event.ts";
import type { Line, Segment } from "../app/event_words.ts";
import type { ListedChat } from "./found_list.ts";

/** How the person takes part: dial out, wait for one peer, or host a hub. */
export type UiMode = "connect" | "listen" | "host";

/** A request from the page. */
export type UiRequest =
  | {
    type: "connect";
    mode: UiMode;
    /** Address to dial, or to listen on: `HOST`, `HOST:PORT`, `[IPv6]:PORT`. */
    host: string;
    /** The port field; `null` when left empty (the address's port, else the default). */
    port: number | null;
    name: string;
    /** As typed; normalized by the process. Ignored when `open`. */
    passkey: string;
    /** No passkey: encrypted but not authenticated. */
    open: boolean;
  }
  | { type: "line"; text: string }
  /** Leave the chat; `confirmed` once the person answered the stop question. */
  | { type: "exit"; confirmed: boolean };

/** Where the page is: which screen to show. */
export type UiState = "idle" | "connecting" | "chat" | "ended";

/** What the process tells the page. */
export type UiEvent =
  | {
    type: "hello";
    state: UiState;
    /** Defaults for the connection form. */
    name: string;
    passkey: string;
    receiveDir: string;
  }
  | { type: "state"; state: UiState }
  | { type: "connect-error"; message: string }
  | {
    type: "started";
    mode: UiMode;
    host: string;
    port: number;
    /** For listen and host: the passkey to give out (`null` in open mode). */
    passkey: string | null;
    /** For listen and host on every network: this computer's LAN addresses. */
    addresses: string[];
  }
  /**
   * A chat event: the event itself (for the page's lists and transfer rows), the lines it is
   * shown as, and its byte counts worded (see `sizesOf` in lib/app/event_words.ts).
   */
  | {
    type: "chat";
    event: ChatEvent;
    lines: Line[];
    sizes: string[];
    /** When it happened (ISO), stamped by the process: a reload shows the same time. */
    time: string;
    /** A received file's links (served from the receive folder). */
    file?: FileLinks;
  }
  | { type: "ended"; reason: string }
  /**
   * The chats found on the local network, live while the connection screen is up (the whole
   * list each time, rate-limited; `more`: found but not listed). Labels are peer text.
   */
  | { type: "found-chats"; chats: ListedChat[]; more: number }
  /** Exit was asked while others are in the chat this person hosts: ask first. */
  | { type: "confirm-exit"; question: Segment[]; detail: string; stop: string; keep: string };

/** Where the page fetches a received file: to download it, and to open it when it can. */
export interface FileLinks {
  download: string;
  /** Set for files a browser shows by itself (pictures, plain text). */
  open?: string;
}

/** Longest request accepted from the page, in characters (a chat line is far shorter). */
export const MAX_REQUEST_CHARS = 256 * 1024;

const MODES: readonly string[] = ["connect", "listen", "host"];

/**
 * Parses one WebSocket message from the page; `undefined` when it is not a valid request.
 *
 * @example
 * ```ts
 * import { parseUiRequest } from "./ui_protocol.ts";
 * console.log(parseUiRequest("nonsense")); // undefined
 * ```
 */
export function parseUiRequest(text: string): UiRequest | undefined {
  if (text.length > MAX_REQUEST_CHARS) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== "object" || value === null) return undefined;
  const v = value as { [key: string]: unknown };
  switch (v.type) {
    case "line":
      return typeof v.text === "string" ? { type: "line", text: v.text } : undefined;
    case "exit":
      return { type: "exit", confirmed: v.confirmed === true };
    case "connect": {
      const { mode, host, port, name, passkey, open } = v;
      if (
        typeof mode !== "string" || !MODES.includes(mode) || typeof host !== "string" ||
        (port !== null &&
          (typeof port !== "number" || !Number.isInteger(port) || port < 0 || port > 65535)) ||
        typeof name !== "string" || typeof passkey !== "string" || typeof open !== "boolean"
      ) return undefined;
      return {
        type: "connect",
        mode: mode as UiMode,
        host,
        port: port as number | null,
        name,
        passkey,
        open,
      };
    }
  }
  return undefined;
}
