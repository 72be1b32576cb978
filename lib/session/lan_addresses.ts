/**
 * The machine's LAN addresses, so the listener can tell the other person what to type.
 *
 * @example
 * ```ts ignore
 * import { lanAddresses } from "./lan_addresses.ts";
 * console.log(lanAddresses()); // ["192.168.1.12"]
 * ```
 * @module
 */

/** IPv4 addresses of the non-loopback interfaces; empty when they cannot be read. */
export function lanAddresses(): string[] {
  try {
    return [
      ...new Set(
        Deno.networkInterfaces()
          .filter((i) => i.family === "IPv4" && !i.address.startsWith("127."))
          .map((i) => i.address),
      ),
    ];
  } catch {
    return [];
  }
}
