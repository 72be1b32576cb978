import assert from "node:assert/strict";
import { plainText } from "../../lib/app/event_words.ts";
import { stopQuestion } from "../../lib/app/stop_question.ts";

Deno.test("stopQuestion: asks before stopping a hub for people, or a direct chat with someone", () => {
  assert.equal(stopQuestion(undefined), undefined);
  assert.equal(stopQuestion({ kind: "hub", others: [] }), undefined);
  assert.equal(stopQuestion({ kind: "direct", others: [] }), undefined);
  const one = stopQuestion({ kind: "hub", others: ["ann"] })!;
  assert.equal(plainText(one.question), "Stop the hub for 1 person?");
  const twelve = stopQuestion({
    kind: "hub",
    others: Array.from({ length: 12 }, (_, i) => `m${i}`),
  });
  assert.equal(plainText(twelve!.question), "Stop the hub for 12 people?");
  assert.deepEqual([twelve!.stop, twelve!.keep], ["Stop the hub", "Keep it running"]);
  const direct = stopQuestion({ kind: "direct", others: ["b\u202eob"] })!;
  // The peer's name is a segment of its own (escaped on a terminal, isolated on the page).
  assert.deepEqual(direct.question, ["End the chat with ", { peer: "b\u202eob" }, "?"]);
  assert.deepEqual([direct.stop, direct.keep], ["End the chat", "Stay"]);
});
