/**
 * The address of a chat as people type it: `10.0.0.5`, `10.0.0.5:5050`, `hub.local:5050`,
 * `[fe80::1]:5050`, or a bare IPv6 address (`::1`, no port: its colons are its own). Hosts
 * print addresses as `host:port`, so that form must work wherever an address is typed; a
 * port given twice (in the address and on its own) must agree.
 *
 * @example
 * ```ts
 * import { formatAddress, parseChatAddress } from "./chat_address.ts";
 * const address = parseChatAddress("[::1]:5050");
 * console.log(address.host, address.port); // ::1 5050
 * console.log(formatAddress(address.host, 5050)); // [::1]:5050
 * ```
 * @module
 */

/** A typed address that cannot be one. The message says why, for people. */
export class AddressError extends Error {
  /** Creates the error. */
  constructor(message: string) {
    super(message);
    this.name = "AddressError";
  }
}

/** A host, and the port when the address carried one. */
export interface ChatAddress {
  host: string;
  port?: number;
}

/** A host name or an IPv4 address: DNS name characters, at most 253 of them. */
const NAME = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*\.?$/;
/** An IPv6 address, maybe with a zone (`fe80::1%eth0`). */
const IPV6 = /^[0-9A-Fa-f:.]+(%[A-Za-z0-9_.-]+)?$/;

function portOf(text: string, typed: string): number {
  const port = Number(text);
  if (!/^\d{1,5}$/.test(text) || port < 1 || port > 65535) {
    throw new AddressError(
      `'${typed}' has no usable port: a port is a number from 1 to 65535, e.g. 5050`,
    );
  }
  return port;
}

function ipv6(text: string, typed: string): string {
  if (!IPV6.test(text) || text.split(":").length < 3) {
    throw new AddressError(`'${typed}' is not an address: in [ ] goes an IPv6 address`);
  }
  return text;
}

/**
 * Reads a typed address: `HOST`, `HOST:PORT`, `[IPv6]`, `[IPv6]:PORT` or a bare IPv6 address.
 * Throws {@linkcode AddressError} for anything else (spaces, a port that is not one, an empty
 * host), so nothing unusable reaches the network.
 *
 * @example
 * ```ts
 * import { parseChatAddress } from "./chat_address.ts";
 * console.log(parseChatAddress("192.168.1.12:5050")); // { host: "192.168.1.12", port: 5050 }
 * console.log(parseChatAddress("fe80::1")); // { host: "fe80::1" }
 * ```
 */
export function parseChatAddress(typed: string): ChatAddress {
  const text = typed.trim();
  if (text === "") throw new AddressError("the address is empty");
  const bracketed = text.match(/^\[([^\]]*)\](?::(.*))?$/);
  if (bracketed) {
    const host = ipv6(bracketed[1], typed);
    return bracketed[2] === undefined ? { host } : { host, port: portOf(bracketed[2], typed) };
  }
  const colons = text.split(":").length - 1;
  // Two colons or more: an IPv6 address on its own (a port needs the brackets).
  if (colons >= 2) return { host: ipv6(text, typed) };
  const [host, port] = colons === 1 ? text.split(":") : [text, undefined];
  if (host === "" || host.length > 253 || !NAME.test(host)) {
    throw new AddressError(
      `'${typed}' is not an address: use an IP address or a host name, e.g. 192.168.1.12:5050`,
    );
  }
  return port === undefined ? { host } : { host, port: portOf(port, typed) };
}

/**
 * The port to use: the address's, the one given on its own, or `fallback`. Throws
 * {@linkcode AddressError} when both are given and disagree.
 *
 * @example
 * ```ts
 * import { parseChatAddress, portToUse } from "./chat_address.ts";
 * console.log(portToUse(parseChatAddress("10.0.0.5:6000"), undefined, 5050)); // 6000
 * console.log(portToUse(parseChatAddress("10.0.0.5"), 7000, 5050)); // 7000
 * ```
 */
export function portToUse(
  address: ChatAddress,
  port: number | undefined,
  fallback: number,
): number {
  if (address.port !== undefined && port !== undefined && address.port !== port) {
    throw new AddressError(
      `the port is given twice and differs: ${formatAddress(address.host, address.port)} ` +
        `and port ${port}`,
    );
  }
  return address.port ?? port ?? fallback;
}

/**
 * `host:port` as people type it: an IPv6 host in brackets.
 *
 * @example
 * ```ts
 * import { formatAddress } from "./chat_address.ts";
 * console.log(formatAddress("10.0.0.5", 5050)); // 10.0.0.5:5050
 * console.log(formatAddress("fe80::1", 5050)); // [fe80::1]:5050
 * ```
 */
export function formatAddress(host: string, port: number): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}
