import assert from "node:assert/strict";
import { safeFileName, senderFileName, UnsafeFileNameError } from "../../lib/room/file_name.ts";

function reasonFor(name: string): string {
  try {
    safeFileName(name);
  } catch (err) {
    assert.ok(err instanceof UnsafeFileNameError);
    assert.equal(err.message, `unsafe file name: ${err.reason}`);
    return err.reason;
  }
  assert.fail(`accepted ${JSON.stringify(name)}`);
}

Deno.test("safeFileName() returns ordinary names unchanged", () => {
  for (
    const name of [
      "report.pdf",
      "archive.tar.gz",
      "README",
      ".bashrc",
      "my file (1).txt",
      "résumé.docx",
      "日本語.txt",
      "😀 party.png",
      "a".repeat(255),
      "CONSOLE.txt",
      "com10.txt",
      "nul-terminated.c",
      "a..b",
      "x".repeat(84) + "é".repeat(85), // 84 + 170 = 254 bytes
    ]
  ) {
    assert.equal(safeFileName(name), name);
  }
});

Deno.test("safeFileName() refuses empty and relative names", () => {
  assert.equal(reasonFor(""), "is empty");
  assert.equal(reasonFor("."), "is a relative path");
  assert.equal(reasonFor(".."), "is a relative path");
});

Deno.test("safeFileName() refuses path separators (CVE-2023-43619)", () => {
  for (
    const name of [
      "../../.ssh/authorized_keys",
      "/etc/passwd",
      "a/b",
      "..\\..\\evil.bat",
      "dir\\file",
      "\\\\server\\share",
      "trailing/",
    ]
  ) {
    assert.equal(reasonFor(name), "contains a path separator");
  }
});

Deno.test("safeFileName() refuses drive prefixes and reserved characters", () => {
  assert.equal(reasonFor("C:evil.txt"), "starts with a drive letter");
  assert.equal(reasonFor("z:"), "starts with a drive letter");
  for (const ch of ["<", ">", ":", '"', "|", "?", "*"]) {
    assert.equal(reasonFor(`ab${ch}c.txt`), `contains the reserved character ${ch}`);
  }
  assert.equal(reasonFor("file.txt:stream"), "contains the reserved character :");
});

Deno.test("safeFileName() refuses control characters (CVE-2023-43620)", () => {
  assert.equal(reasonFor("a\x1b[2Jb.txt"), "contains control character U+001B");
  assert.equal(reasonFor("a\rb"), "contains control character U+000D");
  assert.equal(reasonFor("a\nb"), "contains control character U+000A");
  assert.equal(reasonFor("a\tb"), "contains control character U+0009");
  assert.equal(reasonFor("a\0b"), "contains control character U+0000");
  assert.equal(reasonFor("a\x7fb"), "contains control character U+007F");
  assert.equal(reasonFor("a\u0085b"), "contains control character U+0085");
  assert.equal(reasonFor("a\u009bb"), "contains control character U+009B");
});

Deno.test("safeFileName() refuses bidi and invisible format characters", () => {
  assert.equal(reasonFor("invoice\u202efdp.exe"), "contains invisible character U+202E");
  const bidi = [0x061c, 0x200e, 0x200f, 0x202a, 0x202b, 0x202c, 0x202d, 0x202e];
  for (const cp of [...bidi, 0x2066, 0x2067, 0x2068, 0x2069]) {
    const ch = String.fromCharCode(cp);
    const hex = cp.toString(16).toUpperCase().padStart(4, "0");
    assert.equal(reasonFor(`a${ch}b`), `contains invisible character U+${hex}`);
  }
  // Text hidden in tag characters, and other invisible formatting.
  assert.equal(reasonFor("a\u{e0041}.txt"), "contains invisible character U+E0041");
  assert.equal(reasonFor("a\u{1d173}.txt"), "contains invisible character U+1D173");
  assert.equal(reasonFor("a\u2028b"), "contains invisible character U+2028");
  assert.equal(reasonFor("a\u200bb"), "contains invisible character U+200B");
  assert.equal(reasonFor("\ufeffa"), "contains invisible character U+FEFF");
  assert.equal(reasonFor("a\ud800b"), "contains invisible character U+D800");
});

Deno.test("safeFileName() refuses Windows device names with or without extension", () => {
  for (
    const name of [
      "CON",
      "con",
      "Prn.txt",
      "aux.tar.gz",
      "NUL",
      "nul.txt",
      "COM1",
      "com9.log",
      "LPT1",
      "lpt9.txt",
      "COM0",
      "LPT0.dat",
      "COM¹",
      "lpt³.txt",
      "CON .txt",
      "conin$",
      "CONOUT$.log",
    ]
  ) {
    assert.equal(reasonFor(name), "is a reserved device name on Windows", name);
  }
});

Deno.test("safeFileName() refuses trailing dots and surrounding whitespace", () => {
  assert.equal(reasonFor("report."), "ends with a dot or space");
  assert.equal(reasonFor("report..."), "ends with a dot or space");
  assert.equal(reasonFor(" report.pdf"), "starts or ends with whitespace");
  assert.equal(reasonFor("report.pdf "), "starts or ends with whitespace");
  assert.equal(reasonFor("report.pdf\u00a0"), "starts or ends with whitespace");
  assert.equal(reasonFor("\u3000x"), "starts or ends with whitespace");
});

Deno.test("safeFileName() refuses names over 255 UTF-8 bytes", () => {
  assert.equal(reasonFor("a".repeat(256)), "is longer than 255 bytes (256)");
  assert.equal(reasonFor("é".repeat(128)), "is longer than 255 bytes (256)");
  assert.equal(reasonFor("😀".repeat(64)), "is longer than 255 bytes (256)");
});

Deno.test("senderFileName() keeps only the base name", () => {
  assert.equal(senderFileName("/home/alice/docs/report.pdf"), "report.pdf");
  assert.equal(senderFileName("report.pdf"), "report.pdf");
  assert.equal(senderFileName("./dir/"), "dir");
  assert.equal(senderFileName("../a.tar.gz"), "a.tar.gz");
  if (Deno.build.os === "windows") {
    assert.equal(senderFileName("C:\\Users\\alice\\report.pdf"), "report.pdf");
    assert.equal(senderFileName("C:/Users/alice/report.pdf"), "report.pdf");
  } else {
    // A POSIX name may contain a backslash; the receiver then refuses it.
    assert.equal(senderFileName("/tmp/a\\b.txt"), "a\\b.txt");
  }
});
