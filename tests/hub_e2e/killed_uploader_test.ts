import assert from "node:assert/strict";
import { join } from "node:path";
import { type JsonEvent, startConnector, tempDir, writeRandomFile } from "../e2e/cli_process.ts";
import { ValveProxy } from "../e2e/valve_proxy.ts";
import { HubMember } from "./hub_member.ts";
import { hubLog, startHub } from "./hub_process.ts";
import { listing } from "../e2e/folder_listing.ts";

const isEvent = (type: string) => (event: JsonEvent) => event.type === type;

Deno.test("an uploader killed with SIGKILL mid-file leaves nothing shared and, once the hub notices, nothing on its disk", async () => {
  await using dir = await tempDir();
  const files = join(dir.path, "p2pchat-data", "files");
  const hub = await startHub({ cwd: dir.path });
  await using proxy = ValveProxy.start(hub.port);
  const source = join(dir.path, "big.bin");
  await writeRandomFile(source, 24 * 1024 * 1024);
  const alice = startConnector("alice", proxy.port, { cwd: dir.path });
  let bob: HubMember | undefined;
  try {
    bob = await HubMember.join(hub.port, "bob", join(dir.path, "bob"));
    await alice.waitFor(isEvent("welcome"));
    proxy.holdAfter(4 * 1024 * 1024);
    await alice.writeLine(`/send ${source}`);
    await proxy.held;
    // Half way: only a hidden temporary file, and nothing in the list.
    const during = await listing(files);
    assert.equal(during.length, 1);
    assert.match(during[0], /^\.p2pchat-[0-9a-f]{32}\.tmp$/);

    alice.kill("SIGKILL");
    assert.equal((await alice.status).signal, "SIGKILL");
    proxy.release();
    const left = await hub.proc.waitFor(isEvent("hub-left"), 35_000);
    assert.equal(left.name, "alice");
    const failed = await hub.proc.waitFor(isEvent("hub-file-failed"));
    assert.deepEqual([failed.from, failed.name, failed.reason], ["alice", "big.bin", "alice left"]);
    assert.deepEqual(await listing(files), []);

    bob.client.listFiles();
    await bob.until(() => bob!.events.some((e) => e.type === "file-list"), "the list");
    const list = bob.events.find((e) => e.type === "file-list");
    assert.deepEqual(list?.type === "file-list" && list.files, []);
    assert.equal(bob.events.some((e) => e.type === "shared"), false);
    assert.equal(hubLog(hub.proc, "hub-shared").length, 0);
  } finally {
    await bob?.leave();
    await alice.close();
    await hub.proc.close();
  }
});
