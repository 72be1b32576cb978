import assert from "node:assert/strict";
import { createHash, createHmac } from "node:crypto";
import { FileChangedError, FileSender, type SentFile } from "../../lib/room/file_sender.ts";
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

/** A keyed sender whose `ready` answers come from `answer`, called at each offer or check. */
function keyed(
  file: Deno.FsFile,
  size: number,
  posted: Posted[],
  answer: (message: Message) => Extract<Message, { t: "ready" }> | undefined,
  readyTimeoutMs?: number,
) {
  const one: FileSender = new FileSender({
    fid: 7,
    name: "data.bin",
    size,
    key: "k",
    file,
    ...(readyTimeoutMs !== undefined ? { readyTimeoutMs } : {}),
    post: (message, body) => {
      posted.push({ message, ...(body ? { body: body.slice() } : {}) });
      const ready = answer(message);
      if (ready) queueMicrotask(() => one.ready(ready));
    },
    drained: () => Promise.resolve(),
  });
  return one;
}

/** Sends `data` keyed, the receiver answering with `answer`; what was posted, and the result. */
async function sendKeyed(
  data: Uint8Array,
  answer: (message: Message) => Extract<Message, { t: "ready" }> | undefined,
): Promise<{ sent: SentFile; posted: Posted[]; chunks: Uint8Array }> {
  let result: { sent: SentFile; posted: Posted[]; chunks: Uint8Array } | undefined;
  await withFile(data, async (file) => {
    const posted: Posted[] = [];
    const sent = await keyed(file, data.length, posted, answer).send();
    const chunks = concatBytes(posted.filter((p) => p.message.t === "chunk").map((p) => p.body!));
    result = { sent, posted, chunks };
  });
  return result!;
}

Deno.test("FileSender: a receiver's held part that matches is not sent again; the end hash covers the whole file", async () => {
  const data = new Uint8Array(FILE_CHUNK_BYTES + 1000).map((_, i) => i % 253);
  const offset = 5000;
  const nonce = "ab".repeat(32);
  const proof = createHmac("sha256", nonce).update(data.subarray(0, offset)).digest("hex");
  const { sent, posted, chunks } = await sendKeyed(
    data,
    (m) => m.t === "offer" ? { t: "ready", fid: 7, offset, nonce, proof } : undefined,
  );
  assert.equal(sent.resumedFrom, offset);
  assert.equal(sent.sha256, createHash("sha256").update(data).digest("hex"));
  assert.deepEqual(posted[1].message, { t: "start", fid: 7, offset });
  assert.deepEqual(chunks, data.subarray(offset));
});

Deno.test("FileSender: a receiver's claim that does not match its file gets the whole file: the claim reads nothing", async () => {
  const data = new Uint8Array(100_000).map((_, i) => i % 7);
  const claim = { t: "ready" as const, fid: 7, offset: 50_000, nonce: "cd".repeat(32) };
  const { sent, posted, chunks } = await sendKeyed(
    data,
    (m) => m.t === "offer" ? { ...claim, proof: "0".repeat(64) } : undefined,
  );
  assert.equal(sent.resumedFrom, 0);
  assert.deepEqual(posted[1].message, { t: "start", fid: 7, offset: 0 });
  // Nothing but the file's own bytes, in order, and nothing past its end.
  assert.deepEqual(chunks, data);
});

Deno.test("FileSender: a receiver that may have the file gets the whole-file hash first, and the file only when asked again", async () => {
  const data = new Uint8Array(1000).map((_, i) => i % 9);
  const sha256 = createHash("sha256").update(data).digest("hex");
  const { sent, posted } = await sendKeyed(
    data,
    (m) =>
      m.t === "offer"
        ? { t: "ready", fid: 7, offset: 0, same: true }
        : m.t === "check"
        ? { t: "ready", fid: 7, offset: 0 }
        : undefined,
  );
  assert.deepEqual(posted.map((p) => p.message.t), ["offer", "check", "start", "chunk", "end"]);
  assert.deepEqual(posted[1].message, { t: "check", fid: 7, sha256 });
  assert.equal(sent.sha256, sha256);
});

Deno.test("FileSender: finished by the receiver (it had the file), it posts nothing more", async () => {
  await withFile(new Uint8Array(10), async (file) => {
    const posted: Posted[] = [];
    const one = keyed(file, 10, posted, (m) => {
      if (m.t === "check") queueMicrotask(() => one.finish());
      return m.t === "offer" ? { t: "ready", fid: 7, offset: 0, same: true } : undefined;
    });
    await assert.rejects(() => one.send());
    assert.deepEqual(posted.map((p) => p.message.t), ["offer", "check"]);
  });
});

Deno.test("FileSender: a receiver that stops answering is given up on after readyTimeoutMs: cancel that keeps its part", async () => {
  await withFile(new Uint8Array(10), async (file) => {
    const posted: Posted[] = [];
    // It answers the offer (it may have the file), then never answers the hash.
    const one = keyed(
      file,
      10,
      posted,
      (m) => m.t === "offer" ? { t: "ready", fid: 7, offset: 0, same: true } : undefined,
      100,
    );
    await assert.rejects(() => one.send(), /no answer to the offer within 100 ms: withdrawn/);
    assert.deepEqual(posted.map((p) => p.message.t), ["offer", "check", "cancel"]);
    assert.deepEqual(posted[2].message, {
      t: "cancel",
      fid: 7,
      reason: "no answer to the offer within 100 ms: withdrawn",
      keep: true,
    });
    assert.equal(one.unanswered, true);
  });
});

Deno.test("FileSender: stopped while the connection takes nothing, it cancels at once", async () => {
  await withFile(new Uint8Array(3 * FILE_CHUNK_BYTES), async (file) => {
    const posted: Posted[] = [];
    const stalled = new FileSender({
      fid: 7,
      name: "data.bin",
      size: 3 * FILE_CHUNK_BYTES,
      file,
      post: (message) => posted.push({ message }),
      drained: () => new Promise(() => {}), // never drains
    });
    const sending = stalled.send();
    while (!posted.some((p) => p.message.t === "chunk")) await new Promise((r) => setTimeout(r));
    stalled.stop("cancelled by bob (quit)");
    await assert.rejects(() => sending, /cancelled by bob \(quit\)/);
    assert.equal(posted.filter((p) => p.message.t === "chunk").length, 1);
    assert.deepEqual(posted.at(-1)?.message, {
      t: "cancel",
      fid: 7,
      reason: "cancelled by bob (quit)",
    });
  });
});
