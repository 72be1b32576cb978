import assert from "node:assert/strict";
import {
  decodeElement,
  passkeyToScalar,
  Spake2,
  SPAKE2_P256_M,
  SPAKE2_P256_N,
  Spake2Error,
} from "../../lib/secure/spake2.ts";
import { p256 } from "@noble/curves/nist.js";
import vectors from "./testdata/rfc9382_spake2_p256.json" with { type: "json" };

interface Vector {
  A: string;
  B: string;
  w: string;
  x: string;
  y: string;
  pA: string;
  pB: string;
  K: string;
  Ke: string;
  cA: string;
  cB: string;
}

// RFC 9382 Appendix B, all four vectors (copied from shared/vectors).
const file: { M: string; N: string; vectors: Vector[] } = vectors;

const hex = (bytes: Uint8Array) =>
  Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
const unhex = (text: string) => Uint8Array.from(text.match(/../g) ?? [], (h) => parseInt(h, 16));

Deno.test("spake2: M and N are the RFC 9382 constants", () => {
  assert.equal(SPAKE2_P256_M, file.M);
  assert.equal(SPAKE2_P256_N, file.N);
});

for (const [index, v] of file.vectors.entries()) {
  Deno.test(`spake2: RFC 9382 vector ${index + 1} (A="${v.A}", B="${v.B}") reproduces`, async () => {
    const ids = { identityA: v.A, identityB: v.B };
    const a = new Spake2({ role: "A", w: BigInt("0x" + v.w), secret: BigInt("0x" + v.x), ...ids });
    const b = new Spake2({ role: "B", w: BigInt("0x" + v.w), secret: BigInt("0x" + v.y), ...ids });
    assert.equal(hex(a.message), v.pA);
    assert.equal(hex(b.message), v.pB);
    const keysA = await a.finish(b.message);
    const keysB = await b.finish(a.message);
    assert.equal(hex(keysA.sharedElement), v.K);
    assert.equal(hex(keysB.sharedElement), v.K);
    assert.equal(hex(keysA.ke), v.Ke);
    assert.equal(hex(keysB.ke), v.Ke);
    assert.equal(hex(keysA.confirmation), v.cA);
    assert.equal(hex(keysB.confirmation), v.cB);
    assert.ok(await keysA.verifyPeerConfirmation(unhex(v.cB)));
    assert.ok(await keysB.verifyPeerConfirmation(unhex(v.cA)));
    assert.ok(!await keysA.verifyPeerConfirmation(unhex(v.cA)));
  });
}

const w = await passkeyToScalar("7-orbit-lemon-cradle");
const ids = { identityA: "p2pchat client", identityB: "p2pchat host" };

async function rejectsElement(element: Uint8Array, role: "A" | "B" = "A") {
  const party = new Spake2({ role, w, ...ids });
  await assert.rejects(party.finish(element), Spake2Error);
}

Deno.test("spake2: a received element of the wrong length or encoding is rejected", async () => {
  const good = new Spake2({ role: "B", w, ...ids }).message;
  await rejectsElement(new Uint8Array());
  await rejectsElement(good.subarray(0, 64));
  await rejectsElement(new Uint8Array([...good, 0]));
  await rejectsElement(p256.Point.fromBytes(good).toBytes(true)); // compressed
  const hybrid = good.slice();
  hybrid[0] = 0x06;
  await rejectsElement(hybrid);
});

Deno.test("spake2: a received element off the curve is rejected", async () => {
  const bad = new Spake2({ role: "B", w, ...ids }).message;
  bad[64] ^= 1; // y no longer satisfies the curve equation
  await rejectsElement(bad);
  assert.throws(() => decodeElement(bad), Spake2Error);
  const outOfField = new Uint8Array(65).fill(0xff);
  outOfField[0] = 4;
  await rejectsElement(outOfField);
});

Deno.test("spake2: the identity element is rejected", async () => {
  const identity = new Uint8Array(65);
  identity[0] = 4;
  await rejectsElement(identity);
  await rejectsElement(new Uint8Array([0]));
});

Deno.test("spake2: an element that makes K the identity is rejected", async () => {
  // pB = w*N unblinds to the identity on A's side; pA = w*M does the same on B's side.
  const wN = p256.Point.fromHex(SPAKE2_P256_N).multiply(w).toBytes(false);
  const wM = p256.Point.fromHex(SPAKE2_P256_M).multiply(w).toBytes(false);
  await rejectsElement(wN, "A");
  await rejectsElement(wM, "B");
});

Deno.test("spake2: a peer element that leaves -G after unblinding still gives secret*(-G)", async () => {
  // ECDH cannot take the identity that -G + G would need: this case takes the slow path.
  const w = 7n;
  const secret = 11n;
  const G = p256.Point.BASE;
  const hostile = p256.Point.fromHex(SPAKE2_P256_M).multiply(w).subtract(G);
  const host = new Spake2({ role: "B", w, secret });
  const keys = await host.finish(hostile.toBytes(false));
  assert.deepEqual(keys.sharedElement, G.multiply(secret).negate().toBytes(false));
});

Deno.test("spake2: different passkeys fail confirmation both ways", async () => {
  const a = new Spake2({ role: "A", w, ...ids });
  const b = new Spake2({ role: "B", w: await passkeyToScalar("8-orbit-lemon-cradle"), ...ids });
  const keysA = await a.finish(b.message);
  const keysB = await b.finish(a.message);
  assert.ok(!await keysA.verifyPeerConfirmation(keysB.confirmation));
  assert.ok(!await keysB.verifyPeerConfirmation(keysA.confirmation));
  assert.notDeepEqual(keysA.ke, keysB.ke);
});

Deno.test("spake2: the AAD is bound into the confirmation MACs", async () => {
  const a = new Spake2({ role: "A", w, ...ids });
  const b = new Spake2({ role: "B", w, ...ids });
  const keysA = await a.finish(b.message, new Uint8Array([1, 1]));
  const keysB = await b.finish(a.message, new Uint8Array([1, 0]));
  assert.deepEqual(keysA.ke, keysB.ke);
  assert.ok(!await keysA.verifyPeerConfirmation(keysB.confirmation));
  assert.ok(!await keysB.verifyPeerConfirmation(keysA.confirmation));
});

Deno.test("spake2: a MAC of the wrong length never verifies", async () => {
  const a = new Spake2({ role: "A", w, ...ids });
  const b = new Spake2({ role: "B", w, ...ids });
  const keysA = await a.finish(b.message);
  const keysB = await b.finish(a.message);
  assert.ok(await keysA.verifyPeerConfirmation(keysB.confirmation));
  assert.ok(!await keysA.verifyPeerConfirmation(keysB.confirmation.subarray(0, 16)));
  assert.ok(!await keysA.verifyPeerConfirmation(new Uint8Array()));
});

Deno.test("spake2: finish may be called only once", async () => {
  const a = new Spake2({ role: "A", w, ...ids });
  const b = new Spake2({ role: "B", w, ...ids });
  await a.finish(b.message);
  await assert.rejects(a.finish(b.message), /only once/);
});

Deno.test("spake2: passkeyToScalar is deterministic, in range and passkey-specific", async () => {
  const n = p256.Point.Fn.ORDER;
  assert.equal(await passkeyToScalar("7-orbit-lemon-cradle"), w);
  assert.ok(w > 0n && w < n);
  assert.notEqual(await passkeyToScalar("7-orbit-lemon-cradlf"), w);
  assert.notEqual(await passkeyToScalar(""), w);
});

Deno.test("spake2: fresh ephemeral secrets give fresh messages", () => {
  const a1 = new Spake2({ role: "A", w, ...ids });
  const a2 = new Spake2({ role: "A", w, ...ids });
  assert.notDeepEqual(a1.message, a2.message);
});
