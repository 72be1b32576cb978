/**
 * Which addresses count as one guesser. One IPv6 host usually holds a whole /64 (privacy
 * addresses, or any of 2^64 it likes), so failed handshakes are counted per /64 there and per
 * address in IPv4. An IPv4 address written as IPv6 (`::ffff:10.0.0.5`, from a dual-stack
 * listener) is the IPv4 address.
 *
 * @example
 * ```ts
 * import { addressGroup } from "./address_group.ts";
 * console.log(addressGroup("2001:db8:1:2::a")); // "2001:db8:1:2::/64"
 * console.log(addressGroup("::ffff:10.0.0.5")); // "10.0.0.5"
 * ```
 * @module
 */

/**
 * The group an address's failed handshakes are counted in: an IPv4 address itself, the /64
 * of an IPv6 address (written `a:b:c:d::/64`, lowercase, without leading zeros).
 *
 * @example
 * ```ts
 * import { addressGroup } from "./address_group.ts";
 * console.log(addressGroup("2001:DB8:0001:0002:ffff::1")); // "2001:db8:1:2::/64"
 * ```
 */
export function addressGroup(hostname: string): string {
  const address = unmapped(hostname);
  if (!address.includes(":")) return address;
  const groups = expandIpv6(address);
  if (groups === undefined) return address; // not an IPv6 address we can read: itself
  return `${groups.slice(0, 4).join(":")}::/64`;
}

/**
 * Whether `hostname` is this computer's loopback (`127.0.0.0/8`, `::1`, or either as IPv6).
 *
 * @example
 * ```ts
 * import { isLoopback } from "./address_group.ts";
 * console.log(isLoopback("127.0.0.1"), isLoopback("::ffff:127.0.0.1"), isLoopback("10.0.0.1"));
 * // true true false
 * ```
 */
export function isLoopback(hostname: string): boolean {
  const address = unmapped(hostname);
  if (address.startsWith("127.")) return true;
  const groups = address.includes(":") ? expandIpv6(address) : undefined;
  return groups !== undefined && groups.slice(0, 7).every((group) => group === "0") &&
    groups[7] === "1";
}

/** `::ffff:a.b.c.d` as `a.b.c.d`; a zone (`%eth0`) dropped; anything else as given. */
function unmapped(hostname: string): string {
  const address = hostname.toLowerCase().replace(/%.*$/, "");
  const mapped = address.match(/^(?:0{0,4}:){0,5}:?ffff:(\d{1,3}(?:\.\d{1,3}){3})$/);
  return mapped ? mapped[1] : address;
}

/** The eight groups of an IPv6 address as short hex strings, or `undefined` if it is not one. */
function expandIpv6(address: string): string[] | undefined {
  let text = address;
  // A trailing IPv4 part counts as two groups.
  const ipv4 = text.match(/^(.*:)(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/);
  if (ipv4) {
    const [b1, b2, b3, b4] = ipv4.slice(2).map(Number);
    if ([b1, b2, b3, b4].some((byte) => byte > 255)) return undefined;
    text = `${ipv4[1]}${((b1 << 8) | b2).toString(16)}:${((b3 << 8) | b4).toString(16)}`;
  }
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  const head = halves[0] === "" ? [] : halves[0].split(":");
  const tail = halves.length === 2 && halves[1] !== "" ? halves[1].split(":") : [];
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const groups = [...head, ...Array(halves.length === 2 ? missing : 0).fill("0"), ...tail];
  if (!groups.every((group) => /^[0-9a-f]{1,4}$/.test(group))) return undefined;
  return groups.map((group) => parseInt(group, 16).toString(16));
}
