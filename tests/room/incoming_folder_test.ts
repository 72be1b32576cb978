import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { FileRefusedError } from "../../lib/room/file_store.ts";
import { FolderSource, manifestBytes } from "../../lib/room/folder_stream.ts";
import { IncomingFolder } from "../../lib/room/incoming_folder.ts";
import { SYNCFS_FILES } from "../../lib/room/folder_sync.ts";

const GiB = 1024 ** 3;

/** Every path under `dir` with its content (`/` for folders, `-> target` for links). */
async function tree(dir: string, prefix = ""): Promise<string[]> {
  const found: string[] = [];
  for await (const entry of Deno.readDir(join(dir, prefix))) {
    const path = prefix + entry.name;
    if (entry.isDirectory) found.push(`${path}/`, ...await tree(dir, `${path}/`));
    else if (entry.isSymlink) found.push(`${path} -> ${await Deno.readLink(join(dir, path))}`);
    else found.push(`${path} ${await Deno.readTextFile(join(dir, path))}`);
  }
  return found.sort();
}

/** Sends `source` through a FolderSource into an IncomingFolder in `into`, in small chunks. */
async function roundTrip(source: string, into: string, chunkBytes = 7): Promise<string> {
  const folder = await FolderSource.open(source);
  const incoming = await IncomingFolder.begin(into, folder.name, folder.size, folder, GiB);
  const hash = createHash("sha256");
  const buffer = new Uint8Array(chunkBytes);
  let filesDone = 0;
  for (let n = folder.readSync(buffer); n !== null; n = folder.readSync(buffer)) {
    hash.update(buffer.subarray(0, n));
    await incoming.write(buffer.slice(0, n));
    // Files count up as they are read and written, never past the set.
    assert.ok(incoming.filesDone >= filesDone && incoming.filesDone <= folder.files);
    assert.ok(incoming.filesDone <= folder.filesDone);
    filesDone = incoming.filesDone;
  }
  folder.close();
  assert.equal(folder.filesDone, folder.files);
  assert.equal(incoming.filesDone, incoming.files);
  return (await incoming.commit(hash.digest("hex"))).name;
}

Deno.test("a folder with subfolders, an empty folder, a 0-byte file and Unicode names arrives identical; links are left out", async () => {
  const base = await Deno.makeTempDir();
  try {
    const source = join(base, "holiday");
    await Deno.mkdir(join(source, "été/日本/deep"), { recursive: true });
    await Deno.mkdir(join(source, "empty"));
    await Deno.writeTextFile(join(source, "été/日本/deep/😀.txt"), "smile");
    await Deno.writeTextFile(join(source, "zero"), "");
    await Deno.writeTextFile(join(source, "été/日本/deep/zz-last-empty"), "");
    await Deno.writeTextFile(join(source, "a.txt"), "x".repeat(1000));
    await Deno.symlink("/etc/passwd", join(source, "link"));
    const folder = await FolderSource.open(source);
    assert.equal(folder.files, 4);
    assert.equal(folder.bytes, 1005);
    assert.equal(folder.leftOut, 1);
    folder.close();

    const into = join(base, "received_files");
    assert.equal(await roundTrip(source, into), "holiday");
    assert.equal(await roundTrip(source, into, 100_000), "holiday (1)");
    const expected = (await tree(source)).filter((line) => !line.startsWith("link"));
    assert.deepEqual(await tree(join(into, "holiday")), expected);
    assert.deepEqual(await tree(join(into, "holiday (1)")), expected);
    assert.deepEqual((await Array.fromAsync(Deno.readDir(into))).map((e) => e.name).sort(), [
      "holiday",
      "holiday (1)",
    ]);
  } finally {
    await Deno.remove(base, { recursive: true });
  }
});

/** A crafted stream: the given manifest, then `content`. */
function crafted(dirs: string[], files: [string, number][], content = "") {
  const head = manifestBytes({ dirs, files });
  const body = new TextEncoder().encode(content);
  const stream = new Uint8Array(head.length + body.length);
  stream.set(head);
  stream.set(body, head.length);
  const bytes = files.reduce((sum, [, size]) => sum + size, 0);
  return { stream, offer: { files: files.length, bytes } };
}

Deno.test("hostile paths from a crafted sender are refused and nothing lands outside the receive folder", async () => {
  const hostile: [string[], [string, number][]][] = [
    [[], [["../escaped.txt", 1]]],
    [["a"], [["a/../../escaped.txt", 1]]],
    [[], [["/tmp/escaped.txt", 1]]],
    [["../up"], []],
    [[], [["NUL", 1]]],
    [[], [["a/con.txt", 1]]],
    [[], [["a//b", 1]]],
    [[], [["a\x1b]0;x\x07", 1]]],
  ];
  for (const [dirs, files] of hostile) {
    const base = await Deno.makeTempDir();
    try {
      const into = join(base, "received_files");
      const { stream, offer } = crafted(dirs, files, "x");
      const incoming = await IncomingFolder.begin(into, "evil", stream.length, offer, GiB);
      await assert.rejects(() => incoming.write(stream), FileRefusedError, JSON.stringify(files));
      await incoming.abort();
      assert.deepEqual(await tree(base), ["received_files/"], JSON.stringify([dirs, files]));
    } finally {
      await Deno.remove(base, { recursive: true });
    }
  }
});

Deno.test("a crafted folder list that does not match its offer, or is not a list, is refused", async () => {
  const base = await Deno.makeTempDir();
  try {
    const into = join(base, "received_files");
    const { stream, offer } = crafted([], [["a", 1]], "x");
    const lying = await IncomingFolder.begin(into, "f", stream.length, { ...offer, files: 2 }, GiB);
    await assert.rejects(() => lying.write(stream), /invalid folder list/);
    await lying.abort();
    const garbage = new TextEncoder().encode("\0\0\0\x05{{{{{");
    const broken = await IncomingFolder.begin(
      into,
      "f",
      garbage.length,
      { files: 0, bytes: 0 },
      GiB,
    );
    await assert.rejects(() => broken.write(garbage), /invalid folder list/);
    await broken.abort();
    const huge = new Uint8Array([0xff, 0xff, 0xff, 0xff]);
    const big = await IncomingFolder.begin(into, "f", 2 ** 40, { files: 0, bytes: 0 }, 2 ** 41);
    await assert.rejects(() => big.write(huge), /invalid folder list/);
    await big.abort();
    assert.deepEqual(await tree(base), ["received_files/"]);
  } finally {
    await Deno.remove(base, { recursive: true });
  }
});

Deno.test("a folder whose hash does not match is removed; names that became alike get (1)", async () => {
  const base = await Deno.makeTempDir();
  try {
    const into = join(base, "received_files");
    const { stream, offer } = crafted([], [["a:b", 1], ["a_b", 1]], "12");
    const sha256 = createHash("sha256").update(stream).digest("hex");
    const bad = await IncomingFolder.begin(into, "f", stream.length, offer, GiB);
    await bad.write(stream);
    await assert.rejects(() => bad.commit("0".repeat(64)), /hash mismatch/);
    assert.deepEqual(await tree(base), ["received_files/"]);
    const good = await IncomingFolder.begin(into, "f", stream.length, offer, GiB);
    await good.write(stream);
    assert.equal((await good.commit(sha256)).name, "f");
    assert.deepEqual(await tree(into), ["f/", "f/a_b (1) 2", "f/a_b 1"]);
  } finally {
    await Deno.remove(base, { recursive: true });
  }
});

Deno.test("a folder of many files is flushed to the disk at once, then saved whole under its name", async () => {
  const base = await Deno.makeTempDir();
  try {
    const into = join(base, "received_files");
    const names = Array.from({ length: SYNCFS_FILES + 6 }, (_, i) => `d${i % 3}/f${i}`);
    const { stream, offer } = crafted(
      ["d0", "d1", "d2"],
      names.map((name) => [name, 1]),
      "x".repeat(names.length),
    );
    const sha256 = createHash("sha256").update(stream).digest("hex");
    const folder = await IncomingFolder.begin(into, "many", stream.length, offer, GiB);
    await folder.write(stream);
    assert.equal(folder.synced, undefined);
    assert.equal((await folder.commit(sha256)).name, "many");
    const linux = Deno.build.os === "linux";
    const sync = ["/usr/bin/sync", "/bin/sync"].some((path) => {
      try {
        return Deno.statSync(path).isFile;
      } catch {
        return false;
      }
    });
    assert.equal(folder.synced, linux && sync ? "filesystem" : "each");
    assert.deepEqual(
      await tree(join(into, "many")),
      [...["d0/", "d1/", "d2/"], ...names.map((name) => `${name} x`)].sort(),
    );
    // Private while it came; now a folder like any other the person makes there.
    if (linux) {
      const umask = Deno.umask();
      assert.equal((await Deno.stat(join(into, "many"))).mode! & 0o777, 0o777 & ~umask);
    }
    assert.deepEqual((await Array.fromAsync(Deno.readDir(into))).map((e) => e.name), ["many"]);

    const small = crafted([], [["a", 1]], "y");
    const few = await IncomingFolder.begin(into, "few", small.stream.length, small.offer, GiB);
    await few.write(small.stream);
    await few.commit(createHash("sha256").update(small.stream).digest("hex"));
    assert.equal(few.synced, "each");
    assert.deepEqual(await tree(join(into, "few")), ["a y"]);
  } finally {
    await Deno.remove(base, { recursive: true });
  }
});
