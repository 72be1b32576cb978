import assert from "node:assert/strict";
import { dial } from "../../lib/session/dial.ts";
import { PASSKEY, startConnector, tempDir } from "../e2e/cli_process.ts";
import { HubMember, type MessageEvent } from "./hub_member.ts";
import { startHub } from "./hub_process.ts";

/** Lines a returning member is replayed at most (lib/room/room.ts RESUME_LIMIT). */
const RESUME_LIMIT = 10_000;

/** `count` numbered lines of about `bytes` bytes each. */
function numbered(prefix: string, count: number, bytes: number): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix} ${i} `.padEnd(bytes, "."));
}

Deno.test("a member away while 10 MiB of chat passed comes back: the newest lines, 'N earlier lines not shown', none twice, none missed", async () => {
  await using dir = await tempDir();
  const hub = await startHub({ cwd: dir.path, args: ["--rate", "0", "--history", "5"] });
  const members: HubMember[] = [];
  try {
    const alice = await HubMember.join(hub.port, "alice", `${dir.path}/alice`);
    const bob = await HubMember.join(hub.port, "bob", `${dir.path}/bob`);
    members.push(alice, bob);
    alice.client.say("before");
    await bob.until(() => bob.messages().length === 1, "the first line");
    await bob.client.disconnect();

    // 10,486 lines of 1,000 bytes: 10 MiB, said in pieces the hub acknowledges.
    const away = numbered("away", 10_486, 1000);
    for (let i = 0; i < away.length; i += 500) {
      for (const line of away.slice(i, i + 500)) alice.client.say(line);
      await alice.until(() => !alice.client.busy, "acks", 60_000);
    }

    const seenBefore = bob.events.length;
    await bob.client.join(await dial("127.0.0.1", hub.port, PASSKEY));
    // Lines said while bob is being replayed what he missed.
    const during = numbered("during", 30, 100);
    for (const line of during) {
      alice.client.say(line);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await bob.until(
      () => bob.messages().some((line) => line.text === during.at(-1)),
      "every line said during the replay",
      60_000,
    );
    const after = bob.events.slice(seenBefore);
    const welcome = after[0];
    assert.equal(welcome.type, "welcome");
    assert.deepEqual(
      welcome.type === "welcome" && [welcome.resumed, welcome.history, welcome.skipped],
      [true, RESUME_LIMIT, away.length - RESUME_LIMIT],
    );
    const got = after.filter((event): event is MessageEvent => event.type === "message");
    assert.deepEqual(got.length, RESUME_LIMIT + during.length, "no line twice, none missed");
    assert.ok(got.slice(0, RESUME_LIMIT).every((line) => line.history), "replayed as history");
    assert.ok(got.slice(RESUME_LIMIT).every((line) => !line.history), "then live");
    assert.deepEqual(got.map((line) => line.text), [...away.slice(-RESUME_LIMIT), ...during]);
    for (let i = 1; i < got.length; i++) assert.ok(got[i].seq > got[i - 1].seq, "in order");
    assert.deepEqual(after.filter((event) => event.type === "closed"), []);
  } finally {
    await Promise.all(members.map((member) => member.client.disconnect()));
    await hub.proc.close();
  }
});

Deno.test("a paste of 2 MiB of lines reaches everyone, and the person who pasted stays connected", async () => {
  await using dir = await tempDir();
  const hub = await startHub({ cwd: dir.path, args: ["--rate", "0"] });
  const members: HubMember[] = [];
  try {
    const alice = await HubMember.join(hub.port, "alice", `${dir.path}/alice`);
    const bob = await HubMember.join(hub.port, "bob", `${dir.path}/bob`);
    members.push(alice, bob);
    // All at once, as a paste arrives from a browser or a script.
    const paste = numbered("pasted", 2_100, 1000);
    for (const line of paste) bob.client.say(line);
    await alice.until(() => alice.messages().length === paste.length, "the whole paste", 60_000);
    assert.deepEqual(alice.messages().map((line) => line.text), paste);
    await bob.until(() => !bob.client.busy, "every line acknowledged", 60_000);
    assert.deepEqual(bob.events.filter((event) => event.type === "closed"), []);
  } finally {
    await Promise.all(members.map((member) => member.client.disconnect()));
    await hub.proc.close();
  }
});

Deno.test("lines pasted while the hub is away all arrive once it is back, and the person who pasted stays connected", async () => {
  await using dir = await tempDir();
  let hub = await startHub({ cwd: dir.path, args: ["--rate", "0", "--history", "5000"] });
  const bob = startConnector("bob", hub.port, { cwd: dir.path });
  let carol: HubMember | undefined;
  try {
    await bob.waitFor((event) => event.type === "welcome");
    hub.proc.kill("SIGKILL");
    await hub.proc.close();
    await bob.waitFor((event) => event.type === "reconnecting");
    const paste = numbered("pasted", 2_100, 1000);
    await bob.writeLine(paste.join("\n"));
    hub = await startHub({
      cwd: dir.path,
      port: hub.port,
      args: ["--rate", "0", "--history", "5000"],
    });
    await bob.waitFor((event) => event.type === "reconnected", 30_000);
    const c = carol = await HubMember.join(hub.port, "carol", `${dir.path}/carol`);
    await c.until(() => c.messages().length === paste.length, "the paste", 60_000);
    assert.deepEqual(c.messages().map((line) => line.text), paste);
    await bob.closeStdin();
    assert.deepEqual((await bob.exit(60_000)).code, 0);
    const lost = bob.events.filter((event) => event.type === "reconnecting");
    assert.equal(lost.length, 1, JSON.stringify(lost));
  } finally {
    await bob.close();
    await carol?.client.disconnect();
    await hub.proc.close();
  }
});
