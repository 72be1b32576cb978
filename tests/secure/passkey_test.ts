import assert from "node:assert/strict";
import {
  generatePasskey,
  MIN_PASSKEY_BITS,
  normalizePasskey,
  PASSKEY_MAX_NUMBER,
  passkeyEntropyBits,
  passkeyStrengthBits,
  passkeyWeakness,
} from "../../lib/secure/passkey.ts";
import { PASSKEY_WORDS } from "../../lib/secure/passkey_words.ts";

Deno.test("passkey words: short lowercase a-z words, all unique", () => {
  for (const word of PASSKEY_WORDS) assert.match(word, /^[a-z]{3,8}$/);
  assert.equal(new Set(PASSKEY_WORDS).size, PASSKEY_WORDS.length);
  // Unique first four letters: a word can be recognised from its start.
  assert.equal(new Set(PASSKEY_WORDS.map((word) => word.slice(0, 4))).size, PASSKEY_WORDS.length);
  assert.ok(Object.isFrozen(PASSKEY_WORDS));
});

Deno.test("passkey: entropy of a generated passkey is at least 40 bits", () => {
  const bits = passkeyEntropyBits();
  assert.ok(bits >= 40, `only ${bits} bits`);
  const words = PASSKEY_WORDS.length;
  assert.equal(
    bits,
    Math.log2(PASSKEY_MAX_NUMBER) + Math.log2(words) + Math.log2(words - 1) +
      Math.log2(words - 2),
  );
});

Deno.test("passkey: generated passkeys look like 7-orbit-lemon-cradle", () => {
  for (let i = 0; i < 200; i++) {
    const passkey = generatePasskey();
    assert.match(passkey, /^[1-9]\d{0,2}(-[a-z]{3,8}){3}$/);
    const [number, ...words] = passkey.split("-");
    assert.ok(Number(number) >= 1 && Number(number) <= PASSKEY_MAX_NUMBER);
    for (const word of words) assert.ok(PASSKEY_WORDS.includes(word), word);
    assert.equal(normalizePasskey(passkey), passkey);
  }
});

Deno.test("passkey: generated passkeys differ", () => {
  const seen = new Set(Array.from({ length: 1000 }, generatePasskey));
  assert.equal(seen.size, 1000);
});

Deno.test("passkey: normalization forgives case, spacing, underscores and dashes", () => {
  const cases: [string, string][] = [
    ["7-orbit-lemon-cradle", "7-orbit-lemon-cradle"],
    ["7 Orbit  lemon_cradle", "7-orbit-lemon-cradle"],
    ["  7-ORBIT-Lemon-Cradle\n", "7-orbit-lemon-cradle"],
    ["7--orbit__lemon - cradle", "7-orbit-lemon-cradle"],
    ["-7-orbit-lemon-cradle-", "7-orbit-lemon-cradle"],
    ["7\torbit\u00a0lemon cradle", "7-orbit-lemon-cradle"],
    ["\uff17-orbit-lemon-cradle", "7-orbit-lemon-cradle"], // fullwidth digit
    ["", ""],
    [" _- ", ""],
    ["Correct Horse", "correct-horse"],
  ];
  for (const [input, expected] of cases) assert.equal(normalizePasskey(input), expected, input);
});

Deno.test("passkey strength: every generated passkey passes, with three different words", () => {
  for (let i = 0; i < 5000; i++) {
    const passkey = generatePasskey();
    assert.equal(new Set(passkey.split("-")).size, 4, passkey);
    assert.ok(passkeyStrengthBits(passkey) >= MIN_PASSKEY_BITS, passkey);
    assert.equal(passkeyWeakness(passkey), undefined);
  }
});

Deno.test("passkey strength: short, guessable or repetitive passkeys are refused with a clear reason", () => {
  for (
    const weak of [
      "1234",
      "123456789012",
      "1-abc-def-ghi",
      "password",
      "orbit-lemon-cradle", // three words without the number
      "7-orbit-orbit-orbit", // a repeated word adds nothing
      "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
      "abcdefghijklmnopqrstuvwxyz",
      "qwerty-2024",
    ]
  ) {
    assert.ok(passkeyStrengthBits(weak) < MIN_PASSKEY_BITS, weak);
    assert.match(
      passkeyWeakness(weak) ?? "",
      /^The passkey is too weak: it could be guessed online \(about \d+ bits; p2pchat asks for 40, as in a generated passkey such as 7-orbit-lemon-cradle\)$/,
      weak,
    );
  }
  assert.equal(Math.round(passkeyStrengthBits("1234")), 6);
});

Deno.test("passkey strength: a number and three words, four words, or a long phrase pass", () => {
  for (
    const strong of [
      "7-orbit-lemon-cradle",
      "7 Orbit lemon_cradle", // typed loosely: the same passkey
      "orbit-lemon-cradle-silver",
      "thisismylongsecretphrase",
      "correct horse battery staple",
    ]
  ) {
    assert.ok(passkeyStrengthBits(strong) >= MIN_PASSKEY_BITS, strong);
    assert.equal(passkeyWeakness(strong), undefined, strong);
  }
});
