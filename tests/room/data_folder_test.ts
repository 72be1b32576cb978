import assert from "node:assert/strict";
import { join } from "node:path";
import process from "node:process";
import { DatabaseSync } from "node:sqlite";
import { DataFolder } from "../../lib/room/data_folder.ts";
import { LineJournal } from "../../lib/room/line_journal.ts";
import { openHubDatabase } from "../../lib/room/room_host.ts";

const POSIX = Deno.build.os !== "windows";

async function withDir(fn: (dir: string) => Promise<void> | void): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "p2pchat_data_folder_" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Every path under `dir` (relative) with its permission bits in octal, sorted. */
function modes(dir: string, prefix = ""): string[] {
  const found: string[] = [];
  for (const entry of Deno.readDirSync(dir)) {
    const path = join(dir, entry.name);
    const name = prefix + entry.name;
    found.push(`${name} ${(Deno.lstatSync(path).mode! & 0o777).toString(8)}`);
    if (entry.isDirectory) found.push(...modes(path, `${name}/`));
  }
  return found.sort();
}

Deno.test({
  name: "DataFolder: a new data folder is private, database, its WAL and the journal included",
  ignore: !POSIX,
  async fn() {
    await withDir((root) => {
      const before = process.umask(0o022);
      try {
        const folder = DataFolder.open(join(root, "p2pchat-data"));
        const db = openHubDatabase(folder);
        db.exec("CREATE TABLE t (x TEXT)");
        db.exec("INSERT INTO t VALUES ('a')");
        const journal = new LineJournal(folder.journal);
        journal.append({ seq: 1, client: "c", id: "1", from: "a", text: "hi", time: "t" });
        assert.equal((Deno.statSync(folder.dir).mode! & 0o777).toString(8), "700");
        assert.deepEqual(modes(folder.dir), [
          "files 700",
          "hub.db 600",
          "hub.db-shm 600",
          "hub.db-wal 600",
          "hub.journal 600",
        ]);
        journal.close();
        db.close();
      } finally {
        process.umask(before);
      }
    });
  },
});

Deno.test({
  name: "DataFolder: an old folder left readable by others (0755, files 0644) is made private",
  ignore: !POSIX,
  async fn() {
    await withDir(async (root) => {
      const dir = join(root, "p2pchat-data");
      await Deno.mkdir(join(dir, "files"), { recursive: true });
      for (const name of ["hub.db", "hub.db-wal", "hub.journal", "files/report.pdf"]) {
        await Deno.writeTextFile(join(dir, name), "");
        await Deno.chmod(join(dir, name), 0o644);
      }
      await Deno.chmod(join(dir, "files"), 0o755);
      await Deno.chmod(dir, 0o755);
      // A link inside is not followed: what it points to keeps its mode.
      const outside = join(root, "outside.txt");
      await Deno.writeTextFile(outside, "");
      await Deno.chmod(outside, 0o644);
      await Deno.symlink(outside, join(dir, "link"));

      DataFolder.open(dir);
      assert.equal((Deno.statSync(dir).mode! & 0o777).toString(8), "700");
      assert.deepEqual(modes(dir).filter((line) => !line.startsWith("link ")), [
        "files 700",
        "files/report.pdf 600",
        "hub.db 600",
        "hub.db-wal 600",
        "hub.journal 600",
      ]);
      assert.equal((Deno.statSync(outside).mode! & 0o777).toString(8), "644");
    });
  },
});

Deno.test("DataFolder: what a killed hub's unfinished uploads left is removed at start; kept files stay", async () => {
  await withDir(async (root) => {
    const dir = join(root, "p2pchat-data");
    await Deno.mkdir(join(dir, "files"), { recursive: true });
    const leftover = `.p2pchat-${"ab".repeat(16)}.tmp`;
    await Deno.writeTextFile(join(dir, "files", leftover), "half an upload");
    await Deno.writeTextFile(join(dir, "files", "notes.txt"), "kept");
    await Deno.writeTextFile(join(dir, "files", ".p2pchat-mine.tmp"), "not ours: other name");
    const folder = DataFolder.open(dir);
    assert.deepEqual(
      [...Deno.readDirSync(folder.files)].map((entry) => entry.name).sort(),
      [".p2pchat-mine.tmp", "notes.txt"],
    );
    const db = new DatabaseSync(folder.database);
    db.close();
  });
});
