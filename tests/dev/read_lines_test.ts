import assert from "node:assert/strict";
import { readLines } from "../../dev/read_lines.ts";

/** A stream that delivers `chunks` as separate reads. */
function chunked(...chunks: Uint8Array[]): ReadableStream<Uint8Array> {
  return ReadableStream.from(chunks);
}

Deno.test("readLines: lines split across reads, a UTF-8 character cut in two, no final newline", async () => {
  const bytes = new TextEncoder().encode("hi 👋\nsecond line\n\nlast");
  const wave = bytes.indexOf(0xf0);
  const lines: string[] = [];
  await readLines(
    chunked(
      bytes.subarray(0, wave + 2),
      bytes.subarray(wave + 2, wave + 9),
      bytes.subarray(wave + 9),
    ),
    (line) => lines.push(line),
  );
  assert.deepEqual(lines, ["hi 👋", "second line", "", "last"]);
});

Deno.test("readLines: a child's output, line by line as printed", async () => {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["eval", "console.log('one'); console.log('two')"],
    stdout: "piped",
  }).spawn();
  const lines: string[] = [];
  await readLines(child.stdout, (line) => lines.push(line));
  assert.equal((await child.status).code, 0);
  assert.deepEqual(lines, ["one", "two"]);
});
