import assert from "node:assert/strict";
import { MemoryKnownClients } from "../../lib/room/known_clients.ts";

Deno.test("MemoryKnownClients: keeps the most recently seen, up to its capacity", () => {
  const clients = new MemoryKnownClients(2);
  clients.joined("a", 1);
  clients.joined("b", 2);
  clients.left("a"); // a seen after b
  clients.joined("c", 3);
  assert.equal(clients.replayFloor("b"), undefined);
  assert.equal(clients.replayFloor("a"), 1);
  assert.equal(clients.replayFloor("c"), 3);
});
