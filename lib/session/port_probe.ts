/**
 * Trying an address before anyone types a passkey: that something answers on the port, that
 * it speaks p2pchat, and in the mode this side will use. Each failure says what to check
 * (nothing answers; no answer at all; something else answers). The probe is a connection of
 * its own that sends no hello, so it costs no guess (see `probeFrame` in
 * lib/secure/handshake.ts).
 *
 * @example
 * ```ts ignore
 * import { probePort } from "./port_probe.ts";
 * await probePort("192.168.1.12", 5050, { open: false }); // throws DialError with what to check
 * ```
 * @module
 */

import {
  checkProbeAnswer,
  HandshakeError,
  MAX_HANDSHAKE_FRAME,
  probeFrame,
} from "../secure/handshake.ts";
import { encodeFrame } from "../wire/frame_encoder.ts";
import { writeAll } from "../wire/write_all.ts";
import { formatAddress } from "./chat_address.ts";
import { DialError } from "./dial.ts";
import { describeNetworkError } from "./network_error.ts";

/** How long a probe waits for the TCP connection, and then for the host's answer. */
export const PROBE_TIMEOUT_MS = 10_000;

/** Options of {@linkcode probePort}. */
export interface ProbeOptions {
  /** Whether this side connects in open mode (no passkey). */
  open: boolean;
  /** Default {@linkcode PROBE_TIMEOUT_MS}, for each of the two waits. */
  timeoutMs?: number;
}

const encoder = new TextEncoder();
const HTTP = encoder.encode("HTTP/");

function startsWith(bytes: Uint8Array, prefix: Uint8Array): boolean {
  return bytes.length >= prefix.length && prefix.every((byte, i) => bytes[i] === byte);
}

/**
 * Resolves when `host:port` speaks p2pchat and a handshake in this side's mode can work.
 * Throws {@linkcode DialError}: `Could not connect to 10.0.0.5:5050: nothing answers there: is
 * p2pchat running on that port?`, `... that port does not speak p2pchat`, a silent host, or
 * the handshake's own words for a mode or version mismatch (with `handshake` set).
 */
export async function probePort(host: string, port: number, options: ProbeOptions): Promise<void> {
  const where = formatAddress(host, port);
  const timeoutMs = options.timeoutMs ?? PROBE_TIMEOUT_MS;
  const seconds = `${timeoutMs / 1000} s`;
  let conn: Deno.TcpConn;
  try {
    conn = await Deno.connect({ hostname: host, port, signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    const why = error instanceof Deno.errors.ConnectionRefused
      ? "nothing answers there: is p2pchat running on that port?"
      : error instanceof DOMException && error.name === "TimeoutError"
      ? `no answer within ${seconds}: is the address right, and does a firewall let TCP ` +
        `port ${port} through?`
      : describeNetworkError(error);
    throw new DialError(`Could not connect to ${where}: ${why}`);
  }
  let timer: ReturnType<typeof setTimeout> | undefined;
  const silent = new Promise<"silent">((resolve) => {
    timer = setTimeout(() => resolve("silent"), timeoutMs);
  });
  try {
    await writeAll(conn, encodeFrame(probeFrame(options))).catch(() => {});
    const answer = await Promise.race([readFrame(conn), silent]);
    if (answer === "silent") {
      throw new DialError(
        `${where} accepted the connection but said nothing within ${seconds}: that port does ` +
          "not seem to speak p2pchat",
      );
    }
    if ("closed" in answer) {
      throw new DialError(
        `${where} closed the connection without answering: that port does not speak p2pchat`,
      );
    }
    if ("other" in answer) {
      throw new DialError(
        startsWith(answer.other, HTTP)
          ? `${where} answered like a web server: that port does not speak p2pchat`
          : `${where} answered, but not as p2pchat does: that port does not speak p2pchat`,
      );
    }
    try {
      checkProbeAnswer(answer.frame, options);
    } catch (error) {
      if (!(error instanceof HandshakeError)) throw error;
      if (error.code === "protocol") {
        throw new DialError(
          `${where} answered, but not as p2pchat does: that port does not speak p2pchat`,
        );
      }
      throw new DialError(error.message, error);
    }
  } finally {
    clearTimeout(timer);
    try {
      conn.close();
    } catch { /* already closed */ }
  }
}

/**
 * The first frame the port sends: a whole handshake-sized frame, the bytes of anything else
 * (its length prefix would be absurd: a text banner, a web page), or nothing before it closed.
 */
async function readFrame(
  conn: Deno.Conn,
): Promise<{ frame: Uint8Array } | { other: Uint8Array } | { closed: true }> {
  const buffer = new Uint8Array(4 + MAX_HANDSHAKE_FRAME);
  let filled = 0;
  while (true) {
    if (filled >= 4) {
      const length = new DataView(buffer.buffer).getUint32(0);
      if (length === 0 || length > MAX_HANDSHAKE_FRAME) {
        return { other: buffer.subarray(0, filled) };
      }
      if (filled >= 4 + length) return { frame: buffer.slice(4, 4 + length) };
    }
    let n: number | null;
    try {
      n = await conn.read(buffer.subarray(filled));
    } catch {
      n = null; // reset or closed under us: no answer
    }
    if (n === null) return filled === 0 ? { closed: true } : { other: buffer.subarray(0, filled) };
    filled += n;
  }
}
