import assert from "node:assert/strict";
import { CliProcess, tempDir } from "../e2e/cli_process.ts";
import { startHub } from "./hub_process.ts";

const CODE = /\d{4} \d{4} \d{4}/;

Deno.test("open mode: the hub shows each member's safety code, and a reconnect shows the new one", async () => {
  await using dir = await tempDir();
  const hub = CliProcess.start(["serve", "0", "--host", "127.0.0.1", "--open"], { cwd: dir.path });
  let again: CliProcess | undefined;
  let bob: CliProcess | undefined;
  try {
    const listening = await hub.waitForLine((line) => line.startsWith("[System] Hub listening"));
    const port = Number(listening.match(/:(\d+) /)![1]);
    bob = CliProcess.start(["connect", "127.0.0.1", String(port), "--name", "bob", "--open"], {
      cwd: dir.path,
    });
    const first = await bob.waitForLine((line) => line.includes("NOT authenticated"));
    const firstCode = first.match(CODE)![0];
    // The hub's console names bob with the code his screen shows.
    await hub.waitForLine((line) =>
      line.startsWith("[System] bob joined from 127.0.0.1:") &&
      line.includes(`(not authenticated, safety code ${firstCode})`)
    );
    await bob.waitForLine((line) => line.startsWith("[System] Joined the hub as bob."));

    hub.kill("SIGKILL");
    await hub.close();
    const restarted = await startHub({ cwd: dir.path, port, args: ["--open"] });
    again = restarted.proc;
    const told = await bob.waitForLine((line) => line.includes("The safety code CHANGED"), 20_000);
    const newCode = told.match(CODE)![0];
    assert.equal(
      told,
      `[System] New connection to 127.0.0.1:${port}, NOT authenticated (open mode). ` +
        `The safety code CHANGED: now ${newCode} (was ${firstCode}) - ` +
        "check that the other screen shows the new code.",
    );
    assert.notEqual(newCode, firstCode);
    await bob.waitForLine((line) => line === "[System] Reconnected.");
    // Told before anything from the new connection is shown (its welcome).
    const welcomes = bob.lines.flatMap((line, i) =>
      /^\[System\] (Joined|Back in) the hub/.test(line) ? [i] : []
    );
    assert.equal(welcomes.length, 2, bob.stdout);
    assert.ok(welcomes[0] < bob.lines.indexOf(told) && bob.lines.indexOf(told) < welcomes[1]);
    // serve --json logs the same code with the join.
    const joined = await again.waitFor((event) => event.type === "hub-joined");
    assert.equal(joined.name, "bob");
    assert.equal(joined.safety, newCode);
  } finally {
    await bob?.close();
    await again?.close();
    await hub.close();
  }
});
