import assert from "node:assert/strict";
import {
  CliProcess,
  type JsonEvent,
  sha256File,
  startConnector,
  startListener,
  tempDir,
  writeRandomFile,
} from "./cli_process.ts";

const MB = 1024 * 1024;
const FILE_BYTES = 50 * MB;
/** Peak memory may grow by this much while 50 MB pass through: far less than the file. */
const MAX_GROWTH = 40 * MB;
const TRANSFER_MS = 60_000;

const isEvent = (type: string, name?: string) => (event: JsonEvent) =>
  event.type === type && (name === undefined || event.name === name);

/** Index of the first event matching `test`, or -1. */
function indexOf(proc: CliProcess, test: (event: JsonEvent) => boolean): number {
  return proc.events.findIndex(test);
}

async function listing(dir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(dir)) names.push(entry.name);
  return names.sort();
}

Deno.test("50 MB files go each way while chat flows; hashes match, (1) on a clash, memory stays flat", async () => {
  await using base = await tempDir();
  const aliceDir = `${base.path}/alice`;
  const bobDir = `${base.path}/bob`;
  await Deno.mkdir(`${aliceDir}/outbox`, { recursive: true });
  await Deno.mkdir(`${bobDir}/outbox`, { recursive: true });
  const aliceFile = `${aliceDir}/outbox/data.bin`;
  const bobFile = `${bobDir}/outbox/data.bin`;
  await writeRandomFile(aliceFile, FILE_BYTES);
  await writeRandomFile(bobFile, FILE_BYTES);
  const aliceHash = await sha256File(aliceFile);
  const bobHash = await sha256File(bobFile);
  assert.notEqual(aliceHash, bobHash);

  const { proc: alice, port } = await startListener("alice", { cwd: aliceDir });
  const bob = startConnector("bob", port, { cwd: bobDir });
  try {
    await alice.waitFor(isEvent("connected"));
    await bob.waitFor(isEvent("connected"));
    // Settle the start-up peak (module loading) before taking the baseline.
    await bob.writeLine("warming up");
    await alice.waitFor(isEvent("message"));
    const aliceBase = await alice.memory("VmHWM");
    const bobBase = await bob.memory("VmHWM");

    // Both ways at once, with chat lines typed while the files stream.
    await bob.writeLine(`/send ${bobFile}`);
    await alice.writeLine(`/send ${aliceFile}`);
    await bob.writeLine("while sending: ça marche 🚀");
    await alice.writeLine("me too: 日本語 ✓");

    const received = await alice.waitFor(isEvent("file", "data.bin"), TRANSFER_MS);
    assert.deepEqual(received, {
      type: "file",
      from: "bob",
      name: "data.bin",
      path: "received_files/data.bin",
      bytes: FILE_BYTES,
      sha256: bobHash,
    });
    const sent = await bob.waitFor(isEvent("file-sent", "data.bin"), TRANSFER_MS);
    assert.equal(sent.sha256, bobHash);
    assert.equal(sent.bytes, FILE_BYTES);

    const receivedByBob = await bob.waitFor(isEvent("file", "data.bin"), TRANSFER_MS);
    assert.equal(receivedByBob.sha256, aliceHash);
    assert.equal(receivedByBob.path, "received_files/data.bin");
    const sentByAlice = await alice.waitFor(isEvent("file-sent", "data.bin"), TRANSFER_MS);
    assert.equal(sentByAlice.sha256, aliceHash);

    // The chat lines overtook the file data: each arrived before the file was complete.
    const lineAtAlice = indexOf(alice, (e) => e.type === "message" && e.from === "bob" &&
      e.text === "while sending: ça marche 🚀");
    const lineAtBob = indexOf(bob, (e) => e.type === "message" && e.text === "me too: 日本語 ✓");
    assert.ok(lineAtAlice >= 0 && lineAtAlice < indexOf(alice, isEvent("file")), alice.stdout);
    assert.ok(lineAtBob >= 0 && lineAtBob < indexOf(bob, isEvent("file")), bob.stdout);

    assert.equal(await sha256File(`${aliceDir}/received_files/data.bin`), bobHash);
    assert.equal(await sha256File(`${bobDir}/received_files/data.bin`), aliceHash);

    // The same name again: a new name, the first file untouched.
    await bob.writeLine(`/send ${bobFile}`);
    const again = await alice.waitFor(isEvent("file", "data (1).bin"), TRANSFER_MS);
    assert.equal(again.path, "received_files/data (1).bin");
    assert.equal(again.sha256, bobHash);
    await bob.waitFor((e) => e.type === "file-sent" && e !== sent, TRANSFER_MS);
    assert.equal(await sha256File(`${aliceDir}/received_files/data (1).bin`), bobHash);
    assert.equal(await sha256File(`${aliceDir}/received_files/data.bin`), bobHash);

    // 150 MB went through alice (host and receiver) and 100 MB through bob.
    const aliceGrowth = await alice.memory("VmHWM") - aliceBase;
    const bobGrowth = await bob.memory("VmHWM") - bobBase;
    assert.ok(
      aliceGrowth < MAX_GROWTH,
      `alice's peak memory grew by ${(aliceGrowth / MB).toFixed(1)} MB`,
    );
    assert.ok(bobGrowth < MAX_GROWTH, `bob's peak memory grew by ${(bobGrowth / MB).toFixed(1)} MB`);
    console.log(
      `peak memory growth: alice ${(aliceGrowth / MB).toFixed(1)} MB (from ${
        (aliceBase / MB).toFixed(0)
      } MB), bob ${(bobGrowth / MB).toFixed(1)} MB (from ${(bobBase / MB).toFixed(0)} MB)`,
    );

    assert.deepEqual(await listing(`${aliceDir}/received_files`), ["data (1).bin", "data.bin"]);
    assert.deepEqual(await listing(`${bobDir}/received_files`), ["data.bin"]);
    assert.equal(alice.events.filter((e) => e.type === "error").length, 0, alice.stdout);
    assert.equal(bob.events.filter((e) => e.type === "error").length, 0, bob.stdout);

    await bob.writeLine("/quit");
    assert.equal((await bob.exit()).code, 0);
    await alice.waitFor(isEvent("left"));
    await alice.closeStdin();
    assert.equal((await alice.exit()).code, 0);
  } finally {
    await bob.close();
    await alice.close();
  }
});
