import assert from "node:assert/strict";
import { join } from "node:path";
import { sha256File } from "../../dev/sha256_file.ts";

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "p2pchat_sha_" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("sha256File() hashes a file", async () => {
  await withDir(async (dir) => {
    const empty = join(dir, "empty");
    await Deno.writeFile(empty, new Uint8Array(0));
    assert.equal(
      await sha256File(empty),
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    );
    const abc = join(dir, "abc");
    await Deno.writeTextFile(abc, "abc");
    assert.equal(
      await sha256File(abc),
      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
    );
    await assert.rejects(sha256File(join(dir, "missing")), Deno.errors.NotFound);
  });
});
