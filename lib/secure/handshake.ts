/**
 * The handshake that opens every connection: SPAKE2 (RFC 9382) over whole frames, with key
 * confirmation in both directions, then per-direction ChaCha20-Poly1305 keys for the
 * `FrameSealer` / `FrameOpener` channel (encrypted_channel.ts).
 *
 * The client is RFC party A, the host party B. Four frames, all binary (first byte = type):
 *
 * ```text
 * client -> host  hello    01 | version | mode | pA (65 bytes, uncompressed P-256)   68 bytes
 * host -> client  hello    02 | version | mode | pB (65) | cB (32)                   100 bytes
 * client -> host  confirm  03 | cA (32)                                              33 bytes
 * host -> client  ok       04                                                        1 byte
 * either way      failure  7f | reason | version                                     3 bytes
 * ```
 *
 * A host too busy to start a handshake (see `session/handshake_gate.ts`) sends only a failure
 * frame with reason 6, before reading anything.
 *
 * Before the passkey is typed, a client may ask whether a port speaks p2pchat at all, and in
 * which mode, on a connection of its own that costs no guess (a hello needs the passkey):
 *
 * ```text
 * client -> host  probe         05 | version | mode | 0d 0a                          5 bytes
 * host -> client  probe answer  06 | version | mode                                  3 bytes
 * ```
 *
 * The host answers with its mode and closes; a probe in the other mode is logged like a hello
 * in it would be (not a guess). The line break makes line-based servers (HTTP) answer at once
 * instead of waiting; a host of an older build answers the probe with a failure frame
 * (malformed), which says p2pchat too.
 *
 * mode is 1 (passkey) or 2 (open). Open mode runs the same exchange with w = 0, which is plain
 * ephemeral Diffie-Hellman: encrypted but not authenticated, so people compare the safety code.
 * The confirmation keys bind both hellos (without the MACs), so a changed version or mode fails
 * confirmation even if it slipped past the explicit checks.
 *
 * @module
 */

import { createHash } from "node:crypto";
import { hkdfSha256 } from "./hkdf_hmac.ts";
import { normalizePasskey } from "./passkey.ts";
import { concatBytes } from "../wire/bytes.ts";
import {
  passkeyToScalar,
  Spake2,
  SPAKE2_ELEMENT_LENGTH,
  SPAKE2_MAC_LENGTH,
  Spake2Error,
  type Spake2Keys,
} from "./spake2.ts";

/**
 * The handshake version this implementation speaks. It names the channel too: version 1 sealed
 * frames with AES-256-GCM, version 2 with ChaCha20-Poly1305.
 */
export const HANDSHAKE_VERSION = 2;
/** Handshake frames longer than this are refused. */
export const MAX_HANDSHAKE_FRAME = 1024;
/**
 * Frames each side receives during a handshake: a hello, then a confirmation (host) or a
 * verdict (client); a failure frame ends it at either place.
 */
export const HANDSHAKE_FRAMES_RECEIVED = 2;
/** Default deadline for a whole handshake. */
export const DEFAULT_HANDSHAKE_TIMEOUT_MS = 10_000;
/** SPAKE2 identity of the client (party A). */
export const CLIENT_IDENTITY = "p2pchat client";
/** SPAKE2 identity of the host (party B). */
export const HOST_IDENTITY = "p2pchat host";

/** Options for {@linkcode handshake}. */
export interface HandshakeOptions {
  /** "client" starts the handshake (SPAKE2 party A); "host" answers (party B). */
  role: "client" | "host";
  /**
   * Normalized passkey, or null for open mode (--open): still encrypted, unauthenticated.
   * It is normalized again here, which changes nothing for a normalized one.
   */
  passkey: string | null;
  /** Whole handshake deadline; default 10_000 ms. */
  timeoutMs?: number;
  /** Gives up early (e.g. on shutdown) with a {@linkcode HandshakeError}. */
  signal?: AbortSignal;
}

/** What a successful handshake yields. */
export interface SecureKeys {
  /** 32-byte channel key, this side -> peer (use with `FrameSealer`). */
  sendKey: Uint8Array;
  /** 32-byte channel key, peer -> this side (use with `FrameOpener`). */
  receiveKey: Uint8Array;
  /** True when a passkey proved both sides; false in open mode. */
  authenticated: boolean;
  /**
   * Short code both sides can compare, e.g. "4821 0937 5512", derived from the session secret
   * and the transcript. In open mode a man in the middle makes the two sides' codes differ.
   */
  safety: string;
}

/** Why a handshake failed, for code that wants to react (the message is for people). */
export type HandshakeErrorCode =
  | "wrong-passkey"
  | "mode-mismatch"
  | "version-mismatch"
  | "timeout"
  | "aborted"
  | "closed"
  | "busy"
  | "protocol"
  /** The host answered a probe (see {@linkcode probeFrame}); not a failure of anyone's. */
  | "probe";

/** Options of {@linkcode HandshakeError}. */
export interface HandshakeErrorOptions extends ErrorOptions {
  /** See {@linkcode HandshakeError.guessed}; default false. */
  guessed?: boolean;
}

/** A handshake failed; `message` is what a person sees, `code` says why. */
export class HandshakeError extends Error {
  /** Why the handshake failed. */
  readonly code: HandshakeErrorCode;
  /**
   * True on the host when the failure came after it sent its hello: that hello carries the
   * host's key confirmation, which lets the client check one passkey offline whatever it does
   * next (confirm, hang up or stall). So it counts as one guess, like a wrong passkey.
   */
  readonly guessed: boolean;

  /**
   * @example
   * ```ts
   * import { HandshakeError } from "./handshake.ts";
   * const error = new HandshakeError("Wrong passkey", "wrong-passkey");
   * console.log(error.message, error.code); // "Wrong passkey" "wrong-passkey"
   * ```
   */
  constructor(
    message: string,
    code: HandshakeErrorCode = "protocol",
    options?: HandshakeErrorOptions,
  ) {
    super(message, options);
    this.name = "HandshakeError";
    this.code = code;
    this.guessed = options?.guessed ?? false;
  }
}

// First byte of every handshake frame.
const FrameType = {
  ClientHello: 0x01,
  HostHello: 0x02,
  Confirm: 0x03,
  Ok: 0x04,
  Probe: 0x05,
  ProbeAnswer: 0x06,
  Failure: 0x7f,
} as const;

const Mode = { Passkey: 1, Open: 2 } as const;
type Mode = typeof Mode[keyof typeof Mode];

// Second byte of a failure frame.
const Reason = {
  WrongPasskey: 1,
  HostIsOpen: 2,
  HostNeedsPasskey: 3,
  Version: 4,
  Malformed: 5,
  Busy: 6,
} as const;
type Reason = typeof Reason[keyof typeof Reason];

const HELLO_LENGTH = 3 + SPAKE2_ELEMENT_LENGTH;
const HOST_HELLO_LENGTH = HELLO_LENGTH + SPAKE2_MAC_LENGTH;
const CONFIRM_LENGTH = 1 + SPAKE2_MAC_LENGTH;
const encoder = new TextEncoder();

const TIMED_OUT = "Handshake timed out";
const CLIENT_TO_HOST = "p2pchat/2 client->host";
const HOST_TO_CLIENT = "p2pchat/2 host->client";
const WRONG_PASSKEY = "Wrong passkey";
const MALFORMED = "Handshake failed: the peer sent a malformed handshake frame (is it p2pchat?)";
const OVERSIZED = "Handshake failed: the peer sent an oversized handshake frame";
const INVALID_POINT = "Handshake failed: the peer sent an invalid key share";
const HOST_IS_OPEN =
  "The host does not use a passkey (it was started with --open); connect with --open";
const HOST_NEEDS_PASSKEY = "The host requires a passkey";
const HOST_BUSY =
  "The host is busy: too many connections are being secured at once; try again in a moment";

/**
 * Runs the handshake over whole frames and resolves with the session keys, or rejects with a
 * {@linkcode HandshakeError}. Wrong passkeys fail on both sides with "Wrong passkey" (the side
 * that notices first tells the other with a failure frame).
 *
 * The caller owns `reader` and `writer`: the handshake neither cancels, aborts nor releases
 * them, even on timeout. After a rejection the connection is unusable; close it, which also
 * settles a read or write the handshake may have left pending. After success, every later
 * frame belongs to the caller.
 *
 * @example
 * ```ts
 * import { handshake } from "./handshake.ts";
 * const toHost = new TransformStream<Uint8Array, Uint8Array>();
 * const toClient = new TransformStream<Uint8Array, Uint8Array>();
 * const [client, host] = await Promise.all([
 *   handshake(toClient.readable.getReader(), toHost.writable.getWriter(), {
 *     role: "client",
 *     passkey: "7-orbit-lemon-cradle",
 *   }),
 *   handshake(toHost.readable.getReader(), toClient.writable.getWriter(), {
 *     role: "host",
 *     passkey: "7-orbit-lemon-cradle",
 *   }),
 * ]);
 * console.log(client.authenticated, client.safety === host.safety); // true true
 * ```
 */
export async function handshake(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  writer: WritableStreamDefaultWriter<Uint8Array>,
  options: HandshakeOptions,
): Promise<SecureKeys> {
  const passkey = options.passkey === null ? null : normalizePasskey(options.passkey);
  if (passkey === "") throw new HandshakeError("The passkey is empty", "protocol");
  const io = new FrameIo(reader, writer, options.timeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS);
  const host: HostProgress = { confirmationSent: false };
  try {
    io.start(options.signal);
    const w = passkey === null ? 0n : await passkeyToScalar(passkey);
    const mode: Mode = passkey === null ? Mode.Open : Mode.Passkey;
    const run = options.role === "client" ? runClient(io, mode, w) : runHost(io, mode, w, host);
    return await io.race(run);
  } catch (error) {
    // Whatever went wrong later (timeout and hang-up included), the client got one guess.
    if (host.confirmationSent && error instanceof HandshakeError && !error.guessed) {
      throw new HandshakeError(error.message, error.code, { cause: error, guessed: true });
    }
    throw error;
  } finally {
    io.stop();
  }
}

async function runClient(io: FrameIo, mode: Mode, w: bigint): Promise<SecureKeys> {
  const spake = new Spake2({ role: "A", w, identityA: CLIENT_IDENTITY, identityB: HOST_IDENTITY });
  const header = new Uint8Array([FrameType.ClientHello, HANDSHAKE_VERSION, mode]);
  const hello = concatBytes([header, spake.message]);
  await io.write(hello);

  const reply = await io.read();
  if (reply[0] === FrameType.Failure) throw failureFromPeer(reply, "host");
  if (reply[0] !== FrameType.HostHello || reply.length < 2) throw protocolError();
  if (reply[1] !== HANDSHAKE_VERSION) throw versionMismatch("host", reply[1]);
  if (reply.length !== HOST_HELLO_LENGTH) throw protocolError();
  if (reply[2] !== mode) throw protocolError(); // an honest host sends a failure frame instead
  const signedReply = reply.subarray(0, HELLO_LENGTH);
  const keys = await finishSpake(io, spake, reply.subarray(3, HELLO_LENGTH), hello, signedReply);
  if (!await keys.verifyPeerConfirmation(reply.subarray(HELLO_LENGTH))) {
    await io.tryWrite(failureFrame(Reason.WrongPasskey));
    throw new HandshakeError(WRONG_PASSKEY, "wrong-passkey");
  }
  await io.write(concatBytes([new Uint8Array([FrameType.Confirm]), keys.confirmation]));

  const verdict = await io.read();
  if (verdict[0] === FrameType.Failure) throw failureFromPeer(verdict, "host");
  if (verdict[0] !== FrameType.Ok || verdict.length !== 1) throw protocolError();
  return sessionKeys("client", keys, mode, hello, signedReply);
}

// Whether the host's hello, with its key confirmation, may have reached the client.
interface HostProgress {
  confirmationSent: boolean;
}

async function runHost(
  io: FrameIo,
  mode: Mode,
  w: bigint,
  progress: HostProgress,
): Promise<SecureKeys> {
  const hello = await io.read();
  if (hello[0] === FrameType.Failure) throw failureFromPeer(hello, "client");
  if (hello[0] === FrameType.Probe) {
    await io.tryWrite(new Uint8Array([FrameType.ProbeAnswer, HANDSHAKE_VERSION, mode]));
    const clientMode = hello[2];
    if (clientMode === Mode.Passkey && mode === Mode.Open) throw clientUsesPasskey();
    if (clientMode === Mode.Open && mode === Mode.Passkey) throw clientIsOpen();
    throw new HandshakeError("Answered a probe", "probe");
  }
  if (hello[0] !== FrameType.ClientHello || hello.length < 2) {
    throw await refuse(io, Reason.Malformed, protocolError());
  }
  if (hello[1] !== HANDSHAKE_VERSION) {
    throw await refuse(io, Reason.Version, versionMismatch("client", hello[1]));
  }
  if (hello.length !== HELLO_LENGTH) throw await refuse(io, Reason.Malformed, protocolError());
  const clientMode = hello[2];
  if (clientMode !== Mode.Passkey && clientMode !== Mode.Open) {
    throw await refuse(io, Reason.Malformed, protocolError());
  }
  if (clientMode !== mode && mode === Mode.Open) {
    throw await refuse(io, Reason.HostIsOpen, clientUsesPasskey());
  }
  if (clientMode !== mode) throw await refuse(io, Reason.HostNeedsPasskey, clientIsOpen());

  const spake = new Spake2({ role: "B", w, identityA: CLIENT_IDENTITY, identityB: HOST_IDENTITY });
  const signedReply = concatBytes([
    new Uint8Array([FrameType.HostHello, HANDSHAKE_VERSION, mode]),
    spake.message,
  ]);
  const keys = await finishSpake(io, spake, hello.subarray(3), hello, signedReply);
  progress.confirmationSent = true;
  await io.write(concatBytes([signedReply, keys.confirmation]));

  const confirm = await io.read();
  if (confirm[0] === FrameType.Failure) throw failureFromPeer(confirm, "client");
  if (confirm[0] !== FrameType.Confirm || confirm.length !== CONFIRM_LENGTH) {
    throw await refuse(io, Reason.Malformed, protocolError());
  }
  if (!await keys.verifyPeerConfirmation(confirm.subarray(1))) {
    throw await refuse(io, Reason.WrongPasskey, new HandshakeError(WRONG_PASSKEY, "wrong-passkey"));
  }
  await io.write(new Uint8Array([FrameType.Ok]));
  return sessionKeys("host", keys, mode, hello, signedReply);
}

function clientUsesPasskey(): HandshakeError {
  return new HandshakeError(
    "The client uses a passkey, but this host was started with --open",
    "mode-mismatch",
  );
}

function clientIsOpen(): HandshakeError {
  return new HandshakeError(
    "The client connected without a passkey (--open), but this host requires one",
    "mode-mismatch",
  );
}

// Runs SPAKE2's second half with both hellos (without MACs) as AAD; a bad point is refused.
async function finishSpake(
  io: FrameIo,
  spake: Spake2,
  peerElement: Uint8Array,
  clientHello: Uint8Array,
  signedHostHello: Uint8Array,
): Promise<Spake2Keys> {
  try {
    return await spake.finish(peerElement, handshakeAad(clientHello, signedHostHello));
  } catch (error) {
    if (!(error instanceof Spake2Error)) throw error;
    throw await refuse(
      io,
      Reason.Malformed,
      new HandshakeError(INVALID_POINT, "protocol", { cause: error }),
    );
  }
}

function handshakeAad(
  clientHello: Uint8Array,
  signedHostHello: Uint8Array,
): Uint8Array<ArrayBuffer> {
  return concatBytes([encoder.encode("p2pchat handshake"), clientHello, signedHostHello]);
}

// Per-direction keys and the safety code: HKDF from Ke, salted with the hash of both hellos.
function sessionKeys(
  role: "client" | "host",
  keys: Spake2Keys,
  mode: Mode,
  clientHello: Uint8Array,
  signedHostHello: Uint8Array,
): SecureKeys {
  // node:crypto: synchronous, a tenth of an awaited WebCrypto call's CPU (see spake2.ts).
  const salt = createHash("sha256").update(handshakeAad(clientHello, signedHostHello)).digest();
  const derive = (label: string, bits: number) =>
    hkdfSha256(keys.ke, salt, encoder.encode(label), bits / 8);
  const [sendLabel, receiveLabel] = role === "client"
    ? [CLIENT_TO_HOST, HOST_TO_CLIENT]
    : [HOST_TO_CLIENT, CLIENT_TO_HOST];
  const safetyBits = derive("p2pchat/1 safety", 64);
  return {
    sendKey: derive(sendLabel, 256),
    receiveKey: derive(receiveLabel, 256),
    authenticated: mode === Mode.Passkey,
    safety: safetyCode(safetyBits),
  };
}

// 12 decimal digits in groups of four (about 40 bits): too many for a man in the middle to
// grind a match between his two sessions within the handshake deadline.
function safetyCode(bits: Uint8Array): string {
  const value = new DataView(bits.buffer, bits.byteOffset, bits.byteLength).getBigUint64(0);
  const digits = (value % 10n ** 12n).toString().padStart(12, "0");
  return `${digits.slice(0, 4)} ${digits.slice(4, 8)} ${digits.slice(8)}`;
}

/**
 * The frame a client sends, before it knows the passkey, to learn whether a port speaks
 * p2pchat and in which mode (saying its own: open or not); the host answers it and closes,
 * counting no guess.
 *
 * @example
 * ```ts
 * import { probeFrame } from "./handshake.ts";
 * console.log(probeFrame({ open: false })); // Uint8Array(5) [ 5, 2, 1, 13, 10 ]
 * ```
 */
export function probeFrame(client: { open: boolean }): Uint8Array {
  const mode = client.open ? Mode.Open : Mode.Passkey;
  return new Uint8Array([FrameType.Probe, HANDSHAKE_VERSION, mode, 0x0d, 0x0a]);
}

/**
 * Checks a host's answer to {@linkcode probeFrame} against how this side will connect (with
 * a passkey, or in open mode): returns when the host speaks p2pchat and the handshake can
 * work (a busy host too: it may have room by then); throws the {@linkcode HandshakeError}
 * the handshake would end with (version or mode mismatch) before anyone types a passkey, or a
 * `protocol` error when the answer is not p2pchat's.
 *
 * @example
 * ```ts
 * import { checkProbeAnswer } from "./handshake.ts";
 * checkProbeAnswer(new Uint8Array([6, 2, 1]), { open: false }); // a passkey host: fine
 * ```
 */
export function checkProbeAnswer(frame: Uint8Array, client: { open: boolean }): void {
  if (frame[0] === FrameType.Failure && frame.length === 3) {
    const error = failureFromPeer(frame, "host");
    // Busy, or a build without probes (malformed): p2pchat all the same.
    if (error.code === "version-mismatch") throw error;
    return;
  }
  if (frame[0] !== FrameType.ProbeAnswer || frame.length !== 3) throw protocolError();
  if (frame[1] !== HANDSHAKE_VERSION) throw versionMismatch("host", frame[1]);
  const mode = client.open ? Mode.Open : Mode.Passkey;
  if (frame[2] === mode) return;
  if (frame[2] === Mode.Open) throw new HandshakeError(HOST_IS_OPEN, "mode-mismatch");
  if (frame[2] === Mode.Passkey) {
    throw new HandshakeError(`${HOST_NEEDS_PASSKEY}: connect without --open`, "mode-mismatch");
  }
  throw protocolError();
}

/**
 * The failure frame a host sends instead of its hello when it cannot start a handshake now
 * (too many under way or waiting); the client says the host is busy and may try again.
 *
 * @example
 * ```ts
 * import { busyFrame } from "./handshake.ts";
 * console.log(busyFrame()); // Uint8Array(3) [ 127, 6, 2 ]
 * ```
 */
export function busyFrame(): Uint8Array {
  return failureFrame(Reason.Busy);
}

function failureFrame(reason: Reason): Uint8Array {
  return new Uint8Array([FrameType.Failure, reason, HANDSHAKE_VERSION]);
}

// Tells the peer why we give up (best effort), then hands back the error to throw.
async function refuse(io: FrameIo, reason: Reason, error: HandshakeError): Promise<HandshakeError> {
  await io.tryWrite(failureFrame(reason));
  return error;
}

function failureFromPeer(frame: Uint8Array, peer: "client" | "host"): HandshakeError {
  if (frame.length !== 3) return protocolError();
  switch (frame[1]) {
    case Reason.WrongPasskey:
      return new HandshakeError(WRONG_PASSKEY, "wrong-passkey");
    case Reason.HostIsOpen:
      return new HandshakeError(HOST_IS_OPEN, "mode-mismatch");
    case Reason.HostNeedsPasskey:
      return new HandshakeError(HOST_NEEDS_PASSKEY, "mode-mismatch");
    case Reason.Version:
      return versionMismatch(peer, frame[2]);
    case Reason.Busy:
      return new HandshakeError(HOST_BUSY, "busy");
    case Reason.Malformed:
      return new HandshakeError(
        `Handshake failed: the ${peer} could not understand this side's handshake`,
        "protocol",
      );
    default:
      return new HandshakeError(`Handshake failed: the ${peer} gave up`, "protocol");
  }
}

function versionMismatch(peer: "client" | "host", version: number): HandshakeError {
  return new HandshakeError(
    `The ${peer} speaks handshake version ${version}, this p2pchat speaks version ` +
      `${HANDSHAKE_VERSION}; update the older one`,
    "version-mismatch",
  );
}

function protocolError(): HandshakeError {
  return new HandshakeError(MALFORMED, "protocol");
}

const ignore = () => {};

/** Frame reads and writes raced against one deadline for the whole handshake. */
class FrameIo {
  #reader: ReadableStreamDefaultReader<Uint8Array>;
  #writer: WritableStreamDefaultWriter<Uint8Array>;
  #timeoutMs: number;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #signal: AbortSignal | undefined;
  #onAbort = () => this.#fail(new HandshakeError("Handshake aborted", "aborted"));
  #fail: (error: HandshakeError) => void = ignore;
  #deadline: Promise<never>;
  #over = false;

  constructor(
    reader: ReadableStreamDefaultReader<Uint8Array>,
    writer: WritableStreamDefaultWriter<Uint8Array>,
    timeoutMs: number,
  ) {
    this.#reader = reader;
    this.#writer = writer;
    this.#timeoutMs = timeoutMs;
    this.#deadline = new Promise<never>((_, reject) => {
      this.#fail = (error) => {
        this.#over = true;
        reject(error);
      };
    });
    this.#deadline.catch(ignore); // it is always raced; this only avoids an unhandled rejection
  }

  start(signal: AbortSignal | undefined): void {
    this.#timer = setTimeout(
      () => this.#fail(new HandshakeError(TIMED_OUT, "timeout")),
      this.#timeoutMs,
    );
    if (signal !== undefined) {
      this.#signal = signal;
      if (signal.aborted) this.#onAbort();
      else signal.addEventListener("abort", this.#onAbort, { once: true });
    }
  }

  stop(): void {
    // A run the deadline abandoned must not touch the streams any more.
    this.#fail(new HandshakeError("Handshake over", "aborted"));
    clearTimeout(this.#timer);
    this.#signal?.removeEventListener("abort", this.#onAbort);
  }

  race<T>(promise: Promise<T>): Promise<T> {
    promise.catch(ignore); // if the deadline wins, a late rejection must not go unhandled
    return Promise.race([promise, this.#deadline]);
  }

  async read(): Promise<Uint8Array> {
    if (this.#over) return await this.#deadline;
    let result: ReadableStreamReadResult<Uint8Array>;
    try {
      result = await this.race(this.#reader.read());
    } catch (error) {
      if (error instanceof HandshakeError) throw error;
      // Keep the reason (e.g. an oversized frame) so the host's log says what happened.
      const reason = error instanceof Error ? `: ${error.message}` : "";
      throw new HandshakeError(`The connection failed during the handshake${reason}`, "closed", {
        cause: error,
      });
    }
    if (result.done) {
      throw new HandshakeError("The connection closed during the handshake", "closed");
    }
    const frame = result.value;
    if (!(frame instanceof Uint8Array) || frame.length === 0) throw protocolError();
    if (frame.length > MAX_HANDSHAKE_FRAME) throw new HandshakeError(OVERSIZED, "protocol");
    return frame;
  }

  async write(frame: Uint8Array): Promise<void> {
    if (this.#over) return await this.#deadline;
    try {
      await this.race(this.#writer.write(frame));
    } catch (error) {
      if (error instanceof HandshakeError) throw error;
      throw new HandshakeError("The connection failed during the handshake", "closed", {
        cause: error,
      });
    }
  }

  async tryWrite(frame: Uint8Array): Promise<void> {
    await this.write(frame).catch(ignore);
  }
}
