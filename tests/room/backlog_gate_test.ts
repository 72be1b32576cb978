import assert from "node:assert/strict";
import { BacklogGate, type BacklogPeer } from "../../lib/room/backlog_gate.ts";

/** A member's session as the gate sees it: a backlog the test sets, and cut-offs recorded. */
class Peer implements BacklogPeer {
  backlog = 0;
  aborted: string | undefined;
  abort(reason: string): void {
    this.aborted = reason;
    this.backlog = 0; // a closed session has nothing queued
  }
}

const OPTIONS = { behindBytes: 1000, caughtUpBytes: 100, stalledMs: 100, maxHoldMs: 300 };

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

Deno.test("BacklogGate: senders go on while every member keeps up", () => {
  const peers = [new Peer(), new Peer()];
  peers[0].backlog = 1000; // at the limit, not over it
  const gate = new BacklogGate(() => peers, OPTIONS);
  assert.equal(gate.afterBroadcast(), undefined);
  assert.equal(gate.holding, false);
  gate.close();
});

Deno.test("BacklogGate: one member behind holds every sender until it has caught up", async () => {
  const peers = [new Peer(), new Peer(), new Peer()];
  peers[2].backlog = 5000;
  const gate = new BacklogGate(() => peers, OPTIONS);
  const hold = gate.afterBroadcast();
  assert.ok(hold instanceof Promise);
  assert.equal(gate.afterBroadcast(), hold, "another sender waits for the same catch-up");
  let released = false;
  hold.then(() => released = true);
  peers[2].backlog = 500; // reading, but not caught up yet
  await sleep(30);
  assert.equal(released, false);
  peers[2].backlog = 50;
  await hold;
  assert.equal(gate.holding, false);
  assert.deepEqual(peers.map((peer) => peer.aborted), [undefined, undefined, undefined]);
  gate.close();
});

Deno.test("BacklogGate: a member that stops reading is cut off and the room goes on", async () => {
  const peers = [new Peer(), new Peer()];
  peers[0].backlog = 50; // caught up
  peers[1].backlog = 5000; // takes nothing
  const gate = new BacklogGate(() => peers, OPTIONS);
  const started = performance.now();
  await gate.afterBroadcast();
  const held = performance.now() - started;
  assert.ok(held >= OPTIONS.stalledMs - 5 && held < OPTIONS.maxHoldMs, `held ${held} ms`);
  assert.equal(peers[0].aborted, undefined);
  assert.equal(peers[1].aborted, "the peer is not reading fast enough (nothing taken for 0.1 s)");
  gate.close();
});

Deno.test("BacklogGate: a member that reads but cannot catch up is cut off after the longest hold", async () => {
  const peers = [new Peer(), new Peer()];
  peers[1].backlog = 50_000;
  const gate = new BacklogGate(() => peers, OPTIONS);
  const hold = gate.afterBroadcast();
  assert.ok(hold);
  // Takes a little all the time, never enough.
  const reading = setInterval(() => peers[1].backlog > 0 && (peers[1].backlog -= 10), 2);
  const started = performance.now();
  await hold;
  clearInterval(reading);
  assert.ok(performance.now() - started >= OPTIONS.maxHoldMs - 5);
  assert.equal(peers[0].aborted, undefined);
  assert.equal(peers[1].aborted, "the peer is not reading fast enough (behind for 0.3 s)");
  gate.close();
});

Deno.test("BacklogGate: closing releases the senders it holds", async () => {
  const peers = [new Peer()];
  peers[0].backlog = 5000;
  const gate = new BacklogGate(() => peers, { ...OPTIONS, maxHoldMs: 60_000 });
  const hold = gate.afterBroadcast();
  gate.close();
  await hold;
  assert.equal(peers[0].aborted, undefined);
  assert.equal(gate.afterBroadcast(), undefined, "a closed gate holds no more");
});
