import assert from "node:assert/strict";
import { memorySessionPair } from "../../lib/session/memory_session.ts";
import { NetSession } from "../../lib/session/net_session.ts";
import type { CloseReason, Session } from "../../lib/session/session.ts";

const PASSKEY = "7-orbit-lemon-cradle";
/** How long a test waits to be sure that held messages did not leave. */
const QUIET_MS = 50;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Two NetSessions over a real loopback TCP connection: [client (sender), host (receiver)]. */
async function netPair(): Promise<[Session, Session]> {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  let server: Deno.TcpConn;
  let client: Deno.TcpConn;
  try {
    [server, client] = await Promise.all([
      listener.accept(),
      Deno.connect({ hostname: "127.0.0.1", port: listener.addr.port }),
    ]);
  } finally {
    listener.close();
  }
  const [host, guest] = await Promise.all([
    NetSession.start(server, { role: "host", passkey: PASSKEY }),
    NetSession.start(client, { role: "client", passkey: PASSKEY }),
  ]);
  return [guest, host];
}

/** The two kinds of session, each as [sender, receiver]. */
const PAIRS: { name: string; make: () => Promise<[Session, Session]> }[] = [
  { name: "NetSession", make: netPair },
  { name: "memorySessionPair", make: () => Promise.resolve(memorySessionPair()) },
];

/** What the receiver got: chat texts (or message types), in order, as they arrive. */
class Inbox {
  readonly lines: string[] = [];
  /** Resolves when the session has ended. */
  readonly ended: Promise<void>;
  #waiters: (() => void)[] = [];

  constructor(session: Session) {
    this.ended = session.receive(({ message }) => {
      this.lines.push(message.t === "chat" ? message.text : message.t);
      for (const wake of this.#waiters.splice(0)) wake();
    });
  }

  /** Waits until `count` lines have arrived; fails after `ms` saying what did arrive. */
  async waitFor(count: number, ms = 1000): Promise<string[]> {
    const deadline = performance.now() + ms;
    while (this.lines.length < count) {
      const left = deadline - performance.now();
      if (left <= 0) {
        assert.fail(`only ${this.lines.length} of ${count} lines arrived: ${this.lines}`);
      }
      let timer: ReturnType<typeof setTimeout> | undefined;
      await new Promise<void>((resolve) => {
        this.#waiters.push(resolve);
        timer = setTimeout(resolve, left);
      });
      clearTimeout(timer);
    }
    return [...this.lines];
  }
}

function say(session: Session, ...texts: string[]): void {
  for (const text of texts) session.post({ t: "chat", id: text, text });
}

/** Runs `body` with a fresh pair, then closes both ends and waits for the receiver to end. */
async function withPair(
  make: () => Promise<[Session, Session]>,
  body: (sender: Session, receiver: Session, inbox: Inbox) => Promise<void>,
): Promise<void> {
  const [sender, receiver] = await make();
  const inbox = new Inbox(receiver);
  try {
    await body(sender, receiver, inbox);
  } finally {
    await sender.close();
    await inbox.ended;
    await receiver.close();
  }
}

for (const { name, make } of PAIRS) {
  Deno.test(`${name}: lines said while corked arrive only at uncork, all together, in order`, async () => {
    await withPair(make, async (sender, _receiver, inbox) => {
      say(sender, "before");
      assert.deepEqual(await inbox.waitFor(1), ["before"]);

      sender.cork();
      say(sender, "held 1", "held 2", "held 3");
      await sleep(QUIET_MS);
      assert.deepEqual(inbox.lines, ["before"], "nothing said while corked has arrived");

      sender.uncork();
      assert.deepEqual(await inbox.waitFor(4), ["before", "held 1", "held 2", "held 3"]);

      // Uncorked, lines leave at once again.
      say(sender, "after");
      assert.deepEqual(await inbox.waitFor(5), [
        "before",
        "held 1",
        "held 2",
        "held 3",
        "after",
      ]);
      await sleep(QUIET_MS);
      assert.equal(inbox.lines.length, 5, "nothing arrived twice");
    });
  });

  Deno.test(`${name}: a line said just before cork is not held`, async () => {
    await withPair(make, async (sender, _receiver, inbox) => {
      say(sender, "early");
      await inbox.waitFor(1);
      // Said in the same turn as the cork, but before it.
      say(sender, "just before");
      sender.cork();
      say(sender, "held");
      assert.deepEqual(await inbox.waitFor(2), ["early", "just before"]);
      await sleep(QUIET_MS);
      assert.deepEqual(inbox.lines, ["early", "just before"]);
      sender.uncork();
      assert.deepEqual(await inbox.waitFor(3), ["early", "just before", "held"]);
    });
  });

  Deno.test({
    name: `${name}: lines said before cork and not yet written may wait; later ones always do`,
    fn: async () => {
      await withPair(make, async (sender, _receiver, inbox) => {
        say(sender, "before 1", "before 2", "before 3");
        sender.cork();
        say(sender, "held");
        await sleep(QUIET_MS);
        // NetSession writes "before 1" at once and keeps the rest queued behind that write;
        // the memory pair has no queue. Either way nothing said after the cork arrives.
        const before = ["before 1", "before 2", "before 3"];
        assert.ok(inbox.lines.length >= 1, "the first line is written at once");
        assert.deepEqual(inbox.lines, before.slice(0, inbox.lines.length));
        sender.uncork();
        assert.deepEqual(await inbox.waitFor(4), ["before 1", "before 2", "before 3", "held"]);
      });
    },
  });

  Deno.test(`${name}: close() while corked still delivers everything held, then the session ends`, async () => {
    const [sender, receiver] = await make();
    const inbox = new Inbox(receiver);
    try {
      say(sender, "one");
      await inbox.waitFor(1);
      sender.cork();
      say(sender, "two", "three");
      sender.post({ t: "bye", reason: "quit" });
      await sleep(QUIET_MS);
      assert.deepEqual(inbox.lines, ["one"]);
      await sender.close();
      assert.equal(await sender.closed, undefined, "a clean close");
      await inbox.ended; // the receiver sees the end of the session...
      // ...after every held line, in order.
      assert.deepEqual(inbox.lines, ["one", "two", "three", "bye"]);
      const reason: CloseReason = await receiver.closed;
      assert.ok(reason === "the connection closed" || reason === "the peer left", reason);
    } finally {
      await sender.close();
      await receiver.close();
    }
  });

  Deno.test(`${name}: uncork without cork is harmless`, async () => {
    await withPair(make, async (sender, _receiver, inbox) => {
      sender.uncork();
      say(sender, "one");
      sender.uncork();
      sender.uncork();
      say(sender, "two");
      assert.deepEqual(await inbox.waitFor(2), ["one", "two"]);
      // A cork with nothing held, undone twice, sends nothing and leaves the session uncorked.
      sender.cork();
      sender.uncork();
      sender.uncork();
      say(sender, "three");
      assert.deepEqual(await inbox.waitFor(3), ["one", "two", "three"]);
      await sleep(QUIET_MS);
      assert.deepEqual(inbox.lines, ["one", "two", "three"], "nothing sent twice");
    });
  });
}
