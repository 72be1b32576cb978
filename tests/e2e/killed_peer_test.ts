import assert from "node:assert/strict";
import { join } from "node:path";
import {
  CliProcess,
  startConnector,
  startListener,
  tempDir,
  writeRandomFile,
} from "./cli_process.ts";
import { ValveProxy } from "./valve_proxy.ts";
import { listing } from "./folder_listing.ts";

/** NetSession gives up on a silent peer after this long (its default `silenceMs`). */
const KEEPALIVE_WINDOW_MS = 30_000;

Deno.test("a peer killed with SIGKILL is noticed quickly and the listener takes the next one", async () => {
  await using dir = await tempDir();
  const { proc: alice, port } = await startListener("alice", { cwd: dir.path });
  const bob = startConnector("bob", port, { cwd: dir.path });
  let carol: CliProcess | undefined;
  try {
    await alice.waitFor((event) => event.type === "connected" && event.peer === "bob");
    carol = startConnector("carol", port, { cwd: dir.path });
    // A direct chat holds two: carol is turned away while bob is there.
    assert.equal((await carol.exit()).code, 1);
    assert.match(carol.stderr, /^p2pchat: This chat is busy/);

    const killedAt = Date.now();
    bob.kill("SIGKILL");
    const left = await alice.waitFor((event) => event.type === "left", KEEPALIVE_WINDOW_MS + 5_000);
    const noticedMs = Date.now() - killedAt;
    assert.equal(left.name, "bob");
    assert.ok(noticedMs < KEEPALIVE_WINDOW_MS, `noticed after ${noticedMs} ms`);
    assert.equal((await bob.status).signal, "SIGKILL");

    const dave = startConnector("dave", port, { cwd: dir.path });
    try {
      await alice.waitFor((event) => event.type === "connected" && event.peer === "dave");
      await dave.writeLine("my turn");
      await alice.waitFor((event) => event.type === "message" && event.text === "my turn");
      await dave.writeLine("/quit");
      assert.equal((await dave.exit()).code, 0);
    } finally {
      await dave.close();
    }
    await alice.closeStdin();
    assert.equal((await alice.exit()).code, 0);
  } finally {
    await carol?.close();
    await bob.close();
    await alice.close();
  }
});

Deno.test("a listener killed with SIGKILL: the connector says so, tries again by itself and rejoins the listener started again", async () => {
  await using dir = await tempDir();
  const { proc: alice, port } = await startListener("alice", { cwd: dir.path });
  const bob = startConnector("bob", port, { cwd: dir.path });
  let again: CliProcess | undefined;
  try {
    await bob.waitFor((event) => event.type === "connected");
    alice.kill("SIGKILL");
    const closed = await bob.waitFor((event) => event.type === "closed", KEEPALIVE_WINDOW_MS);
    assert.ok(closed.reason, "the closed event says why");
    await bob.waitFor((event) => event.type === "reconnecting");
    // A line typed meanwhile waits for the connection, and is not lost.
    await bob.writeLine("are you there?");

    again = CliProcess.start(
      ["listen", String(port), "--host", "127.0.0.1", "--name", "alice", "--json"],
      { cwd: dir.path },
    );
    await again.waitFor((event) => event.type === "connected" && event.peer === "bob");
    await bob.waitFor((event) => event.type === "reconnected");
    await again.waitFor((event) => event.type === "message" && event.text === "are you there?");

    // The host's goodbye ends it: no more tries, a clean exit.
    await again.writeLine("/quit");
    const { code } = await bob.exit();
    assert.equal(code, 0);
    assert.equal(bob.stderr, "");
  } finally {
    await bob.close();
    await again?.close();
    await alice.close();
  }
});

Deno.test("a sender killed with SIGKILL mid-file leaves no file on the receiver: only its hidden, private part, kept for a resume", async () => {
  await using dir = await tempDir();
  const inbox = join(dir.path, "received_files");
  const { proc: alice, port } = await startListener("alice", { cwd: dir.path });
  await using proxy = ValveProxy.start(port);
  const source = join(dir.path, "outbox", "big.bin");
  await Deno.mkdir(join(dir.path, "outbox"));
  await writeRandomFile(source, 24 * 1024 * 1024);
  const bob = startConnector("bob", proxy.port, { cwd: join(dir.path, "outbox") });
  try {
    await alice.waitFor((event) => event.type === "connected" && event.peer === "bob");
    proxy.holdAfter(4 * 1024 * 1024);
    await bob.writeLine(`/send ${source}`);
    await alice.waitFor((event) => event.type === "file-incoming");
    await proxy.held;
    // Half way: only a hidden partial file (a resumable transfer's).
    const during = await listing(inbox);
    assert.equal(during.length, 1);
    assert.match(during[0], /^\.p2pchat-[0-9a-f]{32}\.part$/);

    bob.kill("SIGKILL");
    assert.equal((await bob.status).signal, "SIGKILL");
    proxy.release(); // what bob had sent flows on, then the connection ends
    const stopped = await alice.waitFor(
      (event) => event.type === "system" && event.file === "big.bin",
      KEEPALIVE_WINDOW_MS,
    );
    assert.equal(
      stopped.text,
      "Receiving big.bin stopped: bob left. What came is kept: it goes on when it is sent again.",
    );
    await alice.waitFor((event) => event.type === "left", KEEPALIVE_WINDOW_MS);
    // No file under any visible name; what arrived stays hidden and private, for a resume.
    assert.deepEqual(await listing(inbox), during);
    const part = await Deno.stat(join(inbox, during[0]));
    assert.equal(part.mode! & 0o777, 0o600);
    assert.ok(part.size > 0 && part.size < 24 * 1024 * 1024, `${part.size}`);
    assert.equal(alice.events.some((event) => event.type === "file"), false);
    await alice.closeStdin();
    assert.equal((await alice.exit()).code, 0);
  } finally {
    await bob.close();
    await alice.close();
  }
});
