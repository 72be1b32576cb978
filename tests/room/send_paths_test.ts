import assert from "node:assert/strict";
import fc from "fast-check";
import { SendPathsError, splitSendPaths } from "../../lib/room/send_paths.ts";

Deno.test("splitSendPaths: blanks separate paths", () => {
  assert.deepEqual(splitSendPaths("a.txt  b.pdf\tc"), ["a.txt", "b.pdf", "c"]);
  assert.deepEqual(splitSendPaths("   "), []);
});

Deno.test("splitSendPaths: a file dropped on a terminal (backslash escapes) is one path", () => {
  assert.deepEqual(splitSendPaths(String.raw`/tmp/My\ Holiday\ \(2\).jpg notes.txt`), [
    "/tmp/My Holiday (2).jpg",
    "notes.txt",
  ]);
});

Deno.test('splitSendPaths: single quotes keep everything, double quotes all but \\" and \\\\', () => {
  assert.deepEqual(splitSendPaths(String.raw`'a \b "c"' "d \"e\" \\ \x"`), [
    String.raw`a \b "c"`,
    String.raw`d "e" \ \x`,
  ]);
  assert.deepEqual(splitSendPaths(`'it'"'"'s'`), ["it's"]);
  assert.deepEqual(splitSendPaths(`''`), [""]);
});

Deno.test("splitSendPaths: ~/ and ~ start in the home folder; ~user and quoted ~ do not", () => {
  assert.deepEqual(splitSendPaths("~/a.txt ~ ~bob/x '~/q' a~/b", "/home/al"), [
    "/home/al/a.txt",
    "/home/al",
    "~bob/x",
    "~/q",
    "a~/b",
  ]);
  assert.deepEqual(splitSendPaths("~/a.txt"), ["~/a.txt"]);
});

Deno.test("splitSendPaths: an unclosed quote or a lone backslash is an error", () => {
  assert.throws(() => splitSendPaths("'a b"), SendPathsError);
  assert.throws(() => splitSendPaths('"a b'), SendPathsError);
  assert.throws(() => splitSendPaths("a\\"), /lone/);
});

Deno.test("splitSendPaths: any paths, quoted or escaped as a shell would, come back unchanged", () => {
  const path = fc.string({ minLength: 1, unit: "grapheme" });
  const singleQuoted = (p: string) => `'${p.replaceAll("'", `'\\''`)}'`;
  const escaped = (p: string) => [...p].map((ch) => `\\${ch}`).join("");
  const doubleQuoted = (p: string) => `"${p.replaceAll("\\", "\\\\").replaceAll('"', '\\"')}"`;
  fc.assert(
    fc.property(fc.array(path, { maxLength: 5 }), fc.nat(2), (paths, way) => {
      const quote = [singleQuoted, escaped, doubleQuoted][way];
      assert.deepEqual(splitSendPaths(paths.map(quote).join(" ")), paths);
    }),
  );
});
