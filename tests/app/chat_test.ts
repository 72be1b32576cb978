import assert from "node:assert/strict";
import type { ChatEvent } from "../../lib/app/chat_event.ts";
import { connectChat, hubChat, listenChat } from "../../lib/app/front_door.ts";
import { PASSKEY } from "../../dev/test_passkey.ts";

/** Waits until `events` holds one that passes `test`. */
async function until(events: ChatEvent[], test: (event: ChatEvent) => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!events.some(test)) {
    if (Date.now() > deadline) throw new Error(JSON.stringify(events));
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const ON_LOOPBACK = {
  host: "127.0.0.1",
  port: 0,
  passkey: PASSKEY,
  label: "test",
  announce: false,
} as const;

Deno.test("chat: a host knows who leaving would stop the chat for; a member stops it for nobody", async () => {
  const dir = await Deno.makeTempDir({ prefix: "p2pchat_chat_" });
  try {
    const seen: ChatEvent[] = [];
    const alice = await listenChat(
      { ...ON_LOOPBACK, name: "alice", receiveDir: `${dir}/alice` },
      { onEvent: (event) => seen.push(event) },
    );
    assert.deepEqual(alice.audience, { kind: "direct", others: [] });
    const port = (seen.find((e) => e.type === "listening") as { port: number }).port;
    const bob = await connectChat(
      { host: "127.0.0.1", port, name: "bob", receiveDir: `${dir}/bob`, passkey: PASSKEY },
    );
    await until(seen, (event) => event.type === "joined");
    assert.deepEqual(alice.audience, { kind: "direct", others: ["bob"] });
    assert.equal(bob.audience, undefined);
    await bob.leave();
    await until(seen, (event) => event.type === "left");
    assert.deepEqual(alice.audience, { kind: "direct", others: [] });
    await alice.leave();
    assert.equal(alice.audience, undefined);

    const hubSeen: ChatEvent[] = [];
    const host = await hubChat(
      { ...ON_LOOPBACK, name: "host", receiveDir: `${dir}/host`, dataDir: `${dir}/hub` },
      { onEvent: (event) => hubSeen.push(event) },
    );
    const hubPort = (hubSeen.find((e) => e.type === "listening") as { port: number }).port;
    const members = [];
    for (const name of ["ann", "ben"]) {
      members.push(
        await connectChat(
          {
            host: "127.0.0.1",
            port: hubPort,
            name,
            receiveDir: `${dir}/${name}`,
            passkey: PASSKEY,
          },
        ),
      );
    }
    await until(hubSeen, (event) => event.type === "joined" && event.name === "ben");
    assert.deepEqual(host.audience, { kind: "hub", others: ["ann", "ben"] });
    for (const member of members) await member.leave();
    await host.leave();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
