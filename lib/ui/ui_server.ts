/**
 * The local web app of `p2pchat ui`: serves the page and its assets (embedded, so a compiled
 * binary carries them, and holding no secret), the WebSocket to the {@linkcode UiBridge},
 * file uploads and received files, on 127.0.0.1 only; the socket and uploads only to holders
 * of the token, a received file only to the holder of its ticket (see {@linkcode UiAccess}).
 *
 * @example
 * ```ts ignore
 * import { UiServer } from "./ui_server.ts";
 * const server = UiServer.start({ port: 0, name: "alice", receiveDir: "received_files",
 *   dataDir: "p2pchat-data" });
 * console.log(server.url); // http://127.0.0.1:PORT/?token=...
 * await server.close();
 * ```
 * @module
 */

import page from "./index.html" with { type: "text" };
import script from "./app.js" with { type: "text" };
import style from "./style.css" with { type: "text" };
import { canOpen, ReceivedFileError, receivedFileResponse } from "./received_file.ts";
import { UiAccess } from "./ui_access.ts";
import { UiBridge, type UiBridgeOptions, UploadError } from "./ui_bridge.ts";
import type { FileLinks } from "./ui_protocol.ts";

/** Options of {@linkcode UiServer.start}. */
export interface UiServerOptions extends UiBridgeOptions {
  /** Port on 127.0.0.1; 0 picks a free one. */
  port: number;
}

/** Received files are served under this path. */
const FILES = "/files/";

const ASSETS: { [path: string]: { body: string; type: string } } = {
  "/": { body: page, type: "text/html; charset=utf-8" },
  "/app.js": { body: script, type: "text/javascript; charset=utf-8" },
  "/style.css": { body: style, type: "text/css; charset=utf-8" },
};

/** The running web app. */
export class UiServer {
  #server: Deno.HttpServer<Deno.NetAddr>;
  #access: UiAccess;
  #bridge: UiBridge;
  #headers: HeadersInit;
  #receiveDir: string;

  private constructor(options: UiServerOptions) {
    this.#receiveDir = options.receiveDir;
    this.#bridge = new UiBridge({ ...options, fileLinks: (name) => this.#fileLinks(name) });
    // The handler runs only after the constructor returns, when #access is set.
    this.#server = Deno.serve(
      { hostname: "127.0.0.1", port: options.port, onListen: () => {} },
      (request) => this.#handle(request),
    );
    this.#access = new UiAccess(this.#server.addr.port);
    const origin = this.#access.origin;
    this.#headers = {
      "content-security-policy": `default-src 'none'; script-src 'self'; style-src 'self'; ` +
        `img-src 'self'; connect-src 'self' ${origin.replace("http:", "ws:")}; ` +
        `base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
      "x-content-type-options": "nosniff",
      "x-frame-options": "DENY",
      "referrer-policy": "no-referrer",
      "cache-control": "no-store",
    };
  }

  /** Starts serving; throws when the port cannot be bound. */
  static start(options: UiServerOptions): UiServer {
    return new UiServer(options);
  }

  /** The address to open, with the token. */
  get url(): string {
    return this.#access.url;
  }

  /** The bound port. */
  get port(): number {
    return this.#server.addr.port;
  }

  /** Ends the chat, closes the pages' sockets and stops serving. */
  async close(): Promise<void> {
    await this.#bridge.close();
    await this.#server.shutdown();
  }

  async #handle(request: Request): Promise<Response> {
    const access = this.#access.check(request);
    if (!access.ok) return this.#text(403, `Forbidden: ${access.reason}`);
    const { pathname } = new URL(request.url);
    if (pathname.startsWith(FILES)) return await this.#receivedFile(request);
    if (pathname === "/ws" || pathname === "/upload") {
      // Actions: only the page opened with the token (it keeps it in sessionStorage).
      if (!access.token) return this.#text(403, "Forbidden: no token");
      return pathname === "/ws" ? this.#socket(request) : await this.#upload(request);
    }
    const asset = Object.hasOwn(ASSETS, pathname) ? ASSETS[pathname] : undefined;
    if (!asset) return this.#text(404, "Not found");
    if (request.method !== "GET" && request.method !== "HEAD") {
      return this.#text(405, "Method not allowed");
    }
    const headers = new Headers(this.#headers);
    headers.set("content-type", asset.type);
    // No token needed: a reload no longer has it in its address, and nothing here is secret.
    return new Response(request.method === "HEAD" ? null : asset.body, { headers });
  }

  #socket(request: Request): Response {
    if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") {
      return this.#text(426, "Expected a WebSocket");
    }
    const { socket, response } = Deno.upgradeWebSocket(request);
    this.#bridge.attach(socket);
    return response;
  }

  /** `POST /upload?name=NAME` with the file as the body: streamed to disk, then sent. */
  async #upload(request: Request): Promise<Response> {
    const name = new URL(request.url).searchParams.get("name");
    if (request.method !== "POST") return this.#text(405, "Method not allowed");
    if (!name || !request.body) return this.#text(400, "Expected ?name= and the file as body");
    try {
      await this.#bridge.sendUpload(name, request.body);
    } catch (error) {
      if (error instanceof UploadError) return this.#text(error.status, error.message);
      throw error;
    }
    return this.#text(202, "Sending");
  }

  /** Where the page fetches the received file `name`. */
  #fileLinks(name: string): FileLinks {
    const link = `${FILES}${encodeURIComponent(name)}?ticket=${this.#access.fileTicket(name)}`;
    return { download: link, ...(canOpen(name) ? { open: `${link}&open` } : {}) };
  }

  /** `GET /files/NAME?ticket=T[&open]`: a file of the receive folder. */
  async #receivedFile(request: Request): Promise<Response> {
    if (request.method !== "GET") return this.#text(405, "Method not allowed");
    const url = new URL(request.url);
    let name: string;
    try {
      name = decodeURIComponent(url.pathname.slice(FILES.length));
    } catch {
      return this.#text(400, "Not a file name");
    }
    if (!this.#access.checkFileTicket(name, url.searchParams.get("ticket"))) {
      return this.#text(403, "Forbidden: no ticket for this file");
    }
    try {
      return await receivedFileResponse(this.#receiveDir, name, url.searchParams.has("open"));
    } catch (error) {
      if (error instanceof ReceivedFileError) return this.#text(error.status, error.message);
      throw error;
    }
  }

  #text(status: number, text: string): Response {
    const headers = new Headers(this.#headers);
    headers.set("content-type", "text/plain; charset=utf-8");
    return new Response(text, { status, headers });
  }
}
