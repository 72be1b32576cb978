import assert from "node:assert/strict";
import { Listeners } from "../../lib/room/listeners.ts";

Deno.test("Listeners: every listener gets every event in order, until it unsubscribes", () => {
  const listeners = new Listeners<number>();
  const a: number[] = [];
  const b: number[] = [];
  const leaveA = listeners.subscribe((n) => a.push(n));
  listeners.subscribe((n) => b.push(n));
  listeners.emit(1);
  leaveA();
  listeners.emit(2);
  assert.deepEqual(a, [1]);
  assert.deepEqual(b, [1, 2]);
});

Deno.test("Listeners: one function subscribed twice hears twice, and each leaves on its own", () => {
  const listeners = new Listeners<string>();
  const heard: string[] = [];
  const record = (event: string) => void heard.push(event);
  const first = listeners.subscribe(record);
  listeners.subscribe(record);
  listeners.emit("x");
  first();
  listeners.emit("y");
  assert.deepEqual(heard, ["x", "x", "y"]);
});

Deno.test("Listeners: a listener that throws does not keep the event from the ones after it", () => {
  const listeners = new Listeners<string>();
  const heard: string[] = [];
  listeners.subscribe(() => {
    throw new Error("broken view");
  });
  listeners.subscribe((event) => heard.push(event));
  assert.throws(() => listeners.emit("hello"), /broken view/);
  assert.deepEqual(heard, ["hello"]);
});
