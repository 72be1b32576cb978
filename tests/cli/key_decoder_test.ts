import assert from "node:assert/strict";
import { type Key, KeyDecoder } from "../../lib/cli/key_decoder.ts";

const bytes = (text: string) => new TextEncoder().encode(text);

Deno.test("KeyDecoder: text, Enter and the editing keys", () => {
  const keys = new KeyDecoder();
  assert.deepEqual(
    keys.decode(bytes("hé\x1b[D\x1b[C\x1b[3~\x7f\x01\x05\x15\x0b\x17\r")),
    [
      { name: "text", text: "hé" },
      { name: "left" },
      { name: "right" },
      { name: "delete" },
      { name: "backspace" },
      { name: "home" },
      { name: "end" },
      { name: "kill-start" },
      { name: "kill-end" },
      { name: "delete-word" },
      { name: "enter" },
    ] satisfies Key[],
  );
  assert.deepEqual(keys.decode(bytes("\x03\x04")), [{ name: "interrupt" }, { name: "eof" }]);
});

Deno.test("KeyDecoder: a sequence or a character split across reads is put together", () => {
  const keys = new KeyDecoder();
  assert.deepEqual(keys.decode(bytes("a\x1b[")), [{ name: "text", text: "a" }]);
  assert.deepEqual(keys.decode(bytes("1;5D")), [{ name: "word-left" }]);
  const wave = bytes("👋");
  assert.deepEqual(keys.decode(wave.subarray(0, 2)), []);
  assert.deepEqual(keys.decode(wave.subarray(2)), [{ name: "text", text: "👋" }]);
});

Deno.test("KeyDecoder: unknown sequences and controls are dropped, never typed", () => {
  const keys = new KeyDecoder();
  assert.deepEqual(keys.decode(bytes("a\x1b[?1049hb\x1b]x\x07c\x1a\tz")), [
    { name: "text", text: "a" },
    { name: "text", text: "b" },
    { name: "text", text: "xc\tz" },
  ]);
  // A pasted Windows line end is one Enter; two lines are two.
  assert.deepEqual(keys.decode(bytes("x\r\ny\n")), [
    { name: "text", text: "x" },
    { name: "enter" },
    { name: "text", text: "y" },
    { name: "enter" },
  ]);
});
