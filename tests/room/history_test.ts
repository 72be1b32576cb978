import assert from "node:assert/strict";
import { lineMessage, MemoryHistory, type NewLine } from "../../lib/room/history.ts";

const TIME = "2026-01-01T12:00:00.000Z";

function line(client: string, id: string, text = `text ${id}`, from = "alice"): NewLine {
  return { client, id, from, text, time: TIME };
}

Deno.test("MemoryHistory: lines get increasing sequence numbers and keep what was said", () => {
  const history = new MemoryHistory(10);
  const first = history.append(line("c1", "1", "hello"));
  const second = history.append({ ...line("c2", "1", "waves", "bob"), me: true });
  assert.deepEqual(first, {
    line: { seq: 1, client: "c1", id: "1", from: "alice", text: "hello", time: TIME },
    duplicate: false,
  });
  assert.deepEqual(second.line, {
    seq: 2,
    client: "c2",
    id: "1",
    from: "bob",
    text: "waves",
    time: TIME,
    me: true,
  });
  assert.deepEqual(history.recent(10).map((l) => l.text), ["hello", "waves"]);
});

Deno.test("MemoryHistory: a re-sent (client, id) is stored once and returns the first line", () => {
  const history = new MemoryHistory(10);
  const original = history.append(line("c1", "1", "hello"));
  const resent = history.append(line("c1", "1", "hello"));
  assert.equal(resent.duplicate, true);
  assert.deepEqual(resent.line, original.line);
  // The same id from another client is another line.
  assert.equal(history.append(line("c2", "1", "hello")).duplicate, false);
  assert.deepEqual(history.recent(10).map((l) => l.seq), [1, 2]);
});

Deno.test("MemoryHistory: keeps only the last `capacity` lines", () => {
  const history = new MemoryHistory(3);
  for (let i = 1; i <= 5; i++) history.append(line("c", String(i)));
  assert.deepEqual(history.recent(100).map((l) => l.id), ["3", "4", "5"]);
  // A dropped line's key is forgotten too: re-sending it stores it again, as a new line.
  const again = history.append(line("c", "1"));
  assert.equal(again.duplicate, false);
  assert.equal(again.line.seq, 6);
  // A kept line is still recognised.
  assert.equal(history.append(line("c", "5")).duplicate, true);
  assert.deepEqual(history.recent(100).map((l) => l.id), ["4", "5", "1"]);
});

Deno.test("MemoryHistory: a capacity below one still keeps the last line", () => {
  const history = new MemoryHistory(0);
  history.append(line("c", "1"));
  history.append(line("c", "2"));
  assert.deepEqual(history.recent(10).map((l) => l.id), ["2"]);
});

Deno.test("MemoryHistory: recent(limit) gives the newest lines, oldest first", () => {
  const history = new MemoryHistory(100);
  for (let i = 1; i <= 10; i++) history.append(line("c", String(i)));
  assert.deepEqual(history.recent(3).map((l) => l.seq), [8, 9, 10]);
  assert.deepEqual(history.recent(0), []);
  assert.deepEqual(history.recent(-1), []);
  assert.equal(history.recent(50).length, 10);
});

Deno.test("MemoryHistory: recent(limit, afterSeq) gives only what came after afterSeq", () => {
  const history = new MemoryHistory(100);
  for (let i = 1; i <= 10; i++) history.append(line("c", String(i)));
  assert.deepEqual(history.recent(100, 7).map((l) => l.seq), [8, 9, 10]);
  assert.deepEqual(history.recent(2, 5).map((l) => l.seq), [9, 10]);
  assert.deepEqual(history.recent(100, 10), []);
});

Deno.test("MemoryHistory: returned lines cannot be used to change the history", () => {
  const history = new MemoryHistory(10);
  history.append(line("c", "1"));
  const lines = history.recent(10);
  lines.pop();
  assert.equal(history.recent(10).length, 1);
});

Deno.test("MemoryHistory: span, after and count page a replay", () => {
  const history = new MemoryHistory(100);
  for (let i = 1; i <= 10; i++) history.append(line("c", String(i)));
  assert.deepEqual(history.span(0, 3), { start: 7, lines: 3 });
  assert.deepEqual(history.span(5, 100), { start: 5, lines: 5 });
  assert.deepEqual(history.span(0, 0), { start: 10, lines: 0 });
  assert.deepEqual(history.span(10, 3), { start: 10, lines: 0 });
  assert.equal(history.count(0, 7), 7);
  assert.equal(history.count(3, 5), 2);
  assert.deepEqual(history.after(7, 10).map((l) => l.seq), [8, 9, 10]);
  assert.deepEqual(history.after(2, 3).map((l) => l.seq), [3, 4, 5]);
  assert.deepEqual(history.after(10, 3), []);
});

Deno.test("lineMessage: the sender's id goes to the sender only, the client id to no one", () => {
  const kept = { seq: 7, client: "secret", id: "l:1", from: "alice", text: "hi", time: TIME };
  assert.deepEqual(lineMessage(kept, { own: false, history: false }), {
    t: "chat",
    id: "",
    seq: 7,
    from: "alice",
    text: "hi",
    time: TIME,
  });
  assert.deepEqual(lineMessage({ ...kept, me: true }, { own: true, history: true }), {
    t: "chat",
    id: "l:1",
    seq: 7,
    from: "alice",
    text: "hi",
    time: TIME,
    me: true,
    history: true,
  });
});
