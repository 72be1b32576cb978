import assert from "node:assert/strict";
import { freePort } from "../../dev/free_port.ts";

Deno.test("freePort: nothing listens there, and a program can take it", async () => {
  const port = freePort();
  assert.ok(port > 0 && port < 65536, String(port));
  await assert.rejects(
    Deno.connect({ hostname: "127.0.0.1", port }),
    Deno.errors.ConnectionRefused,
  );
  using listener = Deno.listen({ hostname: "127.0.0.1", port });
  assert.equal(listener.addr.port, port);
});
