/**
 * The bridge between the page's WebSockets and one chat: it dials, listens or hosts through
 * the same room layer as the terminal, runs the typed lines through the shared slash-command
 * table, and forwards every event to every open page (a reloaded page gets the chat so far).
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

import { join } from "node:path";
import { safeFileName } from "../room/file_name.ts";
import { FileStore } from "../room/file_store.ts";
import { sanitizeName } from "../room/member_name.ts";
import { stayConnected } from "../room/reconnector.ts";
import { type ClientEvent, RoomClient } from "../room/room_client.ts";
import { type HostEvent, RoomHost } from "../room/room_host.ts";
import { type CommandContext, runLine } from "../room/slash_commands.ts";
import { generatePasskey, normalizePasskey, passkeyWeakness } from "../secure/passkey.ts";
import { dial, DialError } from "../session/dial.ts";
import { lanAddresses } from "../session/lan_addresses.ts";
import type { NetSession } from "../session/net_session.ts";
import { describeNetworkError } from "../session/network_error.ts";
import { parseUiRequest, type UiEvent, type UiRequest, type UiState } from "./ui_protocol.ts";

/** Options of {@linkcode UiBridge}. */
export interface UiBridgeOptions {
  /** Default name offered on the connection screen. */
  name: string;
  /** Where received files go. */
  receiveDir: string;
  /** A hosted hub's data folder. */
  dataDir: string;
  /** Lines of history a hosted hub keeps for newcomers. Default 50. */
  historyLimit?: number;
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
/** Progress reports forwarded per transfer at most this often. */
const PROGRESS_EVERY_MS = 100;

/** One person's chat, driven from the browser. */
export class UiBridge {
  #options: UiBridgeOptions;
  #sockets: Set<WebSocket> = new Set();
  #socketsClosed: Promise<void>[] = [];
  #state: UiState = "idle";
  #replay: UiEvent[] = [];
  #client: RoomClient | undefined;
  #host: RoomHost | undefined;
  #finished: Promise<void> | undefined;
  #context: CommandContext | undefined;
  #uploads: Set<Promise<void>> = new Set();
  #lastProgress: Map<string, number> = new Map();

  /** Creates the bridge; nothing happens until a page asks. */
  constructor(options: UiBridgeOptions) {
    this.#options = options;
  }

  /** Where the chat is. */
  get state(): UiState {
    return this.#state;
  }

  /** Serves one page over `socket`: greets it, replays the chat so far, obeys its requests. */
  attach(socket: WebSocket): void {
    this.#sockets.add(socket);
    this.#socketsClosed.push(
      new Promise((resolve) => {
        socket.addEventListener("close", () => {
          this.#sockets.delete(socket);
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
    });
    socket.addEventListener("message", (message) => {
      const request = typeof message.data === "string" ? parseUiRequest(message.data) : undefined;
      if (!request) return this.#sendTo(socket, { type: "error", message: "Bad request" });
      this.#handle(request).catch((error) => {
        this.#emit({ type: "error", message: error instanceof Error ? error.message : `${error}` });
      });
    });
  }

  /**
   * Sends a file the page uploaded: streams `body` to a private temporary folder under its
   * own `name`, sends it in the background and deletes it once the send settles.
   * Throws {@linkcode UploadError} when not in a chat or the name is unusable.
   */
  async sendUpload(name: string, body: ReadableStream<Uint8Array>): Promise<void> {
    const client = this.#client;
    if (!client || this.#state !== "chat") {
      await body.cancel();
      throw new UploadError("Not in a chat");
    }
    let safe: string;
    try {
      safe = safeFileName(name);
    } catch (error) {
      await body.cancel();
      throw new UploadError(error instanceof Error ? error.message : String(error), 400);
    }
    const dir = await Deno.makeTempDir({ prefix: "p2pchat_upload_" });
    const path = join(dir, safe);
    try {
      await Deno.writeFile(path, body, { mode: 0o600 });
    } catch (error) {
      await Deno.remove(dir, { recursive: true }).catch(() => {});
      throw new UploadError(`Upload failed: ${error instanceof Error ? error.message : error}`);
    }
    const sending: Promise<void> = client.sendFile(path)
      .catch(() => {/* the client reports file-failed */})
      .finally(async () => {
        await Deno.remove(dir, { recursive: true }).catch(() => {});
        this.#uploads.delete(sending);
      });
    this.#uploads.add(sending);
  }

  /** Leaves the chat (if any), closes every page's socket and waits for all of it. */
  async close(): Promise<void> {
    await this.#leave("The p2pchat window was closed.");
    for (const socket of this.#sockets) socket.close(1001, "p2pchat is stopping");
    await Promise.all(this.#socketsClosed);
  }

  async #handle(request: UiRequest): Promise<void> {
    switch (request.type) {
      case "connect":
        if (this.#state !== "idle") return;
        return await this.#start(request);
      case "line":
        if (this.#state === "chat" && this.#context) runLine(request.text, this.#context);
        return;
      case "exit":
        if (this.#state === "chat" || this.#state === "ended") {
          await this.#leave(undefined);
          this.#setState("idle");
        }
    }
  }

  async #start(request: Extract<UiRequest, { type: "connect" }>): Promise<void> {
    const name = request.name.trim();
    if (sanitizeName(name) !== name || name === "") {
      return this.#emit({
        type: "connect-error",
        message: "A name is 1-16 of the letters A-Z a-z, digits 0-9 and _ . -",
      });
    }
    let passkey: string | null = request.open ? null : normalizePasskey(request.passkey);
    if (passkey === "") {
      if (request.mode === "connect") {
        return this.#emit({
          type: "connect-error",
          message: "Enter the passkey the host shows (or tick Open if the host has no passkey).",
        });
      }
      passkey = generatePasskey();
    }
    const weak = passkey === null ? undefined : passkeyWeakness(passkey);
    if (weak) return this.#emit({ type: "connect-error", message: `${weak}.` });
    const host = request.host.trim() || (request.mode === "connect" ? "127.0.0.1" : "0.0.0.0");
    this.#replay = [];
    this.#setState("connecting");
    try {
      if (request.mode === "connect") await this.#connect(host, request.port, name, passkey);
      else await this.#hostRoom(request.mode, host, request.port, name, passkey);
    } catch (error) {
      this.#setState("idle");
      this.#emit({
        type: "connect-error",
        message: error instanceof Error ? error.message : String(error),
      });
    }
  }

  async #connect(host: string, port: number, name: string, passkey: string | null) {
    const open = () => dial(host, port, passkey);
    let session: NetSession;
    try {
      session = await open();
    } catch (error) {
      // The seed's wording for the connection screen.
      const message = error instanceof Error ? error.message : String(error);
      throw new Error(message.replace(/^Could not connect to /, "Unable to connect to "));
    }
    const client = new RoomClient({ name, files: new FileStore(this.#options.receiveDir) });
    const { early, stop } = this.#buffer(client);
    try {
      await client.join(session);
    } catch (error) {
      await session.close();
      throw error;
    }
    stop();
    this.#enterChat(client, early, {
      type: "started",
      mode: "connect",
      host,
      port,
      passkey: null,
      addresses: [],
    }, {
      type: "secured",
      peer: session.remote,
      authenticated: session.keys.authenticated,
      safety: session.keys.safety,
    });
    const finished = stayConnected(client, open, {
      onEvent: (event) => this.#emit(event),
      // Open mode: each reconnect shows its new safety code against this one.
      safety: session.keys.authenticated ? undefined : session.keys.safety,
      // A wrong passkey or mode will not fix itself by retrying.
      isFatal: (error) => error instanceof DialError && error.handshake !== undefined,
    });
    this.#finished = finished.then((fatal) => this.#ended(client, fatal?.message));
  }

  async #hostRoom(
    mode: "listen" | "host",
    host: string,
    port: number,
    name: string,
    passkey: string | null,
  ): Promise<void> {
    let listener: Deno.Listener;
    try {
      listener = Deno.listen({ hostname: host, port });
    } catch (error) {
      throw new Error(`Could not listen on ${host}:${port}: ${describeNetworkError(error)}`);
    }
    const early: ClientEvent[] = [];
    let buffering = true;
    const onClientEvent = (event: ClientEvent) => {
      if (buffering) early.push(event);
    };
    const onEvent = (event: HostEvent) => this.#hostEvent(event);
    let roomHost: RoomHost;
    try {
      roomHost = mode === "listen"
        ? await RoomHost.direct({
          listener,
          passkey,
          name,
          receiveDir: this.#options.receiveDir,
          onEvent,
          onClientEvent,
        })
        : await RoomHost.hub({
          listener,
          passkey,
          dataDir: this.#options.dataDir,
          historyLimit: this.#options.historyLimit ?? 50,
          rate: 5,
          maxClients: 10_000,
          onEvent,
          member: { name, receiveDir: this.#options.receiveDir, onClientEvent },
        });
    } catch (error) {
      listener.close();
      throw new Error(
        `Could not host: ${error instanceof Error ? error.message : error}`,
      );
    }
    this.#host = roomHost;
    buffering = false; // from here on the chat screen's listener shows them
    const client = roomHost.client!;
    const address = roomHost.addr;
    this.#enterChat(client, early, {
      type: "started",
      mode,
      host: address.hostname,
      port: address.port,
      passkey,
      addresses: address.hostname === "0.0.0.0" ? lanAddresses() : [],
    });
    this.#finished = client.ended().then((reason) => this.#ended(client, reason));
  }

  /** Until the chat screen is up, keeps the client's events (welcome, history) aside. */
  #buffer(client: RoomClient): { early: ClientEvent[]; stop: () => void } {
    const early: ClientEvent[] = [];
    return { early, stop: client.subscribe((event) => early.push(event)) };
  }

  #enterChat(
    client: RoomClient,
    early: ClientEvent[],
    started: UiEvent,
    secured?: UiEvent,
  ): void {
    this.#client = client;
    this.#context = {
      client,
      show: (feedback) => this.#emit(feedback),
      quit: () => {
        this.#handle({ type: "exit" }).catch(() => {/* nothing left to tell */});
      },
      said: (line) => this.#emit({ type: "own", ...line, time: new Date().toISOString() }),
      // The page may send only files picked in it: a typed line must not read local paths.
      sendPathRefusal: "In the browser, /send does not read files from a path: " +
        "use the Send File button or drop files on the chat.",
    };
    this.#setState("chat");
    this.#emit(started);
    if (secured) this.#emit(secured);
    const forward = (event: ClientEvent) => {
      if (event.type === "private" && this.#context) this.#context.lastPrivateFrom = event.from;
      if (event.type === "progress" && !this.#progressDue(event)) return;
      this.#emit({ type: "client", event });
    };
    for (const event of early) forward(event);
    client.subscribe(forward);
  }

  #progressDue(event: Extract<ClientEvent, { type: "progress" }>): boolean {
    const now = Date.now();
    const last = this.#lastProgress.get(event.transfer) ?? 0;
    if (event.done < event.total && now - last < PROGRESS_EVERY_MS) return false;
    this.#lastProgress.set(event.transfer, now);
    if (event.done >= event.total) this.#lastProgress.delete(event.transfer);
    return true;
  }

  #hostEvent(event: HostEvent): void {
    switch (event.type) {
      case "secured":
        // Only worth showing in open mode, where the person compares the safety code.
        if (!event.authenticated) this.#emit(event);
        return;
      case "refused":
        return this.#emit({ type: "error", message: `Refused ${event.remote}: ${event.reason}` });
      case "handshake-failed":
        return this.#emit({ type: "error", message: `${event.reason} from ${event.remote}` });
      case "room": {
        // What the peer sent that could not be read was skipped: the host should know.
        const room = event.event;
        if (room.type !== "skipped") return;
        const more = room.count > 1 ? `; ${room.count} so far` : "";
        return this.#emit({
          type: "error",
          message: `Skipped a message from ${room.name ?? room.remote} that could not be read ` +
            `(${room.reason}${more})`,
        });
      }
    }
  }

  /** The connection is over for good (or we left): the page keeps the log until Exit. */
  #ended(client: RoomClient, reason: string | undefined): void {
    if (this.#client !== client) return;
    if (!client.leaving) {
      this.#emit({ type: "ended", reason: reason ?? "The chat has ended." });
      this.#setState("ended");
    }
  }

  async #leave(reason: string | undefined): Promise<void> {
    const client = this.#client;
    const host = this.#host;
    if (!client) return;
    await client.quit();
    await host?.close(
      reason ?? (client.kind === "hub" ? "The hub is stopping." : `${client.name} ended the chat.`),
    );
    await this.#finished;
    await Promise.all(this.#uploads);
    this.#client = undefined;
    this.#host = undefined;
    this.#context = undefined;
    this.#finished = undefined;
    this.#replay = [];
  }

  #setState(state: UiState): void {
    this.#state = state;
    this.#broadcast({ type: "state", state });
  }

  /** Sends to every page and keeps the event for pages that attach later. */
  #emit(event: UiEvent): void {
    if (this.#state === "chat" || this.#state === "ended") {
      if (!(event.type === "client" && event.event.type === "progress")) {
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
