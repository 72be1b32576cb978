import assert from "node:assert/strict";
import { join } from "node:path";
import { NetSession } from "../../lib/session/net_session.ts";
import { PROTOCOL_VERSION } from "../../lib/session/message.ts";
import {
  type CliProcess,
  PASSKEY,
  startConnector,
  startListener,
  tempDir,
  WAIT_MS,
} from "./cli_process.ts";
import { CraftedHost } from "./crafted_host.ts";
import { listing } from "./folder_listing.ts";

const EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

const isTemp = (name: string) => /^\.p2pchat-[0-9a-f]{32}\.tmp$/.test(name);

/** Half of a file: enough that a temporary file exists, with the peer's bytes in it. */
const HALF = new TextEncoder().encode("peer content ".repeat(40));

/** Errors `proc` showed so far (JSON mode). */
const errors = (proc: CliProcess) =>
  proc.events.filter((event) => event.type === "error").map((event) => String(event.message));

/** Waits until `dir` holds `count` temporary files with `HALF` written in each; returns them. */
async function untilTemps(dir: string, count: number): Promise<string[]> {
  const deadline = Date.now() + WAIT_MS;
  while (true) {
    const temps = (await listing(dir)).filter(isTemp);
    const sizes = await Promise.all(temps.map(async (name) => {
      try {
        return (await Deno.stat(join(dir, name))).size;
      } catch {
        return 0;
      }
    }));
    if (temps.length === count && sizes.every((size) => size === HALF.length)) return temps;
    if (Date.now() > deadline) throw new Error(`temporary files: ${temps.join(", ")} ${sizes}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

Deno.test("a host that reuses a file id leaves nothing hidden in the receive folder after the client exits", async () => {
  await using dir = await tempDir();
  await using host = CraftedHost.listen();
  const bob = startConnector("bob", host.port, { cwd: dir.path });
  try {
    const session = await host.accept("mallory");
    await bob.waitFor((event) => event.type === "connected");
    session.post({ t: "offer", fid: 1, name: "first.txt", size: 2 * HALF.length, from: "mallory" });
    session.post({ t: "chunk", fid: 1 }, HALF);
    session.post({
      t: "offer",
      fid: 1,
      name: "second.txt",
      size: 2 * HALF.length,
      from: "mallory",
    });
    session.post({ t: "chunk", fid: 1 }, HALF);
    // File data is handled in order: once this empty file is saved, the offers were handled.
    session.post({ t: "offer", fid: 2, name: "marker.txt", size: 0, from: "mallory" });
    session.post({ t: "end", fid: 2, sha256: EMPTY_SHA256 });
    await bob.waitFor((event) => event.type === "file" && event.name === "marker.txt");
    session.post({ t: "bye", reason: "mallory is done" });
    await session.close();
    await bob.exit();
    assert.deepEqual(await listing(join(dir.path, "received_files")), ["marker.txt"]);
    // The second offer was refused; the first kept its id until the chat ended.
    assert.deepEqual(errors(bob), [
      "Receiving second.txt failed: refused 'second.txt': file id 1 is already in use",
      "Receiving first.txt failed: the connection ended before the file was complete",
    ]);
    await host.waitFor((m) => m.t === "received" && !m.ok && /already in use/.test(m.reason ?? ""));
  } finally {
    await bob.close();
  }
});

Deno.test("twenty offers at once from a host: the client opens four, refuses the rest, and leaves nothing", async () => {
  await using dir = await tempDir();
  await using host = CraftedHost.listen();
  const bob = startConnector("bob", host.port, { cwd: dir.path });
  try {
    const session = await host.accept("mallory");
    await bob.waitFor((event) => event.type === "connected");
    for (let fid = 1; fid <= 20; fid++) {
      session.post({ t: "offer", fid, name: `f${fid}.bin`, size: 2 * HALF.length });
      session.post({ t: "chunk", fid }, HALF);
    }
    await bob.waitFor(() => errors(bob).length === 16);
    const refusals = errors(bob);
    assert.equal(refusals.length, 16, refusals.join("\n"));
    assert.equal(
      refusals[0],
      "Receiving f5.bin failed: refused 'f5.bin': 4 files are already coming; " +
        "send it when one has arrived",
    );
    await untilTemps(join(dir.path, "received_files"), 4);
    await host.waitFor(() => host.received.filter((m) => m.t === "received").length === 16);

    // The host gone (bob would try again), end of input ends bob.
    await session.close();
    await bob.closeStdin();
    await bob.exit();
    assert.deepEqual(await listing(join(dir.path, "received_files")), []);
  } finally {
    await bob.close();
  }
});

Deno.test("end of input while a file is coming: connect waits for it; the host gone, it quits and its receive folder holds nothing", async () => {
  await using dir = await tempDir();
  await using host = CraftedHost.listen();
  const bob = startConnector("bob", host.port, { cwd: dir.path });
  try {
    const session = await host.accept("mallory");
    await bob.waitFor((event) => event.type === "connected");
    session.post({ t: "offer", fid: 1, name: "big.bin", size: 1_000_000, from: "mallory" });
    session.post({ t: "chunk", fid: 1 }, HALF);
    await untilTemps(join(dir.path, "received_files"), 1);
    await bob.closeStdin();
    const quitting = await bob.waitFor((event) => event.type === "quitting");
    assert.deepEqual(quitting.files, [
      { direction: "receive", name: "big.bin", bytes: 1_000_000, done: HALF.length },
    ]);
    await session.close();
    assert.equal((await bob.exit()).code, 0);
    assert.deepEqual(await listing(join(dir.path, "received_files")), []);
  } finally {
    await bob.close();
  }
});

for (const signal of ["SIGTERM", "SIGINT"] as const) {
  const status = { SIGINT: 130, SIGTERM: 143 }[signal];
  Deno.test({
    name:
      `${signal} while a file is coming: connect exits ${status} and its receive folder holds nothing`,
    ignore: Deno.build.os === "windows",
    async fn() {
      await using dir = await tempDir();
      await using host = CraftedHost.listen();
      const bob = startConnector("bob", host.port, { cwd: dir.path });
      try {
        const session = await host.accept("mallory");
        await bob.waitFor((event) => event.type === "connected");
        session.post({ t: "offer", fid: 1, name: "big.bin", size: 1_000_000, from: "mallory" });
        session.post({ t: "chunk", fid: 1 }, HALF);
        await untilTemps(join(dir.path, "received_files"), 1);
        bob.kill(signal);
        if (signal === "SIGINT") {
          // The first waits for the file, the second cancels it, telling the sender.
          await bob.waitFor((event) => event.type === "quitting");
          bob.kill(signal);
          const refused = await host.waitFor((message) => message.t === "received");
          assert.deepEqual(refused, {
            t: "received",
            fid: 1,
            ok: false,
            reason: "cancelled by bob (quit)",
          });
        }
        const { code } = await bob.exit();
        assert.deepEqual(await listing(join(dir.path, "received_files")), []);
        assert.equal(code, status);
      } finally {
        await bob.close();
      }
    },
  });
}

Deno.test({
  name:
    "SIGTERM while a peer's file is coming: listen exits 143 and its receive folder holds nothing",
  ignore: Deno.build.os === "windows",
  async fn() {
    await using dir = await tempDir();
    const { proc: alice, port } = await startListener("alice", { cwd: dir.path });
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    const mallory = await NetSession.start(conn, { role: "client", passkey: PASSKEY });
    const reading = (async () => {
      for await (const _ of mallory.incoming) { /* what alice says is not needed */ }
    })();
    try {
      mallory.post({ t: "hello", v: PROTOCOL_VERSION, name: "mallory" });
      await alice.waitFor((event) => event.type === "connected");
      mallory.post({ t: "offer", fid: 1, name: "big.bin", size: 1_000_000 });
      mallory.post({ t: "chunk", fid: 1 }, HALF);
      await untilTemps(join(dir.path, "received_files"), 1);
      alice.kill("SIGTERM");
      const { code } = await alice.exit();
      assert.deepEqual(await listing(join(dir.path, "received_files")), []);
      assert.equal(code, 143);
    } finally {
      await mallory.close();
      await reading;
      await alice.close();
    }
  },
});
