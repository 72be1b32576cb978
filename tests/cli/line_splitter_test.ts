import assert from "node:assert/strict";
import { LineSplitter } from "../../lib/cli/line_splitter.ts";

async function lines(chunks: string[]): Promise<string[]> {
  return await Array.fromAsync(ReadableStream.from(chunks).pipeThrough(new LineSplitter()));
}

Deno.test("LineSplitter: splits on newlines and joins lines split across chunks", async () => {
  assert.deepEqual(await lines(["a\nb", "c\n", "d"]), ["a", "bc", "d"]);
  assert.deepEqual(await lines(["he", "ll", "o\nworld\n"]), ["hello", "world"]);
});

Deno.test("LineSplitter: drops \\r of Windows line ends, even when split from the \\n", async () => {
  assert.deepEqual(await lines(["one\r\ntwo\r", "\nthree"]), ["one", "two", "three"]);
  // A \r inside a line is the peer's business; only the line end is stripped.
  assert.deepEqual(await lines(["a\rb\n"]), ["a\rb"]);
});

Deno.test("LineSplitter: keeps empty lines, and has no phantom line at the end", async () => {
  assert.deepEqual(await lines(["\n\nx\n"]), ["", "", "x"]);
  assert.deepEqual(await lines(["x\n"]), ["x"]);
  assert.deepEqual(await lines([]), []);
  assert.deepEqual(await lines([""]), []);
});

Deno.test("LineSplitter: a last line without a newline is still delivered", async () => {
  assert.deepEqual(await lines(["/send a.txt"]), ["/send a.txt"]);
});

Deno.test("LineSplitter: works on decoded stdin bytes", async () => {
  const bytes = new TextEncoder().encode("héllo 👋\n/quit\n");
  const stream = ReadableStream.from([
    bytes.subarray(0, 2),
    bytes.subarray(2, 9),
    bytes.subarray(9),
  ])
    .pipeThrough(new TextDecoderStream())
    .pipeThrough(new LineSplitter());
  assert.deepEqual(await Array.fromAsync(stream), ["héllo 👋", "/quit"]);
});
