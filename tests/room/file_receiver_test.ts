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

async function resumable(
  fn: (
    receiver: FileReceiver,
    replies: Message[],
    dir: string,
    saved: ReceivedFile[],
  ) => Promise<void>,
) {
  const dir = await Deno.makeTempDir({ prefix: "p2pchat_receiver_" });
  const replies: Message[] = [];
  const saved: ReceivedFile[] = [];
  const receiver = new FileReceiver(new FileStore(dir), {
    reply: (message) => replies.push(message),
    saved: (file) => void saved.push(file),
    failed: () => {},
  }, { resume: true });
  try {
    await fn(receiver, replies, dir, saved);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("FileReceiver: a keyed offer is answered with what is held; a lost sender's part is kept and resumed", async () => {
  await resumable(async (receiver, replies, dir, saved) => {
    const data = new TextEncoder().encode("0123456789");
    const offer = { t: "offer" as const, fid: 1, name: "n.txt", size: 10, key: "k" };
    await receiver.offer(offer, "bob");
    assert.deepEqual(replies.pop(), { t: "ready", fid: 1, offset: 0 });
    await receiver.start(1, 0);
    await receiver.chunk(1, data.subarray(0, 4));
    await receiver.cancel(1, "bob left", true);
    await receiver.offer({ ...offer, fid: 2 }, "bob");
    const ready = replies.pop();
    assert.ok(ready?.t === "ready" && ready.offset === 4 && ready.proof && ready.nonce);
    await receiver.start(2, 4);
    await receiver.chunk(2, data.subarray(4));
    await receiver.end(2, sha256(data));
    assert.deepEqual(replies.pop(), {
      t: "received",
      fid: 2,
      ok: true,
      sha256: sha256(data),
      resumedFrom: 4,
    });
    assert.equal(saved[0].resumedFrom, 4);
    assert.deepEqual(await names(dir), ["n.txt"]);
  });
});

Deno.test("FileReceiver: a sender's own cancel removes the part; another sender's end hash over someone's part is refused", async () => {
  await resumable(async (receiver, replies, dir) => {
    const offer = { t: "offer" as const, fid: 1, name: "n.txt", size: 8, key: "k" };
    await receiver.offer(offer, "bob");
    await receiver.chunk(1, new Uint8Array(4));
    await receiver.cancel(1, "stopped");
    assert.deepEqual(await names(dir), []);
    // A part held for bob, continued by a sender that does not know it: the hash of the
    // whole (held part included) cannot match what it claims.
    await receiver.offer({ ...offer, fid: 2 }, "bob");
    await receiver.chunk(2, new Uint8Array([1, 2, 3, 4]));
    await receiver.cancel(2, "bob left", true);
    await receiver.offer({ ...offer, fid: 3 }, "bob");
    await receiver.start(3, 4);
    await receiver.chunk(3, new Uint8Array([5, 6, 7, 8]));
    await receiver.end(3, sha256(new Uint8Array([0, 0, 0, 0, 5, 6, 7, 8])));
    const verdict = replies.pop();
    assert.ok(verdict?.t === "received" && !verdict.ok, JSON.stringify(verdict));
    assert.deepEqual(await names(dir), []);
  });
});

Deno.test("FileReceiver: a file of the same name and hash in the folder is not sent again; another hash is", async () => {
  await resumable(async (receiver, replies, dir, saved) => {
    const data = new TextEncoder().encode("same");
    await Deno.writeFile(`${dir}/s.txt`, data);
    await receiver.offer({ t: "offer", fid: 1, name: "s.txt", size: 4, key: "k" }, "bob");
    assert.deepEqual(replies.pop(), { t: "ready", fid: 1, offset: 0, same: true });
    await receiver.check(1, sha256(data));
    assert.deepEqual(replies.pop(), {
      t: "received",
      fid: 1,
      ok: true,
      sha256: sha256(data),
      skipped: true,
    });
    assert.equal(saved[0].skipped, true);
    assert.deepEqual(await names(dir), ["s.txt"]);

    await receiver.offer({ t: "offer", fid: 2, name: "s.txt", size: 4, key: "k" }, "bob");
    replies.pop();
    await receiver.check(2, sha256(new TextEncoder().encode("diff")));
    assert.deepEqual(replies.pop(), { t: "ready", fid: 2, offset: 0 });
    await receiver.endAll("done");
    assert.deepEqual(await names(dir), ["s.txt"]);
  });
});

Deno.test("FileReceiver: a cancel that comes while a keyed offer is still being opened ends it once open", async () => {
  await resumable(async (receiver, replies, dir) => {
    const offer = { t: "offer" as const, fid: 1, name: "n.txt", size: 8, key: "k" };
    const opening = receiver.offer(offer, "bob");
    await receiver.cancel(1, "stopped");
    await opening;
    assert.equal(receiver.size, 0);
    assert.deepEqual(replies, [], "no ready for a cancelled offer");
    assert.deepEqual(await names(dir), []);
    // And the connection ending meanwhile keeps nothing open either.
    const again = receiver.offer({ ...offer, fid: 2 }, "bob");
    await receiver.endAll("the connection ended");
    await again;
    assert.equal(receiver.size, 0);
  });
});

Deno.test("FileReceiver: files lists what is coming; refuseAll tells each sender and removes what came", async () => {
  await withReceiver(async (receiver, seen, dir) => {
    await receiver.offer({ t: "offer", fid: 1, name: "a.bin", size: 10 }, "bob");
    await receiver.offer({ t: "offer", fid: 2, name: "b.bin", size: 20 }, "bob");
    await receiver.chunk(1, new Uint8Array(4));
    assert.deepEqual(receiver.files, [
      { fid: 1, name: "a.bin", done: 4, total: 10 },
      { fid: 2, name: "b.bin", done: 0, total: 20 },
    ]);
    await receiver.refuseAll("cancelled by alice (quit)", "cancelled (you quit)");
    assert.deepEqual(
      seen.replies,
      [1, 2].map((fid) => ({
        t: "received",
        fid,
        ok: false,
        reason: "cancelled by alice (quit)",
      })),
    );
    assert.deepEqual(seen.failed, ["a.bin: cancelled (you quit)", "b.bin: cancelled (you quit)"]);
    assert.equal(receiver.size, 0);
    assert.deepEqual(await names(dir), []);
  });
});

Deno.test("FileReceiver: a folder offered sweeps what a receiver killed while unpacking left a day ago", async () => {
  await withReceiver(async (receiver, _seen, dir) => {
    const stale = `.p2pchat-${"e".repeat(32)}.tmp`;
    await Deno.mkdir(`${dir}/${stale}/photos`, { recursive: true });
    await Deno.writeTextFile(`${dir}/${stale}/photos/1.jpg`, "half a photo");
    const old = new Date(Date.now() - 25 * 3600 * 1000);
    for (const inner of ["photos/1.jpg", "photos", "."]) {
      await Deno.utime(`${dir}/${stale}/${inner}`, old, old);
    }
    const folder = { files: 1, bytes: 5 };
    await receiver.offer({ t: "offer", fid: 1, name: "holiday", size: 100, folder }, "bob");
    const now = await names(dir);
    assert.equal(now.length, 1);
    assert.notEqual(now[0], stale);
    assert.match(now[0], /^\.p2pchat-[0-9a-f]{32}\.tmp$/, "only the new unpack folder");
    await receiver.cancel(1, "done");
    assert.deepEqual(await names(dir), []);
  });
});
