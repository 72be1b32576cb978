/**
 * Connects to a listening peer or hub and secures the connection.
 *
 * @example
 * ```ts ignore
 * import { dial } from "./dial.ts";
 * const session = await dial("192.168.1.12", 5050, "7-orbit-lemon-cradle");
 * ```
 * @module
 */

import { HandshakeError, type HandshakeErrorCode } from "../secure/handshake.ts";
import { passkeyWeakness } from "../secure/passkey.ts";
import { formatAddress } from "./chat_address.ts";
import { NetSession } from "./net_session.ts";
import { describeNetworkError } from "./network_error.ts";

/** Time allowed for the TCP connection itself. */
const CONNECT_TIMEOUT_MS = 10_000;
/** Handshake failures that say nothing about the passkey or the peer: worth another try. */
const PASSING: ReadonlySet<HandshakeErrorCode> = new Set(["busy", "closed", "timeout", "aborted"]);

/**
 * Why a dial failed; `handshake` is set when the handshake failed for a reason retrying
 * cannot fix (wrong passkey, mode or version mismatch, not p2pchat), not when the host was
 * busy or the connection dropped or stalled during it.
 */
export class DialError extends Error {
  /** The handshake's error, when the failure came from it (wrong passkey, mode mismatch). */
  readonly handshake?: HandshakeError;
  /** Creates the error. */
  constructor(message: string, handshake?: HandshakeError) {
    super(message);
    this.name = "DialError";
    this.handshake = handshake;
  }
}

/**
 * Connects to `host:port` and runs the handshake with `passkey` (`null`: open mode); a passkey
 * too weak to survive online guessing is refused first.
 * Throws {@linkcode DialError} with a message such as
 * `Could not connect to 10.0.0.5:5050: connection refused` or `Wrong passkey`.
 */
export async function dial(
  host: string,
  port: number,
  passkey: string | null,
): Promise<NetSession> {
  // No host should use one this weak: refused before anything goes on the wire.
  const weak = passkey === null ? undefined : passkeyWeakness(passkey);
  if (weak) throw new DialError(weak);
  let conn: Deno.TcpConn;
  try {
    conn = await Deno.connect({
      hostname: host,
      port,
      signal: AbortSignal.timeout(CONNECT_TIMEOUT_MS),
    });
  } catch (error) {
    throw new DialError(
      `Could not connect to ${formatAddress(host, port)}: ${describeNetworkError(error)}`,
    );
  }
  conn.setNoDelay(true);
  try {
    return await NetSession.start(conn, { role: "client", passkey });
  } catch (error) {
    if (error instanceof HandshakeError) {
      throw new DialError(error.message, PASSING.has(error.code) ? undefined : error);
    }
    throw new DialError(
      `Could not connect to ${formatAddress(host, port)}: ${describeNetworkError(error)}`,
    );
  }
}
