import assert from "node:assert/strict";
import { concatBytes, readUint32, writeUint32 } from "../../lib/wire/bytes.ts";

Deno.test("concatBytes() joins parts into one new array", () => {
  const first = new Uint8Array([1, 2]);
  const joined = concatBytes([first, new Uint8Array(0), new Uint8Array([3])]);
  assert.deepEqual([...joined], [1, 2, 3]);
  first[0] = 9;
  assert.equal(joined[0], 1, "the result is a copy");
});

Deno.test("writeUint32() and readUint32() agree with DataView's big-endian, at any offset", () => {
  for (const value of [0, 1, 300, 0x7fffffff, 0x80000000, 0xffffffff]) {
    const bytes = new Uint8Array(7).fill(0xaa);
    writeUint32(bytes, 2, value);
    assert.equal(new DataView(bytes.buffer).getUint32(2), value);
    assert.equal(readUint32(bytes, 2), value);
    assert.deepEqual([...bytes.subarray(0, 2), ...bytes.subarray(6)], [0xaa, 0xaa, 0xaa]);
  }
});
