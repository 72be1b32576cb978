import assert from "node:assert/strict";
import { join } from "node:path";
import { syncFolder, SYNCFS_FILES, syncReceived } from "../../lib/room/folder_sync.ts";

/** Writes `count` files of their own names into `dir/sub`; returns their paths. */
async function writeFiles(dir: string, count: number): Promise<string[]> {
  await Deno.mkdir(join(dir, "sub"), { recursive: true });
  const paths: string[] = [];
  for (let i = 0; i < count; i++) {
    const path = join(dir, "sub", `f${i}`);
    await Deno.writeTextFile(path, `f${i}`);
    paths.push(path);
  }
  return paths;
}

/** Every file's content, checked as a person would open them. */
async function contents(paths: string[]): Promise<string[]> {
  return await Promise.all(paths.map((path) => Deno.readTextFile(path)));
}

Deno.test("a folder of many files is flushed with one sync of its file system, where there is one", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const files = await writeFiles(dir, SYNCFS_FILES);
    const way = await syncReceived(dir, files, [dir, join(dir, "sub")]);
    const sync = ["/usr/bin/sync", "/bin/sync"].some((path) => {
      try {
        return Deno.statSync(path).isFile;
      } catch {
        return false;
      }
    });
    assert.equal(way, Deno.build.os === "linux" && sync ? "filesystem" : "each");
    assert.deepEqual(await contents(files), files.map((_, i) => `f${i}`));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("without a sync program that works, or for a few files, each file and folder is flushed and every file stays", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const files = await writeFiles(dir, 70);
    const folders = [dir, join(dir, "sub")];
    const missing = join(dir, "no-such-sync");
    assert.equal(await syncReceived(dir, files, folders, { programs: [missing] }), "each");
    assert.equal(await syncReceived(dir, files, folders, { programs: ["/bin/false"] }), "each");
    assert.equal(await syncReceived(dir, files.slice(0, 3), folders), "each");
    assert.equal(await syncReceived(dir, files, folders, { syncfsFiles: 71 }), "each");
    assert.deepEqual(await contents(files), files.map((_, i) => `f${i}`));
    await syncFolder(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a file that cannot be flushed fails the flush (nothing is confirmed)", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const files = await writeFiles(dir, 2);
    await Deno.remove(files[1]);
    await assert.rejects(
      () => syncReceived(dir, files, [dir], { programs: [] }),
      Deno.errors.NotFound,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test(
  "a sync that reports an error writing to the disk fails the flush, rather than flushing each file again",
  {
    ignore: Deno.build.os !== "linux",
  },
  async () => {
    const dir = await Deno.makeTempDir();
    try {
      const files = await writeFiles(dir, 2);
      const failing = join(dir, "sync");
      await Deno.writeTextFile(
        failing,
        "#!/bin/sh\necho \"sync: error syncing '$3': Input/output error\" >&2\nexit 1\n",
        { mode: 0o755 },
      );
      await assert.rejects(
        () => syncReceived(dir, files, [dir], { programs: [failing], syncfsFiles: 1 }),
        /cannot write the folder to the disk: sync: error syncing '.*': Input\/output error/,
      );
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
);

Deno.test(
  "without leave to run programs, a folder is flushed file by file and no one at the terminal is asked for leave",
  {
    ignore: Deno.build.os !== "linux",
  },
  async () => {
    const script = ["/usr/bin/script", "/bin/script"].find((path) => {
      try {
        return Deno.statSync(path).isFile;
      } catch {
        return false;
      }
    });
    if (!script) return; // no way to give the program a terminal here
    const dir = await Deno.makeTempDir();
    try {
      const files = await writeFiles(dir, SYNCFS_FILES);
      const program = join(dir, "flush.ts");
      const module = new URL("../../lib/room/folder_sync.ts", import.meta.url).href;
      await Deno.writeTextFile(
        program,
        `import { syncReceived } from ${JSON.stringify(module)};\n` +
          `console.log("way:", await syncReceived(${JSON.stringify(dir)}, ${
            JSON.stringify(files)
          }, [${JSON.stringify(dir)}]));\n`,
      );
      // A terminal (script), as a person runs it; without --allow-run.
      const command = `'${Deno.execPath()}' run --allow-read --allow-write '${program}'`;
      const { stdout } = await new Deno.Command(script, {
        args: ["-qc", command, "/dev/null"],
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
        signal: AbortSignal.timeout(30_000),
      }).output();
      const text = new TextDecoder().decode(stdout);
      assert.doesNotMatch(text, /Allow\?/);
      assert.match(text, /way: each/);
      assert.deepEqual(await contents(files), files.map((_, i) => `f${i}`));
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
);
