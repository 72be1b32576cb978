import assert from "node:assert/strict";
import { PROTOCOL_VERSION } from "../../lib/session/message.ts";
import { MAX_UNREADABLE_IN_A_ROW } from "../../lib/session/unreadable_records.ts";
import { encodeRecord } from "../../lib/wire/codec.ts";
import { MAX_FRAME_BYTES } from "../../lib/wire/limits.ts";
import { AuthenticatedPeer } from "../e2e/authenticated_peer.ts";
import { tempDir } from "../e2e/cli_process.ts";
import { seededRandom, sendBarrage } from "../e2e/mutated_records.ts";
import { HubMember } from "./hub_member.ts";
import { hubLog, startHub } from "./hub_process.ts";

/** The battery's seed; set P2PCHAT_BATTERY_SEED to replay another run. */
const SEED = Number(Deno.env.get("P2PCHAT_BATTERY_SEED") ?? 17);

Deno.test(`thousands of mutated records from an authenticated member break nothing: the hub stays up, members chat on, newcomers join, memory stays bounded (serve, seed ${SEED})`, async () => {
  await using dir = await tempDir();
  const hub = await startHub({ cwd: dir.path });
  const members: HubMember[] = [];
  const peers: AuthenticatedPeer[] = [];
  try {
    const alice = await HubMember.join(hub.port, "alice", `${dir.path}/alice`);
    const bob = await HubMember.join(hub.port, "bob", `${dir.path}/bob`);
    members.push(alice, bob);
    alice.client.say("warm up");
    await bob.until(() => bob.messages().length === 1, "the first line");
    const before = await hub.proc.memory();

    const mallory = await AuthenticatedPeer.connect(hub.port);
    peers.push(mallory);
    await mallory.send({ t: "hello", v: PROTOCOL_VERSION, name: "mallory", client: "m" });
    await mallory.until(() => mallory.messages("welcome").length === 1, "mallory's welcome");
    const said: string[] = [];
    const kinds = await sendBarrage(
      mallory,
      seededRandom(SEED),
      4_000,
      MAX_FRAME_BYTES,
      (frame) => {
        if (frame % 20 === 0) {
          // Both honest members keep talking, within the hub's --rate.
          alice.client.say(`alice ${frame}`);
          bob.client.say(`bob ${frame}`);
          said.push(String(frame));
          return new Promise((resolve) => setTimeout(resolve, 250));
        }
        return Promise.resolve();
      },
    );
    assert.ok(kinds.size >= 15, `only ${[...kinds.keys()]}`);
    const heard = (member: HubMember, from: string) =>
      member.messages().filter((line) => line.from === from).map((line) => line.text);
    await bob.until(() => heard(bob, "alice").length === said.length + 1, "alice's lines", 60_000);
    await alice.until(() => heard(alice, "bob").length === said.length, "bob's lines", 60_000);
    assert.deepEqual(heard(alice, "bob"), said.map((frame) => `bob ${frame}`));
    for (const member of members) {
      assert.deepEqual(member.events.filter((event) => event.type === "closed"), []);
    }
    assert.deepEqual(hubLog(hub.proc, "hub-left"), [], "each bad record was skipped, no one left");
    assert.equal(mallory.closed, false);
    assert.deepEqual(mallory.unreadable, [], "the hub sent nothing a member cannot read");
    // Told of the 1st, 2nd, 4th ... skipped record: a dozen lines, not thousands.
    const skipped = hubLog(hub.proc, "hub-skipped");
    assert.ok(skipped.length >= 5 && skipped.length <= 14, `${skipped.length} reports`);
    const after = await hub.proc.memory();
    assert.ok(after - before < 64 * 1024 * 1024, `the hub grew by ${after - before} bytes`);

    // Only garbage, 64 records in a row: that peer is cut off, and no one else.
    const garbage = Array(MAX_UNREADABLE_IN_A_ROW).fill(encodeRecord({ t: "garbage" }));
    await mallory.sendRecords(garbage);
    await mallory.ended;
    assert.equal(mallory.closed, true);
    // (Under whatever name mallory ended with: the barrage holds valid renames too.)
    const left = await hub.proc.waitFor((e) => e.type === "hub-left");
    assert.match(String(left.reason), /^protocol error: 64 unreadable messages in a row/);
    assert.equal(hubLog(hub.proc, "hub-left").length, 1, "no one else left");

    // A newcomer joins (and is replayed the history), and everyone chats on.
    const carol = await HubMember.join(hub.port, "carol", `${dir.path}/carol`);
    members.push(carol);
    carol.client.say("hello after the storm");
    await alice.until(
      () => alice.messages().some((line) => line.text === "hello after the storm"),
      "carol's line",
    );
    assert.deepEqual(alice.events.filter((event) => event.type === "closed"), []);
  } finally {
    for (const peer of peers) await peer.close();
    await Promise.all(members.map((member) => member.client.disconnect()));
    await hub.proc.close();
  }
});
