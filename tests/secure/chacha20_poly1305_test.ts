import assert from "node:assert/strict";
import { createCipheriv } from "node:crypto";
import {
  aeadBackends,
  fastAeadLoaded,
  loadFastAead,
  open,
  openInto,
  seal,
  sealInto,
  SMALL_FRAME_BYTES,
  TAG_BYTES,
} from "../../lib/secure/chacha20_poly1305.ts";
import { hex, toHex, wycheproof } from "./wycheproof.ts";

/** The reference: OpenSSL's ChaCha20-Poly1305 through node:crypto, ciphertext then tag. */
function reference(key: Uint8Array, nonce: Uint8Array, plain: Uint8Array): Uint8Array {
  const cipher = createCipheriv("chacha20-poly1305", key, nonce, { authTagLength: TAG_BYTES });
  const body = cipher.update(plain);
  cipher.final();
  return new Uint8Array([...body, ...cipher.getAuthTag()]);
}

/** Bytes that differ from position to position (getRandomValues stops at 64 KiB). */
function pattern(size: number): Uint8Array {
  return Uint8Array.from({ length: size }, (_, index) => (index * 131 + size) & 0xff);
}

const SIZES = [0, 1, 80, SMALL_FRAME_BYTES - 1, SMALL_FRAME_BYTES, SMALL_FRAME_BYTES + 1, 70_000];

Deno.test("loadFastAead() loads the WebAssembly path once and reports it", async () => {
  assert.equal(await loadFastAead(), true);
  assert.equal(await loadFastAead(), true);
  assert.equal(fastAeadLoaded(), true);
});

Deno.test("seal() gives OpenSSL's bytes on both sides of the small-frame limit", async () => {
  await loadFastAead();
  const key = crypto.getRandomValues(new Uint8Array(32));
  const nonce = crypto.getRandomValues(new Uint8Array(12));
  for (const size of SIZES) {
    const plain = pattern(size);
    assert.deepEqual(seal(key, nonce, plain), reference(key, nonce, plain), `size ${size}`);
  }
});

Deno.test("open() returns the plaintext of what seal() made, at every size", async () => {
  await loadFastAead();
  const key = crypto.getRandomValues(new Uint8Array(32));
  const nonce = crypto.getRandomValues(new Uint8Array(12));
  for (const size of SIZES) {
    const plain = pattern(size);
    assert.deepEqual(open(key, nonce, reference(key, nonce, plain)), plain, `size ${size}`);
  }
});

Deno.test("open() refuses a flipped bit, a wrong nonce, a wrong key and a cut frame", async () => {
  await loadFastAead();
  const key = crypto.getRandomValues(new Uint8Array(32));
  const nonce = new Uint8Array(12);
  for (const size of [80, 70_000]) {
    const sealed = seal(key, nonce, new Uint8Array(size).fill(5));
    for (const index of [0, size - 1, size, size + TAG_BYTES - 1]) {
      const tampered = sealed.slice();
      tampered[index] ^= 1;
      assert.equal(open(key, nonce, tampered), undefined, `size ${size}, byte ${index}`);
    }
    const otherNonce = new Uint8Array(12);
    otherNonce[11] = 1;
    assert.equal(open(key, otherNonce, sealed), undefined);
    assert.equal(open(new Uint8Array(32), nonce, sealed), undefined);
    assert.equal(open(key, nonce, sealed.subarray(0, sealed.length - 1)), undefined);
  }
  assert.equal(open(key, nonce, new Uint8Array(TAG_BYTES - 1)), undefined);
});

Deno.test("open() results stay intact after later calls", async () => {
  await loadFastAead();
  const key = crypto.getRandomValues(new Uint8Array(32));
  const nonce = new Uint8Array(12);
  const first = open(key, nonce, seal(key, nonce, new Uint8Array(40).fill(1)));
  open(key, nonce, seal(key, nonce, new Uint8Array(40).fill(2)));
  assert.deepEqual(first, new Uint8Array(40).fill(1));
});

Deno.test("sealInto() writes at the offset and refuses a target that is too small", async () => {
  await loadFastAead();
  const key = crypto.getRandomValues(new Uint8Array(32));
  const nonce = new Uint8Array(12);
  const plain = new TextEncoder().encode("hello");
  const target = new Uint8Array(4 + plain.length + TAG_BYTES).fill(9);
  sealInto(key, nonce, plain, target, 4);
  assert.deepEqual(target.subarray(0, 4), new Uint8Array(4).fill(9));
  assert.deepEqual(target.subarray(4), reference(key, nonce, plain));
  assert.throws(() => sealInto(key, nonce, plain, new Uint8Array(20), 0), RangeError);
});

Deno.test("sealInto() seals in place: the plaintext may be the target's own bytes", async () => {
  await loadFastAead();
  const key = crypto.getRandomValues(new Uint8Array(32));
  const nonce = new Uint8Array(12);
  for (const size of SIZES) {
    const plain = pattern(size);
    const target = new Uint8Array(4 + size + TAG_BYTES);
    target.set(plain, 4);
    sealInto(key, nonce, target.subarray(4, 4 + size), target, 4);
    assert.deepEqual(target.subarray(4), reference(key, nonce, plain), `${size} bytes`);
  }
});

Deno.test("seal() and open() refuse a key or nonce of the wrong size", async () => {
  await loadFastAead();
  for (const size of [1, 5000]) {
    assert.throws(
      () => seal(new Uint8Array(31), new Uint8Array(12), new Uint8Array(size)),
      TypeError,
    );
    assert.throws(
      () => seal(new Uint8Array(32), new Uint8Array(8), new Uint8Array(size)),
      TypeError,
    );
    assert.throws(
      () => open(new Uint8Array(33), new Uint8Array(12), new Uint8Array(size)),
      TypeError,
    );
  }
});

Deno.test("openInto() reuses one target at every size and refuses what open() refuses", async () => {
  await loadFastAead();
  const key = crypto.getRandomValues(new Uint8Array(32));
  const nonce = new Uint8Array(12);
  const target = new Uint8Array(80_000);
  for (const size of SIZES) {
    const plain = pattern(size);
    const sealed = reference(key, nonce, plain);
    assert.deepEqual(openInto(key, nonce, sealed, target), plain, `size ${size}`);
    sealed[0] ^= 1;
    if (size > 0) assert.equal(openInto(key, nonce, sealed, target), undefined);
  }
  const sealed = reference(key, nonce, pattern(100));
  assert.throws(() => openInto(key, nonce, sealed, new Uint8Array(99)), RangeError);
});

Deno.test("Wycheproof ChaCha20-Poly1305: every case without AAD, through libsodium and node:crypto each", async () => {
  await loadFastAead();
  const backends = aeadBackends();
  assert.deepEqual(backends.map((backend) => backend.name), ["libsodium", "node:crypto"]);
  const { testGroups } = await wycheproof("chacha20_poly1305_test.json");
  // Our frames carry no AAD: the cases with one do not fit (the API has none).
  const cases = testGroups.flatMap((group) => group.tests).filter((test) => test.aad === "");
  let valid = 0;
  let invalid = 0;
  for (const backend of backends) {
    for (const test of cases) {
      const [key, nonce, msg, ct, tag] = [test.key, test.iv, test.msg, test.ct, test.tag].map(hex);
      const what = `${backend.name} case ${test.tcId} (${test.comment})`;
      if (test.result === "valid") {
        valid++;
        assert.equal(toHex(backend.seal(key, nonce, msg)), toHex(ct) + toHex(tag), what);
        const opened = backend.open(key, nonce, new Uint8Array([...ct, ...tag]));
        assert.equal(opened && toHex(opened), toHex(msg), what);
        // Any change to the tag is refused (ours, on top of Wycheproof's).
        const forged = new Uint8Array([...ct, ...tag]);
        forged[forged.length - 1] ^= 1;
        assert.equal(backend.open(key, nonce, forged), undefined, what);
      } else {
        invalid++;
        // Every invalid case that fits is a nonce of the wrong size: refused either way.
        assert.throws(() => backend.seal(key, nonce, msg), TypeError, what);
        assert.throws(() => backend.open(key, nonce, new Uint8Array([...ct, ...tag])), TypeError);
      }
    }
  }
  assert.deepEqual([valid, invalid], [2 * 45, 2 * 9], "cases checked per verdict");
});

Deno.test("Wycheproof ChaCha20-Poly1305: seal and open choose either back-end and give the same bytes", async () => {
  await loadFastAead();
  const { testGroups } = await wycheproof("chacha20_poly1305_test.json");
  for (const group of testGroups) {
    if (group.ivSize !== 96) continue;
    for (const test of group.tests) {
      if (test.aad !== "" || test.result !== "valid") continue;
      const [key, nonce, msg, ct, tag] = [test.key, test.iv, test.msg, test.ct, test.tag].map(hex);
      assert.equal(toHex(seal(key, nonce, msg)), toHex(ct) + toHex(tag));
      assert.equal(toHex(open(key, nonce, new Uint8Array([...ct, ...tag]))!), toHex(msg));
    }
  }
});
