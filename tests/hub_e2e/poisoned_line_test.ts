import assert from "node:assert/strict";
import { PROTOCOL_VERSION } from "../../lib/session/message.ts";
import { AuthenticatedPeer, rawRecord, record } from "../e2e/authenticated_peer.ts";
import { tempDir } from "../e2e/cli_process.ts";
import { HubMember } from "./hub_member.ts";
import { hubLog, startHub } from "./hub_process.ts";

const encoder = new TextEncoder();
/** ~2,720 control characters: under 4,096 bytes, but six times that once escaped in JSON. */
const POISON = "\x01".repeat(2720);

Deno.test("a poisoned line cuts no one off: its sender is told, members stay, newcomers join (serve)", async () => {
  await using dir = await tempDir();
  const hub = await startHub({ cwd: dir.path, args: ["--rate", "0"] });
  const members: HubMember[] = [];
  let mallory: AuthenticatedPeer | undefined;
  try {
    const alice = await HubMember.join(hub.port, "alice", `${dir.path}/alice`);
    members.push(alice);
    alice.client.say("before");
    mallory = await AuthenticatedPeer.connect(hub.port);
    const m = mallory;
    await m.send({ t: "hello", v: PROTOCOL_VERSION, name: "mallory", client: crypto.randomUUID() });
    await m.until(() => m.messages("welcome").length === 1, "mallory's welcome");

    // The line, the same privately to alice, and as an action.
    await m.send({ t: "chat", id: "m1", text: POISON });
    await m.send({ t: "private", id: "m2", to: "alice", text: POISON });
    await m.send({ t: "chat", id: "m3", text: POISON, me: true });
    // Records inside the authenticated channel that no p2pchat writes.
    await m.sendRecords([
      rawRecord(encoder.encode("{not json")),
      record({ t: "no-such-type" }),
      record({ t: "chat", id: "m4", text: 42 }),
    ]);
    await m.send({ t: "chat", id: "m5", text: "still here" });

    await alice.until(
      () => alice.messages().some((line) => line.text === "still here"),
      "mallory's next line",
    );
    // Mallory's own answers come on its own connection: all in, once its last line is acked.
    await m.until(() => m.messages("ack").some((ack) => ack.id === "m5"), "mallory's last ack");
    const refused = m.messages("notice").filter((notice) => notice.error);
    assert.equal(refused.length, 3, JSON.stringify(refused));
    for (const notice of refused) assert.match(notice.text, /control character/);
    assert.equal(m.messages("ack").filter((ack) => ack.rejected).length, 3);
    assert.deepEqual(alice.messages().map((line) => line.text), ["still here"]);
    assert.deepEqual(alice.events.filter((event) => event.type === "private"), []);
    await hub.proc.waitFor((event) => event.type === "hub-skipped");
    assert.match(String(hubLog(hub.proc, "hub-skipped")[0].reason), /not valid JSON/);
    assert.equal(m.closed, false, "mallory's session goes on after what was skipped");

    // A newcomer gets the history and stays; everyone keeps chatting.
    const carol = await HubMember.join(hub.port, "carol", `${dir.path}/carol`);
    members.push(carol);
    await carol.until(() => carol.messages().length === 2, "history");
    assert.deepEqual(carol.messages().map((line) => line.text), ["before", "still here"]);
    carol.client.say("hi all");
    await alice.until(() => alice.messages().some((line) => line.text === "hi all"), "carol");
    await m.until(() => m.messages("chat").some((line) => line.text === "hi all"), "carol");
    for (const member of members) {
      assert.deepEqual(member.events.filter((event) => event.type === "closed"), []);
    }
    assert.deepEqual(hubLog(hub.proc, "hub-left"), []);
  } finally {
    await mallory?.close();
    await Promise.all(members.map((member) => member.client.disconnect()));
    await hub.proc.close();
  }
});
