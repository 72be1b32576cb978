import assert from "node:assert/strict";
import { broadcastGapMs, BroadcastPacer, PACED_ABOVE } from "../../lib/room/broadcast_pacer.ts";
import { MemoryHistory } from "../../lib/room/history.ts";
import { Room } from "../../lib/room/room.ts";
import { memorySessionPair } from "../../lib/session/memory_session.ts";
import { type Envelope, type Message, PROTOCOL_VERSION } from "../../lib/session/message.ts";
import type { CloseReason, MessageHandler, Session } from "../../lib/session/session.ts";

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A session that counts how often it is corked and uncorked. */
class CountingSession implements Session {
  corks = 0;
  uncorks = 0;
  #inner: Session;

  constructor(inner: Session) {
    this.#inner = inner;
  }

  get remote(): string {
    return this.#inner.remote;
  }
  get incoming(): ReadableStream<Envelope> {
    return this.#inner.incoming;
  }
  get closed(): Promise<CloseReason> {
    return this.#inner.closed;
  }
  get backlog(): number {
    return this.#inner.backlog;
  }
  receive(handler: MessageHandler): Promise<void> {
    return this.#inner.receive(handler);
  }
  post(message: Message, body?: Uint8Array, record?: Uint8Array): void {
    this.#inner.post(message, body, record);
  }
  cork(): void {
    this.corks++;
    this.#inner.cork();
  }
  uncork(): void {
    this.uncorks++;
    this.#inner.uncork();
  }
  drained(): Promise<void> {
    return this.#inner.drained();
  }
  backlogBelow(bytes: number): Promise<void> {
    return this.#inner.backlogBelow(bytes);
  }
  get onProblem(): Session["onProblem"] {
    return this.#inner.onProblem;
  }
  set onProblem(report: Session["onProblem"]) {
    this.#inner.onProblem = report;
  }
  close(reason?: string): Promise<void> {
    return this.#inner.close(reason);
  }
  abort(reason: string): void {
    this.#inner.abort(reason);
  }
}

/** Everything one member received, in order, as it arrives. */
class Inbox {
  readonly messages: Message[] = [];
  /** Resolves when the session has ended. */
  readonly ended: Promise<void>;
  #waiters: (() => void)[] = [];

  constructor(session: Session) {
    this.ended = session.receive(({ message }) => {
      this.messages.push(message);
      for (const wake of this.#waiters.splice(0)) wake();
    });
  }

  /** Texts of the chat lines received, in order. */
  get texts(): string[] {
    return this.messages.flatMap((m) => m.t === "chat" ? [m.text] : []);
  }

  /** Waits until `match` holds; fails after `ms`, showing what arrived. */
  async until(match: (inbox: Inbox) => boolean, ms = 1000): Promise<void> {
    const deadline = performance.now() + ms;
    while (!match(this)) {
      const left = deadline - performance.now();
      if (left <= 0) assert.fail(`gave up waiting; received ${JSON.stringify(this.messages)}`);
      let timer: ReturnType<typeof setTimeout> | undefined;
      await new Promise<void>((resolve) => {
        this.#waiters.push(resolve);
        timer = setTimeout(resolve, left);
      });
      clearTimeout(timer);
    }
  }

  /** Waits for `count` chat lines and returns their texts. */
  async lines(count: number, ms = 1000): Promise<string[]> {
    await this.until((inbox) => inbox.texts.length >= count, ms);
    return this.texts;
  }
}

/** `count` members as a room host sees them (counting corks), and what each one receives. */
function members(count: number): { hubs: CountingSession[]; inboxes: Inbox[] } {
  const hubs: CountingSession[] = [];
  const inboxes: Inbox[] = [];
  for (let i = 0; i < count; i++) {
    const [hub, client] = memorySessionPair(`10.0.0.${i + 1}:5000`);
    hubs.push(new CountingSession(hub));
    inboxes.push(new Inbox(client));
  }
  return { hubs, inboxes };
}

/** What the room does for a line: asks the pacer, then posts to everyone. */
function broadcast(pacer: BroadcastPacer, hubs: Session[], roomSize: number, text: string) {
  pacer.beforeBroadcast(roomSize);
  for (const hub of hubs) hub.post({ t: "chat", id: text, text });
}

async function closeAll(pacer: BroadcastPacer, hubs: Session[], inboxes: Inbox[]) {
  pacer.close();
  await Promise.all(hubs.map((hub) => hub.close()));
  await Promise.all(inboxes.map((inbox) => inbox.ended));
}

Deno.test("broadcastGapMs: small rooms are not paced; bigger ones wait longer, up to 100 ms", () => {
  assert.equal(PACED_ABOVE, 128);
  assert.equal(broadcastGapMs(0), 0);
  assert.equal(broadcastGapMs(2), 0);
  assert.equal(broadcastGapMs(100), 0);
  assert.equal(broadcastGapMs(128), 0);
  assert.ok(broadcastGapMs(129) > 0, "one past the limit is paced");
  assert.equal(broadcastGapMs(200), 20);
  assert.equal(broadcastGapMs(1000), 100);
  assert.equal(broadcastGapMs(2000), 100);
  assert.equal(broadcastGapMs(5000), 100);
  assert.equal(broadcastGapMs(100_000), 100);
});

Deno.test("BroadcastPacer (big room): the first line leaves at once, the next ones together after the gap", async () => {
  const { hubs, inboxes } = members(3);
  const pacer = new BroadcastPacer(() => hubs);
  try {
    const roomSize = 5000; // gap: 100 ms
    broadcast(pacer, hubs, roomSize, "first");
    const start = performance.now();
    assert.equal(pacer.holding, false);
    assert.deepEqual(hubs.map((hub) => hub.corks), [0, 0, 0], "nothing corked");
    for (const inbox of inboxes) assert.deepEqual(await inbox.lines(1, 60), ["first"]);

    broadcast(pacer, hubs, roomSize, "second");
    assert.equal(pacer.holding, true);
    assert.deepEqual(hubs.map((hub) => hub.corks), [1, 1, 1], "every member corked");
    broadcast(pacer, hubs, roomSize, "third");
    assert.deepEqual(hubs.map((hub) => hub.corks), [1, 1, 1], "corked once per batch");

    await sleep(50);
    for (const inbox of inboxes) assert.deepEqual(inbox.texts, ["first"], "still held");

    for (const inbox of inboxes) {
      assert.deepEqual(await inbox.lines(3), ["first", "second", "third"]);
    }
    const waited = performance.now() - start;
    assert.ok(waited >= 90, `held lines left after ${waited.toFixed(1)} ms, before the gap`);
    assert.equal(pacer.holding, false);
    assert.deepEqual(hubs.map((hub) => hub.uncorks), [1, 1, 1]);
    await sleep(10);
    for (const inbox of inboxes) assert.equal(inbox.texts.length, 3, "each line arrived once");
  } finally {
    await closeAll(pacer, hubs, inboxes);
  }
});

Deno.test("BroadcastPacer (big room): pacing counts from the last release; a quiet gap lets a line go at once", async () => {
  const { hubs, inboxes } = members(2);
  const pacer = new BroadcastPacer(() => hubs);
  try {
    const roomSize = 200; // gap: 10 ms
    broadcast(pacer, hubs, roomSize, "a");
    broadcast(pacer, hubs, roomSize, "b");
    assert.equal(pacer.holding, true);
    for (const inbox of inboxes) await inbox.lines(2);
    assert.equal(pacer.holding, false);

    // Right after a release, the next line waits for the gap again.
    broadcast(pacer, hubs, roomSize, "c");
    assert.equal(pacer.holding, true);
    for (const inbox of inboxes) await inbox.lines(3);
    assert.equal(pacer.holding, false);

    // After a quiet spell longer than the gap, a line leaves at once.
    await sleep(30);
    broadcast(pacer, hubs, roomSize, "d");
    assert.equal(pacer.holding, false);
    for (const inbox of inboxes) assert.deepEqual(await inbox.lines(4), ["a", "b", "c", "d"]);
    assert.deepEqual(hubs.map((hub) => hub.corks), [2, 2]);
    assert.deepEqual(hubs.map((hub) => hub.uncorks), [2, 2]);
  } finally {
    await closeAll(pacer, hubs, inboxes);
  }
});

Deno.test("BroadcastPacer (small room): up to 128 members, nothing is ever held", async () => {
  const { hubs, inboxes } = members(3);
  const pacer = new BroadcastPacer(() => hubs);
  try {
    const texts: string[] = [];
    for (const roomSize of [1, 2, 64, 100, 128]) {
      for (let i = 0; i < 5; i++) {
        const text = `${roomSize}:${i}`;
        texts.push(text);
        broadcast(pacer, hubs, roomSize, text);
        assert.equal(pacer.holding, false, `held a line in a room of ${roomSize}`);
      }
    }
    assert.deepEqual(hubs.map((hub) => hub.corks), [0, 0, 0]);
    for (const inbox of inboxes) assert.deepEqual(await inbox.lines(texts.length), texts);
  } finally {
    await closeAll(pacer, hubs, inboxes);
  }
});

Deno.test("BroadcastPacer: close() releases held lines at once and leaves no timer behind", async () => {
  const { hubs, inboxes } = members(2);
  const pacer = new BroadcastPacer(() => hubs);
  try {
    const idle = new BroadcastPacer(() => hubs);
    idle.close(); // nothing held: nothing to do
    assert.deepEqual(hubs.map((hub) => hub.uncorks), [0, 0]);

    const roomSize = 5000; // gap: 100 ms
    broadcast(pacer, hubs, roomSize, "one");
    broadcast(pacer, hubs, roomSize, "two");
    broadcast(pacer, hubs, roomSize, "three");
    assert.equal(pacer.holding, true);
    const start = performance.now();
    pacer.close();
    assert.equal(pacer.holding, false);
    assert.deepEqual(hubs.map((hub) => hub.uncorks), [1, 1]);
    for (const inbox of inboxes) {
      assert.deepEqual(await inbox.lines(3, 50), ["one", "two", "three"]);
    }
    const waited = performance.now() - start;
    assert.ok(waited < 50, `released after ${waited.toFixed(1)} ms, not at once`);
    pacer.close(); // twice is harmless
    assert.deepEqual(hubs.map((hub) => hub.uncorks), [1, 1]);
    // The test ends well before the 100 ms gap: a timer left running fails the sanitizer.
  } finally {
    await closeAll(pacer, hubs, inboxes);
  }
});

Deno.test({
  name: "BroadcastPacer: after close(), lines are no longer held",
  // A closing Room still broadcasts lines already queued in its members' sessions: no pacing
  // timer may outlive `Room.close()`.
  fn: async () => {
    const { hubs, inboxes } = members(1);
    const pacer = new BroadcastPacer(() => hubs);
    try {
      pacer.close(); // the room is closing
      broadcast(pacer, hubs, 5000, "one");
      broadcast(pacer, hubs, 5000, "two");
      assert.equal(pacer.holding, false, "a closed pacer holds nothing");
      assert.deepEqual(hubs.map((hub) => hub.corks), [0]);
      assert.deepEqual(await inboxes[0].lines(2, 50), ["one", "two"]);
    } finally {
      await closeAll(pacer, hubs, inboxes);
    }
  },
});

Deno.test("Room (hub of 130): a burst of lines reaches every other member, in order, exactly once", async () => {
  const MEMBERS = 130;
  const LINES = 8;
  const room = new Room({ kind: "hub", capacity: 200, history: new MemoryHistory(1000) });
  const admitted: Promise<void>[] = [];
  const inboxes: Inbox[] = [];
  const sides: Session[] = [];
  try {
    for (let i = 0; i < MEMBERS; i++) {
      const [hostSide, ownSide] = memorySessionPair(`10.0.${i >> 8}.${i & 255}:5000`);
      admitted.push(room.admit(hostSide));
      inboxes.push(new Inbox(ownSide));
      sides.push(ownSide);
      ownSide.post({ t: "hello", v: PROTOCOL_VERSION, name: `m${i}`, client: `client-${i}` });
    }
    await Promise.all(inboxes.map((inbox) => inbox.until((x) => x.messages.length > 0)));
    for (const inbox of inboxes) assert.equal(inbox.messages[0].t, "welcome");
    assert.equal(room.names.length, MEMBERS);

    const [speaker, ...others] = inboxes;
    const said = Array.from({ length: LINES }, (_, i) => `line ${i}`);
    // All in one turn: the room handles them back to back, within the pacing gap.
    for (const text of said) sides[0].post({ t: "chat", id: text, text });

    await Promise.all(others.map((inbox) => inbox.lines(LINES)));
    await speaker.until((x) => x.messages.filter((m) => m.t === "ack").length === LINES);
    await sleep(20); // anything sent twice would arrive by now
    for (const [i, inbox] of others.entries()) {
      const chats = inbox.messages.filter((m) => m.t === "chat");
      assert.deepEqual(chats.map((m) => m.text), said, `member m${i + 1}`);
      assert.deepEqual(chats.map((m) => m.from), Array(LINES).fill("m0"));
      const seqs = chats.map((m) => m.seq ?? 0);
      assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b), "in room order");
    }
    assert.deepEqual(speaker.texts, [], "the speaker is not sent its own lines");
  } finally {
    await room.close();
    await Promise.all(admitted);
    await Promise.all(inboxes.map((inbox) => inbox.ended));
  }
});
