import assert from "node:assert/strict";
import { join } from "node:path";
import { type Envelope, PROTOCOL_VERSION } from "../../lib/session/message.ts";
import { dial } from "../../lib/session/dial.ts";
import type { NetSession } from "../../lib/session/net_session.ts";
import {
  type CliProcess,
  type JsonEvent,
  PASSKEY,
  sha256File,
  startConnector,
  tempDir,
  WAIT_MS,
  writeRandomFile,
} from "../e2e/cli_process.ts";
import { hubLog, startHub } from "./hub_process.ts";
import { listing } from "../e2e/folder_listing.ts";

const FILE_BYTES = 50 * 1024 * 1024;
const TRANSFER_MS = 60_000;

const isEvent = (type: string) => (event: JsonEvent) => event.type === type;

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch {
    return false;
  }
}

/** Joins with a bare session, to send what no honest client would. */
async function rawMember(port: number, name: string) {
  const session: NetSession = await dial("127.0.0.1", port, PASSKEY);
  const reader = session.incoming.getReader();
  const next = async (test: (envelope: Envelope) => boolean): Promise<Envelope> => {
    const deadline = Date.now() + WAIT_MS;
    while (Date.now() < deadline) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`session closed: ${await session.closed}`);
      if (test(value)) return value;
    }
    throw new Error("expected message not seen");
  };
  session.post({ t: "hello", v: PROTOCOL_VERSION, name });
  await next(({ message }) => message.t === "welcome");
  return {
    session,
    next,
    async close() {
      reader.releaseLock();
      await session.close();
    },
  };
}

Deno.test("a 50 MB shared file reaches three members intact; the list survives a restart; hostile names stay out", async () => {
  await using dir = await tempDir();
  const data = join(dir.path, "p2pchat-data");
  let hub = await startHub({ cwd: dir.path });
  const names = ["alice", "bob", "carol", "dave"];
  for (const name of names) await Deno.mkdir(join(dir.path, name));
  const source = join(dir.path, "alice", "big.bin");
  await writeRandomFile(source, FILE_BYTES);
  const hash = await sha256File(source);
  const procs: CliProcess[] = names.map((name) =>
    startConnector(name, hub.port, { cwd: join(dir.path, name) })
  );
  const [alice, ...fetchers] = procs;
  try {
    for (const proc of procs) await proc.waitFor(isEvent("welcome"));

    await alice.writeLine(`/send ${source}`);
    const sent = await alice.waitFor(isEvent("file-sent"), TRANSFER_MS);
    assert.deepEqual([sent.name, sent.bytes, sent.sha256], ["big.bin", FILE_BYTES, hash]);
    const shared = await fetchers[0].waitFor(isEvent("shared"));
    assert.deepEqual(shared, {
      type: "shared",
      file: shared.file,
      from: "alice",
      name: "big.bin",
      bytes: FILE_BYTES,
      sha256: hash,
    });
    for (const proc of fetchers) await proc.waitFor(isEvent("shared"));

    // Three downloads at once.
    for (const proc of fetchers) await proc.writeLine(`/get ${shared.file}`);
    const fetched: JsonEvent[] = [];
    for (const [i, proc] of fetchers.entries()) {
      const file = await proc.waitFor(isEvent("file"), TRANSFER_MS);
      fetched.push(file);
      // The path is as given by --dir (default received_files), relative to the cwd.
      assert.deepEqual(
        [file.from, file.name, file.bytes, file.sha256, file.path],
        ["alice", "big.bin", FILE_BYTES, hash, join("received_files", "big.bin")],
      );
      assert.deepEqual(await sha256File(join(dir.path, names[i + 1], file.path as string)), hash);
    }

    // Hostile names, straight on the wire: refused, nothing written anywhere.
    const mallory = await rawMember(hub.port, "mallory");
    try {
      const body = new TextEncoder().encode("pwned");
      const sha = "0a4e1e4d2d3f3f1b5f2a8bd4f6a3f9a1e3fbfb1f4a4e5c0f9b6d1e2f3a4b5c6d";
      const hostile = ["../x", "/etc/x", "..", "a/../../x", "..\\x", "C:x", "x\u0000y"];
      for (const [i, name] of hostile.entries()) {
        const fid = i + 1;
        mallory.session.post({ t: "offer", fid, name, size: body.length });
        mallory.session.post({ t: "chunk", fid }, body);
        mallory.session.post({ t: "end", fid, sha256: sha });
        const { message } = await mallory.next(({ message }) =>
          message.t === "received" && message.fid === fid
        );
        assert.ok(message.t === "received" && !message.ok, `${JSON.stringify(name)} accepted`);
        assert.match(message.reason ?? "", /unsafe file name/);
      }
      await hub.proc.waitFor(() => hubLog(hub.proc, "hub-file-failed").length === hostile.length);
    } finally {
      await mallory.close();
    }
    assert.ok(!await exists("/etc/x"));
    assert.deepEqual(await listing(dir.path), [...names, "p2pchat-data"].sort());
    assert.ok(!(await listing(data)).includes("x"));
    const kept = await listing(join(data, "files"));
    assert.deepEqual(kept, ["big.bin"], "only the shared file, no temporary leftovers");

    // The hub dies and comes back: the list and the file are still there.
    hub.proc.kill("SIGKILL");
    await hub.proc.close();
    hub = await startHub({ cwd: dir.path, port: hub.port });
    const bob = fetchers[0];
    await bob.waitFor(isEvent("reconnected"), 20_000);
    await bob.writeLine("/files");
    const list = await bob.waitFor(isEvent("files"));
    assert.deepEqual(
      (list.files as JsonEvent[]).map(({ file, from, name, size, sha256 }) => ({
        file,
        from,
        name,
        size,
        sha256,
      })),
      [{ file: shared.file, from: "alice", name: "big.bin", size: FILE_BYTES, sha256: hash }],
    );
    // Fetched again: bob has it already, the same (as listed), so he does not even ask.
    const incoming = bob.events.filter(isEvent("file-incoming")).length;
    await bob.writeLine(`/get ${shared.file}`);
    const again = await bob.waitFor(
      (event) => event.type === "file" && event !== fetched[0],
      TRANSFER_MS,
    );
    assert.deepEqual(
      [again.name, again.sha256, again.skipped, again.path],
      ["big.bin", hash, true, join("received_files", "big.bin")],
    );
    assert.equal(bob.events.filter(isEvent("file-incoming")).length, incoming, "no offer came");
    assert.deepEqual(await listing(join(dir.path, "bob", "received_files")), ["big.bin"]);
    // Once he has removed his copy, it is downloaded again.
    await Deno.remove(join(dir.path, "bob", "received_files", "big.bin"));
    await bob.writeLine(`/get ${shared.file}`);
    await bob.waitFor(() => bob.events.filter(isEvent("file")).length === 3, TRANSFER_MS);
    const third = bob.events.filter(isEvent("file"))[2];
    assert.deepEqual([third.name, third.sha256, third.skipped], ["big.bin", hash, undefined]);
    assert.deepEqual(await sha256File(join(dir.path, "bob", third.path as string)), hash);

    for (const proc of procs) await proc.closeStdin();
    for (const proc of procs) assert.deepEqual((await proc.exit()).code, 0);
  } finally {
    for (const proc of procs) await proc.close();
    await hub.proc.close();
  }
});

Deno.test("a program's /files after its /send is answered once the file is shared, listing it", async () => {
  await using dir = await tempDir();
  const hub = await startHub({ cwd: dir.path });
  await writeRandomFile(join(dir.path, "report.bin"), 16 * 1024 * 1024);
  const bob = startConnector("bob", hub.port, { cwd: dir.path });
  try {
    await bob.waitFor(isEvent("welcome"));
    // Typed at once, as a script does; the line between is not held by the /send.
    await bob.writeLine("/send report.bin");
    await bob.writeLine("while it goes");
    await bob.writeLine("/files");
    await bob.closeStdin();
    assert.equal((await bob.exit()).code, 0);
    const order = bob.events.map((event) => event.type).filter((type) =>
      ["sent", "file-sent", "files"].includes(type)
    );
    assert.deepEqual(order, ["sent", "file-sent", "files"]);
    const files = bob.events.find(isEvent("files"))!.files as JsonEvent[];
    assert.deepEqual(files.map((file) => [file.name, file.bytes]), [[
      "report.bin",
      16 * 1024 * 1024,
    ]]);
  } finally {
    await bob.close();
    await hub.proc.close();
  }
});

Deno.test("a second /get of a file already in the receive folder says so and downloads nothing", async () => {
  await using dir = await tempDir();
  const hub = await startHub({ cwd: dir.path });
  await Deno.mkdir(join(dir.path, "alice"));
  await Deno.mkdir(join(dir.path, "bob"));
  await Deno.writeTextFile(join(dir.path, "alice", "report.txt"), "the report\n");
  const alice = startConnector("alice", hub.port, { cwd: join(dir.path, "alice") });
  const bob = startConnector("bob", hub.port, { cwd: join(dir.path, "bob") });
  try {
    await alice.waitFor(isEvent("welcome"));
    await bob.waitFor(isEvent("welcome"));
    await alice.writeLine("/send report.txt");
    const shared = await bob.waitFor(isEvent("shared"));
    await bob.writeLine(`/get ${shared.file}`);
    const saved = await bob.waitFor(isEvent("file"));
    assert.equal(saved.path, join("received_files", "report.txt"));
    await bob.writeLine(`/get ${shared.file}`);
    // Told as the hub's offer of a file already there is told, but nothing was asked for.
    const again = await bob.waitFor((event) => event.type === "file" && event !== saved);
    assert.deepEqual(again, {
      type: "file",
      from: "alice",
      name: "report.txt",
      path: join("received_files", "report.txt"),
      bytes: 11,
      sha256: saved.sha256,
      skipped: true,
    });
    assert.equal(bob.events.filter(isEvent("file-incoming")).length, 1, "one offer only");
    // Changed on disk: it is not the same file any more, so it is downloaded (beside it).
    await Deno.writeTextFile(join(dir.path, "bob", "received_files", "report.txt"), "edited\n");
    await bob.writeLine(`/get ${shared.file}`);
    await bob.waitFor(() => bob.events.filter(isEvent("file")).length === 3);
    assert.deepEqual(await listing(join(dir.path, "bob", "received_files")), [
      "report (1).txt",
      "report.txt",
    ]);
  } finally {
    await alice.close();
    await bob.close();
    await hub.proc.close();
  }
});
