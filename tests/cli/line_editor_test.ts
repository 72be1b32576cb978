import assert from "node:assert/strict";
import { LineEditor, MAX_DRAFT_LENGTH } from "../../lib/cli/line_editor.ts";
import type { Key } from "../../lib/cli/key_decoder.ts";

function typed(editor: LineEditor, ...keys: (Key | string)[]) {
  return keys.map((key) =>
    editor.press(typeof key === "string" ? { name: "text", text: key } : key)
  ).filter((action) => action !== undefined);
}

Deno.test("LineEditor: typing, moving and deleting by characters a person sees", () => {
  const editor = new LineEditor();
  typed(editor, "hi 👋🏽 there", { name: "word-left" }, { name: "left" }, { name: "backspace" });
  assert.equal(editor.text, "hi  there", "one backspace removes the whole emoji");
  assert.equal(editor.cursor, 3);
  typed(editor, "e\u0301", { name: "home" }, { name: "delete" }, { name: "end" }, "!");
  assert.equal(editor.text, "i e\u0301 there!");
  typed(editor, { name: "word-left" }, { name: "kill-end" });
  assert.equal(editor.text, "i e\u0301 ");
  typed(editor, { name: "delete-word" });
  assert.equal(editor.text, "i ");
  typed(editor, { name: "kill-start" });
  assert.equal(editor.text, "");
});

Deno.test("LineEditor: Enter gives the line and empties the draft; Up and Down browse it", () => {
  const editor = new LineEditor();
  assert.deepEqual(typed(editor, "first", { name: "enter" }), [{ type: "line", line: "first" }]);
  typed(editor, "second", { name: "enter" }, "draft");
  typed(editor, { name: "up" });
  assert.equal(editor.text, "second");
  typed(editor, { name: "up" }, { name: "up" });
  assert.equal(editor.text, "first");
  typed(editor, { name: "down" }, { name: "down" });
  assert.equal(editor.text, "draft", "the draft comes back");
});

Deno.test("LineEditor: Ctrl-D ends input only on an empty line; Ctrl-C and Ctrl-L are asked for", () => {
  const editor = new LineEditor();
  assert.deepEqual(typed(editor, "ab", { name: "home" }, { name: "eof" }), []);
  assert.equal(editor.text, "b");
  typed(editor, { name: "kill-end" });
  assert.deepEqual(typed(editor, { name: "eof" }, { name: "interrupt" }, { name: "redraw" }), [
    { type: "eof" },
    { type: "interrupt" },
    { type: "redraw" },
  ]);
});

Deno.test("LineEditor: a paste beyond the draft's limit is cut, with a bell, nothing else lost", () => {
  const editor = new LineEditor();
  assert.deepEqual(typed(editor, "x".repeat(MAX_DRAFT_LENGTH - 1) + "yz"), [{ type: "bell" }]);
  assert.equal(editor.text.length, MAX_DRAFT_LENGTH);
  assert.ok(editor.text.endsWith("xy"));
});
