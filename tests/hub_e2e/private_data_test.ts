import assert from "node:assert/strict";
import { join } from "node:path";
import process from "node:process";
import { tempDir } from "../e2e/cli_process.ts";
import { HubMember } from "./hub_member.ts";
import { startHub } from "./hub_process.ts";

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

const modeOf = (path: string) => (Deno.statSync(path).mode! & 0o777).toString(8);

Deno.test({
  name: "serve keeps its data folder private (0700, files 0600), also one left readable before",
  ignore: Deno.build.os === "windows",
  async fn() {
    await using dir = await tempDir();
    const data = join(dir.path, "p2pchat-data");
    // The hub inherits this umask: without care its files would be readable by everyone.
    const umask = process.umask(0o022);
    let hub = await startHub({ cwd: dir.path });
    try {
      const alice = await HubMember.join(hub.port, "alice", join(dir.path, "alice"));
      const source = join(dir.path, "notes.txt");
      await Deno.writeTextFile(source, "members' notes");
      await alice.client.sendFile(source);
      alice.client.say("kept in the history");
      await alice.leave();
      assert.equal(modeOf(data), "700");
      assert.deepEqual(modes(data), [
        "files 700",
        "files/notes.txt 600",
        "hub.db 600",
        "hub.db-shm 600",
        "hub.db-wal 600",
        "hub.journal 600",
      ]);

      // An older hub (or a hand) left the folder open to everyone, and a killed upload's
      // temporary file in it: the next start closes it and removes the leftover.
      hub.proc.kill("SIGKILL");
      await hub.proc.close();
      for (const path of [data, join(data, "files")]) await Deno.chmod(path, 0o755);
      for (const name of ["hub.db", "hub.journal", "files/notes.txt"]) {
        await Deno.chmod(join(data, name), 0o644);
      }
      const leftover = join(data, "files", `.p2pchat-${"0f".repeat(16)}.tmp`);
      await Deno.writeTextFile(leftover, "half of someone's upload");
      hub = await startHub({ cwd: dir.path, port: hub.port });
      assert.equal(modeOf(data), "700");
      assert.deepEqual(modes(data).filter((line) => !line.startsWith("hub.db-")), [
        "files 700",
        "files/notes.txt 600",
        "hub.db 600",
        "hub.journal 600",
      ]);
    } finally {
      process.umask(umask);
      await hub.proc.close();
    }
  },
});
