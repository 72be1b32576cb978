import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { sha256File } from "../../lib/room/file_hash.ts";

Deno.test("sha256File: the hash of a file larger than one read", async () => {
  const path = await Deno.makeTempFile();
  try {
    const data = new Uint8Array(600 * 1024).map((_, i) => i * 7);
    await Deno.writeFile(path, data);
    assert.equal(await sha256File(path), createHash("sha256").update(data).digest("hex"));
  } finally {
    await Deno.remove(path);
  }
});
