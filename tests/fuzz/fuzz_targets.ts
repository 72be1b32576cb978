/**
 * The property-based fuzzing targets (fast-check): what a peer sends first meets the frame
 * splitter, the handshake, the sealed-frame opener, the record codec and the message parser.
 * Each must refuse anything with its own typed error (never a crash of another kind) and hold
 * no more than its limits. `fuzz_test.ts` runs them briefly with the other tests;
 * `deno task fuzz` (`fuzz_run.ts`) runs them a million times and records what it ran.
 *
 * @example
 * ```ts ignore
 * import fc from "fast-check";
 * import { FUZZ_TARGETS } from "./fuzz_targets.ts";
 * for (const target of FUZZ_TARGETS) await fc.assert(target.property(), { numRuns: 100 });
 * ```
 * @module
 */

import fc from "fast-check";
import { concatBytes } from "../../lib/wire/bytes.ts";
import {
  decodeRecord,
  encodeRecord,
  encodeRecordInto,
  recordEnd,
  splitRecords,
} from "../../lib/wire/codec.ts";
import { encodeFrame } from "../../lib/wire/frame_encoder.ts";
import { FrameError } from "../../lib/wire/frame_error.ts";
import { FrameAssembler } from "../../lib/wire/frame_splitter.ts";
import { FRAME_PREFIX_BYTES, MAX_HEADER_BYTES, MAX_TEXT_BYTES } from "../../lib/wire/limits.ts";
import { handshakeConn } from "../../lib/secure/conn_handshake.ts";
import { FrameOpener, SecureChannelError } from "../../lib/secure/encrypted_channel.ts";
import {
  CLIENT_IDENTITY,
  HANDSHAKE_VERSION,
  HandshakeError,
  HOST_IDENTITY,
  MAX_HANDSHAKE_FRAME,
} from "../../lib/secure/handshake.ts";
import { passkeyToScalar, Spake2 } from "../../lib/secure/spake2.ts";
import {
  type Message,
  type MessageType,
  parseMessage,
  ProtocolError,
} from "../../lib/session/message.ts";

/** One fuzzing target: a property, and how many inputs each run gives it. */
export interface FuzzTarget {
  /** Short name, used in test names and the results file. */
  name: string;
  /** What it checks, for people. */
  claim: string;
  /** Inputs in `deno task test` (a few seconds for all targets together). */
  shortRuns: number;
  /** Inputs in `deno task fuzz` (together at least a million). */
  longRuns: number;
  /** A fresh property (fast-check keeps state in a property while it runs). */
  property(): fc.IRawProperty<unknown, boolean>;
}

/** Runs `work`, letting only `errorClass` errors through as "refused". */
function refusedOnly(work: () => void, errorClass: new (...args: never[]) => Error): void {
  try {
    work();
  } catch (error) {
    if (!(error instanceof errorClass)) throw error;
  }
}

// ---------------------------------------------------------------------------------------------
// Frames

/** A byte stream cut into chunks at the given places (what reads of a socket give). */
function chunked(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((cut) => cut % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let from = 0;
  for (const point of [...points, bytes.length]) {
    if (point > from) chunks.push(bytes.subarray(from, point));
    from = point;
  }
  return chunks;
}

/**
 * A payload of any length up to `max`: fast-check keeps generated arrays short by default, so
 * long ones are a length and a filling pattern (a random byte array of 70 KB per input would
 * cost more than the code under test).
 */
function payload(max: number): fc.Arbitrary<Uint8Array> {
  return fc.oneof(
    fc.uint8Array({ maxLength: 64 }),
    fc.tuple(fc.nat(max), fc.nat(255)).map(([length, byte]) =>
      new Uint8Array(length).map((_, i) => (byte + i * 31) & 0xff)
    ),
  );
}

/** Frames (with a small limit so that oversized ones are common) plus raw junk, mixed. */
const frameStream = fc.record({
  max: fc.integer({ min: 0, max: 4096 }),
  leading: fc.option(
    fc.record({ frames: fc.integer({ min: 0, max: 3 }), maxFrameBytes: fc.nat(600) }),
    { nil: undefined },
  ),
  parts: fc.array(
    fc.oneof(
      { weight: 4, arbitrary: payload(6000).map((bytes) => encodeFrame(bytes)) },
      { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }) },
      {
        weight: 1,
        arbitrary: fc.tuple(fc.nat(), fc.uint8Array({ maxLength: 32 })).map(([length, rest]) =>
          concatBytes([Uint8Array.of(length >>> 24, length >>> 16, length >>> 8, length), rest])
        ),
      },
    ),
    { maxLength: 12 },
  ),
  cuts: fc.array(fc.nat(), { maxLength: 40 }),
});

/** Whole frames only, for the round trip. */
const validFrames = fc.record({
  payloads: fc.array(payload(3000), { maxLength: 10 }),
  cuts: fc.array(fc.nat(), { maxLength: 60 }),
});

const frames: FuzzTarget = {
  name: "frame-splitter",
  claim: "FrameAssembler: only FrameError, never holds more than one frame at its limit plus " +
    "the prefix (nor about twice what came), and any cutting of whole frames gives them back",
  shortRuns: 10_000,
  longRuns: 400_000,
  property: () =>
    fc.property(fc.oneof(frameStream, validFrames), (input) => {
      if ("payloads" in input) {
        const wire = concatBytes(input.payloads.map((payload) => encodeFrame(payload)));
        const assembler = new FrameAssembler({ maxFrameBytes: 3000 });
        const out: string[] = [];
        for (const chunk of chunked(wire, input.cuts)) {
          for (const frame of assembler.push(chunk)) out.push(frame.join());
        }
        assembler.end();
        return out.length === input.payloads.length &&
          out.every((frame, i) => frame === input.payloads[i].join());
      }
      const { max, leading, parts, cuts } = input;
      const assembler = new FrameAssembler({ maxFrameBytes: max, leading });
      const limit = Math.max(max, leading?.maxFrameBytes ?? 0) + FRAME_PREFIX_BYTES;
      for (const chunk of chunked(concatBytes(parts), cuts)) {
        if (assembler.error) {
          refusedOnly(() => assembler.push(chunk), FrameError);
          break;
        }
        let received: Uint8Array[] = [];
        refusedOnly(() => received = assembler.push(chunk), FrameError);
        for (const frame of received) if (frame.length > limit) return false;
        const held = assembler.heldBytes;
        if (held > limit) return false;
        if (held > FRAME_PREFIX_BYTES + Math.max(256, 2 * assembler.pending)) return false;
      }
      refusedOnly(() => assembler.end(), FrameError);
      return true;
    }),
};

// ---------------------------------------------------------------------------------------------
// Records

const jsonHeader = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.record({ t: fc.constantFrom("chat", "hello", "chunk"), text: fc.string() }),
);

const codec: FuzzTarget = {
  name: "record-codec",
  claim: "decodeRecord, splitRecords and recordEnd: only FrameError on any bytes, never a " +
    "header over 16 KiB parsed; encodeRecord and encodeRecordInto round-trip",
  shortRuns: 10_000,
  longRuns: 300_000,
  property: () =>
    fc.property(
      fc.oneof(
        fc.record({
          kind: fc.constant("bytes" as const),
          bytes: fc.uint8Array({ maxLength: 600 }),
        }),
        fc.record({
          kind: fc.constant("mutated" as const),
          header: jsonHeader,
          body: fc.uint8Array({ maxLength: 64 }),
          flips: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { maxLength: 4 }),
          cut: fc.nat(),
        }),
        fc.record({
          kind: fc.constant("roundtrip" as const),
          header: jsonHeader,
          body: fc.uint8Array({ maxLength: 64 }),
        }),
      ),
      (input) => {
        if (input.kind === "roundtrip") {
          const record = encodeRecord(input.header, input.body);
          const into = new Uint8Array(record.length + 8);
          const length = encodeRecordInto(input.header, into, 3);
          if (input.body.length === 0 && length !== record.length) return false;
          const { header, body } = decodeRecord(record);
          return JSON.stringify(header) === JSON.stringify(input.header) &&
            body.join() === input.body.join();
        }
        let bytes = input.kind === "bytes" ? input.bytes : encodeRecord(input.header, input.body);
        if (input.kind === "mutated") {
          bytes = bytes.slice(0, Math.max(0, bytes.length - (input.cut % 8)));
          for (const [at, xor] of input.flips) if (bytes.length) bytes[at % bytes.length] ^= xor;
        }
        refusedOnly(() => {
          const { body } = decodeRecord(bytes);
          // What was parsed was the declared header: at most 16 KiB.
          if (bytes.length - body.length - 4 > MAX_HEADER_BYTES) throw new Error("header too big");
        }, FrameError);
        refusedOnly(() => {
          for (const record of splitRecords(bytes)) {
            if (record.length > bytes.length) throw new Error("record past its batch");
          }
        }, FrameError);
        refusedOnly(() => recordEnd(bytes, 0), FrameError);
        return true;
      },
    ),
};

// ---------------------------------------------------------------------------------------------
// Messages

const TYPES: MessageType[] = [
  "hello",
  "welcome",
  "chat",
  "private",
  "ack",
  "presence",
  "nick",
  "renamed",
  "who",
  "members",
  "notice",
  "offer",
  "chunk",
  "end",
  "cancel",
  "received",
  "shared",
  "files",
  "file-list",
  "get",
  "ping",
  "pong",
  "bye",
  "kick",
  "ban",
  "unban",
  "mute",
  "unmute",
  "op",
  "deop",
  "topic",
  "away",
  "back",
  "moderated",
  "removed",
];
const FIELD_NAMES = ["v", "name", "id", "text", "seq", "from", "to", "fid", "file", "size"]
  .concat(["sha256", "reason", "ok", "members", "names", "joined", "left", "count", "files"])
  .concat(["history", "kind", "you", "time", "me", "client", "lastSeq", "__proto__"])
  .concat(["seconds", "action", "by", "host", "until", "topic", "role", "away", "ops", "muted"])
  .concat(["kicked"]);

/** A plausible message: a known `t` and fields that each may or may not fit. */
const nearMessage = fc.dictionary(fc.constantFrom(...FIELD_NAMES), fc.jsonValue({ maxDepth: 2 }), {
  maxKeys: 6,
}).chain((fields) =>
  fc.constantFrom(...TYPES).map((t) => ({ ...fields, t }) as { [key: string]: unknown })
);

const messages: FuzzTarget = {
  name: "message-parser",
  claim: "parseMessage: only ProtocolError on any JSON, and what it accepts is a known type " +
    "whose strings stay within their bounds",
  shortRuns: 10_000,
  longRuns: 300_000,
  property: () =>
    fc.property(fc.oneof(fc.jsonValue({ maxDepth: 3 }), nearMessage), (value) => {
      // Through JSON, as it arrives: a header is always JSON.parse's output.
      const header = JSON.parse(JSON.stringify(value) ?? "null");
      let message: Message | undefined;
      refusedOnly(() => message = parseMessage(header), ProtocolError);
      if (message === undefined) return true;
      if (!TYPES.includes(message.t)) return false;
      for (const [key, field] of Object.entries(message)) {
        if (typeof field !== "string") continue;
        const bound = key === "text" ? 4 * MAX_TEXT_BYTES : 1024;
        if (field.length > bound) return false;
      }
      return true;
    }),
};

// ---------------------------------------------------------------------------------------------
// Sealed frames

const sealed: FuzzTarget = {
  name: "sealed-frames",
  claim: "FrameOpener: any frame that was not sealed with its key is refused with " +
    "SecureChannelError, and so is every frame after it",
  shortRuns: 3_000,
  longRuns: 100_000,
  property: () =>
    fc.property(
      fc.array(payload(3000), { minLength: 1, maxLength: 3 }),
      (frames) => {
        const opener = new FrameOpener(new Uint8Array(32).fill(9));
        for (const frame of frames) {
          try {
            opener.open(frame);
            return false; // a random frame cannot carry a valid tag
          } catch (error) {
            if (!(error instanceof SecureChannelError)) throw error;
          }
        }
        return true;
      },
    ),
};

// ---------------------------------------------------------------------------------------------
// Handshake

/** A client hello as a real client sends it (for a passkey the host does not have). */
const REAL_HELLO = await (async () => {
  const spake = new Spake2({
    role: "A",
    w: await passkeyToScalar("9-wrong-guess-here"),
    identityA: CLIENT_IDENTITY,
    identityB: HOST_IDENTITY,
  });
  return concatBytes([Uint8Array.of(0x01, HANDSHAKE_VERSION, 1), spake.message]);
})();

/** What a hostile client sends before the host knows who it is: frames, mangled. */
const handshakeBytes = fc.record({
  frames: fc.array(
    fc.oneof(
      fc.constant(REAL_HELLO),
      fc.uint8Array({ maxLength: 120 }),
      fc.tuple(fc.constantFrom(1, 3, 0x7f), fc.uint8Array({ maxLength: 100 })).map((
        [type, rest],
      ) => concatBytes([Uint8Array.of(type), rest])),
      fc.tuple(fc.integer({ min: 1025, max: 70_000 }), fc.nat(255)).map(([length, byte]) =>
        new Uint8Array(length).fill(byte)
      ),
    ),
    { maxLength: 3 },
  ),
  flips: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { maxLength: 3 }),
  lengths: fc.array(fc.option(fc.nat(), { nil: undefined }), { maxLength: 3 }),
  cut: fc.option(fc.nat(), { nil: undefined }),
  cuts: fc.array(fc.nat(), { maxLength: 8 }),
});

/** A connection that hands out `chunks`, counts what it gave, and swallows writes. */
function scriptedConn(chunks: Uint8Array[]) {
  let given = 0;
  let closed = false;
  const conn = {
    read(buffer: Uint8Array): Promise<number | null> {
      const chunk = chunks.shift();
      if (closed || chunk === undefined) return Promise.resolve(null);
      const n = Math.min(chunk.length, buffer.length);
      buffer.set(chunk.subarray(0, n));
      if (n < chunk.length) chunks.unshift(chunk.subarray(n));
      given += n;
      return Promise.resolve(n);
    },
    write: (bytes: Uint8Array) => Promise.resolve(bytes.length),
    close: () => {
      closed = true;
    },
  };
  return { conn: conn as unknown as Deno.Conn, given: () => given };
}

/** What the host may read before it answers or gives up: two frames at the handshake limit, and one read's slack. */
const MAX_HANDSHAKE_READ = 2 * (MAX_HANDSHAKE_FRAME + FRAME_PREFIX_BYTES) + 4096;

const handshakeTarget: FuzzTarget = {
  name: "handshake",
  claim: "a host's handshake fed mutated hellos, confirmations, lengths and cuts: only " +
    "HandshakeError, never a session, and never more than two handshake frames read",
  shortRuns: 1_500,
  longRuns: 100_000,
  property: () =>
    fc.asyncProperty(handshakeBytes, async (input) => {
      const framed = input.frames.map((frame, i) => {
        const bytes = encodeFrame(frame);
        const length = input.lengths[i];
        if (length !== undefined) {
          bytes[0] = length >>> 24;
          bytes[1] = length >>> 16;
          bytes[2] = length >>> 8;
          bytes[3] = length;
        }
        return bytes;
      });
      let wire = concatBytes(framed);
      if (input.cut !== undefined) wire = wire.subarray(0, input.cut % (wire.length + 1));
      wire = wire.slice();
      for (const [at, xor] of input.flips) if (wire.length) wire[at % wire.length] ^= xor;
      const { conn, given } = scriptedConn(chunked(wire, input.cuts));
      try {
        await handshakeConn(conn, { role: "host", passkey: "7-orbit-lemon-cradle" });
        return false; // nobody here knows the passkey
      } catch (error) {
        if (!(error instanceof HandshakeError)) throw error;
      }
      return given() <= MAX_HANDSHAKE_READ;
    }),
};

/** Every target, in the order they run. */
export const FUZZ_TARGETS: readonly FuzzTarget[] = [
  frames,
  codec,
  messages,
  sealed,
  handshakeTarget,
];
