/**
 * Reads whole frames straight from a connection, with a read buffer that grows while data
 * streams in and shrinks back when the connection idles: a hub holding ten thousand quiet
 * members keeps a few KiB per member, and a file transfer still reads in large gulps.
 *
 * @example
 * ```ts ignore
 * import { FrameReader } from "./frame_reader.ts";
 * const conn = await Deno.connect({ hostname: "127.0.0.1", port: 5050 });
 * const frames = new FrameReader(conn);
 * const first = await frames.next(); // a Uint8Array, or null at the end
 * ```
 * @module
 */

import { FrameAssembler, type FrameSplitterOptions } from "./frame_splitter.ts";

/** Anything with Deno's `read` contract, such as a `Deno.Conn`. */
export interface ByteSource {
  read(buffer: Uint8Array): Promise<number | null>;
}

/** Smallest read buffer: what an idle connection keeps pinned in its pending read. */
const MIN_READ_BYTES = 1024;
/** Largest read buffer, reached only while the peer keeps the pipe full. */
const MAX_READ_BYTES = 1024 * 1024;

/** Frames from a byte source, read on demand. */
export class FrameReader {
  #source: ByteSource;
  #assembler: FrameAssembler;
  #ready: Uint8Array[] = [];
  #readBytes = MIN_READ_BYTES;
  /** The last read buffer, when nothing the assembler kept points into it. */
  #spare: Uint8Array | undefined;
  #ended = false;

  /** Reads frames from `source`, refusing frames over `maxFrameBytes`. */
  constructor(source: ByteSource, options: FrameSplitterOptions = {}) {
    this.#source = source;
    this.#assembler = new FrameAssembler(options);
  }

  /**
   * A frame already received, without reading; `undefined` when none is waiting. It is a view
   * of the read buffer, good until the next {@linkcode FrameReader.fill}.
   */
  take(): Uint8Array | undefined {
    return this.#ready.shift();
  }

  /**
   * Reads once more from the source; resolves `false` at the end of the input. Throws a
   * `FrameError` for an oversized frame or an input that ended inside a frame.
   *
   * Frames from {@linkcode FrameReader.take} are views of the read buffer, which this call
   * may reuse: finish with them (or copy them) first. A read per chat line would otherwise
   * allocate a fresh buffer each time, which costs more than the line's decryption.
   */
  async fill(): Promise<boolean> {
    if (this.#ended) return false;
    const buffer = this.#spare?.length === this.#readBytes
      ? this.#spare
      : new Uint8Array(this.#readBytes);
    this.#spare = undefined;
    const n = await this.#source.read(buffer);
    if (n === null) {
      this.#ended = true;
      this.#assembler.end();
      return false;
    }
    // Grow while reads come back full, shrink when they come back nearly empty.
    if (n === buffer.length) this.#readBytes = Math.min(this.#readBytes * 2, MAX_READ_BYTES);
    else if (n < buffer.length / 8) this.#readBytes = Math.max(this.#readBytes / 2, MIN_READ_BYTES);
    this.#ready.push(...this.#assembler.push(buffer.subarray(0, n)));
    // The assembler keeps no view of the buffer, and the frames are used before the next
    // fill: the next read reuses it (a file transfer reads a MiB at a time).
    this.#spare = buffer;
    if (this.#assembler.error && this.#ready.length === 0) throw this.#assembler.error;
    return true;
  }

  /** The next frame, reading as needed; `null` at the end of the input. The frame is a copy. */
  async next(): Promise<Uint8Array | null> {
    while (this.#ready.length === 0) {
      if (!await this.fill()) return null;
    }
    return this.#ready.shift()!.slice();
  }
}
