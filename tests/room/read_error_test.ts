import assert from "node:assert/strict";
import { readErrorText } from "../../lib/room/read_error.ts";

Deno.test("readErrorText: what opening a file reports, in plain words", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const opened = (path: string) => Deno.open(path).then(() => "", readErrorText);
    assert.equal(await opened(`${dir}/missing.txt`), "no such file");
    await Deno.writeTextFile(`${dir}/file`, "x");
    assert.equal(await opened(`${dir}/file/inside`), "a part of the path is not a folder");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("readErrorText: another OS error loses its number and the repeated path", () => {
  assert.equal(
    readErrorText(new Error("Input/output error (os error 5): read '/x'")),
    "input/output error",
  );
  assert.equal(readErrorText("odd"), "odd");
});
