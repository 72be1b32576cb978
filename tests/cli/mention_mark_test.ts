import assert from "node:assert/strict";
import { markMention, mentionMark } from "../../lib/cli/mention_mark.ts";

Deno.test("mentionMark: the bell on a terminal only; styles only where colour is welcome", () => {
  const on = (terminal: boolean, env: { [name: string]: string }) => mentionMark({ terminal, env });
  assert.deepEqual(on(true, { TERM: "xterm-256color" }), { bell: true, styled: true });
  assert.deepEqual(on(true, { NO_COLOR: "1" }), { bell: true, styled: false });
  // NO_COLOR counts when it is set to something (https://no-color.org).
  assert.deepEqual(on(true, { NO_COLOR: "" }), { bell: true, styled: true });
  assert.deepEqual(on(true, { TERM: "dumb" }), { bell: true, styled: false });
  assert.deepEqual(on(false, {}), { bell: false, styled: false });
});

Deno.test("markMention: reverse video or a *, and the bell only when asked to ring", () => {
  const line = "[alice] hi bob";
  assert.equal(
    markMention(line, { bell: true, styled: true }, true),
    `\x07\x1b[1;7m${line}\x1b[0m`,
  );
  assert.equal(markMention(line, { bell: true, styled: true }), `\x1b[1;7m${line}\x1b[0m`);
  assert.equal(markMention(line, { bell: true, styled: false }, true), `\x07* ${line}`);
  assert.equal(markMention(line, { bell: false, styled: false }, true), `* ${line}`);
});
