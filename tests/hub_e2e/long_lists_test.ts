import assert from "node:assert/strict";
import { join } from "node:path";
import { type JsonEvent, startConnector, tempDir } from "../e2e/cli_process.ts";
import { HubMember } from "./hub_member.ts";
import { startHub } from "./hub_process.ts";

Deno.test("/files after 120 uploads is answered a page at a time, newest first, and nobody is cut off", async () => {
  await using dir = await tempDir();
  const hub = await startHub({ cwd: dir.path, args: ["--rate", "0"] });
  const uploads = join(dir.path, "uploads");
  await Deno.mkdir(uploads);
  const names = Array.from(
    { length: 120 },
    (_, i) => `notes-${String(i + 1).padStart(3, "0")}.txt`,
  );
  const mallory = await HubMember.join(hub.port, "mallory", join(dir.path, "mallory"));
  const bob = startConnector("bob", hub.port, { cwd: dir.path });
  try {
    await bob.waitFor((event) => event.type === "welcome");
    for (const name of names) {
      await Deno.writeFile(join(uploads, name), new Uint8Array(0));
      await mallory.client.sendFile(join(uploads, name));
    }
    await bob.waitFor((event) => event.type === "shared" && event.name === names.at(-1));

    await bob.writeLine("/files");
    const first = await bob.waitFor((event) => event.type === "files");
    assert.deepEqual([first.page, first.pages, first.total], [1, 6, 120]);
    assert.deepEqual(
      (first.files as JsonEvent[]).map((file) => file.name),
      names.slice(100).reverse(),
    );
    await bob.writeLine("/files 6");
    const last = await bob.waitFor((event) => event.type === "files" && event.page === 6);
    assert.deepEqual(
      (last.files as JsonEvent[]).map((file) => file.name),
      names.slice(0, 20).reverse(),
    );
    await bob.writeLine("still here");
    await mallory.until(
      () => mallory.messages().some((message) => message.text === "still here"),
      "bob's line after his /files",
    );
    assert.ok(!bob.events.some((event) => event.type === "reconnecting"), bob.stdout);

    await bob.closeStdin();
    assert.equal((await bob.exit()).code, 0);
  } finally {
    await mallory.leave();
    await bob.close();
    await hub.proc.close();
  }
});
