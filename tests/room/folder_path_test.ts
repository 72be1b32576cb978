import assert from "node:assert/strict";
import { UnsafeFileNameError } from "../../lib/room/file_name.ts";
import {
  MAX_FOLDER_DEPTH,
  MAX_RELATIVE_PATH_BYTES,
  portableFileName,
  safeRelativePath,
} from "../../lib/room/folder_path.ts";

function reasonFor(path: string): string {
  try {
    safeRelativePath(path);
  } catch (err) {
    assert.ok(err instanceof UnsafeFileNameError);
    return err.reason;
  }
  assert.fail(`accepted ${JSON.stringify(path)}`);
}

Deno.test("safeRelativePath: ordinary nested paths, Unicode included, come back as components", () => {
  assert.deepEqual(safeRelativePath("a.txt"), ["a.txt"]);
  assert.deepEqual(safeRelativePath("photos/été 2024/😀.jpg"), ["photos", "été 2024", "😀.jpg"]);
  assert.deepEqual(safeRelativePath(".config/x"), [".config", "x"]);
});

Deno.test("safeRelativePath: characters unsafe only on some systems become _", () => {
  assert.deepEqual(safeRelativePath('notes/say "hi": a|b?.txt'), ["notes", "say _hi__ a_b_.txt"]);
  assert.deepEqual(safeRelativePath("C:/x"), ["C_", "x"]);
  assert.deepEqual(safeRelativePath("a\\..\\b"), ["a_.._b"]);
  assert.equal(portableFileName("<*>"), "___");
});

Deno.test("safeRelativePath: climbing out, absolute paths and empty components are refused", () => {
  assert.equal(reasonFor("../x"), "is a relative path");
  assert.equal(reasonFor("a/../../x"), "is a relative path");
  assert.equal(reasonFor("a/./x"), "is a relative path");
  assert.equal(reasonFor("/etc/passwd"), "is an absolute path");
  assert.equal(reasonFor("a//b"), "is empty");
  assert.equal(reasonFor("a/"), "is empty");
  assert.equal(reasonFor(""), "is empty");
});

Deno.test("safeRelativePath: device names, control and invisible characters are refused", () => {
  assert.equal(reasonFor("a/NUL.txt"), "is a reserved device name on Windows");
  assert.equal(reasonFor("a/com1"), "is a reserved device name on Windows");
  assert.equal(reasonFor("a/b\x1b[2Jc"), "contains control character U+001B");
  assert.equal(reasonFor("a/evil\u202etxt.exe"), "contains invisible character U+202E");
  assert.equal(reasonFor("a/b./c"), "ends with a dot or space");
});

Deno.test("safeRelativePath: depth and length have limits", () => {
  const deepest = Array.from({ length: MAX_FOLDER_DEPTH + 1 }, (_, i) => `d${i}`).join("/");
  assert.equal(safeRelativePath(deepest).length, MAX_FOLDER_DEPTH + 1);
  assert.match(reasonFor(`x/${deepest}`), /nested deeper than 32 folders/);
  const long = Array.from({ length: 20 }, () => "n".repeat(250)).join("/");
  assert.ok(long.length > MAX_RELATIVE_PATH_BYTES);
  assert.match(reasonFor(long), /longer than 4096 bytes/);
});
