import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { lutimes } from "node:fs/promises";
import { join } from "node:path";
import process from "node:process";
import { mountSmallDisk, SMALL_DISK_IGNORED, smallDiskTestName } from "../e2e/small_disk.ts";
import {
  FileRefusedError,
  FileStore,
  type IncomingFile,
  WRITE_BEHIND_BYTES,
} from "../../lib/room/file_store.ts";
import { sha256File } from "../../dev/sha256_file.ts";

const encoder = new TextEncoder();

function sha256(data: Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "p2pchat_file_store_" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function list(dir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(dir)) names.push(entry.name);
  return names.sort();
}

async function receive(store: FileStore, name: string, text: string) {
  const data = encoder.encode(text);
  const incoming = await store.begin(name, data.length);
  await incoming.write(data);
  return await incoming.commit(sha256(data));
}

async function refusal(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof FileRefusedError, `not a FileRefusedError: ${err}`);
    return err.message;
  }
  assert.fail("was not refused");
}

Deno.test("FileStore receives a file in chunks and saves it under its name", async () => {
  await withDir(async (root) => {
    const dir = join(root, "received_files");
    const store = new FileStore(dir);
    const data = encoder.encode("hello, world\n".repeat(1000));
    const incoming = await store.begin("report.pdf", data.length);
    assert.equal(incoming.name, "report.pdf");
    assert.equal(incoming.size, data.length);
    for (let i = 0; i < data.length; i += 4096) {
      await incoming.write(data.subarray(i, i + 4096));
    }
    assert.equal(incoming.received, data.length);
    const saved = await incoming.commit(sha256(data).toUpperCase());
    assert.deepEqual(saved, {
      name: "report.pdf",
      path: join(dir, "report.pdf"),
      bytes: data.length,
      sha256: sha256(data),
    });
    assert.deepEqual(await Deno.readFile(saved.path), data);
    assert.deepEqual(await list(dir), ["report.pdf"]);
  });
});

Deno.test("FileStore shows a dir-relative path", async () => {
  await withDir(async (root) => {
    const cwd = Deno.cwd();
    Deno.chdir(root);
    try {
      const saved = await receive(new FileStore("received_files"), "a.txt", "a");
      assert.equal(saved.path, join("received_files", "a.txt"));
    } finally {
      Deno.chdir(cwd);
    }
  });
});

Deno.test("FileStore writes to a hidden temporary file until commit", async () => {
  await withDir(async (dir) => {
    const incoming = await new FileStore(dir).begin("notes.txt", 3);
    await incoming.write(encoder.encode("ab"));
    const names = await list(dir);
    assert.equal(names.length, 1);
    assert.match(names[0], /^\.p2pchat-[0-9a-f]{32}\.tmp$/);
    await incoming.write(encoder.encode("c"));
    await incoming.commit(sha256(encoder.encode("abc")));
    assert.deepEqual(await list(dir), ["notes.txt"]);
  });
});

Deno.test("FileStore keeps both files on a clash, adding (1), (2)...", async () => {
  await withDir(async (dir) => {
    const store = new FileStore(dir);
    await Deno.writeTextFile(join(dir, "report.pdf"), "original");
    assert.equal((await receive(store, "report.pdf", "one")).name, "report (1).pdf");
    assert.equal((await receive(store, "report.pdf", "two")).name, "report (2).pdf");
    assert.equal(await Deno.readTextFile(join(dir, "report.pdf")), "original");
    assert.equal(await Deno.readTextFile(join(dir, "report (1).pdf")), "one");
    assert.equal(await Deno.readTextFile(join(dir, "report (2).pdf")), "two");

    const cases: [string, string][] = [
      ["archive.tar.gz", "archive (1).tar.gz"],
      ["backup.TAR.XZ", "backup (1).TAR.XZ"],
      ["my.notes.txt", "my.notes (1).txt"],
      ["README", "README (1)"],
      [".bashrc", ".bashrc (1)"],
      [".config.json", ".config (1).json"],
    ];
    for (const [name, second] of cases) {
      assert.equal((await receive(store, name, "x")).name, name);
      const saved = await receive(store, name, "y");
      assert.equal(saved.name, second);
      assert.equal(saved.path, join(dir, second));
    }
  });
});

Deno.test("FileStore gives concurrent commits of one name distinct files", async () => {
  await withDir(async (dir) => {
    const store = new FileStore(dir);
    const texts = Array.from({ length: 8 }, (_, i) => `content ${i}`);
    const saved = await Promise.all(texts.map((t) => receive(store, "same.txt", t)));
    const names = saved.map((s) => s.name).sort();
    assert.deepEqual(names, [
      "same (1).txt",
      "same (2).txt",
      "same (3).txt",
      "same (4).txt",
      "same (5).txt",
      "same (6).txt",
      "same (7).txt",
      "same.txt",
    ]);
    for (const [i, s] of saved.entries()) {
      assert.equal(await Deno.readTextFile(s.path), texts[i]);
    }
  });
});

Deno.test("FileStore never follows a symlink at the final name", async () => {
  await withDir(async (dir) => {
    const outside = join(dir, "outside.txt");
    await Deno.writeTextFile(outside, "keep me");
    const inbox = join(dir, "inbox");
    await Deno.mkdir(inbox);
    await Deno.symlink(outside, join(inbox, "a.txt"));
    await Deno.symlink(join(dir, "missing"), join(inbox, "b.txt"));
    const store = new FileStore(inbox);
    assert.equal((await receive(store, "a.txt", "evil")).name, "a (1).txt");
    assert.equal((await receive(store, "b.txt", "evil")).name, "b (1).txt");
    assert.equal(await Deno.readTextFile(outside), "keep me");
    assert.deepEqual(await list(dir), ["inbox", "outside.txt"]);
  });
});

Deno.test("FileStore shortens a long name to fit ' (1)' in 255 bytes", async () => {
  await withDir(async (dir) => {
    const store = new FileStore(dir);
    const name = "é".repeat(125) + ".txt"; // 254 bytes
    await receive(store, name, "x");
    const saved = await receive(store, name, "y");
    assert.equal(saved.name, "é".repeat(123) + " (1).txt");
    assert.ok(encoder.encode(saved.name).length <= 255);
  });
});

Deno.test("FileStore refuses unsafe names before touching the disk", async () => {
  await withDir(async (root) => {
    const dir = join(root, "inbox");
    const store = new FileStore(dir);
    for (
      const [name, message] of [
        ["../../.ssh/authorized_keys", "refused: unsafe file name: contains a path separator"],
        ["..", "refused: unsafe file name: is a relative path"],
        ["a\x1b[2J.txt", "refused: unsafe file name: contains control character U+001B"],
        ["CON.txt", "refused: unsafe file name: is a reserved device name on Windows"],
        ["", "refused: unsafe file name: is empty"],
      ]
    ) {
      assert.equal(await refusal(store.begin(name, 1)), message);
    }
    assert.deepEqual(await list(root), []);
  });
});

Deno.test("FileStore refuses invalid and oversized sizes", async () => {
  await withDir(async (dir) => {
    const store = new FileStore(dir, { maxBytes: 1000 });
    assert.equal(await refusal(store.begin("a.txt", -1)), "refused 'a.txt': invalid size -1");
    assert.equal(await refusal(store.begin("a.txt", 1.5)), "refused 'a.txt': invalid size 1.5");
    assert.equal(await refusal(store.begin("a.txt", NaN)), "refused 'a.txt': invalid size NaN");
    assert.equal(
      await refusal(store.begin("big.iso", 5_000_000)),
      "refused 'big.iso': too large (5.0 MB, limit 1.0 kB)",
    );
    assert.equal(
      await refusal(store.begin("big.iso", 2000, { maxBytes: 1999 })),
      "refused 'big.iso': too large (2.0 kB, limit 2.0 kB)",
    );
    const ok = await store.begin("big.iso", 2000, { maxBytes: 2000 });
    await ok.abort();
    assert.deepEqual(await list(dir), []);
  });
});

Deno.test("FileStore refuses a file when the disk lacks space, counting open transfers", async () => {
  await withDir(async (dir) => {
    const headroom = 16 * 1024 ** 2;
    const store = new FileStore(dir, { freeBytes: () => Promise.resolve(headroom + 900) });
    assert.equal(
      await refusal(store.begin("big.iso", 1001)),
      "refused 'big.iso': not enough disk space (1.0 kB needed, 900 B free)",
    );
    const first = await store.begin("a.bin", 600);
    await first.write(new Uint8Array(100));
    assert.match(
      await refusal(store.begin("b.bin", 600)),
      /^refused 'b\.bin': not enough disk space/,
    );
    const second = await store.begin("b.bin", 400);
    await second.abort();
    await first.abort();
    await (await store.begin("c.bin", 900)).abort();
  });
});

Deno.test("FileStore skips the space check when free space is unknown", async () => {
  await withDir(async (dir) => {
    const store = new FileStore(dir, { freeBytes: () => Promise.reject(new Error("no")) });
    await (await store.begin("a.bin", 10)).abort();
  });
});

Deno.test("IncomingFile refuses more bytes than announced and removes the temp", async () => {
  await withDir(async (dir) => {
    const incoming = await new FileStore(dir).begin("a.txt", 5);
    await incoming.write(encoder.encode("abc"));
    assert.equal(
      await refusal(incoming.write(encoder.encode("def"))),
      "refused 'a.txt': the sender sent more than the announced 5 B",
    );
    assert.deepEqual(await list(dir), []);
    assert.equal(
      await refusal(incoming.write(new Uint8Array(1))),
      "'a.txt' is no longer being received",
    );
    assert.equal(
      await refusal(incoming.commit("0".repeat(64))),
      "'a.txt' is no longer being received",
    );
    await incoming.abort();
  });
});

Deno.test("IncomingFile refuses an incomplete file at commit", async () => {
  await withDir(async (dir) => {
    const incoming = await new FileStore(dir).begin("a.txt", 5);
    await incoming.write(encoder.encode("abc"));
    assert.equal(
      await refusal(incoming.commit(sha256(encoder.encode("abc")))),
      "refused 'a.txt': incomplete (3 of 5 bytes)",
    );
    assert.deepEqual(await list(dir), []);
  });
});

Deno.test("IncomingFile removes the temp on a hash mismatch", async () => {
  await withDir(async (dir) => {
    const store = new FileStore(dir);
    for (const wrong of [sha256(encoder.encode("abd")), "not a hash", ""]) {
      const incoming = await store.begin("a.txt", 3);
      await incoming.write(encoder.encode("abc"));
      const message = await refusal(incoming.commit(wrong));
      assert.match(message, /hash mismatch/);
      assert.equal(
        message,
        "refused 'a.txt': SHA-256 hash mismatch, the file was corrupted or altered",
      );
      assert.deepEqual(await list(dir), []);
    }
  });
});

Deno.test("IncomingFile.abort() deletes the temp, is idempotent, and spares a saved file", async () => {
  await withDir(async (dir) => {
    const store = new FileStore(dir);
    const incoming = await store.begin("a.txt", 10);
    await incoming.write(encoder.encode("abc"));
    await incoming.abort();
    await incoming.abort();
    assert.deepEqual(await list(dir), []);

    const done = await store.begin("b.txt", 1);
    await done.write(encoder.encode("b"));
    await done.commit(sha256(encoder.encode("b")));
    await done.abort();
    assert.deepEqual(await list(dir), ["b.txt"]);
    assert.equal(
      await refusal(done.write(new Uint8Array(0))),
      "'b.txt' is no longer being received",
    );
  });
});

Deno.test("IncomingFile keeps writes in order even when not awaited", async () => {
  await withDir(async (dir) => {
    const parts = Array.from({ length: 50 }, (_, i) => encoder.encode(`${i},`));
    const all = encoder.encode(parts.map((p) => new TextDecoder().decode(p)).join(""));
    const incoming = await new FileStore(dir).begin("n.txt", all.length);
    const writes = parts.map((p) => incoming.write(p));
    const saved = await incoming.commit(sha256(all));
    await Promise.all(writes);
    assert.deepEqual(await Deno.readFile(saved.path), all);
  });
});

Deno.test("IncomingFile copies each chunk: a caller may refill its buffer as soon as write() returns", async () => {
  await withDir(async (dir) => {
    // Chunk sizes that do not divide the writes the file is gathered into.
    const sizes = [300_000, 1, 777_777, 1_048_576, 2_000_000, 12_345];
    const all = new Uint8Array(sizes.reduce((sum, size) => sum + size, 0));
    const incoming = await new FileStore(dir).begin("reused.bin", all.length);
    const buffer = new Uint8Array(Math.max(...sizes));
    const writes: Promise<void>[] = [];
    let at = 0;
    for (const [i, size] of sizes.entries()) {
      const chunk = buffer.subarray(0, size);
      for (let j = 0; j < size; j++) chunk[j] = (i * 7 + j * 13 + (j >> 8)) & 0xff;
      all.set(chunk, at);
      at += size;
      writes.push(incoming.write(chunk)); // not awaited: the next chunk overwrites the buffer
    }
    buffer.fill(0);
    const saved = await incoming.commit(sha256(all));
    await Promise.all(writes);
    assert.equal(saved.sha256, sha256(all));
    assert.deepEqual(await Deno.readFile(saved.path), all);
  });
});

Deno.test("IncomingFile: a chunk reaches the disk soon even when no more come", async () => {
  await withDir(async (dir) => {
    const incoming = await new FileStore(dir).begin("slow.bin", 10_000);
    await incoming.write(new Uint8Array(1000).fill(7));
    const [temp] = await list(dir);
    const deadline = Date.now() + 5_000;
    while ((await Deno.stat(join(dir, temp))).size < 1000) {
      assert.ok(Date.now() < deadline, "the chunk never reached the temporary file");
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await incoming.abort();
  });
});

Deno.test("IncomingFile flushed to the disk behind the writes: saved whole, nothing left open", async () => {
  await withDir(async (dir) => {
    const store = new FileStore(dir, { flushBehindBytes: 1024 * 1024 });
    const chunk = new Uint8Array(256 * 1024);
    const reference = createHash("sha256");
    const incoming = await store.begin("flushed.bin", 40 * chunk.length);
    for (let i = 0; i < 40; i++) {
      chunk.fill(i);
      reference.update(chunk);
      await incoming.write(chunk);
    }
    const hash = reference.digest("hex");
    const saved = await incoming.commit(hash);
    assert.equal(await sha256File(saved.path), hash);
    assert.deepEqual(await list(dir), ["flushed.bin"]);
    // The test's resource sanitizer fails it if a flush's descriptor were left open.
  });
});

Deno.test("IncomingFile.abort() while flushing behind: the temporary file goes, nothing left open", async () => {
  await withDir(async (dir) => {
    const store = new FileStore(dir, { flushBehindBytes: 256 * 1024 });
    const incoming = await store.begin("dropped.bin", 64 * 256 * 1024);
    const writes = Array.from(
      { length: 32 },
      (_, i) => incoming.write(new Uint8Array(256 * 1024).fill(i)),
    );
    await incoming.abort();
    await Promise.allSettled(writes);
    assert.deepEqual(await list(dir), []);
  });
});

Deno.test("IncomingFile receives an empty file", async () => {
  await withDir(async (dir) => {
    const incoming = await new FileStore(dir).begin("empty", 0);
    const saved = await incoming.commit(
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    );
    assert.equal(saved.bytes, 0);
    assert.equal((await Deno.stat(saved.path)).size, 0);
  });
});

Deno.test("FileStore refuses a receive folder that is a file", async () => {
  await withDir(async (dir) => {
    const path = join(dir, "inbox");
    await Deno.writeTextFile(path, "not a folder");
    assert.equal(
      await refusal(new FileStore(path).begin("a.txt", 1)),
      `receive folder '${path}' is not a folder`,
    );
    assert.match(
      await refusal(new FileStore(join(path, "sub")).begin("a.txt", 1)),
      /^receive folder '.*' is not a folder$/,
    );
  });
});

Deno.test("IncomingFile turns a disk error at commit into a refusal", async () => {
  await withDir(async (root) => {
    const dir = join(root, "inbox");
    const incoming = await new FileStore(dir).begin("a.txt", 1);
    await incoming.write(encoder.encode("a"));
    await Deno.remove(dir, { recursive: true });
    assert.equal(
      await refusal(incoming.commit(sha256(encoder.encode("a")))),
      "cannot save 'a.txt': the folder was removed",
    );
    await incoming.abort();
  });
});

Deno.test("FileStore streams a 50 MB file with flat memory", async () => {
  await withDir(async (dir) => {
    const size = 50 * 1024 * 1024;
    const chunkBytes = 64 * 1024;
    const reference = createHash("sha256");
    const store = new FileStore(dir);
    const incoming: IncomingFile = await store.begin("big.bin", size);
    const before = Deno.memoryUsage().rss;
    // A chunk may wait for the disk after write() resolves, behind at most WRITE_BEHIND_BYTES:
    // a ring of buffers just larger than that is never reused too soon.
    const ring = Array.from(
      { length: WRITE_BEHIND_BYTES / chunkBytes + 2 },
      () => new Uint8Array(chunkBytes),
    );
    for (let i = 0; i < size / chunkBytes; i++) {
      const chunk = ring[i % ring.length].fill(i & 0xff);
      reference.update(chunk);
      await incoming.write(chunk);
    }
    const grown = Deno.memoryUsage().rss - before;
    const hash = reference.digest("hex");
    const saved = await incoming.commit(hash);
    assert.equal(saved.bytes, size);
    assert.equal((await Deno.stat(saved.path)).size, size);
    assert.equal(await sha256File(saved.path), hash);
    // Generous bound: buffering the file would add at least 50 MB.
    assert.ok(grown < 30 * 1024 * 1024, `RSS grew by ${grown} bytes`);
  });
});

/** The permission bits of `path`. */
async function modeOf(path: string): Promise<number> {
  return (await Deno.stat(path)).mode! & 0o777;
}

/** Runs `fn` with the process's umask set to `mask`, restoring it after. */
async function withUmask(mask: number, fn: () => Promise<void>): Promise<void> {
  const before = process.umask(mask);
  try {
    await fn();
  } finally {
    process.umask(before);
  }
}

Deno.test({
  name: "FileStore: a file being received is readable by its owner only, until it is saved",
  ignore: Deno.build.os === "windows",
  async fn() {
    await withDir(async (dir) => {
      await withUmask(0o022, async () => {
        const incoming = await new FileStore(dir).begin("secret.txt", 3);
        await incoming.write(encoder.encode("ab"));
        const [temp] = await list(dir);
        assert.equal((await modeOf(join(dir, temp))).toString(8), "600");
        await incoming.abort();
      });
    });
  },
});

Deno.test({
  name: "FileStore: a saved file has the mode any new file gets under the user's umask",
  ignore: Deno.build.os === "windows",
  async fn() {
    await withDir(async (dir) => {
      for (const [mask, mode] of [[0o022, "644"], [0o027, "640"], [0o002, "664"]] as const) {
        await withUmask(mask, async () => {
          const saved = await receive(new FileStore(dir), `u${mode}.txt`, "hello");
          assert.equal((await modeOf(saved.path)).toString(8), mode);
        });
      }
    });
  },
});

Deno.test({
  name: "FileStore: with fileMode 0o600 every saved file is private, whatever the umask",
  ignore: Deno.build.os === "windows",
  async fn() {
    await withDir(async (dir) => {
      await withUmask(0o002, async () => {
        const saved = await receive(new FileStore(dir, { fileMode: 0o600 }), "kept.bin", "data");
        assert.equal((await modeOf(saved.path)).toString(8), "600");
      });
    });
  },
});

Deno.test({
  name: smallDiskTestName(
    "IncomingFile: once the disk is full, every write says so, also while the temporary file goes",
  ),
  ignore: SMALL_DISK_IGNORED !== undefined,
  async fn() {
    await using disk = await mountSmallDisk(1024 * 1024);
    // No free-space check: the disk fills during the transfer, as when something else fills it.
    const store = new FileStore(disk.path, { freeBytes: () => Promise.resolve(undefined) });
    const incoming = await store.begin("big.bin", 4 * 1024 * 1024);
    // Removing the temporary file takes a while, as on a busy disk: writes go on meanwhile.
    const remove = Deno.remove;
    Deno.remove = async (path, options) => {
      await new Promise((resolve) => setTimeout(resolve, 200));
      return remove(path, options);
    };
    try {
      const reasons: string[] = [];
      for (let i = 0; i < 8; i++) {
        await incoming.write(new Uint8Array(512 * 1024)).catch((error) => {
          reasons.push(error.message);
        });
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      assert.ok(reasons.length > 0, "the disk never filled");
      assert.deepEqual(
        reasons,
        reasons.map(() => "cannot write 'big.bin': the disk is full"),
      );
    } finally {
      Deno.remove = remove;
    }
    await incoming.abort();
    assert.deepEqual(await list(disk.path), []);
  },
});

Deno.test("FileStore: a resumable file interrupted keeps its part (hidden, 0600); the same sender, name, size and key continue it", async () => {
  await withDir(async (dir) => {
    const store = new FileStore(dir);
    const data = encoder.encode("hello, resumable world");
    const resume = { owner: "bob", key: "k1" };
    const first = await store.begin("greeting.txt", data.length, { resume });
    assert.deepEqual(first.resume?.held, 0);
    await first.write(data.subarray(0, 10));
    await first.suspend();
    const [part] = await list(dir);
    assert.match(part, /^\.p2pchat-[0-9a-f]{32}\.part$/);
    assert.equal((await Deno.stat(join(dir, part))).mode! & 0o777, 0o600);

    // Another sender, name or key does not see it.
    for (const other of [{ owner: "mallory", key: "k1" }, { owner: "bob", key: "k2" }]) {
      const stranger = await store.begin("greeting.txt", data.length, { resume: other });
      assert.equal(stranger.resume?.held, 0);
      await stranger.abort();
    }
    const again = await store.begin("greeting.txt", data.length, { resume });
    assert.equal(again.resume?.held, 10);
    const { createHmac } = await import("node:crypto");
    const proof = createHmac("sha256", again.resume!.nonce).update(data.subarray(0, 10)).digest(
      "hex",
    );
    assert.equal(again.resume?.proof, proof);
    await again.startAt(10);
    await again.write(data.subarray(10));
    const saved = await again.commit(sha256(data));
    assert.equal(again.resumedFrom, 10);
    assert.deepEqual(await Deno.readFile(saved.path), data);
    assert.deepEqual(await list(dir), ["greeting.txt"]);
  });
});

Deno.test("FileStore: a sender that starts over at 0 replaces the held part; any other offset is refused", async () => {
  await withDir(async (dir) => {
    const store = new FileStore(dir);
    const resume = { owner: "bob", key: "k" };
    const first = await store.begin("a.bin", 6, { resume });
    await first.write(encoder.encode("xyz"));
    await first.suspend();
    const odd = await store.begin("a.bin", 6, { resume });
    await assert.rejects(() => odd.startAt(1), FileRefusedError);
    await odd.suspend();
    const again = await store.begin("a.bin", 6, { resume });
    await again.startAt(0);
    await again.write(encoder.encode("abcdef"));
    const saved = await again.commit(sha256(encoder.encode("abcdef")));
    assert.equal(again.resumedFrom, 0);
    assert.equal(await Deno.readTextFile(saved.path), "abcdef");
  });
});

Deno.test("FileStore: partial files untouched for 7 days go, and at most 16 are kept", async () => {
  await withDir(async (dir) => {
    const store = new FileStore(dir);
    const old = new Date(Date.now() - 8 * 24 * 3600 * 1000);
    for (let i = 0; i < 20; i++) {
      const incoming = await store.begin(`f${i}.bin`, 4, { resume: { owner: "bob", key: "k" } });
      await incoming.write(encoder.encode("ab"));
      await incoming.suspend();
      if (i === 0) await Deno.utime(incoming.path, old, old);
    }
    const parts = (await list(dir)).filter((name) => name.endsWith(".part"));
    assert.equal(parts.length, 16);
    // The stale one went first.
    const stale = await store.begin("f0.bin", 4, { resume: { owner: "bob", key: "k" } });
    assert.equal(stale.resume?.held, 0);
    await stale.abort();
  });
});

Deno.test("FileStore: something else at a partial file's name (a symlink) is removed, never followed", async () => {
  await withDir(async (dir) => {
    const store = new FileStore(dir);
    const resume = { owner: "bob", key: "k" };
    const probe = await store.begin("a.bin", 4, { resume });
    const path = probe.path;
    await probe.abort();
    const outside = await Deno.makeTempFile();
    await Deno.writeTextFile(outside, "secret");
    await Deno.symlink(outside, path);
    try {
      const incoming = await store.begin("a.bin", 4, { resume });
      assert.equal(incoming.resume?.held, 0);
      await incoming.write(encoder.encode("abcd"));
      await incoming.commit(sha256(encoder.encode("abcd")));
      assert.equal(await Deno.readTextFile(outside), "secret");
    } finally {
      await Deno.remove(outside);
    }
  });
});

Deno.test("FileStore: a killed receiver's unpack folder unchanged for a day is swept; a live one, other folders and links are left", async () => {
  await withDir(async (dir) => {
    const outside = await Deno.makeTempDir({ prefix: "p2pchat_outside_" });
    try {
      const old = new Date(Date.now() - 25 * 3600 * 1000);
      const unpack = (c: string) => join(dir, `.p2pchat-${c.repeat(32)}.tmp`);
      /** A folder as a killed unpack leaves it: files, a subfolder, a link; all a day old. */
      const leftover = async (path: string) => {
        await Deno.mkdir(join(path, "sub"), { recursive: true, mode: 0o700 });
        await Deno.writeTextFile(join(path, "a.txt"), "a");
        await Deno.writeTextFile(join(path, "sub", "b.txt"), "b");
        await Deno.symlink(outside, join(path, "sub", "out"));
        await lutimes(join(path, "sub", "out"), old, old);
        for (const inner of ["a.txt", "sub/b.txt", "sub", "."]) {
          await Deno.utime(join(path, inner), old, old);
        }
      };
      await Deno.writeTextFile(join(outside, "keep.txt"), "not ours");
      await Deno.utime(join(outside, "keep.txt"), old, old);
      await Deno.utime(outside, old, old);
      await leftover(unpack("a"));
      // Being unpacked right now: its top folder is old, the file being written is not.
      await leftover(unpack("b"));
      await Deno.writeTextFile(join(unpack("b"), "sub", "big.bin"), "still coming");
      await Deno.utime(join(unpack("b"), "sub"), old, old);
      // Just begun.
      await Deno.mkdir(unpack("c"), { mode: 0o700 });
      // Not named as an unpack folder is, however old.
      for (const name of [".p2pchat-xyz.tmp", `.p2pchat-${"A".repeat(32)}.tmp`, "holiday.tmp"]) {
        await leftover(join(dir, name));
      }
      // A link named like one, to an old folder elsewhere: neither followed nor removed.
      await Deno.symlink(outside, unpack("d"));
      await lutimes(unpack("d"), old, old);

      // A resumable offer sweeps the receive folder.
      const store = new FileStore(dir);
      const incoming = await store.begin("x.bin", 4, { resume: { owner: "bob", key: "k" } });
      await incoming.abort();

      assert.deepEqual(await list(dir), [
        `.p2pchat-${"A".repeat(32)}.tmp`,
        `.p2pchat-${"b".repeat(32)}.tmp`,
        `.p2pchat-${"c".repeat(32)}.tmp`,
        `.p2pchat-${"d".repeat(32)}.tmp`,
        ".p2pchat-xyz.tmp",
        "holiday.tmp",
      ]);
      assert.equal(await Deno.readTextFile(join(unpack("b"), "sub", "big.bin")), "still coming");
      assert.equal((await Deno.lstat(unpack("d"))).isSymlink, true);
      assert.deepEqual(await list(outside), ["keep.txt"]);
      assert.equal(await Deno.readTextFile(join(outside, "keep.txt")), "not ours");
    } finally {
      await Deno.remove(outside, { recursive: true });
    }
  });
});
