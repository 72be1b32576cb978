import assert from "node:assert/strict";
import { PASSKEY } from "../../dev/test_passkey.ts";
import { hostPasskey } from "../../lib/cli/passkey_source.ts";
import { normalizePasskey } from "../../lib/secure/passkey.ts";

Deno.test("the tests' passkey is one a host takes from P2PCHAT_PASSKEY, unchanged", () => {
  assert.equal(normalizePasskey(PASSKEY), PASSKEY);
  const before = Deno.env.get("P2PCHAT_PASSKEY");
  Deno.env.set("P2PCHAT_PASSKEY", PASSKEY);
  try {
    assert.equal(hostPasskey({ open: false }), PASSKEY);
  } finally {
    if (before === undefined) Deno.env.delete("P2PCHAT_PASSKEY");
    else Deno.env.set("P2PCHAT_PASSKEY", before);
  }
});
