import assert from "node:assert/strict";
import { join } from "node:path";
import { type JsonEvent, startConnector, tempDir, writeRandomFile } from "../e2e/cli_process.ts";
import { hashedTree, listing } from "../e2e/folder_listing.ts";
import { startHub } from "./hub_process.ts";

const TRANSFER_MS = 60_000;

const isEvent = (type: string) => (event: JsonEvent) => event.type === type;

Deno.test("a folder shared in a hub is one entry, kept across a restart, that /get fetches whole", async () => {
  await using dir = await tempDir();
  for (const name of ["alice", "bob"]) await Deno.mkdir(join(dir.path, name));
  const folder = join(dir.path, "alice", "trip");
  await Deno.mkdir(join(folder, "day 1/photos"), { recursive: true });
  await Deno.mkdir(join(folder, "empty"));
  await writeRandomFile(join(folder, "day 1/photos/a.bin"), 300_000);
  await Deno.writeTextFile(join(folder, "day 1/notes: €.txt"), "notes");
  await Deno.writeTextFile(join(folder, "zero"), "");
  let hub = await startHub({ cwd: dir.path });
  const alice = startConnector("alice", hub.port, { cwd: join(dir.path, "alice") });
  try {
    await alice.waitFor(isEvent("welcome"));
    await alice.writeLine(`/send ${folder}`);
    const sent = await alice.waitFor(isEvent("file-sent"), TRANSFER_MS);
    assert.deepEqual([sent.name, sent.files, sent.bytes], ["trip", 3, 300_005]);
    const shared = await alice.waitFor(isEvent("shared"));
    assert.deepEqual([shared.name, shared.files, shared.bytes], ["trip", 3, 300_005]);
  } finally {
    await alice.close();
  }
  await hub.proc.close();
  hub = await startHub({ cwd: dir.path, port: hub.port });
  const bob = startConnector("bob", hub.port, { cwd: join(dir.path, "bob") });
  try {
    await bob.waitFor(isEvent("welcome"));
    await bob.writeLine("/files");
    const list = await bob.waitFor(isEvent("files"));
    const [entry] = list.files as { file: number; name: string; folder?: unknown }[];
    assert.deepEqual([entry.name, entry.folder], ["trip", { files: 3, bytes: 300_005 }]);
    await bob.writeLine(`/get ${entry.file}`);
    const got = await bob.waitFor(isEvent("file"), TRANSFER_MS);
    assert.deepEqual([got.path, got.files, got.bytes], ["received_files/trip", 3, 300_005]);
    assert.deepEqual(
      await hashedTree(join(dir.path, "bob/received_files/trip")),
      // The one name with a character not every system allows: ":" became "_".
      (await hashedTree(folder)).map((line) => line.replace("notes: ", "notes_ ")),
    );
    assert.deepEqual(await listing(join(dir.path, "bob/received_files")), ["trip"]);
  } finally {
    await bob.close();
    await hub.proc.close();
  }
});
