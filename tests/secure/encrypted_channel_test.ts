import assert from "node:assert/strict";
import {
  AUTHENTICATION_FAILED,
  FrameOpener,
  FrameSealer,
  OpenStream,
  SEAL_OVERHEAD,
  SealStream,
  SecureChannelError,
} from "../../lib/secure/encrypted_channel.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function newKey(): Promise<CryptoKey> {
  return crypto.subtle.generateKey({ name: "AES-GCM", length: 256 }, false, [
    "encrypt",
    "decrypt",
  ]);
}

async function sealAll(key: CryptoKey, texts: string[]): Promise<Uint8Array[]> {
  const sealed = ReadableStream.from(texts.map((text) => encoder.encode(text)))
    .pipeThrough(new SealStream(key));
  return await Array.fromAsync(sealed);
}

async function openAll(key: CryptoKey, frames: Uint8Array[]): Promise<string[]> {
  const opened = ReadableStream.from(frames).pipeThrough(new OpenStream(key));
  return (await Array.fromAsync(opened)).map((chunk) => decoder.decode(chunk));
}

function failsAuthentication(promise: Promise<unknown>): Promise<void> {
  return assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof SecureChannelError);
    assert.equal(error.message, AUTHENTICATION_FAILED);
    return true;
  });
}

Deno.test("encrypted channel: frames round-trip in order", async () => {
  const key = await newKey();
  const texts = ["hello", "", "x".repeat(70_000), "bye"];
  const frames = await sealAll(key, texts);
  assert.equal(frames[0].length, 5 + SEAL_OVERHEAD);
  assert.ok(!decoder.decode(frames[0]).includes("hello"));
  assert.deepEqual(await openAll(key, frames), texts);
});

Deno.test("encrypted channel: equal plaintexts give different ciphertexts", async () => {
  const frames = await sealAll(await newKey(), ["same", "same"]);
  assert.notDeepEqual(frames[0], frames[1]);
});

Deno.test("encrypted channel: a flipped bit fails authentication", async () => {
  const key = await newKey();
  for (const index of [0, 4, 20]) {
    const frames = await sealAll(key, ["hello", "world"]);
    frames[1][index] ^= 0x01;
    await failsAuthentication(openAll(key, frames));
  }
});

Deno.test("encrypted channel: a replayed frame fails authentication", async () => {
  const key = await newKey();
  const [first, second] = await sealAll(key, ["one", "two"]);
  await failsAuthentication(openAll(key, [first, first, second]));
});

Deno.test("encrypted channel: reordered frames fail authentication", async () => {
  const key = await newKey();
  const [first, second, third] = await sealAll(key, ["one", "two", "three"]);
  await failsAuthentication(openAll(key, [first, third, second]));
});

Deno.test("encrypted channel: a dropped frame fails authentication", async () => {
  const key = await newKey();
  const [first, , third] = await sealAll(key, ["one", "two", "three"]);
  await failsAuthentication(openAll(key, [first, third]));
});

Deno.test("encrypted channel: truncated, empty and foreign frames fail authentication", async () => {
  const key = await newKey();
  const [frame] = await sealAll(key, ["hello"]);
  await failsAuthentication(openAll(key, [frame.subarray(0, frame.length - 1)]));
  await failsAuthentication(openAll(key, [new Uint8Array()]));
  await failsAuthentication(openAll(await newKey(), [frame]));
});

Deno.test("encrypted channel: after one failure the opener stays broken", async () => {
  const key = await newKey();
  const sealer = new FrameSealer(key);
  const opener = new FrameOpener(key);
  const first = await sealer.seal(encoder.encode("one"));
  const second = await sealer.seal(encoder.encode("two"));
  await failsAuthentication(opener.open(second));
  await failsAuthentication(opener.open(first));
  await failsAuthentication(opener.open(second));
});

Deno.test("encrypted channel: sealer and opener refuse to go past the frame limit", async () => {
  const key = await newKey();
  const sealer = new FrameSealer(key, { maxFrames: 2 });
  const opener = new FrameOpener(key, { maxFrames: 2 });
  for (let i = 0; i < 2; i++) await opener.open(await sealer.seal(new Uint8Array([i])));
  await assert.rejects(sealer.seal(new Uint8Array()), /frame limit/);
  await assert.rejects(opener.open(new Uint8Array(16)), /frame limit/);
  assert.equal(sealer.count, 2);
});

Deno.test("encrypted channel: the streams run the sealer and opener", async () => {
  const key = await newKey();
  const sealer = new FrameSealer(key);
  const frames = [await sealer.seal(encoder.encode("a")), await sealer.seal(encoder.encode("b"))];
  assert.deepEqual(await openAll(key, frames), ["a", "b"]);
  const opener = new FrameOpener(key);
  const streamed = await sealAll(key, ["c"]);
  assert.equal(decoder.decode(await opener.open(streamed[0])), "c");
});
