import assert from "node:assert/strict";
import { type Message, PROTOCOL_VERSION } from "../../lib/session/message.ts";
import { NetSession } from "../../lib/session/net_session.ts";
import { PASSKEY, startConnector, startListener, tempDir, WAIT_MS } from "./cli_process.ts";
import { HostileHost } from "./hostile_host.ts";

/** What a host of this version tells a peer of protocol 1 (a p2pchat from before resume). */
const TO_OLD_PEER = `This host speaks protocol ${PROTOCOL_VERSION}; you sent 1. ` +
  "Use the same p2pchat version on both sides.";

Deno.test("a peer of an older p2pchat (protocol 1) is refused at once: it reads why, the listener's screen says so, and the next peer chats", async () => {
  await using dir = await tempDir();
  const { proc: alice, port } = await startListener("alice", { cwd: dir.path });
  let bob: ReturnType<typeof startConnector> | undefined;
  try {
    // An old p2pchat: the real handshake, then hello with version 1.
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    const old = await NetSession.start(conn, { role: "client", passkey: PASSKEY });
    old.post({ t: "hello", v: 1, name: "olduser" });
    const received: Message[] = [];
    const reading = (async () => {
      for await (const { message } of old.incoming) received.push(message);
      return "closed";
    })();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const ended = await Promise.race([
      reading,
      new Promise((resolve) => timer = setTimeout(() => resolve("still open"), WAIT_MS)),
    ]);
    clearTimeout(timer);
    await old.close();
    await reading;
    assert.equal(ended, "closed", "the host let the old peer stay");
    assert.deepEqual(received, [{ t: "notice", text: TO_OLD_PEER, error: true }]);
    const refused = await alice.waitFor((event) =>
      event.type === "system" && String(event.text).startsWith("Refused ")
    );
    assert.match(
      String(refused.text),
      new RegExp(
        `^Refused 127\\.0\\.0\\.1:\\d+: it speaks protocol 1, this host ${PROTOCOL_VERSION}\\. ` +
          "Use the same p2pchat version on both sides\\.$",
      ),
    );
    assert.equal(alice.events.some((event) => event.type === "connected"), false);
    // The chat is as it was: the next peer (of this version) joins and a line goes each way.
    bob = startConnector("bob", port, { cwd: dir.path });
    await bob.waitFor((event) => event.type === "connected" && event.peer === "alice");
    await bob.writeLine("same version here");
    assert.equal(
      (await alice.waitFor((event) => event.type === "message")).text,
      "same version here",
    );
    await alice.writeLine("welcome");
    assert.equal((await bob.waitFor((event) => event.type === "message")).text, "welcome");
  } finally {
    await bob?.close();
    await alice.close();
  }
});

Deno.test("connect to a host of an older p2pchat: it says its version, shows the old host's refusal and exits 1", async () => {
  await using dir = await tempDir();
  await using host = HostileHost.start();
  const bob = startConnector("bob", host.port, { cwd: dir.path, json: false });
  try {
    const { session, hello } = await host.accept();
    assert.equal(hello.v, PROTOCOL_VERSION);
    assert.equal(PROTOCOL_VERSION, 2, "file transfers wait for ready: protocol 1 never sends it");
    // What a host of protocol 1 answers (lib/room/room.ts then).
    const refusal = "This host speaks protocol 1; you sent 2. " +
      "Use the same p2pchat version on both sides.";
    await host.say(session, [{ t: "notice", text: refusal, error: true }]);
    assert.equal((await bob.exit()).code, 1);
    assert.equal(bob.stderr, `p2pchat: ${refusal}\n`);
  } finally {
    await bob.close();
  }
});
