import assert from "node:assert/strict";
import { tempDir } from "../e2e/cli_process.ts";
import { HubMember, type MessageEvent } from "./hub_member.ts";
import { hubLog, startHub } from "./hub_process.ts";

const MEMBERS = 50;
const LINES_EACH = 20;

Deno.test("50 members: every line reaches every other member exactly once, in one order", async () => {
  await using dir = await tempDir();
  const hub = await startHub({ cwd: dir.path, args: ["--rate", "0"] });
  const members: HubMember[] = [];
  try {
    const names = Array.from({ length: MEMBERS }, (_, i) => `m${String(i).padStart(2, "0")}`);
    members.push(
      ...await Promise.all(
        names.map((name) => HubMember.join(hub.port, name, `${dir.path}/${name}`)),
      ),
    );
    await hub.proc.waitFor(() => hubLog(hub.proc, "hub-joined").length === MEMBERS);

    // Everyone talks at once.
    for (let i = 0; i < LINES_EACH; i++) {
      for (const member of members) member.client.say(`${member.client.name} line ${i} ✓`);
    }
    const expected = (MEMBERS - 1) * LINES_EACH;
    await Promise.all(
      members.map((member) =>
        member.until(
          () => member.messages().length >= expected,
          `${expected} lines`,
          60_000,
        )
      ),
    );
    await Promise.all(members.map((member) => member.until(() => !member.client.busy, "acks")));

    // One room-wide order: a seq always names the same line, whoever saw it.
    const bySeq = new Map<number, string>();
    for (const member of members) {
      for (const line of member.messages()) {
        const key = `${line.from}: ${line.text}`;
        assert.deepEqual(bySeq.get(line.seq) ?? key, key, `seq ${line.seq} differs`);
        bySeq.set(line.seq, key);
      }
    }
    assert.deepEqual(bySeq.size, MEMBERS * LINES_EACH);
    const order = [...bySeq.entries()].sort(([a], [b]) => a - b);
    const describe = (line: MessageEvent) => `${line.seq} ${line.from}: ${line.text}`;
    for (const member of members) {
      const me = member.client.name;
      // Exactly the others' lines, once each, in the room's order, none replayed as history.
      assert.deepEqual(
        member.messages().map(describe),
        order
          .filter(([, key]) => !key.startsWith(`${me}: `))
          .map(([seq, key]) => `${seq} ${key}`),
        `${me} saw another sequence`,
      );
      assert.ok(member.messages().every((line) => !line.history));
      // Each sender's lines keep the order they were typed in.
      for (const sender of names.filter((name) => name !== me)) {
        assert.deepEqual(
          member.messages().filter((line) => line.from === sender).map((line) => line.text),
          Array.from({ length: LINES_EACH }, (_, i) => `${sender} line ${i} ✓`),
        );
      }
    }

    await Promise.all(members.map((member) => member.leave()));
    members.length = 0;
    await hub.proc.waitFor(() => hubLog(hub.proc, "hub-left").length === MEMBERS);
    const left = hubLog(hub.proc, "hub-left");
    assert.ok(left.every((event) => event.reason === undefined), JSON.stringify(left));
  } finally {
    await Promise.all(members.map((member) => member.client.disconnect()));
    await hub.proc.close();
  }
});
