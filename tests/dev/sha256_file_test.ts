import assert from "node:assert/strict";
import { sha256File } from "../../dev/sha256_file.ts";
import { tempDir } from "../e2e/cli_process.ts";

Deno.test("sha256File() hashes a file", async () => {
  await using dir = await tempDir();
  const empty = `${dir.path}/empty`;
  await Deno.writeFile(empty, new Uint8Array(0));
  assert.equal(
    await sha256File(empty),
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
  );
  const abc = `${dir.path}/abc`;
  await Deno.writeTextFile(abc, "abc");
  assert.equal(
    await sha256File(abc),
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
  );
  await assert.rejects(sha256File(`${dir.path}/missing`), Deno.errors.NotFound);
});
