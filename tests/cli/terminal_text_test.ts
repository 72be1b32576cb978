import assert from "node:assert/strict";
import { escapeForTerminal } from "../../lib/cli/terminal_text.ts";

Deno.test("escapeForTerminal() shows ANSI escapes instead of sending them", () => {
  assert.equal(escapeForTerminal("a\x1b[2Jb"), "a\\x1b[2Jb");
  assert.equal(escapeForTerminal("\x1b]0;title\x07"), "\\x1b]0;title\\x07");
});

Deno.test("escapeForTerminal() escapes all C0 controls and DEL as \\xNN", () => {
  assert.equal(escapeForTerminal("a\nb\rc\td"), "a\\x0ab\\x0dc\\x09d");
  assert.equal(escapeForTerminal("\0\x08\x7f"), "\\x00\\x08\\x7f");
  for (let code = 0; code < 0x20; code++) {
    const escaped = escapeForTerminal(String.fromCharCode(code));
    assert.equal(escaped, `\\x${code.toString(16).padStart(2, "0")}`);
  }
});

Deno.test("escapeForTerminal() escapes C1 controls as \\u00NN", () => {
  assert.equal(escapeForTerminal("a\u0085b"), "a\\u0085b");
  assert.equal(escapeForTerminal("\u009b2J"), "\\u009b2J");
  for (let code = 0x80; code < 0xa0; code++) {
    assert.equal(escapeForTerminal(String.fromCharCode(code)), `\\u00${code.toString(16)}`);
  }
});

Deno.test("escapeForTerminal() escapes bidi and invisible format characters", () => {
  assert.equal(escapeForTerminal("invoice\u202efdp.exe"), "invoice\\u202efdp.exe");
  assert.equal(escapeForTerminal("\u200e\u200f"), "\\u200e\\u200f");
  assert.equal(escapeForTerminal("\u202a\u202b\u202c\u202d"), "\\u202a\\u202b\\u202c\\u202d");
  assert.equal(escapeForTerminal("\u2066\u2067\u2068\u2069"), "\\u2066\\u2067\\u2068\\u2069");
  assert.equal(escapeForTerminal("a\u200bb\ufeff"), "a\\u200bb\\ufeff");
  assert.equal(escapeForTerminal("a\u2028b"), "a\\u2028b");
  assert.equal(escapeForTerminal("a\ud800b"), "a\\ud800b");
});

Deno.test("escapeForTerminal() leaves ordinary text, emoji and backslashes alone", () => {
  for (
    const text of [
      "hello, world",
      "héllo wörld ñ",
      "日本語のテキスト",
      "مرحبا",
      "👋🏽 👨‍👩‍👧 🏴󠁧󠁢󠁥󠁮󠁧󠁿 ❤️",
      "C:\\Users\\alice",
      "a\\x1bb",
      "",
    ]
  ) {
    assert.equal(escapeForTerminal(text), text);
  }
});
