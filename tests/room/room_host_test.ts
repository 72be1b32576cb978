import assert from "node:assert/strict";
import { join } from "node:path";
import { type HostEvent, RoomHost } from "../../lib/room/room_host.ts";
import { type ClientEvent, RefusedError, RoomClient } from "../../lib/room/room_client.ts";
import { FileStore } from "../../lib/room/file_store.ts";
import { dial } from "../../lib/session/dial.ts";
import { Recorder } from "./in_memory_room.ts";

const PASSKEY = "7-orbit-lemon-cradle";

/** Runs `fn` with a fresh temporary folder. */
async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "p2pchat_room_host_" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** A client that dialed `host` and joined as `name`. */
async function joinOver(host: RoomHost, name: string, dir: string) {
  const session = await dial("127.0.0.1", host.addr.port, PASSKEY);
  const client = new RoomClient({ name, files: new FileStore(join(dir, name)) });
  const events = new Recorder<ClientEvent>();
  client.subscribe((event) => events.push(event));
  await client.join(session);
  return { client, events };
}

Deno.test("RoomHost.direct: the host chats with one person who dialed in", async () => {
  await withDir(async (dir) => {
    const hostEvents = new Recorder<HostEvent>();
    const aliceEvents = new Recorder<ClientEvent>();
    const host = await RoomHost.direct({
      listener: Deno.listen({ port: 0, hostname: "127.0.0.1" }),
      passkey: PASSKEY,
      name: "alice",
      receiveDir: join(dir, "alice"),
      onEvent: (event) => hostEvents.push(event),
      onClientEvent: (event) => aliceEvents.push(event),
    });
    let bob: Awaited<ReturnType<typeof joinOver>> | undefined;
    try {
      assert.equal(host.addr.hostname, "127.0.0.1");
      assert.ok(host.addr.port > 0);
      assert.equal(host.room.kind, "direct");
      const welcome = aliceEvents.items[0];
      assert.equal(welcome.type, "welcome", "the host's own welcome is not missed");

      bob = await joinOver(host, "bob", dir);
      assert.deepEqual(bob.events.items[0], {
        type: "welcome",
        you: "bob",
        kind: "direct",
        members: ["alice", "bob"],
        count: 2,
        history: 0,
        resumed: false,
      });
      const secured = await hostEvents.waitFor((e) => e.type === "secured");
      assert.equal(secured.type === "secured" && secured.authenticated, true);
      const joined = await aliceEvents.waitFor((e) => e.type === "joined");
      assert.equal(joined.type === "joined" && joined.name, "bob");
      assert.match(joined.type === "joined" && joined.remote || "", /^127\.0\.0\.1:\d+$/);

      host.client!.say("hello bob");
      bob.client.say("hello alice");
      const toBob = await bob.events.waitFor((e) => e.type === "message");
      const toAlice = await aliceEvents.waitFor((e) => e.type === "message");
      assert.deepEqual(
        [toBob.type === "message" && toBob.text, toAlice.type === "message" && toAlice.text],
        ["hello bob", "hello alice"],
      );

      // A third person is turned away by the room, over the network too.
      const carol = await dial("127.0.0.1", host.addr.port, PASSKEY);
      const refused = new RoomClient({ name: "carol", files: new FileStore(join(dir, "c")) });
      await assert.rejects(refused.join(carol), (error: unknown) => {
        assert.ok(error instanceof RefusedError);
        assert.equal(error.message, "This chat is busy: a direct chat holds two people.");
        return true;
      });
      await carol.close();
    } finally {
      await host.close("alice ended the chat.");
    }
    // bob is told why the chat ended.
    assert.equal(await bob!.client.ended(), "alice ended the chat.");
    assert.deepEqual(bob!.events.items.at(-1), { type: "closed", reason: "alice ended the chat." });
  });
});

Deno.test("RoomHost.direct: close() with nobody connected frees the port", async () => {
  await withDir(async (dir) => {
    const host = await RoomHost.direct({
      listener: Deno.listen({ port: 0, hostname: "127.0.0.1" }),
      passkey: null,
      name: "alice",
      receiveDir: dir,
    });
    const port = host.addr.port;
    await host.close("bye");
    assert.equal(await host.client!.ended(), "bye");
    const again = Deno.listen({ port, hostname: "127.0.0.1" });
    again.close();
  });
});

Deno.test("RoomHost.hub: lines said before a restart are replayed after it", async () => {
  await withDir(async (dir) => {
    const options = {
      passkey: PASSKEY,
      dataDir: join(dir, "data"),
      historyLimit: 10,
      rate: 0,
      maxClients: 10,
    };
    const first = await RoomHost.hub({
      ...options,
      listener: Deno.listen({ port: 0, hostname: "127.0.0.1" }),
    });
    assert.equal(first.client, undefined, "the host does not take part unless asked");
    const alice = await joinOver(first, "alice", dir);
    alice.client.say("before the restart");
    await alice.client.quit();
    await first.close("restarting");

    const second = await RoomHost.hub({
      ...options,
      listener: Deno.listen({ port: 0, hostname: "127.0.0.1" }),
    });
    try {
      const bob = await joinOver(second, "bob", dir);
      assert.equal(bob.events.items[0].type === "welcome" && bob.events.items[0].history, 1);
      const line = await bob.events.waitFor((e) => e.type === "message");
      assert.equal(line.type === "message" && line.text, "before the restart");
      assert.equal(line.type === "message" && line.history, true);
      await bob.client.quit();
    } finally {
      await second.close("done");
    }
  });
});

Deno.test("RoomHost.hub: stopping with members still connected tells them why, and fails nothing after", async () => {
  await withDir(async (dir) => {
    const host = await RoomHost.hub({
      listener: Deno.listen({ port: 0, hostname: "127.0.0.1" }),
      passkey: PASSKEY,
      dataDir: join(dir, "data"),
      historyLimit: 10,
      rate: 0,
      maxClients: 10,
    });
    const alice = await joinOver(host, "alice", dir);
    const bob = await joinOver(host, "bob", dir);
    alice.client.say("hello");
    await bob.events.waitFor((e) => e.type === "message");
    await host.close("The hub is stopping.");
    assert.equal(await alice.client.ended(), "The hub is stopping.");
    assert.equal(await bob.client.ended(), "The hub is stopping.");
    // The room finishes with each member after its storage is closed: nothing may throw then.
    await new Promise((resolve) => setTimeout(resolve, 100));
  });
});
