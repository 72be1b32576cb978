/**
 * The bridge between the page's WebSockets and one chat: the page's form goes to the front
 * door (lib/app), the typed lines to the chat, and every event, with its sentence from the
 * one table of words and the time it happened, to every open page (a reloaded page gets the
 * chat so far, with its times). Files the page uploads are streamed to a private temporary
 * folder and sent from there. When the last page closes, the chat is kept for a grace (a
 * reload takes its seat back), then left cleanly. Exit asks first when leaving would stop a
 * hosted chat for others.
 *
 * @example
 * ```ts ignore
 * import { UiBridge } from "./ui_bridge.ts";
 * const bridge = new UiBridge({ name: "alice", receiveDir: "received_files",
 *   dataDir: "p2pchat-data" });
 * bridge.attach(socket); // from Deno.upgradeWebSocket
 * await bridge.close();
 * ```
 * @module
 */

import type { Chat, ChatEnd, ChatHooks } from "../app/chat.ts";
import type { ChatEvent } from "../app/chat_event.ts";
import { basename, join } from "node:path";
import { defaultLabel, DEFAULTS } from "../app/defaults.ts";
import { EventWords, sizesOf } from "../app/event_words.ts";
import { connectChat, hubChat, listenChat } from "../app/front_door.ts";
import { stopQuestion } from "../app/stop_question.ts";
import { safeFileName } from "../room/file_name.ts";
import { generatePasskey, normalizePasskey } from "../secure/passkey.ts";
import { AddressError, parseChatAddress, portToUse } from "../session/chat_address.ts";
import type { LinkAddress } from "../session/mdns_link.ts";
import { FoundList } from "./found_list.ts";
import {
  type FileLinks,
  parseUiRequest,
  type UiEvent,
  type UiRequest,
  type UiState,
} from "./ui_protocol.ts";

/** Options of {@linkcode UiBridge}. */
export interface UiBridgeOptions {
  /** Default name offered on the connection screen. */
  name: string;
  /** Where received files go. */
  receiveDir: string;
  /** A hosted hub's data folder. */
  dataDir: string;
  /** Lines of history a hosted hub keeps for newcomers. Default in lib/app/defaults.ts. */
  historyLimit?: number;
  /** How long the chat outlives its last page. Default in lib/app/defaults.ts. */
  closedPageGraceMs?: number;
  /** Where a page fetches a received file, by its name in the receive folder. */
  fileLinks?: (name: string) => FileLinks;
  /**
   * Where the connection screen's list of chats scans (default every IPv4 address of the
   * machine; `[]`: no list, for tests that do not need it).
   */
  scanAddresses?: LinkAddress[];
}

/** Thrown by {@linkcode UiBridge.sendUpload} when no file can be sent now. */
export class UploadError extends Error {
  /** HTTP status to answer with. */
  readonly status: number;
  /** Creates the error. */
  constructor(message: string, status = 409) {
    super(message);
    this.name = "UploadError";
    this.status = status;
  }
}

/** Events kept for pages that attach later (a reload); older ones are dropped. */
const REPLAY_LIMIT = 2000;

/** The page may send only files picked in it: a typed line must not read local paths. */
const SEND_PATH_REFUSAL = "In the browser, /send does not read files from a path: " +
  "use the Send File button or drop files on the chat.";

/**
 * What the page is sent for a chat event: the event (for its lists and transfer rows), its
 * lines, its sizes already worded, when it happened (now), and for a received file where to
 * fetch it. The page adds no words of its own.
 *
 * @example
 * ```ts
 * import { EventWords } from "../app/event_words.ts";
 * import { chatPayload } from "./ui_bridge.ts";
 * const payload = chatPayload(new EventWords(), { type: "reconnected" });
 * console.log(payload.lines[0].text); // ["Reconnected."]
 * ```
 */
export function chatPayload(
  words: EventWords,
  event: ChatEvent,
  fileLinks?: (name: string) => FileLinks,
): Extract<UiEvent, { type: "chat" }> {
  const payload: Extract<UiEvent, { type: "chat" }> = {
    type: "chat",
    event,
    lines: words.lines(event),
    sizes: sizesOf(event),
    time: new Date().toISOString(),
  };
  // A folder has no link: the process serves single files only.
  if (event.type === "file" && event.files === undefined && fileLinks) {
    payload.file = fileLinks(basename(event.path));
  }
  return payload;
}

/** One person's chat, driven from the browser. */
export class UiBridge {
  #options: UiBridgeOptions;
  #sockets: Set<WebSocket> = new Set();
  #socketsClosed: Promise<void>[] = [];
  #state: UiState = "idle";
  #replay: UiEvent[] = [];
  #chat: Chat | undefined;
  /** What the chat ended as: resolves once it is over and the page was told. */
  #over: Promise<void> | undefined;
  #uploads: Set<Promise<void>> = new Set();
  /** Runs out when the last page has been closed for the grace: the chat is left then. */
  #grace: ReturnType<typeof setTimeout> | undefined;
  /** The words of the chat being shown. */
  #words = new EventWords();
  #closing = false;
  /** The chats found on the LAN, scanned while the connection screen is up. */
  #found: FoundList | undefined;
  #foundList: Extract<UiEvent, { type: "found-chats" }> = {
    type: "found-chats",
    chats: [],
    more: 0,
  };
  #foundStopped: Promise<void> = Promise.resolve();

  /** Creates the bridge; nothing happens until a page asks. */
  constructor(options: UiBridgeOptions) {
    this.#options = options;
    if (options.scanAddresses?.length !== 0) {
      this.#found = new FoundList((chats, more) => {
        this.#foundList = { type: "found-chats", chats, more };
        if (this.#state === "idle") this.#broadcast(this.#foundList);
      }, { addresses: options.scanAddresses });
    }
  }

  /** Scans while a page shows the connection screen; stops otherwise. */
  #scanWhileIdle(): void {
    if (!this.#found) return;
    if (this.#state === "idle" && this.#sockets.size > 0 && !this.#closing) {
      this.#found.start();
    } else {
      this.#foundStopped = this.#found.stop();
    }
  }

  /** Serves one page over `socket`: greets it, replays the chat so far, obeys its requests. */
  attach(socket: WebSocket): void {
    this.#sockets.add(socket);
    // A page is back within the grace (a reload): it keeps the seat.
    clearTimeout(this.#grace);
    this.#grace = undefined;
    this.#socketsClosed.push(
      new Promise((resolve) => {
        socket.addEventListener("close", () => {
          this.#sockets.delete(socket);
          if (this.#sockets.size === 0) this.#startGrace();
          this.#scanWhileIdle();
          resolve();
        });
      }),
    );
    socket.addEventListener("open", () => {
      this.#sendTo(socket, {
        type: "hello",
        state: this.#state,
        name: this.#options.name,
        passkey: generatePasskey(),
        receiveDir: this.#options.receiveDir,
      });
      for (const event of this.#replay) this.#sendTo(socket, event);
      if (this.#state === "idle") this.#sendTo(socket, this.#foundList);
      this.#scanWhileIdle();
    });
    socket.addEventListener("message", (message) => {
      const request = typeof message.data === "string" ? parseUiRequest(message.data) : undefined;
      if (!request) return this.#sendTo(socket, chatPayload(new EventWords(), BAD_REQUEST));
      this.#handle(request, socket).catch((error) => {
        this.#emit(chatPayload(new EventWords(), {
          type: "error",
          message: error instanceof Error ? error.message : `${error}`,
        }));
      });
    });
  }

  /**
   * Sends a file the page uploaded: streams `body` to a private temporary folder under its
   * own `name`, sends it in the background and deletes it once the send settles.
   * Throws {@linkcode UploadError} when not in a chat or the name is unusable.
   */
  async sendUpload(name: string, body: ReadableStream<Uint8Array>): Promise<void> {
    const client = this.#chat?.client;
    if (!client || this.#state !== "chat") {
      await body.cancel();
      throw this.#refuseUpload(name, "Not in a chat");
    }
    let safe: string;
    try {
      safe = safeFileName(name);
    } catch (error) {
      await body.cancel();
      throw this.#refuseUpload(name, error instanceof Error ? error.message : String(error), 400);
    }
    const dir = await Deno.makeTempDir({ prefix: "p2pchat_upload_" });
    const path = join(dir, safe);
    try {
      await Deno.writeFile(path, body, { mode: 0o600 });
    } catch (error) {
      await Deno.remove(dir, { recursive: true }).catch(() => {});
      throw this.#refuseUpload(
        name,
        `Upload failed: ${error instanceof Error ? error.message : error}`,
      );
    }
    const sending: Promise<void> = client.sendFile(path)
      .catch(() => {/* the client reports file-failed */})
      .finally(async () => {
        await Deno.remove(dir, { recursive: true }).catch(() => {});
        this.#uploads.delete(sending);
      });
    this.#uploads.add(sending);
  }

  /** Tells the pages an upload of `name` was refused; the error answers the upload. */
  #refuseUpload(name: string, reason: string, status?: number): UploadError {
    this.#emit(chatPayload(new EventWords(), {
      type: "file-failed",
      direction: "send",
      name,
      reason,
    }));
    return new UploadError(reason, status);
  }

  /**
   * The last page was closed: keep the chat for the grace, then leave it cleanly (a hosted
   * chat stops: its page warned before closing).
   */
  #startGrace(): void {
    if (this.#closing || this.#state === "idle") return;
    clearTimeout(this.#grace);
    this.#grace = setTimeout(() => {
      this.#grace = undefined;
      if (this.#sockets.size > 0) return;
      // Still connecting: the chat is left once it has started.
      if (this.#state === "connecting") return this.#startGrace();
      this.#leave(undefined).then(() => this.#setState("idle"));
    }, this.#options.closedPageGraceMs ?? DEFAULTS.closedPageGraceMs);
  }

  /** Leaves the chat (if any), closes every page's socket and waits for all of it. */
  async close(): Promise<void> {
    this.#closing = true;
    clearTimeout(this.#grace);
    await this.#leave("The p2pchat window was closed.");
    for (const socket of this.#sockets) socket.close(1001, "p2pchat is stopping");
    await Promise.all(this.#socketsClosed);
    this.#scanWhileIdle();
    await this.#foundStopped;
  }

  async #handle(request: UiRequest, socket: WebSocket): Promise<void> {
    switch (request.type) {
      case "connect":
        if (this.#state !== "idle") return;
        return await this.#start(request);
      case "line":
        if (this.#state === "chat") this.#chat?.run(request.text);
        return;
      case "exit": {
        const asked = this.#state === "chat" && !request.confirmed &&
          stopQuestion(this.#chat?.audience);
        if (asked) return this.#sendTo(socket, { type: "confirm-exit", ...asked });
        if (this.#state === "chat" || this.#state === "ended") {
          await this.#leave(undefined);
          this.#setState("idle");
        }
      }
    }
  }

  async #start(request: Extract<UiRequest, { type: "connect" }>): Promise<void> {
    const name = request.name.trim();
    const typed = request.open ? null : normalizePasskey(request.passkey);
    if (typed === "" && request.mode === "connect") {
      return this.#emit({
        type: "connect-error",
        message: "Enter the passkey the host shows (or tick Open if the host has no passkey).",
      });
    }
    let host: string;
    let port: number;
    try {
      const address = parseChatAddress(
        request.host.trim() ||
          (request.mode === "connect" ? DEFAULTS.connectHost : DEFAULTS.listenHost),
      );
      host = address.host;
      port = portToUse(address, request.port ?? undefined, DEFAULTS.port);
    } catch (error) {
      if (!(error instanceof AddressError)) throw error;
      const message = error.message.charAt(0).toUpperCase() + error.message.slice(1);
      return this.#emit({ type: "connect-error", message: `${message}.` });
    }
    this.#replay = [];
    this.#setState("connecting");
    // Until the chat screen is up, its events wait (the welcome, history...).
    this.#words = new EventWords();
    let early: UiEvent[] | undefined = [];
    const hooks: ChatHooks = {
      onEvent: (event) => {
        const payload = this.#payload(event);
        if (early) early.push(payload);
        else this.#emit(payload);
      },
      echo: true,
      sendPathRefusal: SEND_PATH_REFUSAL,
    };
    const receiveDir = this.#options.receiveDir;
    const hosting = {
      host,
      port,
      passkey: typed === "" ? undefined : typed,
      label: defaultLabel(),
      announce: true,
    };
    let chat: Chat;
    try {
      chat = request.mode === "connect"
        ? await connectChat(
          // Offered files are asked about: Accept and Decline on the offer.
          { host, port, name, receiveDir, passkey: typed as string | null, accept: "ask" },
          hooks,
        )
        : request.mode === "listen"
        ? await listenChat({ ...hosting, name, receiveDir, accept: "ask" }, hooks)
        : await hubChat({
          ...hosting,
          name,
          receiveDir,
          dataDir: this.#options.dataDir,
          history: this.#options.historyLimit,
        }, hooks);
    } catch (error) {
      this.#setState("idle");
      return this.#emit({
        type: "connect-error",
        message: error instanceof Error ? error.message : String(error),
      });
    }
    this.#chat = chat;
    this.#setState("chat");
    const listening = early.find((payload) =>
      payload.type === "chat" && payload.event.type === "listening"
    );
    this.#emit({
      type: "started",
      mode: request.mode,
      host,
      port,
      passkey: null,
      addresses: [],
      ...(listening?.type === "chat" && listening.event.type === "listening"
        ? {
          host: listening.event.host,
          port: listening.event.port,
          passkey: listening.event.passkey,
          addresses: listening.event.addresses,
        }
        : {}),
    });
    for (const payload of early) this.#emit(payload);
    early = undefined;
    this.#over = chat.done.then((end) => this.#ended(chat, end));
  }

  /** The chat is over: by itself (the page keeps the log until Exit), or the person left. */
  #ended(chat: Chat, end: ChatEnd): void {
    if (this.#chat !== chat) return;
    if (end.how === "ended") {
      // What ended retrying is said nowhere else.
      if (end.fatal) this.#emit(this.#payload({ type: "error", message: end.fatal.message }));
      this.#emit({
        type: "ended",
        reason: end.fatal?.message ?? end.reason ?? "The chat has ended.",
      });
      this.#setState("ended");
    } else if (end.how === "quit" && this.#state === "chat") {
      // `/quit` typed in the page: back to the connection screen.
      this.#forget();
      this.#setState("idle");
    }
  }

  async #leave(reason: string | undefined): Promise<void> {
    const chat = this.#chat;
    if (!chat) return;
    await chat.leave(reason);
    await this.#over;
    await Promise.all(this.#uploads);
    this.#forget();
  }

  #forget(): void {
    this.#chat = undefined;
    this.#over = undefined;
    this.#replay = [];
  }

  #payload(event: ChatEvent): UiEvent {
    return chatPayload(this.#words, event, this.#options.fileLinks);
  }

  #setState(state: UiState): void {
    this.#state = state;
    this.#broadcast({ type: "state", state });
    this.#scanWhileIdle();
  }

  /** Sends to every page and keeps the event for pages that attach later. */
  #emit(event: UiEvent): void {
    if (this.#state === "chat" || this.#state === "ended") {
      if (!(event.type === "chat" && event.event.type === "progress")) {
        this.#replay.push(event);
        if (this.#replay.length > REPLAY_LIMIT) this.#replay.shift();
      }
    }
    this.#broadcast(event);
  }

  #broadcast(event: UiEvent): void {
    for (const socket of this.#sockets) this.#sendTo(socket, event);
  }

  #sendTo(socket: WebSocket, event: UiEvent): void {
    if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(event));
  }
}

const BAD_REQUEST: ChatEvent = { type: "error", message: "Bad request" };
