/**
 * A TCP port on 127.0.0.1 that nothing listens on (bound, then released): for programs that
 * cannot print the port they got, and for tests that need a port that refuses connections.
 *
 * @example
 * ```ts
 * import { freePort } from "./free_port.ts";
 * console.log(freePort() > 0); // true
 * ```
 * @module
 */

/** Binds port 0, notes the port the system chose, and releases it. */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = listener.addr.port;
  listener.close();
  return port;
}
