import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { lineTextProblem, splitLongText } from "../../lib/room/line_text.ts";
import { MAX_NAME_LENGTH } from "../../lib/room/member_name.ts";
import { RESUME_LIMIT } from "../../lib/room/room.ts";
import { SqliteHistory } from "../../lib/room/sqlite_history.ts";
import { type Message, parseMessage, PROTOCOL_VERSION } from "../../lib/session/message.ts";
import { decodeRecord, encodeRecord } from "../../lib/wire/codec.ts";
import { MAX_HEADER_BYTES, MAX_TEXT_BYTES } from "../../lib/wire/limits.ts";
import { InMemoryRoom, type RawMember } from "./in_memory_room.ts";

const encoder = new TextEncoder();
const bytes = (text: string) => encoder.encode(text).length;

Deno.test("lineTextProblem: tab and ordinary Unicode pass; controls, lone surrogates, empty and overlong lines do not", () => {
  for (
    const text of [
      "hi",
      "a\tb",
      "héllo 👋 مرحبا",
      '"quoted" \\ back',
      "\u00a0nbsp",
      "x".repeat(4096),
    ]
  ) {
    assert.equal(lineTextProblem(text), undefined, JSON.stringify(text));
  }
  assert.equal(lineTextProblem("  "), "Empty messages are not sent.");
  assert.equal(
    lineTextProblem("é".repeat(2049)),
    "Input too long (4098 bytes; the limit is 4096).",
  );
  for (const [text, code] of [["a\nb", "0a"], ["\r", "0d"], ["\x00", "00"], ["\x7f", "7f"]]) {
    assert.equal(
      lineTextProblem(`x${text}`),
      `Message rejected: control characters such as \\x${code} are not allowed (tab is).`,
    );
  }
  assert.match(lineTextProblem("C1 \u0085 \u009f")!, /such as \\x85 /);
  assert.equal(
    lineTextProblem("half \ud83d of an emoji"),
    "Message rejected: the text is not valid Unicode (it holds a lone surrogate).",
  );
});

/** What JSON makes of one UTF-8 byte of `ch`, in the worst case: bytes in a header per byte counted. */
function cost(ch: string): number {
  return (bytes(JSON.stringify(ch)) - 2) / bytes(ch);
}

/**
 * The character a line may hold (as the room decides) that costs the most once in JSON: every
 * UTF-16 unit (lone surrogates too) and an emoji are tried.
 */
function worstAllowedCharacter(): string {
  let worst = "x";
  for (let code = 0; code <= 0xffff; code++) {
    const ch = String.fromCharCode(code);
    if (lineTextProblem(`x${ch}`) === undefined && cost(ch) > cost(worst)) worst = ch;
  }
  if (lineTextProblem("😀") === undefined && cost("😀") > cost(worst)) worst = "😀";
  return worst;
}

/** The longest ISO time a hub can write, and the longest sequence number. */
const LONGEST_TIME = new Date(8.64e15).toISOString();
const LARGEST = Number.MAX_SAFE_INTEGER;

/** `message` with every field a hub fills in at its largest: time, numbers. */
function atLimits(message: Message): Message {
  const worst: { [key: string]: unknown } = { ...message };
  if ("time" in worst) worst.time = LONGEST_TIME;
  for (const field of ["seq", "count", "history", "skipped"]) {
    if (typeof worst[field] === "number") worst[field] = LARGEST;
  }
  return worst as Message;
}

Deno.test("every message a room sends about a line fits the header limit and passes the receiver's checks, at its worst", async () => {
  const ch = worstAllowedCharacter();
  // One letter first: the worst may be white space (tab), and a line of it alone is empty.
  const text = `x${ch.repeat(Math.floor((MAX_TEXT_BYTES - 1) / bytes(ch)))}`;
  assert.equal(lineTextProblem(text), undefined, "the longest line the room accepts");
  // The room does not look at ids; the receiver takes up to 64 of anything.
  const id = "\x01".repeat(64);
  const name = (tag: string) => tag.padEnd(MAX_NAME_LENGTH, "x");

  // A history already far along: numbers as long as numbers get.
  const db = new DatabaseSync(":memory:");
  new SqliteHistory(db).close();
  db.prepare(
    "INSERT INTO lines (seq, client, id, sender, text, time) VALUES (?, 'c', 'i', 's', 't', 'x')",
  ).run(LARGEST - 1_000_000);
  const history = new SqliteHistory(db);
  const chat = new InMemoryRoom({ kind: "hub", capacity: 100, history, historyLimit: 50 });
  const heard = new Map<string, Message[]>();
  const hear = (path: string, member: RawMember, type: Message["t"], from = 0) => {
    const found = member.received.items.slice(from).map((e) => e.message).filter((m) =>
      m.t === type
    );
    assert.ok(found.length > 0, `nothing heard on ${path}`);
    heard.set(path, [...heard.get(path) ?? [], ...found]);
  };
  const join = async (tag: string, extra: Partial<Extract<Message, { t: "hello" }>> = {}) => {
    const member = chat.raw({
      t: "hello",
      v: PROTOCOL_VERSION,
      name: name(tag),
      client: `client-${tag}`,
      ...extra,
    });
    await member.received.waitFor((e) => e.message.t === "welcome");
    return member;
  };
  const sync = async (member: RawMember) => {
    const from = member.received.items.length;
    member.post({ t: "who" });
    await member.received.waitFor((e) => e.message.t === "members", from);
  };
  try {
    // A room of 50 with the longest names: the welcome names as many as it names.
    for (let i = 0; i < 47; i++) await join(`m${i}`);
    const target = await join("target");
    const sender = await join("sender");
    sender.post({ t: "chat", id, text });
    sender.post({ t: "chat", id: `${id.slice(1)}2`, text, me: true });
    sender.post({ t: "private", id: `${id.slice(1)}3`, to: name("target"), text });
    await sync(sender);
    await sync(target);
    hear("broadcast line and action", target, "chat");
    hear("private line", target, "private");
    hear("ack", sender, "ack");
    const lastSeq = Math.min(
      ...target.received.items.flatMap((e) => e.message.t === "chat" ? [e.message.seq!] : []),
    ) - 1;

    // Resumed: the sender comes back and is replayed its own lines, ids and all.
    await sender.session.close();
    const back = await join("sender", { lastSeq });
    await sync(back);
    hear("resume (own lines, with their ids)", back, "chat");
    hear("welcome (resumed)", back, "welcome");
    // A newcomer is replayed the history.
    const newcomer = await join("newcomer");
    await sync(newcomer);
    hear("history (newcomer)", newcomer, "chat");
    hear("welcome (newcomer, 50 names)", newcomer, "welcome");
    assert.equal(
      (newcomer.received.items[0].message as { members: string[] }).members.length,
      50,
    );
    // More missed than is replayed: the welcome counts the rest.
    for (let i = 0; i <= RESUME_LIMIT; i++) target.post({ t: "chat", id: `t${i}`, text: "x" });
    await sync(target);
    await newcomer.session.close();
    const again = chat.raw({
      t: "hello",
      v: PROTOCOL_VERSION,
      name: name("newcomer2"),
      client: "client-newcomer",
      lastSeq,
    });
    await again.received.waitFor((e) => e.message.t === "welcome");
    const skipped = again.received.items[0].message as { skipped?: number };
    assert.ok(skipped.skipped! > 0, "the welcome tells of lines not shown");
    hear("welcome (lines not shown)", again, "welcome");

    for (const [path, messages] of heard) {
      for (const message of messages) {
        const worst = atLimits(message);
        const record = encodeRecord(worst);
        const header = new DataView(record.buffer).getUint32(0);
        assert.ok(header <= MAX_HEADER_BYTES, `${path}: ${header} bytes of header`);
        assert.deepEqual(parseMessage(decodeRecord(record).header), worst, path);
      }
    }
    // What the room sends about others' lines carries none of their ids.
    for (
      const message of [...heard.get("broadcast line and action")!, ...heard.get("private line")!]
    ) {
      assert.equal((message as { id: string }).id, "");
    }
  } finally {
    await chat.close();
    history.close();
    db.close();
  }
});

Deno.test("splitLongText: a long line becomes lines the room takes, nothing lost or cut inside a character", () => {
  const family = "👨‍👩‍👧"; // one character of 18 bytes
  const words = Array.from({ length: 900 }, (_, i) => `word${i}`).join(" ");
  const cases = [
    "x".repeat(4096),
    "x".repeat(4097),
    "é".repeat(2049),
    family.repeat(500),
    words,
    "e" + "\u0301".repeat(3000), // one character of 6,001 bytes
  ];
  for (const text of cases) {
    const lines = splitLongText(text);
    assert.equal(lines.join(""), text, "nothing lost");
    for (const line of lines) assert.equal(lineTextProblem(line), undefined);
  }
  assert.deepEqual(splitLongText("x".repeat(4096)), ["x".repeat(4096)]);
  assert.equal(splitLongText("x".repeat(4097)).length, 2);
  // A family is never cut in two.
  for (const line of splitLongText(family.repeat(500))) assert.ok(line.startsWith(family));
  // Words stay whole: cut after a space.
  for (const line of splitLongText(words).slice(0, -1)) {
    assert.ok(line.endsWith(" "), line.slice(-10));
  }
});
