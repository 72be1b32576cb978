import assert from "node:assert/strict";
import { join } from "node:path";
import {
  type JsonEvent,
  startConnector,
  startListener,
  tempDir,
  writeRandomFile,
} from "./cli_process.ts";
import { hashedTree, listing } from "./folder_listing.ts";

const TRANSFER_MS = 60_000;

const isEvent = (type: string, name?: string) => (event: JsonEvent) =>
  event.type === type && (name === undefined || event.name === name);

Deno.test("/send of a folder and a file at once: the folder arrives identical as received_files/NAME, then NAME (1)", async () => {
  await using base = await tempDir();
  const aliceDir = join(base.path, "alice");
  const bobDir = join(base.path, "bob");
  const folder = join(bobDir, "my photos");
  await Deno.mkdir(join(folder, "2024/été/日本"), { recursive: true });
  await Deno.mkdir(join(folder, "empty"));
  await Deno.mkdir(aliceDir);
  await writeRandomFile(join(folder, "2024/été/日本/big.bin"), 3 * 1024 * 1024 + 17);
  await Deno.writeTextFile(join(folder, "2024/notes.txt"), "hello");
  await Deno.writeTextFile(join(folder, "zero"), "");
  await Deno.symlink("/etc/passwd", join(folder, "passwords"));
  await Deno.writeTextFile(join(bobDir, "single.txt"), "one");

  const { proc: alice, port } = await startListener("alice", { cwd: aliceDir });
  const bob = startConnector("bob", port, { cwd: bobDir });
  try {
    await alice.waitFor(isEvent("connected"));
    await bob.waitFor(isEvent("connected"));
    await bob.writeLine(String.raw`/send my\ photos single.txt`);
    const incoming = await alice.waitFor(isEvent("file-incoming", "my photos"), TRANSFER_MS);
    assert.equal(incoming.files, 3);
    const got = await alice.waitFor(isEvent("file", "my photos"), TRANSFER_MS);
    assert.equal(got.path, "received_files/my photos");
    assert.equal(got.files, 3);
    assert.equal(got.bytes, 3 * 1024 * 1024 + 17 + 5);
    const sent = await bob.waitFor(isEvent("file-sent", "my photos"), TRANSFER_MS);
    assert.equal(sent.sha256, got.sha256);
    assert.equal(sent.files, 3);
    assert.equal(sent.leftOut, 1);
    await alice.waitFor(isEvent("file", "single.txt"), TRANSFER_MS);
    const expected = (await hashedTree(folder)).filter((line) => !line.startsWith("passwords"));
    assert.deepEqual(await hashedTree(join(aliceDir, "received_files/my photos")), expected);

    await bob.writeLine(`/send "${folder}"`);
    const again = await alice.waitFor(isEvent("file", "my photos (1)"), TRANSFER_MS);
    assert.equal(again.path, "received_files/my photos (1)");
    assert.deepEqual(await hashedTree(join(aliceDir, "received_files/my photos (1)")), expected);
    // Nothing else, and no hidden leftovers.
    assert.deepEqual(await listing(join(aliceDir, "received_files")), [
      "my photos",
      "my photos (1)",
      "single.txt",
    ]);
  } finally {
    await bob.close();
    await alice.close();
  }
});
