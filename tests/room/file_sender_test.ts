import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { FileChangedError, FileSender } from "../../lib/room/file_sender.ts";
import type { Message } from "../../lib/session/message.ts";
import { concatBytes } from "../../lib/wire/bytes.ts";
import { FILE_CHUNK_BYTES } from "../../lib/wire/limits.ts";

interface Posted {
  message: Message;
  body?: Uint8Array;
}

async function withFile(data: Uint8Array, fn: (file: Deno.FsFile) => Promise<void>) {
  const path = await Deno.makeTempFile();
  await Deno.writeFile(path, data);
  try {
    using file = await Deno.open(path);
    await fn(file);
  } finally {
    await Deno.remove(path);
  }
}

function sender(file: Deno.FsFile, size: number, posted: Posted[], from?: string) {
  return new FileSender({
    fid: 7,
    name: "data.bin",
    size,
    ...(from ? { from } : {}),
    file,
    post: (message, body) => posted.push({ message, ...(body ? { body: body.slice() } : {}) }),
    drained: () => Promise.resolve(),
  });
}

Deno.test("FileSender: offer, the file in chunks, and end with the hash of all of it", async () => {
  const data = new Uint8Array(2 * FILE_CHUNK_BYTES + 5).map((_, i) => i % 251);
  await withFile(data, async (file) => {
    const posted: Posted[] = [];
    const sent = await sender(file, data.length, posted, "carol").send();
    const sha256 = createHash("sha256").update(data).digest("hex");
    assert.equal(sent.sha256, sha256);
    assert.deepEqual(posted[0].message, {
      t: "offer",
      fid: 7,
      name: "data.bin",
      size: data.length,
      from: "carol",
    });
    const chunks = posted.filter((p) => p.message.t === "chunk");
    assert.equal(chunks.length, 3);
    assert.deepEqual(concatBytes(chunks.map((c) => c.body!)), data);
    assert.deepEqual(posted.at(-1)?.message, { t: "end", fid: 7, sha256 });
  });
});

Deno.test("FileSender: a file shorter than offered (it changed) is cancelled, and send rejects", async () => {
  await withFile(new Uint8Array(10), async (file) => {
    const posted: Posted[] = [];
    await assert.rejects(() => sender(file, 20, posted).send(), FileChangedError);
    assert.deepEqual(posted.at(-1)?.message, {
      t: "cancel",
      fid: 7,
      reason: "the file changed while it was sent",
    });
  });
});

Deno.test("FileSender: stopped, it posts no more chunks and cancels with the reason", async () => {
  await withFile(new Uint8Array(3 * FILE_CHUNK_BYTES), async (file) => {
    const posted: Posted[] = [];
    const one = sender(file, 3 * FILE_CHUNK_BYTES, posted);
    const original = posted.push.bind(posted);
    posted.push = (...items: Posted[]) => {
      if (items[0].message.t === "chunk") one.stop("refused");
      return original(...items);
    };
    await assert.rejects(() => one.send(), /refused/);
    assert.equal(posted.filter((p) => p.message.t === "chunk").length, 1);
    assert.deepEqual(posted.at(-1)?.message, { t: "cancel", fid: 7, reason: "refused" });
  });
});
