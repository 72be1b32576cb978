import assert from "node:assert/strict";
import { createCipheriv } from "node:crypto";
import {
  fastAeadLoaded,
  loadFastAead,
  open,
  openInto,
  seal,
  sealInto,
  SMALL_FRAME_BYTES,
  TAG_BYTES,
} from "../../lib/secure/chacha20_poly1305.ts";

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
