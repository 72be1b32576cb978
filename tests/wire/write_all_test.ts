import assert from "node:assert/strict";
import { writeAll } from "../../lib/wire/write_all.ts";

Deno.test("writeAll() calls write again until every byte is taken, in order", async () => {
  const taken: number[][] = [];
  // Takes at most 3 bytes per call, as a busy socket may.
  const sink = {
    write(bytes: Uint8Array): Promise<number> {
      const part = bytes.subarray(0, 3);
      taken.push([...part]);
      return Promise.resolve(part.length);
    },
  };
  await writeAll(sink, new Uint8Array([1, 2, 3, 4, 5, 6, 7]));
  assert.deepEqual(taken, [[1, 2, 3], [4, 5, 6], [7]]);
  await writeAll(sink, new Uint8Array(0));
  assert.equal(taken.length, 3, "nothing to write, no call");
});
