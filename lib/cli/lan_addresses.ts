/**
 * The machine's LAN addresses: lives in the session layer so the browser shares it.
 *
 * @example
 * ```ts ignore
 * import { lanAddresses } from "./lan_addresses.ts";
 * console.log(lanAddresses()); // ["192.168.1.12"]
 * ```
 * @module
 */

export { lanAddresses } from "../session/lan_addresses.ts";
