/**
 * The stream forms of the product's cores, for tests and the benchmark: the product reads and
 * writes connections with the cores directly (lib/session/net_session.ts), which costs fewer
 * objects and promise hops per message than streams do.
 *
 * @example
 * ```ts
 * import { FrameEncoder, FrameSplitter } from "./stream_forms.ts";
 * const frames = ReadableStream.from([new Uint8Array([1, 2])])
 *   .pipeThrough(new FrameEncoder())
 *   .pipeThrough(new FrameSplitter());
 * for await (const frame of frames) console.log(frame); // Uint8Array(2) [1, 2]
 * ```
 * @module
 */

import { FrameOpener, FrameSealer } from "../lib/secure/encrypted_channel.ts";
import { decodeRecord, type Record } from "../lib/wire/codec.ts";
import { encodeFrame } from "../lib/wire/frame_encoder.ts";
import { FrameAssembler, type FrameSplitterOptions } from "../lib/wire/frame_splitter.ts";

/** Turns a byte stream into whole frame payloads, refusing oversized frames before buffering. */
export class FrameSplitter extends TransformStream<Uint8Array, Uint8Array> {
  /** Creates a splitter with an optional payload limit (default: the wire's limit). */
  constructor(options: FrameSplitterOptions = {}) {
    const assembler = new FrameAssembler(options);
    super({
      transform(chunk, controller) {
        for (const frame of assembler.push(chunk)) controller.enqueue(frame);
        if (assembler.error) throw assembler.error;
      },
      flush() {
        assembler.end();
      },
    });
  }
}

/** Prefixes each payload with its length (the stream form of `encodeFrame`). */
export class FrameEncoder extends TransformStream<Uint8Array, Uint8Array> {
  /** Creates the encoder. */
  constructor() {
    super({ transform: (payload, controller) => controller.enqueue(encodeFrame(payload)) });
  }
}

/** Decodes a stream of record bytes into records. */
export class RecordDecoder extends TransformStream<Uint8Array, Record> {
  /** Creates the decoder. */
  constructor() {
    super({ transform: (bytes, controller) => controller.enqueue(decodeRecord(bytes)) });
  }
}

/**
 * Seals each chunk (one frame payload) for the peer.
 *
 * @example
 * ```ts
 * import { OpenStream, SealStream } from "./stream_forms.ts";
 * const key = crypto.getRandomValues(new Uint8Array(32));
 * const plain = ReadableStream.from([new TextEncoder().encode("hello")])
 *   .pipeThrough(new SealStream(key))
 *   .pipeThrough(new OpenStream(key));
 * for await (const chunk of plain) console.log(new TextDecoder().decode(chunk)); // "hello"
 * ```
 */
export class SealStream extends TransformStream<Uint8Array, Uint8Array> {
  /** Creates the sealing stream for `key`. */
  constructor(key: Uint8Array) {
    const sealer = new FrameSealer(key);
    super({ transform: (chunk, controller) => controller.enqueue(sealer.seal(chunk)) });
  }
}

/**
 * Opens each chunk (one sealed frame payload) from the peer; errors with a
 * `SecureChannelError` on any tampered, replayed, reordered or dropped frame.
 */
export class OpenStream extends TransformStream<Uint8Array, Uint8Array> {
  /** Creates the opening stream for `key`. */
  constructor(key: Uint8Array) {
    const opener = new FrameOpener(key);
    super({ transform: (chunk, controller) => controller.enqueue(opener.open(chunk)) });
  }
}
