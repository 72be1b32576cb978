/**
 * Who may drive the local web app: only the person who started it. Every request needs a
 * `Host` naming this loopback port (no DNS rebinding) and, when the browser sends one, an
 * `Origin` of this app (no drive-by requests from other sites); every action (the socket,
 * uploads) also needs the secret token in its URL.
 *
 * No cookie: a browser sends a cookie for 127.0.0.1 to every port of 127.0.0.1, so any other
 * local web server the person visits would receive it. The page keeps the token it was
 * opened with in `sessionStorage`, which belongs to this origin alone (port included).
 *
 * @example
 * ```ts
 * import { UiAccess } from "./ui_access.ts";
 * const access = new UiAccess(8080);
 * const request = new Request(access.url, { headers: { host: "127.0.0.1:8080" } });
 * console.log(access.check(request)); // { ok: true, token: true }
 * ```
 * A received file's link carries a ticket for that file alone (an HMAC of its name under the
 * token), not the token: a link ends up in the browser's history and downloads list.
 *
 * @module
 */

import { createHmac } from "node:crypto";

/** Bytes of randomness in a token (256 bits). */
export const TOKEN_BYTES = 32;

/** The outcome of {@linkcode UiAccess.check}. */
export type AccessResult =
  | {
    ok: true; /** Whether the right token came with the request: actions need it. */
    token: boolean;
  }
  | { ok: false; reason: string };

/**
 * A fresh token: {@linkcode TOKEN_BYTES} random bytes, base64url.
 *
 * @example
 * ```ts
 * import { newToken } from "./ui_access.ts";
 * console.log(newToken().length); // 43
 * ```
 */
export function newToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(TOKEN_BYTES));
  return base64url(bytes);
}

/**
 * `bytes` as base64url without padding (RFC 4648 §5), as URL tokens write them.
 *
 * @example
 * ```ts
 * import { base64url } from "./ui_access.ts";
 * console.log(base64url(new Uint8Array([251, 255]))); // "-_8"
 * ```
 */
export function base64url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_")
    .replace(/=+$/, "");
}

/** Compares without stopping at the first difference, so timing does not leak the token. */
function sameSecret(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return difference === 0;
}

/** The access rules of one UI server on one loopback port. */
export class UiAccess {
  /** The secret. */
  readonly token: string;
  #port: number;
  #hosts: Set<string>;
  #origins: Set<string>;

  /** Rules for the server on `127.0.0.1:port`, with a fresh token unless one is given. */
  constructor(port: number, token: string = newToken()) {
    this.#port = port;
    this.token = token;
    const names = ["127.0.0.1", "localhost", "[::1]"];
    this.#hosts = new Set(names.map((name) => `${name}:${port}`));
    this.#origins = new Set(names.map((name) => `http://${name}:${port}`));
  }

  /** The address to open: carries the token. */
  get url(): string {
    return `http://127.0.0.1:${this.#port}/?token=${this.token}`;
  }

  /** The origin pages of this app have, e.g. `http://127.0.0.1:8080`. */
  get origin(): string {
    return `http://127.0.0.1:${this.#port}`;
  }

  /**
   * The ticket that lets a link fetch the received file `name` (and nothing else).
   *
   * @example
   * ```ts
   * import { UiAccess } from "./ui_access.ts";
   * const access = new UiAccess(8080);
   * console.log(access.fileTicket("a.txt") === access.fileTicket("b.txt")); // false
   * ```
   */
  fileTicket(name: string): string {
    return base64url(createHmac("sha256", this.token).update(`file\0${name}`).digest());
  }

  /** Whether `ticket` is the one of the received file `name`. */
  checkFileTicket(name: string, ticket: string | null): boolean {
    return ticket !== null && sameSecret(ticket, this.fileTicket(name));
  }

  /**
   * Whether `request` may be served at all (right `Host`, no foreign `Origin`, no wrong
   * token) and whether it carries the token (`?token=`), which every action needs.
   */
  check(request: Request): AccessResult {
    const host = request.headers.get("host");
    if (host === null || !this.#hosts.has(host.toLowerCase())) {
      return { ok: false, reason: "wrong Host" };
    }
    const origin = request.headers.get("origin");
    if (origin !== null && !this.#origins.has(origin.toLowerCase())) {
      return { ok: false, reason: "foreign Origin" };
    }
    const token = new URL(request.url).searchParams.get("token");
    if (token === null) return { ok: true, token: false };
    return sameSecret(token, this.token)
      ? { ok: true, token: true }
      : { ok: false, reason: "wrong token" };
  }
}
