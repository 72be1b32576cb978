import assert from "node:assert/strict";
import { hkdfSha256, hmacSha256, macEquals } from "../../lib/secure/hkdf_hmac.ts";
import { hex, toHex, wycheproof } from "./wycheproof.ts";

Deno.test("Wycheproof HKDF-SHA256: every case, through the handshake's hkdfSha256", async () => {
  const { testGroups } = await wycheproof("hkdf_sha256_test.json");
  const counted = { valid: 0, invalid: 0 };
  for (const test of testGroups.flatMap((group) => group.tests)) {
    const [ikm, salt, info] = [test.ikm, test.salt, test.info].map(hex);
    const what = `case ${test.tcId} (${test.comment})`;
    if (test.result === "valid") {
      counted.valid++;
      assert.equal(toHex(hkdfSha256(ikm, salt, info, Number(test.size))), test.okm, what);
    } else {
      counted.invalid++;
      // Every invalid case asks for more than 255 blocks: refused.
      assert.throws(() => hkdfSha256(ikm, salt, info, Number(test.size)), RangeError, what);
    }
  }
  assert.deepEqual(counted, { valid: 83, invalid: 3 });
});

Deno.test("Wycheproof HMAC-SHA256: every full-length case, through hmacSha256 and macEquals", async () => {
  const { testGroups } = await wycheproof("hmac_sha256_test.json");
  const counted = { valid: 0, invalid: 0 };
  for (const group of testGroups) {
    // The handshake sends and checks whole 32-byte MACs; truncated tags do not fit.
    if (group.tagSize !== 256) continue;
    for (const test of group.tests) {
      const [key, msg, tag] = [test.key, test.msg, test.tag].map(hex);
      const mac = hmacSha256(key, msg);
      const what = `case ${test.tcId} (${test.comment})`;
      if (test.result === "valid") {
        counted.valid++;
        assert.equal(toHex(mac), test.tag, what);
        assert.equal(macEquals(mac, tag), true, what);
      } else {
        counted.invalid++;
        assert.equal(macEquals(mac, tag), false, what);
      }
    }
  }
  assert.deepEqual(counted, { valid: 33, invalid: 54 });
});

Deno.test("macEquals: a MAC of another length is never equal", () => {
  const mac = hmacSha256(new Uint8Array(16), new Uint8Array());
  assert.equal(macEquals(mac, mac.subarray(0, 16)), false);
  assert.equal(macEquals(mac, new Uint8Array(0)), false);
});
