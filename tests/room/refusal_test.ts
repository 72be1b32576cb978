import assert from "node:assert/strict";
import { MAX_REASON_LENGTH, refusalReason } from "../../lib/room/refusal.ts";
import { parseMessage } from "../../lib/session/message.ts";

Deno.test("refusalReason: a short reason is the error's message as it is", () => {
  assert.equal(refusalReason(new Error("the disk is full")), "the disk is full");
  assert.equal(refusalReason("refused: no"), "refused: no");
});

Deno.test("refusalReason: a reason quoting a long file name loses part of the name, never why", () => {
  const name = `${"ü".repeat(120)}${"😀".repeat(60)}.bin`;
  const reason = refusalReason(new Error(`refused '${name}': too large (2.0 kB, limit 1.0 kB)`));
  assert.ok(reason.length <= MAX_REASON_LENGTH, `${reason.length}`);
  assert.ok(reason.endsWith(".bin': too large (2.0 kB, limit 1.0 kB)"), reason);
  assert.ok(reason.startsWith("refused 'üüü"), reason);
  assert.ok(!/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(reason));
  // What the receiving side's decoder takes.
  parseMessage({ t: "received", fid: 1, ok: false, reason });
  parseMessage({ t: "cancel", fid: 1, reason });
});
