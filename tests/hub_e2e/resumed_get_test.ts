import assert from "node:assert/strict";
import { join } from "node:path";
import {
  type JsonEvent,
  sha256File,
  startConnector,
  tempDir,
  writeRandomFile,
} from "../e2e/cli_process.ts";
import { listing, untilTempHolds } from "../e2e/folder_listing.ts";
import { ValveProxy } from "../e2e/valve_proxy.ts";
import { startHub } from "./hub_process.ts";

const BIG = 200_000_000;
/** A 200 MB transfer under load on two shared cores. */
const TRANSFER_MS = 240_000;

const isEvent = (type: string) => (event: JsonEvent) => event.type === type;

Deno.test("a /get cut off by a hub restart resumes by itself once the member is back: the rest only crosses the wire", async () => {
  await using dir = await tempDir();
  for (const name of ["alice", "bob"]) await Deno.mkdir(join(dir.path, name));
  const source = join(dir.path, "alice", "big.bin");
  await writeRandomFile(source, BIG);
  const hash = await sha256File(source);
  const inbox = join(dir.path, "bob", "received_files");
  let hub = await startHub({ cwd: dir.path });
  await using proxy = ValveProxy.start(hub.port);
  const alice = startConnector("alice", hub.port, { cwd: join(dir.path, "alice") });
  const bob = startConnector("bob", proxy.port, { cwd: join(dir.path, "bob") });
  try {
    await alice.waitFor(isEvent("welcome"));
    await bob.waitFor(isEvent("welcome"));
    await alice.writeLine(`/send ${source}`);
    await alice.waitFor(isEvent("file-sent"), TRANSFER_MS);
    const shared = await bob.waitFor(isEvent("shared"), TRANSFER_MS);

    await bob.writeLine(`/get ${shared.file}`);
    await untilTempHolds(inbox, BIG / 2);
    hub.proc.kill("SIGKILL");
    await hub.proc.close();
    const before = proxy.passed.toClient;
    hub = await startHub({ cwd: dir.path, port: hub.port });
    await bob.waitFor(isEvent("reconnected"), 30_000);

    // No command typed again: the client asks for the file once more, and it resumes.
    const saved = await bob.waitFor(isEvent("file"), TRANSFER_MS);
    const wire = proxy.passed.toClient - before;
    assert.equal(saved.sha256, hash);
    assert.equal(saved.name, "big.bin");
    const resumedFrom = saved.resumedFrom as number;
    assert.ok(resumedFrom >= BIG / 2 && resumedFrom < BIG, `resumedFrom ${resumedFrom}`);
    assert.ok(wire < 0.6 * BIG, `${wire} bytes crossed the wire after the restart`);
    assert.equal(await sha256File(join(inbox, "big.bin")), hash);
    assert.deepEqual(await listing(inbox), ["big.bin"]);
    assert.equal(bob.events.filter(isEvent("file")).length, 1);
  } finally {
    await bob.close();
    await alice.close();
    await hub.proc.close();
  }
});

Deno.test("an upload cut off by a hub restart goes on by itself once the member is back, and is shared whole", async () => {
  await using dir = await tempDir();
  await Deno.mkdir(join(dir.path, "alice"));
  const size = 40_000_000;
  const source = join(dir.path, "alice", "big.bin");
  await writeRandomFile(source, size);
  const hash = await sha256File(source);
  let hub = await startHub({ cwd: dir.path });
  await using proxy = ValveProxy.start(hub.port);
  const alice = startConnector("alice", proxy.port, { cwd: join(dir.path, "alice") });
  const bob = startConnector("bob", hub.port, { cwd: dir.path });
  try {
    await alice.waitFor(isEvent("welcome"));
    await bob.waitFor(isEvent("welcome"));
    proxy.holdAfter(size / 2);
    await alice.writeLine(`/send ${source}`);
    await proxy.held;
    hub.proc.kill("SIGKILL");
    await hub.proc.close();
    proxy.cut();
    hub = await startHub({ cwd: dir.path, port: hub.port });

    // No command typed again: alice is told it waits, comes back, and sends it (a hub keeps no
    // part of an upload, so from the start).
    const paused = await alice.waitFor(isEvent("file-paused"), 30_000);
    assert.deepEqual(paused, { type: "file-paused", name: "big.bin" });
    await alice.waitFor(isEvent("reconnected"), 30_000);
    const sent = await alice.waitFor(isEvent("file-sent"), TRANSFER_MS);
    const shared = await bob.waitFor(isEvent("shared"), TRANSFER_MS);
    assert.equal(sent.sha256, hash);
    assert.deepEqual([shared.name, shared.sha256, shared.from], ["big.bin", hash, "alice"]);
    assert.equal(alice.events.filter(isEvent("error")).length, 0);
  } finally {
    await bob.close();
    await alice.close();
    await hub.proc.close();
  }
});
