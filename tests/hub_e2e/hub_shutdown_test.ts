import assert from "node:assert/strict";
import { type JsonEvent, startConnector, tempDir } from "../e2e/cli_process.ts";
import { startHub } from "./hub_process.ts";

const isEvent = (type: string) => (event: JsonEvent) => event.type === type;

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  const status = { SIGINT: 130, SIGTERM: 143 }[signal];
  Deno.test(`${signal} on the hub: members are told it is stopping, it exits ${status}`, async () => {
    await using dir = await tempDir();
    const hub = await startHub({ cwd: dir.path });
    const alice = startConnector("alice", hub.port, { cwd: dir.path });
    const bob = startConnector("bob", hub.port, { cwd: dir.path });
    try {
      await alice.waitFor(isEvent("welcome"));
      await bob.waitFor(isEvent("welcome"));
      await alice.writeLine("last words");
      await bob.waitFor((event) => event.type === "message" && event.text === "last words");

      hub.proc.kill(signal);
      const exit = await hub.proc.exit();
      assert.deepEqual([exit.code, exit.signal], [status, null]);
      assert.deepEqual(hub.proc.events.slice(-2), [
        { type: "system", text: "Stopping: telling members and flushing." },
        { type: "system", text: "Hub stopped." },
      ]);
      assert.deepEqual(hub.proc.stderr, "");
      for (const member of [alice, bob]) {
        const closed = await member.waitFor(isEvent("closed"));
        assert.deepEqual(closed, { type: "closed", reason: "The hub is stopping." });
        // Then it waits for the hub to come back.
        await member.waitFor(isEvent("reconnecting"));
      }
    } finally {
      await alice.close();
      await bob.close();
      await hub.proc.close();
    }
  });
}
