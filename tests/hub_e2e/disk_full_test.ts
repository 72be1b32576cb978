import assert from "node:assert/strict";
import { join } from "node:path";
import { type JsonEvent, startConnector, tempDir, writeRandomFile } from "../e2e/cli_process.ts";
import { mountSmallDisk, SMALL_DISK_IGNORED, smallDiskTestName } from "../e2e/small_disk.ts";
import { ValveProxy } from "../e2e/valve_proxy.ts";
import { HubMember } from "./hub_member.ts";
import { hubLog, startHub } from "./hub_process.ts";
import { listing, untilTempHolds } from "../e2e/folder_listing.ts";

const MiB = 1024 * 1024;
const COULD_NOT_KEEP = "The hub could not keep your message in its history: ";

const isEvent = (type: string) => (event: JsonEvent) => event.type === type;

Deno.test({
  name: smallDiskTestName(
    "a hub's disk fills up during an upload: the uploader and the hub's log say so, nothing is left, chat goes on",
  ),
  ignore: SMALL_DISK_IGNORED !== undefined,
  async fn() {
    await using dir = await tempDir();
    await using disk = await mountSmallDisk(64 * MiB);
    const data = join(disk.path, "data");
    const hub = await startHub({ cwd: dir.path, args: ["--data", data] });
    await using proxy = ValveProxy.start(hub.port);
    const alice = startConnector("alice", proxy.port, { cwd: dir.path });
    let bob: HubMember | undefined;
    try {
      bob = await HubMember.join(hub.port, "bob", join(dir.path, "bob"));
      await alice.waitFor(isEvent("welcome"));
      const source = join(dir.path, "big.bin");
      await writeRandomFile(source, 24 * MiB);
      proxy.holdAfter(4 * MiB);
      await alice.writeLine(`/send ${source}`);
      await proxy.held;
      await untilTempHolds(join(data, "files"), 2 * MiB);
      await disk.fill();
      proxy.release();

      const failed = await alice.waitFor(isEvent("error"));
      assert.equal(
        failed.message,
        "Sending big.bin failed: The hub refused big.bin: cannot write 'big.bin': the disk is full",
      );
      const logged = await hub.proc.waitFor(isEvent("hub-file-failed"));
      assert.deepEqual(
        [logged.from, logged.name, logged.reason],
        ["alice", "big.bin", "cannot write 'big.bin': the disk is full"],
      );
      assert.deepEqual(await listing(join(data, "files")), [], "no temporary file stays");

      // Chat goes on (the line may not be kept in the history now: the next test's matter).
      await alice.writeLine("my upload failed");
      await bob.until(() => bob!.messages().some((m) => m.text === "my upload failed"), "line");

      // With space again, an upload is kept.
      await disk.free();
      const small = join(dir.path, "small.txt");
      await Deno.writeTextFile(small, "this one fits");
      await alice.writeLine(`/send ${small}`);
      await alice.waitFor(isEvent("file-sent"));
      await bob.until(() => bob!.events.some((e) => e.type === "shared"), "shared");
      assert.deepEqual(await listing(join(data, "files")), ["small.txt"]);
      assert.equal(hubLog(hub.proc, "hub-shared").length, 1);
    } finally {
      await bob?.leave();
      await alice.close();
      await hub.proc.close();
    }
  },
});

Deno.test({
  name: smallDiskTestName(
    "a hub whose disk is full keeps its history or tells the sender why, and keeps lines again once freed",
  ),
  ignore: SMALL_DISK_IGNORED !== undefined,
  async fn() {
    await using dir = await tempDir();
    await using disk = await mountSmallDisk(16 * MiB);
    const data = join(disk.path, "data");
    const hub = await startHub({
      cwd: dir.path,
      args: ["--data", data, "--history", "200", "--rate", "0"],
    });
    const members: HubMember[] = [];
    try {
      const alice = await HubMember.join(hub.port, "alice", join(dir.path, "alice"));
      const bob = await HubMember.join(hub.port, "bob", join(dir.path, "bob"));
      members.push(alice, bob);
      const acknowledged = () => alice.until(() => alice.client.unacknowledged === 0, "acks");
      alice.client.say("before");
      await acknowledged();

      await disk.fill();
      const full = Array.from({ length: 40 }, (_, i) => `full ${i} ${"x".repeat(500)}`);
      for (const text of full) alice.client.say(text);
      await acknowledged();
      // Everyone got every line; the sender was told about each one the hub could not keep.
      await bob.until(() => bob.messages().length === 41, "all lines");
      const notices = alice.events.filter((e) => e.type === "notice");
      assert.ok(notices.length > 0, "the hub could keep nothing on a full disk");
      for (const notice of notices) {
        assert.ok(notice.type === "notice" && notice.error);
        assert.equal(
          notice.type === "notice" && notice.text,
          `${COULD_NOT_KEEP}database or disk is full`,
        );
      }
      assert.equal(hubLog(hub.proc, "hub-history-failed").length, notices.length);

      await disk.free();
      alice.client.say("kept again");
      await acknowledged();
      assert.equal(alice.events.filter((e) => e.type === "notice").length, notices.length);

      // A newcomer's history: every line but those the sender was told of.
      const carol = await HubMember.join(hub.port, "carol", join(dir.path, "carol"));
      members.push(carol);
      await carol.until(() => carol.messages().at(-1)?.text === "kept again", "history");
      const history = carol.messages().map((m) => m.text);
      assert.equal(history[0], "before");
      assert.equal(history.length, 2 + full.length - notices.length);
      assert.ok(history.slice(1, -1).every((text) => full.includes(text)));
      assert.equal(hub.proc.events.some(isEvent("error")), false);
    } finally {
      for (const member of members) await member.leave();
      await hub.proc.close();
    }
  },
});
