import assert from "node:assert/strict";
import { escapeForTerminal, jsonForTerminal } from "../../lib/cli/terminal_text.ts";

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
  assert.equal(escapeForTerminal("\u061c\u2068"), "\\u061c\\u2068");
});

Deno.test("escapeForTerminal() shows every bidi control escaped", () => {
  const bidi = [0x061c, 0x200e, 0x200f, ...range(0x202a, 0x202e), ...range(0x2066, 0x2069)];
  for (const code of bidi) {
    const escaped = escapeForTerminal(`a${String.fromCharCode(code)}b`);
    assert.equal(escaped, `a\\u${code.toString(16).padStart(4, "0")}b`);
  }
});

Deno.test("escapeForTerminal() shows text hidden in tag characters, but keeps subdivision flags", () => {
  // "hi" in invisible tag characters: shown, so a hidden message cannot ride along.
  assert.equal(escapeForTerminal("ok\u{e0068}\u{e0069}"), "ok\\u{e0068}\\u{e0069}");
  assert.equal(escapeForTerminal("\u{e0001}\u{1d173}\u{1bca0}"), "\\u{e0001}\\u{1d173}\\u{1bca0}");
  const scotland = "\u{1f3f4}\u{e0067}\u{e0062}\u{e0073}\u{e0063}\u{e0074}\u{e007f}";
  assert.equal(escapeForTerminal(`go ${scotland}!`), `go ${scotland}!`);
  // A flag cannot smuggle more than a subdivision code.
  const long = `\u{1f3f4}${"\u{e0061}".repeat(7)}\u{e007f}`;
  assert.equal(escapeForTerminal(long), `\u{1f3f4}${"\\u{e0061}".repeat(7)}\\u{e007f}`);
});

Deno.test("escapeForTerminal() escaping twice is the same as once", () => {
  const text = "a\x1b[2J\u202eb\u{e0041}\u0085\n";
  assert.equal(escapeForTerminal(escapeForTerminal(text)), escapeForTerminal(text));
});

Deno.test("jsonForTerminal() leaves no C1, DEL or bidi raw and parses to the same value", () => {
  const value = { text: "a\u009b2J\x7f\u202eb\u2028\u{e0041}\x1b 👋", n: 1 };
  const line = jsonForTerminal(value);
  assert.equal(
    line,
    '{"text":"a\\u009b2J\\u007f\\u202eb\\u2028\\udb40\\udc41\\u001b 👋","n":1}',
  );
  assert.deepEqual(JSON.parse(line), value);
  assert.doesNotMatch(line, /[\p{Cc}\p{Cf}]/u);
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

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}
