import assert from "node:assert/strict";
import { join } from "node:path";
import { dial } from "../../lib/session/dial.ts";
import { type Envelope, type Message, PROTOCOL_VERSION } from "../../lib/session/message.ts";
import type { NetSession } from "../../lib/session/net_session.ts";
import {
  type CliProcess,
  type JsonEvent,
  PASSKEY,
  startConnector,
  tempDir,
  WAIT_MS,
  writeRandomFile,
} from "../e2e/cli_process.ts";
import { HubMember } from "./hub_member.ts";
import { hubLog, startHub } from "./hub_process.ts";
import { listing } from "../e2e/folder_listing.ts";

const isTemp = (name: string) => /^\.p2pchat-[0-9a-f]{32}\.tmp$/.test(name);

/** Polls `ready` until it holds; throws naming `what` after `timeoutMs`. */
async function until(ready: () => Promise<boolean>, what: string, timeoutMs = WAIT_MS) {
  const deadline = Date.now() + timeoutMs;
  while (!await ready()) {
    if (Date.now() > deadline) throw new Error(`not seen within ${timeoutMs} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
/**
 * What a process holds open (Linux; `ls`, as Deno wants --allow-all to read /proc): how many
 * descriptors, and the distinct files under `under` they point to. The runtime duplicates a
 * file's descriptor for a moment while it reads or writes it on its blocking thread, so the
 * count of descriptors may briefly exceed the files open.
 */
async function openFiles(pid: number, under: string): Promise<{ fds: number; files: string[] }> {
  const output = await new Deno.Command("ls", { args: ["-l", `/proc/${pid}/fd`] }).output();
  const lines = new TextDecoder().decode(output.stdout).split("\n").filter((l) => l.includes("->"));
  const files = new Set(
    lines.map((line) => line.split(" -> ")[1]).filter((path) => path.startsWith(`${under}/`)),
  );
  return { fds: lines.length, files: [...files].map((path) => path.slice(under.length + 1)) };
}

/**
 * Joins with a bare session, to send what no honest client would. It reads only when asked
 * (`next`), so what the hub sends it piles up unread meanwhile.
 */
async function rawMember(port: number, name: string) {
  const session: NetSession = await dial("127.0.0.1", port, PASSKEY);
  const reader = session.incoming.getReader();
  const next = async (test: (message: Message) => boolean): Promise<Envelope> => {
    const deadline = Date.now() + WAIT_MS;
    while (true) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const late = new Promise<"late">((resolve) => {
        timer = setTimeout(() => resolve("late"), Math.max(0, deadline - Date.now()));
      });
      const result = await Promise.race([reader.read(), late]);
      clearTimeout(timer);
      if (result === "late") throw new Error(`expected message not seen within ${WAIT_MS} ms`);
      if (result.done) throw new Error(`session closed: ${await session.closed}`);
      if (test(result.value.message)) return result.value;
    }
  };
  session.post({ t: "hello", v: PROTOCOL_VERSION, name });
  await next((message) => message.t === "welcome");
  return {
    session,
    next,
    async close() {
      reader.releaseLock();
      await session.close();
    },
  };
}

const isEvent = (type: string) => (event: JsonEvent) => event.type === type;

Deno.test("--max-storage: an upload that does not fit is refused with how full the hub is, also after a restart", async () => {
  await using dir = await tempDir();
  let hub = await startHub({ cwd: dir.path, args: ["--max-storage", "100kB"] });
  const procs: CliProcess[] = [];
  try {
    for (const name of ["alice", "bob"]) {
      await Deno.mkdir(join(dir.path, name));
      await writeRandomFile(join(dir.path, name, `${name}.bin`), 60_000);
      procs.push(startConnector(name, hub.port, { cwd: join(dir.path, name) }));
    }
    const [alice, bob] = procs;
    for (const proc of procs) await proc.waitFor(isEvent("welcome"));
    await alice.writeLine(`/send ${join(dir.path, "alice", "alice.bin")}`);
    await alice.waitFor(isEvent("file-sent"));
    await bob.writeLine(`/send ${join(dir.path, "bob", "bob.bin")}`);
    const refused = await bob.waitFor(isEvent("error"));
    assert.equal(
      refused.message,
      "Sending bob.bin failed: The hub refused bob.bin: refused 'bob.bin' (60.0 kB): " +
        "the hub's storage is full: 60.0 of 100.0 kB used",
    );
    const logged = await hub.proc.waitFor(isEvent("hub-file-failed"));
    assert.equal(logged.from, "bob");
    assert.match(String(logged.reason), /the hub's storage is full: 60\.0 of 100\.0 kB used$/);
    // The chat goes on.
    await bob.writeLine("too bad");
    await alice.waitFor((event) => event.type === "message" && event.text === "too bad");

    // What is kept still counts after a restart.
    hub.proc.kill("SIGTERM");
    await hub.proc.exit();
    await hub.proc.close();
    hub = await startHub({ cwd: dir.path, port: hub.port, args: ["--max-storage", "100kB"] });
    await bob.waitFor(isEvent("reconnected"), 20_000);
    await bob.writeLine(`/send ${join(dir.path, "bob", "bob.bin")}`);
    await bob.waitFor(() => bob.events.filter(isEvent("error")).length === 2);
    assert.match(
      String(bob.events.filter(isEvent("error"))[1].message),
      /the hub's storage is full: 60\.0 of 100\.0 kB used$/,
    );
    assert.deepEqual(await listing(join(dir.path, "p2pchat-data", "files")), ["alice.bin"]);
  } finally {
    for (const proc of procs) await proc.close();
    await hub.proc.close();
  }
});

Deno.test({
  name: "a member cannot make the hub hold more than a few open files, uploads and /get alike",
  ignore: Deno.build.os !== "linux",
  async fn() {
    await using dir = await tempDir();
    // No flood control: 50 requests at once would use up mallory's allowance for lines.
    const hub = await startHub({ cwd: dir.path, args: ["--rate", "0"] });
    const files = join(dir.path, "p2pchat-data", "files");
    const bob = await HubMember.join(hub.port, "bob", join(dir.path, "bob"));
    const mallory = await rawMember(hub.port, "mallory");
    try {
      // A kept file bigger than what the sockets between hub and mallory hold.
      const big = join(dir.path, "big.bin");
      await writeRandomFile(big, 32 * 1024 * 1024);
      await bob.client.sendFile(big);
      const before = await openFiles(hub.proc.pid, files);
      assert.deepEqual(before.files, []);

      // 100 uploads at once: 4 are taken, 96 refused at once, before anything is opened.
      for (let fid = 1; fid <= 100; fid++) {
        mallory.session.post({ t: "offer", fid, name: `f${fid}.bin`, size: 1_000_000 });
      }
      const refusals: string[] = [];
      while (refusals.length < 96) {
        const { message } = await mallory.next((m) => m.t === "received");
        if (message.t === "received" && !message.ok) refusals.push(message.reason ?? "");
      }
      assert.equal(
        refusals[0],
        "refused 'f5.bin': you are already sending 4 files; send more when one is done",
      );
      assert.equal((await listing(files)).filter(isTemp).length, 4);
      const uploading = await openFiles(hub.proc.pid, files);
      assert.equal(uploading.files.filter(isTemp).length, 4, uploading.files.join(", "));
      assert.ok(uploading.fds <= before.fds + 8, `${before.fds} -> ${uploading.fds} descriptors`);

      // 50 requests for the big file, not read: one is sent at a time, the rest wait or are
      // refused; mallory's own line still goes through meanwhile.
      for (let i = 0; i < 50; i++) mallory.session.post({ t: "get", file: 1 });
      mallory.session.post({ t: "chat", id: "1", text: "still talking" });
      await bob.until(
        () => bob.messages().some((line) => line.text === "still talking"),
        "mallory's line",
      );
      const both = await openFiles(hub.proc.pid, files);
      assert.deepEqual(both.files.filter((name) => !isTemp(name)), ["big.bin"]);
      assert.equal(both.files.length, 5, both.files.join(", "));
      assert.ok(both.fds <= before.fds + 10, `${before.fds} -> ${both.fds} descriptors`);

      // mallory goes: its unfinished uploads leave nothing, its files are closed.
      await mallory.close();
      await until(async () => (await listing(files)).filter(isTemp).length === 0, "temps gone");
      await until(
        async () => (await openFiles(hub.proc.pid, files)).files.length === 0,
        "files closed",
      );
    } finally {
      await mallory.close();
      await bob.leave();
      await hub.proc.close();
    }
  },
});

Deno.test("an upload refused for its long name's size reaches its sender as a refusal; the sender stays connected", async () => {
  await using dir = await tempDir();
  const hub = await startHub({ cwd: dir.path, args: ["--max-file-size", "1kB"] });
  const alice = await HubMember.join(hub.port, "alice", join(dir.path, "alice"));
  const bob = await HubMember.join(hub.port, "bob", join(dir.path, "bob"));
  try {
    // A name the hub accepts (255 bytes), so the reason quoting it is long.
    const name = `${"n".repeat(251)}.bin`;
    const path = join(dir.path, name);
    await Deno.writeFile(path, new Uint8Array(2_000));
    await assert.rejects(alice.client.sendFile(path), /too large \(2\.0 kB, limit 1\.0 kB\)$/);
    alice.client.say("still here");
    await bob.until(() => bob.messages().some((m) => m.text === "still here"), "alice's line");
  } finally {
    await alice.leave();
    await bob.leave();
    await hub.proc.close();
  }
});

Deno.test({
  name: "SIGTERM on the hub mid-upload: it exits 143 and leaves no temporary file",
  ignore: Deno.build.os === "windows",
  async fn() {
    await using dir = await tempDir();
    const hub = await startHub({ cwd: dir.path });
    const files = join(dir.path, "p2pchat-data", "files");
    const mallory = await rawMember(hub.port, "mallory");
    try {
      const half = new Uint8Array(100_000).fill(1);
      mallory.session.post({ t: "offer", fid: 1, name: "big.bin", size: 2 * half.length });
      mallory.session.post({ t: "chunk", fid: 1 }, half);
      await until(async () => {
        const temps = (await listing(files)).filter(isTemp);
        return temps.length === 1 && (await Deno.stat(join(files, temps[0]))).size === half.length;
      }, "half the upload on disk");
      hub.proc.kill("SIGTERM");
      const { code } = await hub.proc.exit();
      assert.deepEqual(await listing(files), []);
      assert.equal(code, 143);
      assert.equal(hubLog(hub.proc, "hub-shared").length, 0);
    } finally {
      await mallory.close();
      await hub.proc.close();
    }
  },
});
