import assert from "node:assert/strict";
import type { Chat } from "../../lib/app/chat.ts";
import { ChatError } from "../../lib/app/chat_error.ts";
import type { ChatEvent } from "../../lib/app/chat_event.ts";
import { EventWords, plainText } from "../../lib/app/event_words.ts";
import { connectChat, hubChat, listenChat, serveHub } from "../../lib/app/front_door.ts";
import { PASSKEY } from "../../dev/test_passkey.ts";

const WRONG = "2-wrong-words-here";

/** A temporary folder, removed at the end. */
async function folder(): Promise<{ path: string } & AsyncDisposable> {
  const path = await Deno.makeTempDir({ prefix: "p2pchat_door_" });
  return { path, [Symbol.asyncDispose]: () => Deno.remove(path, { recursive: true }) };
}

/** Records events and waits for one. */
class Seen {
  readonly events: ChatEvent[] = [];
  readonly listen = (event: ChatEvent) => void this.events.push(event);

  /** The sentences of the events so far. */
  sentences(): string[] {
    const words = new EventWords();
    return this.events.flatMap((event) => words.lines(event).map((line) => plainText(line.text)));
  }

  async until(test: (event: ChatEvent) => boolean): Promise<ChatEvent> {
    const deadline = Date.now() + 10_000;
    while (true) {
      const found = this.events.find(test);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(JSON.stringify(this.events));
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
}

/** Where the tests host: loopback (never announced on the LAN), a free port. */
const ON_LOOPBACK = { host: "127.0.0.1", port: 0, passkey: PASSKEY, label: "test" } as const;

/** alice listening on loopback (not announced), for `fn`; left at the end. */
async function withAlice(fn: (alice: Chat, port: number, seen: Seen) => Promise<void>) {
  await using dir = await folder();
  const seen = new Seen();
  const alice = await listenChat({
    ...ON_LOOPBACK,
    announce: true,
    name: "alice",
    receiveDir: `${dir.path}/alice`,
  }, { onEvent: seen.listen });
  const listening = await seen.until((event) => event.type === "listening");
  try {
    await fn(alice, listening.type === "listening" ? listening.port : 0, seen);
  } finally {
    await alice.leave();
  }
}

Deno.test("front door: every subscriber hears every event; a peer leaving says the host waits for the next", async () => {
  await withAlice(async (alice, port, seen) => {
    await using dir = await folder();
    const second = new Seen();
    alice.subscribe(second.listen);
    const bob = await connectChat({
      host: "127.0.0.1",
      port,
      name: "bob",
      receiveDir: dir.path,
      passkey: PASSKEY,
    });
    await seen.until((event) => event.type === "joined");
    bob.run("/quit");
    assert.deepEqual(await bob.done, { how: "quit" });
    await seen.until((event) => event.type === "waiting");
    for (const heard of [seen.sentences(), second.sentences()]) {
      assert.ok(heard.includes("bob has left the chat."), heard.join("\n"));
      assert.ok(heard.includes(`Waiting for the next person on port ${port} ...`));
    }
    // Loopback only: nothing announced on the LAN.
    assert.ok(!seen.events.some((event) => event.type === "announced"));
  });
});

Deno.test("front door: a wrong passkey is asked again while tries are left; without asking it fails with the reason", async () => {
  await withAlice(async (_alice, port) => {
    await using dir = await folder();
    const plan = { host: "127.0.0.1", port, name: "bob", receiveDir: dir.path, passkey: WRONG };
    await assert.rejects(connectChat(plan), (error) => {
      assert.ok(error instanceof ChatError);
      assert.equal(error.message, "Wrong passkey");
      return true;
    });
    const seen = new Seen();
    const typed = [" 3-wrong-words-again", PASSKEY];
    const bob = await connectChat(plan, {
      onEvent: seen.listen,
      ask: { passkey: () => Promise.resolve(typed.shift()) },
    });
    assert.deepEqual(seen.sentences().slice(0, 3), [
      `Connecting to 127.0.0.1:${port} ...`,
      "Wrong passkey, try again (2 tries left)",
      "Wrong passkey, try again (1 try left)",
    ]);
    await seen.until((event) => event.type === "welcome");
    await bob.leave();
  });
});

Deno.test("front door: three wrong passkeys and it gives up", async () => {
  await withAlice(async (_alice, port) => {
    await using dir = await folder();
    let asked = 0;
    await assert.rejects(
      connectChat(
        { host: "127.0.0.1", port, name: "bob", receiveDir: dir.path, passkey: WRONG },
        { ask: { passkey: () => Promise.resolve(`${++asked}-wrong-words-here`) } },
      ),
      /^ChatError: Wrong passkey$/,
    );
    assert.equal(asked, 2);
  });
});

Deno.test("front door: a taken name asks for another (programs get the reason); the new name joins", async () => {
  await withAlice(async (_alice, port, seen) => {
    await using dir = await folder();
    const plan = { host: "127.0.0.1", port, name: "Alice", receiveDir: dir.path, passkey: PASSKEY };
    await assert.rejects(connectChat(plan), /The name Alice is taken in this chat/);
    const names = ["", "carol"];
    const carolSeen = new Seen();
    const carol = await connectChat(plan, {
      onEvent: carolSeen.listen,
      ask: { name: () => Promise.resolve(names.shift() === "" ? "no good!" : "carol") },
    });
    assert.equal(carol.client.name, "carol");
    const heard = carolSeen.sentences();
    assert.ok(heard.some((line) => line.startsWith("The name Alice is taken")), heard.join("\n"));
    assert.ok(heard.includes('The name "no good!" is not allowed: use 1-16 of A-Z a-z 0-9 _ . -'));
    assert.ok(heard.includes("Chatting with alice."));
    await seen.until((event) => event.type === "joined" && event.name === "carol");
    await carol.leave();
  });
});

Deno.test("front door: a hub served logs its members and stops with its goodbye; members are told why", async () => {
  await using dir = await folder();
  const seen = new Seen();
  const hub = await serveHub({
    ...ON_LOOPBACK,
    announce: false,
    dataDir: `${dir.path}/hub`,
  }, { onEvent: seen.listen });
  const port = hub.addr.port;
  const bobSeen = new Seen();
  const bob = await connectChat({
    host: "127.0.0.1",
    port,
    name: "bob",
    receiveDir: `${dir.path}/bob`,
    passkey: PASSKEY,
  }, { onEvent: bobSeen.listen });
  await seen.until((event) => event.type === "room" && event.event.type === "joined");
  await hub.close();
  assert.equal(await hub.done, undefined);
  // A member is told why, and (a hub may come back) tries again until it leaves.
  await bobSeen.until((event) => event.type === "reconnecting");
  assert.ok(
    bobSeen.sentences().some((line) => line.startsWith("Connection lost (The hub is stopping.)")),
  );
  await bob.leave();
  assert.deepEqual(await bob.done, { how: "quit" });
  const heard = seen.sentences();
  assert.equal(heard[0], `Hub listening on 127.0.0.1:${port} ...`);
  assert.ok(
    heard.some((line) => /^bob joined from 127\.0\.0\.1:\d+\. \(Connected: 1\)$/.test(line)),
  );
  assert.deepEqual(heard.slice(-2), ["Stopping: telling members and flushing.", "Hub stopped."]);
});

Deno.test("front door: a host's weak passkey, a bad name or a busy port are refused in words", async () => {
  await using dir = await folder();
  const plan = {
    host: "127.0.0.1",
    port: 0,
    label: "test",
    announce: false,
    name: "alice",
    receiveDir: dir.path,
  };
  await assert.rejects(
    listenChat({ ...plan, passkey: "1234" }),
    /^ChatError: The passkey is too weak/,
  );
  await assert.rejects(listenChat({ ...plan, name: "a b" }), /^ChatError: A name is 1-16/);
  using taken = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  await assert.rejects(
    hubChat({ ...plan, port: taken.addr.port, dataDir: `${dir.path}/hub` }),
    new RegExp(`^ChatError: Could not listen on 127\\.0\\.0\\.1:${taken.addr.port}: `),
  );
});
