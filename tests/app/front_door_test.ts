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

/** A hub on loopback that keeps its passkey in `dataDir` (as `serve` does), its log seen. */
async function keepingHub(dataDir: string, extra: { port?: number; renew?: boolean } = {}) {
  const seen = new Seen();
  const hub = await serveHub({
    host: "127.0.0.1",
    port: extra.port ?? 0,
    label: "test",
    announce: false,
    dataDir,
    keepPasskey: { renew: extra.renew ?? false },
  }, { onEvent: seen.listen });
  const listening = await seen.until((event) => event.type === "listening");
  return { hub, seen, passkey: listening.type === "listening" ? listening.passkey! : "" };
}

Deno.test("front door: a hub keeps its passkey in its data folder across restarts; renew makes a new one; a given one is not kept", async () => {
  await using dir = await folder();
  const dataDir = `${dir.path}/p2pchat-data`;
  const first = await keepingHub(dataDir);
  await first.hub.close();
  assert.ok(
    first.seen.sentences().includes(
      `Passkey: ${first.passkey} (kept in ${dataDir}/; --new-passkey makes a new one)`,
    ),
    first.seen.sentences().join("\n"),
  );
  const again = await keepingHub(dataDir);
  await again.hub.close();
  assert.equal(again.passkey, first.passkey);
  const renewed = await keepingHub(dataDir, { renew: true });
  await renewed.hub.close();
  assert.notEqual(renewed.passkey, first.passkey);
  // A passkey given at start is used, said to be not kept, and the kept one stays.
  const seen = new Seen();
  const given = await serveHub({
    ...ON_LOOPBACK,
    announce: false,
    dataDir,
    keepPasskey: { renew: false },
  }, { onEvent: seen.listen });
  await given.close();
  assert.ok(
    seen.sentences().includes(`Passkey: ${PASSKEY} (given at start; not kept in ${dataDir}/)`),
  );
  assert.equal(Deno.readTextFileSync(`${dataDir}/passkey`), `${renewed.passkey}\n`);
});

/** bob in a hub restarted with a new passkey while he typed two lines; `ask` is his prompt. */
async function passkeyChanges(ask: ((newPasskey: string) => string) | undefined) {
  await using dir = await folder();
  const dataDir = `${dir.path}/p2pchat-data`;
  const first = await keepingHub(dataDir);
  const port = first.hub.addr.port;
  const bobSeen = new Seen();
  const renewed = Promise.withResolvers<string>();
  let asked = 0;
  const bob = await connectChat({
    host: "127.0.0.1",
    port,
    name: "bob",
    receiveDir: `${dir.path}/bob`,
    passkey: first.passkey,
  }, {
    onEvent: bobSeen.listen,
    ask: ask && { passkey: async () => (asked++, ask(await renewed.promise)) },
  });
  await bobSeen.until((event) => event.type === "welcome");
  await first.hub.close();
  await bobSeen.until((event) => event.type === "reconnecting");
  bob.run("typed while the hub was away");
  bob.run("and a second line");
  const second = await keepingHub(dataDir, { port, renew: true });
  // carol hears what bob delivers once he is back.
  const carolSeen = new Seen();
  const carol = await connectChat({
    host: "127.0.0.1",
    port,
    name: "carol",
    receiveDir: `${dir.path}/carol`,
    passkey: second.passkey,
  }, { onEvent: carolSeen.listen });
  await carolSeen.until((event) => event.type === "welcome");
  renewed.resolve(second.passkey);
  return { bob, bobSeen, second, carol, carolSeen, asked: () => asked };
}

Deno.test("front door: a member whose hub comes back with a new passkey is told, asked for it, rejoins and delivers what it queued", async () => {
  // The first passkey typed is wrong (one of the tries), the second the new one.
  let typed = 0;
  const { bob, bobSeen, second, carol, carolSeen, asked } = await passkeyChanges((newPasskey) =>
    typed++ === 0 ? WRONG : newPasskey
  );
  try {
    await bobSeen.until((event) => event.type === "reconnected");
    const heard = bobSeen.sentences();
    const changed = heard.findIndex((line) => line.startsWith("The hub's passkey changed"));
    assert.deepEqual(heard.slice(changed, changed + 2), [
      "The hub's passkey changed (it was restarted with a new one). Type the new passkey to " +
      "rejoin; your 2 lines not delivered yet are kept.",
      "Wrong passkey, try again (2 tries left)",
    ]);
    assert.equal(asked(), 2);
    // What bob typed meanwhile reaches the hub, once each.
    const lines = () =>
      carolSeen.events.flatMap((event) => event.type === "message" ? [event.text] : []);
    await carolSeen.until(() => lines().length === 2);
    assert.deepEqual(lines(), ["typed while the hub was away", "and a second line"]);
    // ... and the hub acknowledges them: nothing is left queued.
    await bobSeen.until(() => bob.client.unacknowledged === 0);
  } finally {
    await bob.leave();
    await carol.leave();
    await second.hub.close();
  }
});

Deno.test("front door: where nobody can type it, a changed passkey ends the chat with the lines not delivered", async () => {
  const { bob, bobSeen, second, carol } = await passkeyChanges(undefined);
  try {
    const end = await bob.done;
    assert.equal(end.how, "ended");
    assert.equal(
      end.how === "ended" ? end.fatal?.message : "",
      "The hub's passkey changed (2 lines not delivered)",
    );
    assert.ok(
      bobSeen.sentences().includes(
        "The hub's passkey changed (it was restarted with a new one): 2 lines not delivered.",
      ),
    );
  } finally {
    await carol.leave();
    await second.hub.close();
  }
});
