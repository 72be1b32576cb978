import assert from "node:assert/strict";
import {
  type CliProcess,
  type JsonEvent,
  sha256File,
  startConnector,
  startListener,
  tempDir,
  writeRandomFile,
} from "./cli_process.ts";
import { listing } from "./folder_listing.ts";

const MB = 1024 * 1024;
const FILE_BYTES = 50 * MB;
const TRANSFER_MS = 60_000;

const isEvent = (type: string, name?: string) => (event: JsonEvent) =>
  event.type === type && (name === undefined || event.name === name);

/** Index of the first event matching `test`, or -1. */
function indexOf(proc: CliProcess, test: (event: JsonEvent) => boolean): number {
  return proc.events.findIndex(test);
}

Deno.test("50 MB files go each way while chat flows; hashes match; a clash gets (1)", async () => {
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
    const lineAtAlice = indexOf(alice, (e) =>
      e.type === "message" && e.from === "bob" &&
      e.text === "while sending: ça marche 🚀");
    const lineAtBob = indexOf(bob, (e) => e.type === "message" && e.text === "me too: 日本語 ✓");
    assert.ok(lineAtAlice >= 0 && lineAtAlice < indexOf(alice, isEvent("file")), alice.stdout);
    assert.ok(lineAtBob >= 0 && lineAtBob < indexOf(bob, isEvent("file")), bob.stdout);

    assert.equal(await sha256File(`${aliceDir}/received_files/data.bin`), bobHash);
    assert.equal(await sha256File(`${bobDir}/received_files/data.bin`), aliceHash);

    // The same name again with other content: a new name, the first file untouched.
    await Deno.remove(bobFile);
    await writeRandomFile(bobFile, FILE_BYTES);
    const bobHash2 = await sha256File(bobFile);
    await bob.writeLine(`/send ${bobFile}`);
    const again = await alice.waitFor(isEvent("file", "data (1).bin"), TRANSFER_MS);
    assert.equal(again.path, "received_files/data (1).bin");
    assert.equal(again.sha256, bobHash2);
    await bob.waitFor((e) => e.type === "file-sent" && e !== sent, TRANSFER_MS);
    assert.equal(await sha256File(`${aliceDir}/received_files/data (1).bin`), bobHash2);
    assert.equal(await sha256File(`${aliceDir}/received_files/data.bin`), bobHash);

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

// V8 lets about 64 MB of dead ArrayBuffers pile up before it collects them, so any transfer
// grows the peak by 70-100 MB, whatever the file size (measured: the same for 50 and 200
// MB). A file buffered whole would add its own size on top; with 200 MB that cannot hide.
const BIG_FILE_BYTES = 200 * MB;
const MAX_GROWTH = 150 * MB;

/**
 * Sends the big file once, from the listener or from the connector, in a fresh pair of
 * processes (peak memory only ever grows, so each direction gets its own), and returns how
 * much each side's peak grew.
 */
async function peakGrowth(
  from: "listener" | "connector",
): Promise<{ sender: number; receiver: number; text: string }> {
  await using base = await tempDir();
  const aliceDir = `${base.path}/alice`;
  const bobDir = `${base.path}/bob`;
  await Deno.mkdir(aliceDir);
  await Deno.mkdir(bobDir);
  const source = `${base.path}/big.bin`;
  await writeRandomFile(source, BIG_FILE_BYTES);
  const hash = await sha256File(source);

  const { proc: alice, port } = await startListener("alice", { cwd: aliceDir });
  const bob = startConnector("bob", port, { cwd: bobDir });
  try {
    await alice.waitFor(isEvent("connected"));
    await bob.waitFor(isEvent("connected"));
    // A line each way first, so start-up allocations are in the baseline.
    await bob.writeLine("ready?");
    await alice.waitFor(isEvent("message"));
    await alice.writeLine("ready.");
    await bob.waitFor(isEvent("message"));
    const [sender, receiver] = from === "listener" ? [alice, bob] : [bob, alice];
    const senderBase = await sender.memory("VmHWM");
    const receiverBase = await receiver.memory("VmHWM");

    await sender.writeLine(`/send ${source}`);
    const saved = await receiver.waitFor(isEvent("file", "big.bin"), TRANSFER_MS);
    await sender.waitFor(isEvent("file-sent", "big.bin"), TRANSFER_MS);
    assert.equal(saved.sha256, hash);

    const growth = {
      sender: await sender.memory("VmHWM") - senderBase,
      receiver: await receiver.memory("VmHWM") - receiverBase,
    };
    const text =
      `from the ${from}: peak memory growth: sender ${(growth.sender / MB).toFixed(1)} MB ` +
      `(from ${(senderBase / MB).toFixed(0)} MB), receiver ${
        (growth.receiver / MB).toFixed(1)
      } MB ` +
      `(from ${(receiverBase / MB).toFixed(0)} MB)`;
    return { ...growth, text };
  } finally {
    await bob.close();
    await alice.close();
  }
}

for (const from of ["connector", "listener"] as const) {
  Deno.test(`memory stays flat: 200 MB from the ${from} raise peak memory far less than the file`, async () => {
    const { sender, receiver, text } = await peakGrowth(from);
    assert.ok(sender < MAX_GROWTH, text);
    assert.ok(receiver < MAX_GROWTH, text);
  });
}
