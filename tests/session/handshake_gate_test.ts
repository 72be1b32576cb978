import assert from "node:assert/strict";
import { type GateAnswer, HandshakeGate } from "../../lib/session/handshake_gate.ts";

function passOf(answer: GateAnswer) {
  assert.ok("pass" in answer, JSON.stringify(answer));
  return answer.pass;
}

Deno.test("HandshakeGate: a connection that waits longer than its deadline is refused", async () => {
  const gate = new HandshakeGate({ maxRunning: 1, maxWaitMs: 100 });
  try {
    const first = passOf(await gate.enter("10.0.0.1"));
    const started = Date.now();
    const second = await gate.enter("10.0.0.2");
    assert.deepEqual(second, { refused: "waited too long for a place to run its handshake" });
    assert.ok(Date.now() - started >= 90);
    first.done("secured");
    assert.equal(gate.running, 0);
  } finally {
    gate.close();
  }
});

Deno.test("HandshakeGate: closing refuses whoever waits", async () => {
  const gate = new HandshakeGate({ maxRunning: 1 });
  const first = passOf(await gate.enter("10.0.0.1"));
  const waiting = gate.enter("10.0.0.2");
  assert.equal(gate.waiting, 1);
  gate.close();
  assert.deepEqual(await waiting, { refused: "the listener is closing" });
  assert.deepEqual(await gate.enter("10.0.0.3"), { refused: "the listener is closing" });
  first.done("failed");
});

Deno.test("HandshakeGate: a success forgets its group's failures; a refusal that revealed nothing counts nothing", async () => {
  const gate = new HandshakeGate();
  try {
    for (let i = 0; i < 2; i++) passOf(await gate.enter("10.0.0.1")).done("guessed");
    passOf(await gate.enter("10.0.0.1")).done("failed");
    assert.equal(gate.failures("10.0.0.1"), 2);
    passOf(await gate.enter("10.0.0.1")).done("stalled");
    assert.equal(gate.failures("10.0.0.1"), 3);
    assert.equal(gate.delayFor("10.0.0.1"), 1000);
    const pass = passOf(await gate.enter("10.0.0.1"));
    pass.done("secured");
    pass.done("guessed"); // a second done changes nothing
    assert.equal(gate.failures("10.0.0.1"), 0);
  } finally {
    gate.close();
  }
});

Deno.test("HandshakeGate: handshakes under way hold the listener's guess budget", async () => {
  const gate = new HandshakeGate({ guessBudget: { burst: 2, perSecond: 0 } });
  try {
    // Two groups, one handshake each: the budget of two is held; a third waits.
    const a = passOf(await gate.enter("10.0.0.1"));
    const b = passOf(await gate.enter("10.0.0.2"));
    let third: GateAnswer | undefined;
    const waiting = gate.enter("10.0.0.3").then((answer) => third = answer);
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(third, undefined);
    a.done("secured"); // gives its unit back
    passOf(await waiting).done("secured");
    b.done("guessed"); // spends one: one is left
    const c = passOf(await gate.enter("10.0.0.4"));
    let fourth: GateAnswer | undefined;
    gate.enter("10.0.0.5").then((answer) => fourth = answer);
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(fourth, undefined, "no budget left while c runs");
    c.done("guessed");
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(fourth, undefined, "none refills");
  } finally {
    gate.close();
  }
});
