/**
 * Multicast DNS (RFC 6762) on one network address: a UDP socket on port 5353 (shared with the
 * system's own responder and other programs), joined to 224.0.0.251 on that address's
 * interface, sending its multicast out of that interface. Packets are encoded and decoded by
 * `dns-packet` through `multicast-dns`. Only packets whose source lies on this address's
 * subnet are passed on: on Linux every such socket receives the group's packets from every
 * interface, and an answer must carry the address of the interface the query came in on.
 *
 * IPv4 only: the chat's TCP listener is IPv4 (`0.0.0.0` by default).
 *
 * @example
 * ```ts ignore
 * import { linkAddresses, MdnsLink } from "./mdns_link.ts";
 * const [address] = linkAddresses("scan");
 * const link = await MdnsLink.open(address, { onResponse: (packet, from) => {} });
 * await link.send({ type: "query", questions: [{ name: "_p2pchat._tcp.local", type: "PTR" }] });
 * await link.close();
 * ```
 * @module
 */

// @ts-types="@types/multicast-dns"
import makeMdns from "multicast-dns";
// @ts-types="@types/dns-packet"
import type { DecodedPacket, Packet } from "dns-packet";

/** The mDNS port and IPv4 group. */
export const MDNS_PORT = 5353;
/** The mDNS IPv4 multicast group. */
export const MDNS_GROUP = "224.0.0.251";

/** One IPv4 address of an interface. */
export interface LinkAddress {
  /** The interface's name, e.g. `eth0`. */
  name: string;
  address: string;
  netmask: string;
}

/** Where a packet came from. */
export interface PacketSource {
  address: string;
  port: number;
}

/** What a link passes on. */
export interface LinkHandlers {
  onQuery?: (packet: DecodedPacket, from: PacketSource) => void;
  onResponse?: (packet: DecodedPacket, from: PacketSource) => void;
}

function ipv4Number(address: string): number | undefined {
  const parts = address.split(".");
  if (parts.length !== 4) return undefined;
  let value = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part) || Number(part) > 255) return undefined;
    value = value * 256 + Number(part);
  }
  return value;
}

/** Whether `address` is on the subnet of `link`. */
export function onSubnet(link: LinkAddress, address: string): boolean {
  const own = ipv4Number(link.address);
  const mask = ipv4Number(link.netmask);
  const other = ipv4Number(address);
  if (own === undefined || mask === undefined || other === undefined) return false;
  // Unsigned 32-bit arithmetic: `&` would make the numbers signed.
  return (own - (own % (2 ** 32 - mask))) === (other - (other % (2 ** 32 - mask)));
}

/**
 * The addresses to use: for `"scan"` every IPv4 address (loopback too, for chats on this
 * computer); for a host bound to `0.0.0.0` every LAN address (loopback only when there is
 * none); for a host bound to one address, that address alone.
 *
 * @example
 * ```ts ignore
 * import { linkAddresses } from "./mdns_link.ts";
 * console.log(linkAddresses("127.0.0.1")); // [{ name: "lo", address: "127.0.0.1", ... }]
 * ```
 */
export function linkAddresses(bound: "scan" | string): LinkAddress[] {
  let all: LinkAddress[];
  try {
    all = Deno.networkInterfaces()
      .filter((i) => i.family === "IPv4")
      .map((i) => ({ name: i.name, address: i.address, netmask: i.netmask }));
  } catch {
    return [];
  }
  if (bound === "scan") return all;
  if (bound === "0.0.0.0") {
    const lan = all.filter((a) => !a.address.startsWith("127."));
    return lan.length > 0 ? lan : all;
  }
  return all.filter((a) => a.address === bound);
}

/** The mDNS socket of one address. */
export class MdnsLink {
  /** The address this link speaks for. */
  readonly address: LinkAddress;
  #mdns: ReturnType<typeof makeMdns>;
  #closed: Promise<void> | undefined;

  private constructor(address: LinkAddress, mdns: ReturnType<typeof makeMdns>) {
    this.address = address;
    this.#mdns = mdns;
  }

  /** Opens the socket; rejects when port 5353 cannot be bound. */
  static open(address: LinkAddress, handlers: LinkHandlers): Promise<MdnsLink> {
    const mdns = makeMdns({
      interface: address.address,
      bind: "0.0.0.0", // a socket bound to the address itself would get no multicast
      port: MDNS_PORT,
      reuseAddr: true,
      loopback: true, // scanners on this computer hear us
      ttl: 255,
    });
    const link = new MdnsLink(address, mdns);
    // Undecodable packets and a failed membership renewal are the network's problem, not ours.
    mdns.on("warning", () => {});
    mdns.on("packet", (packet: DecodedPacket, from: PacketSource) => {
      if (!onSubnet(address, from.address)) return;
      if (packet.type === "query") handlers.onQuery?.(packet, from);
      else handlers.onResponse?.(packet, from);
    });
    return new Promise((resolve, reject) => {
      const failed = (error: Error) => {
        link.close().finally(() => reject(error));
      };
      mdns.once("error", failed);
      mdns.once("ready", () => {
        mdns.off("error", failed);
        mdns.on("error", () => {}); // later socket errors: the next send reports them
        resolve(link);
      });
    });
  }

  /** Sends `packet` to the group, or to `to` (a unicast reply). */
  send(packet: Packet, to?: PacketSource): Promise<void> {
    if (this.#closed) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const done = (error: Error | null) => error ? reject(error) : resolve();
      const target = to ? { address: to.address, port: to.port } : undefined;
      if (packet.type === "query") {
        this.#mdns.query({ ...packet, questions: packet.questions ?? [] }, target, done);
      } else this.#mdns.respond({ ...packet, answers: packet.answers ?? [] }, target, done);
    });
  }

  /** Closes the socket. */
  close(): Promise<void> {
    this.#closed ??= new Promise((resolve) => this.#mdns.destroy(() => resolve()));
    return this.#closed;
  }
}
