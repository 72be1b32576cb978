import assert from "node:assert/strict";
import { join } from "node:path";
import {
  CliProcess,
  type JsonEvent,
  sha256File,
  startConnector,
  startListener,
  tempDir,
  writeRandomFile,
} from "./cli_process.ts";
import { listing, untilTempHolds } from "./folder_listing.ts";
import { ValveProxy } from "./valve_proxy.ts";

const MB = 1_000_000;
const BIG = 200 * MB;
/** A 200 MB transfer under load on two shared cores. */
const TRANSFER_MS = 240_000;
/** NetSession gives up on a silent peer after 30 s; a killed process is usually noticed sooner. */
const NOTICE_MS = 40_000;

const isEvent = (type: string) => (event: JsonEvent) => event.type === type;

/** Waits until `proc` has seen bob connect `times` times (events are searched from the start). */
function bobConnected(proc: CliProcess, times: number): Promise<JsonEvent> {
  return proc.waitFor(() =>
    proc.events.filter((e) => e.type === "connected" && e.peer === "bob").length >= times
  );
}

/**
 * A file of `size` cut off at least a quarter in arrived whole as `big.bin`: resumed from what
 * was kept (both sides say from where), less than 80 % crossing the wire again.
 */
async function assertContinued(
  { saved, sent, wire, size, hash, inbox }: {
    saved: JsonEvent;
    sent: JsonEvent;
    wire: number;
    size: number;
    hash: string;
    inbox: string;
  },
): Promise<void> {
  assert.equal(saved.sha256, hash);
  assert.equal(sent.sha256, hash);
  assert.ok((saved.resumedFrom as number) >= size / 4, `resumedFrom ${saved.resumedFrom}`);
  assert.equal(sent.resumedFrom, saved.resumedFrom);
  assert.ok(wire < 0.8 * size, `${wire} bytes crossed the wire after the cut`);
  assert.equal(await sha256File(join(inbox, "big.bin")), hash);
  assert.deepEqual(await listing(inbox), ["big.bin"]);
}

/** Folders for a listener (alice) and a connector (bob), each with an outbox. */
async function twoPeople(root: string) {
  const alice = join(root, "alice");
  const bob = join(root, "bob");
  await Deno.mkdir(join(alice, "outbox"), { recursive: true });
  await Deno.mkdir(join(bob, "outbox"), { recursive: true });
  return { alice, bob };
}

Deno.test("a sender killed at half resumes when started again: the rest only crosses the wire, the hash matches", async () => {
  await using dir = await tempDir();
  const home = await twoPeople(dir.path);
  const source = join(home.bob, "outbox", "big.bin");
  await writeRandomFile(source, BIG);
  const hash = await sha256File(source);
  const { proc: alice, port } = await startListener("alice", { cwd: home.alice });
  await using proxy = ValveProxy.start(port);
  let bob: CliProcess = startConnector("bob", proxy.port, { cwd: home.bob });
  try {
    await alice.waitFor((e) => e.type === "connected" && e.peer === "bob");
    proxy.holdAfter(BIG / 2);
    await bob.writeLine(`/send ${source}`);
    await proxy.held;
    bob.kill("SIGKILL");
    await bob.status;
    proxy.release();
    const stopped = await alice.waitFor(
      (e) => e.type === "system" && e.file === "big.bin",
      NOTICE_MS,
    );
    assert.equal(
      stopped.text,
      "Receiving big.bin stopped: bob left. What came is kept: it goes on when it is sent again.",
    );
    await alice.waitFor(isEvent("left"), NOTICE_MS);
    await bob.close();

    bob = startConnector("bob", proxy.port, { cwd: home.bob });
    await bobConnected(alice, 2);
    const before = proxy.passed.fromClient;
    await bob.writeLine(`/send ${source}`);
    const saved = await alice.waitFor(isEvent("file"), TRANSFER_MS);
    const sent = await bob.waitFor(isEvent("file-sent"), TRANSFER_MS);
    const wire = proxy.passed.fromClient - before;

    assert.equal(saved.sha256, hash);
    assert.equal(saved.path, join("received_files", "big.bin"));
    const resumedFrom = saved.resumedFrom as number;
    assert.ok(resumedFrom > 0 && resumedFrom < BIG, `resumedFrom ${resumedFrom}`);
    assert.equal(sent.resumedFrom, resumedFrom);
    assert.ok(wire < 0.6 * BIG, `${wire} bytes crossed the wire the second time`);
    assert.equal(await sha256File(join(home.alice, "received_files", "big.bin")), hash);
    assert.deepEqual(await listing(join(home.alice, "received_files")), ["big.bin"]);
  } finally {
    await bob.close();
    await alice.close();
  }
});

Deno.test("a receiver killed at half resumes when it comes back and the file is sent again", async () => {
  await using dir = await tempDir();
  const home = await twoPeople(dir.path);
  const source = join(home.alice, "outbox", "big.bin");
  await writeRandomFile(source, BIG);
  const hash = await sha256File(source);
  const inbox = join(home.bob, "received_files");
  const { proc: alice, port } = await startListener("alice", { cwd: home.alice });
  await using proxy = ValveProxy.start(port);
  let bob: CliProcess = startConnector("bob", proxy.port, { cwd: home.bob });
  try {
    await alice.waitFor((e) => e.type === "connected" && e.peer === "bob");
    await alice.writeLine(`/send ${source}`);
    await untilTempHolds(inbox, BIG / 2);
    bob.kill("SIGKILL");
    await bob.status;
    // The file waits for bob to come back ...
    const paused = await alice.waitFor(isEvent("file-paused"), NOTICE_MS);
    assert.deepEqual(paused, { type: "file-paused", name: "big.bin", by: "bob" });
    await bob.close();
    const [part] = await listing(inbox);
    assert.match(part, /^\.p2pchat-[0-9a-f]{32}\.part$/);

    // ... but a new bob (another process) is someone else to it: it is sent anew, by hand.
    bob = startConnector("bob", proxy.port, { cwd: home.bob });
    await bobConnected(alice, 2);
    const failed = await alice.waitFor(isEvent("error"), NOTICE_MS);
    assert.equal(failed.message, "Sending big.bin failed: bob left before the file arrived");
    const before = proxy.passed.toClient;
    await alice.writeLine(`/send ${source}`);
    const saved = await bob.waitFor(isEvent("file"), TRANSFER_MS);
    await alice.waitFor(isEvent("file-sent"), TRANSFER_MS);
    const wire = proxy.passed.toClient - before;

    assert.equal(saved.sha256, hash);
    assert.ok((saved.resumedFrom as number) >= BIG / 2, `resumedFrom ${saved.resumedFrom}`);
    assert.ok(wire < 0.6 * BIG, `${wire} bytes crossed the wire the second time`);
    assert.equal(await sha256File(join(inbox, "big.bin")), hash);
    assert.deepEqual(await listing(inbox), ["big.bin"]);
  } finally {
    await bob.close();
    await alice.close();
  }
});

Deno.test("a lost connection: the connecting side reconnects by itself and the file it was sending continues", async () => {
  await using dir = await tempDir();
  const home = await twoPeople(dir.path);
  const size = 60 * MB;
  const source = join(home.bob, "outbox", "big.bin");
  await writeRandomFile(source, size);
  const hash = await sha256File(source);
  // alice is asked about files (as at a terminal); a program answers with /accept.
  const alice = CliProcess.start(
    ["listen", "0", "--host", "127.0.0.1", "--name", "alice", "--json", "--accept", "ask"],
    { cwd: home.alice },
  );
  const port = (await alice.waitFor(isEvent("listening"))).port as number;
  await using proxy = ValveProxy.start(port);
  const bob = startConnector("bob", proxy.port, { cwd: home.bob });
  try {
    await bobConnected(alice, 1);
    proxy.holdAfter(size / 2);
    await bob.writeLine(`/send ${source}`);
    await alice.waitFor((e) => e.type === "file-offer" && e.ask === true);
    await alice.writeLine("/accept");
    await proxy.held;
    // Only what reached alice's disk counts: wait for it, then pull the cable.
    await untilTempHolds(join(home.alice, "received_files"), size / 4);
    proxy.cut();
    const before = proxy.passed.fromClient;

    // No command typed again: bob comes back, says so, and the file goes on.
    await bob.waitFor(isEvent("reconnecting"), NOTICE_MS);
    await bob.waitFor(isEvent("reconnected"), NOTICE_MS);
    await bobConnected(alice, 2);
    const saved = await alice.waitFor(isEvent("file"), TRANSFER_MS);
    const sent = await bob.waitFor(isEvent("file-sent"), TRANSFER_MS);
    const wire = proxy.passed.fromClient - before;

    await assertContinued({
      saved,
      sent,
      wire,
      size,
      hash,
      inbox: join(home.alice, "received_files"),
    });
    assert.equal(bob.events.filter(isEvent("error")).length, 0);
    // Accepted once: the part kept is the answer, alice is not asked again.
    assert.deepEqual(alice.events.filter(isEvent("file-offer")).map((e) => e.ask), [true, false]);

    // And the chat goes on over the new connection.
    await bob.writeLine("still here");
    await alice.waitFor((e) => e.type === "message" && e.text === "still here");
  } finally {
    await bob.close();
    await alice.close();
  }
});

Deno.test("a lost connection: the file the listener was sending waits, and continues when the connector is back", async () => {
  await using dir = await tempDir();
  const home = await twoPeople(dir.path);
  const size = 60 * MB;
  const source = join(home.alice, "outbox", "big.bin");
  await writeRandomFile(source, size);
  const hash = await sha256File(source);
  const inbox = join(home.bob, "received_files");
  const { proc: alice, port } = await startListener("alice", { cwd: home.alice });
  await using proxy = ValveProxy.start(port);
  const bob = startConnector("bob", proxy.port, { cwd: home.bob });
  try {
    await bobConnected(alice, 1);
    proxy.holdAfter(size / 2, true);
    await alice.writeLine(`/send ${source}`);
    await proxy.held;
    await untilTempHolds(inbox, size / 4);
    proxy.cut();
    const before = proxy.passed.toClient;

    // alice is told the file waits for bob, and it goes on when he is back.
    const paused = await alice.waitFor(isEvent("file-paused"), NOTICE_MS);
    assert.deepEqual(paused, { type: "file-paused", name: "big.bin", by: "bob" });
    await bob.waitFor(isEvent("reconnected"), NOTICE_MS);
    const saved = await bob.waitFor(isEvent("file"), TRANSFER_MS);
    const sent = await alice.waitFor(isEvent("file-sent"), TRANSFER_MS);
    const wire = proxy.passed.toClient - before;

    await assertContinued({ saved, sent, wire, size, hash, inbox });
    assert.equal(alice.events.filter(isEvent("error")).length, 0);
  } finally {
    await bob.close();
    await alice.close();
  }
});

Deno.test("a source file changed after an interruption starts over from 0 and ends with the new hash", async () => {
  await using dir = await tempDir();
  const home = await twoPeople(dir.path);
  const size = 40 * MB;
  const source = join(home.bob, "outbox", "data.bin");
  await writeRandomFile(source, size);
  const { proc: alice, port } = await startListener("alice", { cwd: home.alice });
  await using proxy = ValveProxy.start(port);
  let bob: CliProcess = startConnector("bob", proxy.port, { cwd: home.bob });
  try {
    await alice.waitFor((e) => e.type === "connected" && e.peer === "bob");
    proxy.holdAfter(size / 2);
    await bob.writeLine(`/send ${source}`);
    await proxy.held;
    bob.kill("SIGKILL");
    await bob.status;
    proxy.release();
    await alice.waitFor(isEvent("left"), NOTICE_MS);
    await bob.close();

    // Changed in place (same file, so the same identity): its first bytes differ now.
    {
      using file = await Deno.open(source, { write: true });
      await file.write(crypto.getRandomValues(new Uint8Array(4096)));
    }
    const hash = await sha256File(source);
    bob = startConnector("bob", proxy.port, { cwd: home.bob });
    await bobConnected(alice, 2);
    await bob.writeLine(`/send ${source}`);
    const saved = await alice.waitFor(isEvent("file"), TRANSFER_MS);
    const sent = await bob.waitFor(isEvent("file-sent"), TRANSFER_MS);
    assert.equal(saved.resumedFrom, undefined);
    assert.equal(sent.resumedFrom, undefined);
    assert.equal(saved.sha256, hash);
    assert.equal(await sha256File(join(home.alice, "received_files", "data.bin")), hash);
    assert.deepEqual(await listing(join(home.alice, "received_files")), ["data.bin"]);
  } finally {
    await bob.close();
    await alice.close();
  }
});

Deno.test("a file the receiver has already (same name and hash) is not sent again: both sides say so", async () => {
  await using dir = await tempDir();
  const home = await twoPeople(dir.path);
  const size = 20 * MB;
  const source = join(home.bob, "outbox", "report.bin");
  await writeRandomFile(source, size);
  const hash = await sha256File(source);
  const { proc: alice, port } = await startListener("alice", { cwd: home.alice });
  await using proxy = ValveProxy.start(port);
  const bob = startConnector("bob", proxy.port, { cwd: home.bob });
  try {
    await alice.waitFor((e) => e.type === "connected" && e.peer === "bob");
    await bob.writeLine(`/send ${source}`);
    const first = await alice.waitFor(isEvent("file"), TRANSFER_MS);
    const firstSent = await bob.waitFor(isEvent("file-sent"), TRANSFER_MS);

    const before = proxy.passed.fromClient;
    await bob.writeLine(`/send ${source}`);
    const second = await alice.waitFor((e) => e.type === "file" && e !== first, TRANSFER_MS);
    const secondSent = await bob.waitFor(
      (e) => e.type === "file-sent" && e !== firstSent,
      TRANSFER_MS,
    );
    const wire = proxy.passed.fromClient - before;

    assert.deepEqual(secondSent, {
      type: "file-sent",
      name: "report.bin",
      bytes: size,
      sha256: hash,
      to: "alice",
      skipped: true,
    });
    assert.deepEqual(second, {
      type: "file",
      from: "bob",
      name: "report.bin",
      path: join("received_files", "report.bin"),
      bytes: size,
      sha256: hash,
      skipped: true,
    });
    // An offer, a hash and their records: no file data.
    assert.ok(wire < 4096, `${wire} bytes crossed the wire for the second send`);
    assert.deepEqual(await listing(join(home.alice, "received_files")), ["report.bin"]);
    assert.ok(alice.lines.some((line) => line.includes('"skipped":true')));
  } finally {
    await bob.close();
    await alice.close();
  }
});
