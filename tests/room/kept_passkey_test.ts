import assert from "node:assert/strict";
import { join } from "node:path";
import { DataFolder } from "../../lib/room/data_folder.ts";
import { keptPasskey, KeptPasskeyError } from "../../lib/room/kept_passkey.ts";
import { passkeyWeakness } from "../../lib/secure/passkey.ts";

const POSIX = Deno.build.os !== "windows";

async function withFolder(fn: (folder: DataFolder) => void): Promise<void> {
  const root = await Deno.makeTempDir({ prefix: "p2pchat_kept_passkey_" });
  try {
    fn(DataFolder.open(join(root, "p2pchat-data")));
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

Deno.test("keptPasskey: the first start makes one and keeps it (0600); later starts read it back", async () => {
  await withFolder((folder) => {
    const first = keptPasskey(folder);
    assert.equal(first.made, true);
    assert.equal(passkeyWeakness(first.passkey), undefined);
    assert.equal(Deno.readTextFileSync(folder.passkey), `${first.passkey}\n`);
    if (POSIX) assert.equal(Deno.statSync(folder.passkey).mode! & 0o777, 0o600);
    assert.deepEqual(keptPasskey(folder), { passkey: first.passkey, made: false });
    // Reopening the folder (a restart) finds it too, and nothing else was left beside it.
    assert.deepEqual(keptPasskey(DataFolder.open(folder.dir)).passkey, first.passkey);
    assert.deepEqual([...Deno.readDirSync(folder.dir)].map((entry) => entry.name).sort(), [
      "files",
      "hub.db",
      "hub.journal",
      "passkey",
    ]);
  });
});

Deno.test("keptPasskey: renew makes a new one and keeps it instead", async () => {
  await withFolder((folder) => {
    const old = keptPasskey(folder).passkey;
    const renewed = keptPasskey(folder, { renew: true });
    assert.equal(renewed.made, true);
    assert.notEqual(renewed.passkey, old);
    assert.equal(keptPasskey(folder).passkey, renewed.passkey);
    if (POSIX) assert.equal(Deno.statSync(folder.passkey).mode! & 0o777, 0o600);
  });
});

Deno.test("keptPasskey: a passkey typed into the file by hand is normalized like a typed one", async () => {
  await withFolder((folder) => {
    Deno.writeTextFileSync(folder.passkey, " 7 Orbit lemon_CRADLE \n");
    assert.deepEqual(keptPasskey(folder), { passkey: "7-orbit-lemon-cradle", made: false });
  });
});

Deno.test("keptPasskey: a kept file that cannot be a passkey is refused with what to do, and left as it is", async () => {
  await withFolder((folder) => {
    const refused = (pattern: RegExp) =>
      assert.throws(() => keptPasskey(folder), (error) => {
        assert.ok(error instanceof KeptPasskeyError);
        assert.match(error.message, pattern);
        assert.match(error.message, /remove it, or start with --new-passkey to make a new one$/);
        return true;
      });
    Deno.writeTextFileSync(folder.passkey, "\n");
    refused(/cannot be used \(It is empty\)/);
    Deno.writeTextFileSync(folder.passkey, "hunter2");
    refused(/cannot be used \(.*\)/);
    assert.equal(Deno.readTextFileSync(folder.passkey), "hunter2");
    Deno.writeTextFileSync(folder.passkey, "x".repeat(2000));
    refused(/is not a kept passkey/);
    Deno.removeSync(folder.passkey);
    Deno.mkdirSync(folder.passkey);
    refused(/is not a kept passkey/);
    // --new-passkey is the way out (a folder in the way is not ours to remove).
    Deno.removeSync(folder.passkey);
    Deno.writeTextFileSync(folder.passkey, "hunter2");
    assert.equal(keptPasskey(folder, { renew: true }).made, true);
  });
});

Deno.test({
  name: "keptPasskey: a symbolic link where the passkey is kept is not followed",
  ignore: !POSIX,
  async fn() {
    await withFolder((folder) => {
      const elsewhere = join(folder.dir, "..", "elsewhere");
      Deno.writeTextFileSync(elsewhere, "7-orbit-lemon-cradle\n");
      Deno.symlinkSync(elsewhere, folder.passkey);
      assert.throws(() => keptPasskey(folder), /is not a kept passkey/);
    });
  },
});
