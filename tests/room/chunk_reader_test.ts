import assert from "node:assert/strict";
import { ChunkReader, type FileChunk } from "../../lib/room/chunk_reader.ts";
import { decodeRecord } from "../../lib/wire/codec.ts";
import { FILE_CHUNK_BYTES } from "../../lib/wire/limits.ts";

/** A file of `bytes` bytes, each byte its offset's low bits mixed, so misplaced bytes show. */
async function withFile(bytes: number, fn: (path: string, data: Uint8Array) => Promise<void>) {
  const data = new Uint8Array(bytes);
  for (let i = 0; i < bytes; i++) data[i] = (i * 31 + (i >> 12)) & 0xff;
  const path = await Deno.makeTempFile({ prefix: "p2pchat_chunk_reader_" });
  try {
    await Deno.writeFile(path, data);
    await fn(path, data);
  } finally {
    await Deno.remove(path);
  }
}

async function readAll(reader: ChunkReader): Promise<FileChunk[]> {
  const chunks: FileChunk[] = [];
  for (let chunk = await reader.next(); chunk; chunk = await reader.next()) chunks.push(chunk);
  return chunks;
}

function joined(chunks: FileChunk[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((sum, chunk) => sum + chunk.body.length, 0));
  let at = 0;
  for (const chunk of chunks) out.set(chunk.body, at), at += chunk.body.length;
  return out;
}

for (const [mode, slowReadMs] of [["quick reads", undefined], ["slow reads", -1]] as const) {
  Deno.test(`ChunkReader (${mode}): every byte once, in order, each chunk a record of its own`, async () => {
    const bytes = 2 * FILE_CHUNK_BYTES + 12_345;
    await withFile(bytes, async (path, data) => {
      using file = await Deno.open(path);
      const header = { t: "chunk" as const, fid: 7 };
      const chunks = await readAll(new ChunkReader(file, header, { size: bytes, slowReadMs }));
      assert.deepEqual(chunks.map((chunk) => chunk.body.length), [
        FILE_CHUNK_BYTES,
        FILE_CHUNK_BYTES,
        12_345,
      ]);
      assert.deepEqual(joined(chunks), data);
      for (const chunk of chunks) {
        // What a session sends: the chunk's header, then the file's bytes.
        const decoded = decodeRecord(chunk.record);
        assert.deepEqual(decoded.header, header);
        assert.deepEqual(decoded.body, chunk.body);
      }
      // Records are not shared: a session may keep each until it is written.
      const buffers = new Set(chunks.map((chunk) => chunk.record.buffer));
      assert.equal(buffers.size, chunks.length);
    });
  });
}

Deno.test("ChunkReader: an empty file gives no chunk", async () => {
  await withFile(0, async (path) => {
    using file = await Deno.open(path);
    assert.equal(await new ChunkReader(file, { t: "chunk", fid: 1 }).next(), null);
  });
});

Deno.test("ChunkReader: slow reads read one ahead, but never past the announced size", async () => {
  const bytes = 3 * 1000;
  await withFile(bytes, async (path, data) => {
    using file = await Deno.open(path);
    const reader = new ChunkReader(file, { t: "chunk", fid: 1 }, {
      size: 2000,
      chunkBytes: 1000,
      slowReadMs: -1,
    });
    const first = await reader.next();
    const second = await reader.next();
    assert.deepEqual(joined([first!, second!]), data.subarray(0, 2000));
    // Nothing was read past 2000 bytes: the file is where the announced size ends.
    assert.equal(await file.seek(0, Deno.SeekMode.Current), 2000);
  });
});

Deno.test("ChunkReader: a file that grew after it was announced shows in the next read", async () => {
  await withFile(1500, async (path) => {
    using file = await Deno.open(path);
    const reader = new ChunkReader(file, { t: "chunk", fid: 1 }, { size: 1000, chunkBytes: 1000 });
    assert.equal((await reader.next())?.body.length, 1000);
    // The caller sees more than it announced and cancels the transfer.
    assert.equal((await reader.next())?.body.length, 500);
  });
});

Deno.test("ChunkReader: a read that fails rejects next()", async () => {
  await withFile(10, async (path) => {
    const file = await Deno.open(path);
    const reader = new ChunkReader(file, { t: "chunk", fid: 1 });
    file.close();
    await assert.rejects(() => reader.next(), Deno.errors.BadResource);
  });
});
