/**
 * p2pchat: chat and file transfer for people on the same network.
 *
 * @example
 * ```sh
 * p2pchat listen 5050
 * p2pchat connect 192.168.1.12 5050 --name bob
 * ```
 * @module
 */

import { main } from "./lib/cli/main.ts";

if (import.meta.main) Deno.exit(await main(Deno.args));
