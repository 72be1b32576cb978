import assert from "node:assert/strict";
import { lineTextProblem } from "../../lib/room/line_text.ts";

Deno.test("lineTextProblem: tab and ordinary Unicode pass; controls, lone surrogates, empty and overlong lines do not", () => {
  for (
    const text of [
      "hi",
      "a\tb",
      "héllo 👋 مرحبا",
      '"quoted" \\ back',
      "\u00a0nbsp",
      "x".repeat(4096),
    ]
  ) {
    assert.equal(lineTextProblem(text), undefined, JSON.stringify(text));
  }
  assert.equal(lineTextProblem("  "), "Empty messages are not sent.");
  assert.equal(
    lineTextProblem("é".repeat(2049)),
    "Input too long (4098 bytes; the limit is 4096).",
  );
  for (const [text, code] of [["a\nb", "0a"], ["\r", "0d"], ["\x00", "00"], ["\x7f", "7f"]]) {
    assert.equal(
      lineTextProblem(`x${text}`),
      `Message rejected: control characters such as \\x${code} are not allowed (tab is).`,
    );
  }
  assert.match(lineTextProblem("C1 \u0085 \u009f")!, /such as \\x85 /);
  assert.equal(
    lineTextProblem("half \ud83d of an emoji"),
    "Message rejected: the text is not valid Unicode (it holds a lone surrogate).",
  );
});
