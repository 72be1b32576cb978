import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { FileReceiver, type ReceivedFile } from "../../lib/room/file_receiver.ts";
import { FileStore } from "../../lib/room/file_store.ts";
import type { Message } from "../../lib/session/message.ts";

function sha256(data: Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

async function withReceiver(
  fn: (
    receiver: FileReceiver,
    seen: { replies: Message[]; saved: ReceivedFile[]; failed: string[] },
    dir: string,
  ) => Promise<void>,
) {
  const dir = await Deno.makeTempDir({ prefix: "p2pchat_receiver_" });
  const seen = { replies: [] as Message[], saved: [] as ReceivedFile[], failed: [] as string[] };
  const receiver = new FileReceiver(new FileStore(dir), {
    reply: (message) => seen.replies.push(message),
    saved: (file) => void seen.saved.push(file),
    failed: (name, reason) => void seen.failed.push(`${name}: ${reason}`),
  });
  try {
    await fn(receiver, seen, dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const names = async (dir: string) =>
  (await Array.fromAsync(Deno.readDir(dir))).map((e) => e.name).sort();

Deno.test("FileReceiver: a file offered, sent and ended with its hash is saved, and the sender told", async () => {
  await withReceiver(async (receiver, seen, dir) => {
    const data = new TextEncoder().encode("hello");
    await receiver.offer({ t: "offer", fid: 3, name: "hi.txt", size: 5 }, "bob");
    await receiver.chunk(3, data);
    await receiver.end(3, sha256(data));
    assert.deepEqual(seen.replies, [{ t: "received", fid: 3, ok: true, sha256: sha256(data) }]);
    assert.equal(seen.saved[0].from, "bob");
    assert.equal(seen.saved[0].saved.name, "hi.txt");
    assert.deepEqual(await names(dir), ["hi.txt"]);
  });
});

Deno.test("FileReceiver: a wrong hash is refused and nothing stays in the folder", async () => {
  await withReceiver(async (receiver, seen, dir) => {
    await receiver.offer({ t: "offer", fid: 1, name: "hi.txt", size: 2 }, "bob");
    await receiver.chunk(1, new Uint8Array(2));
    await receiver.end(1, "0".repeat(64));
    assert.equal(seen.replies[0].t === "received" && seen.replies[0].ok, false);
    assert.match(seen.failed[0], /hash mismatch/);
    assert.deepEqual(await names(dir), []);
  });
});

Deno.test("FileReceiver: a fifth file at once and a file id in use are refused; endAll drops what is coming", async () => {
  await withReceiver(async (receiver, seen, dir) => {
    for (let fid = 1; fid <= 4; fid++) {
      await receiver.offer({ t: "offer", fid, name: `f${fid}`, size: 10 }, "bob");
    }
    await receiver.offer({ t: "offer", fid: 1, name: "again", size: 10 }, "bob");
    await receiver.offer({ t: "offer", fid: 5, name: "f5", size: 10 }, "bob");
    assert.deepEqual(seen.replies.map((r) => r.t === "received" && r.reason), [
      "refused 'again': file id 1 is already in use",
      "refused 'f5': 4 files are already coming; send it when one has arrived",
    ]);
    assert.equal((await names(dir)).length, 4);
    await receiver.endAll("gone");
    assert.deepEqual(await names(dir), []);
    assert.equal(seen.failed.filter((f) => f.endsWith(": gone")).length, 4);
  });
});
