import assert from "node:assert/strict";
import { startConnector, tempDir } from "./cli_process.ts";
import { HostileHost } from "./hostile_host.ts";

const ESC = "\x1b";
/** Clears the screen, retitles the window and hides what follows behind a bidi override. */
const ATTACK = `${ESC}[2J${ESC}]0;pwned\x07 \u202egnp.exe`;
const SHOWN = "\\x1b[2J\\x1b]0;pwned\\x07 \\u202egnp.exe";

/** No raw escape or bidi override anywhere in `text`. */
function assertNothingRaw(text: string, where: string): void {
  assert.ok(!text.includes(ESC), `no raw ESC on ${where}:\n${JSON.stringify(text)}`);
  assert.ok(!text.includes("\x07"), `no raw BEL on ${where}`);
  assert.ok(!text.includes("\u202e"), `no raw bidi override on ${where}`);
}

Deno.test("a host's refusal with escape sequences reaches the connecting terminal escaped", async () => {
  await using dir = await tempDir();
  await using host = HostileHost.start();
  const bob = startConnector("bob", host.port, { cwd: dir.path, json: false });
  try {
    const { session } = await host.accept();
    await host.say(session, [{ t: "notice", text: `Name taken ${ATTACK}`, error: true }]);
    assert.equal((await bob.exit()).code, 1);
    assert.equal(bob.stderr, `p2pchat: Name taken ${SHOWN}\n`);
    assertNothingRaw(bob.stderr, "stderr");
    assertNothingRaw(bob.stdout, "stdout");
  } finally {
    await bob.close();
  }
});

Deno.test("a hub's goodbye and its refusal on the reconnect reach the terminal escaped", async () => {
  await using dir = await tempDir();
  await using host = HostileHost.start();
  const bob = startConnector("bob", host.port, { cwd: dir.path, json: false });
  try {
    const first = await host.accept();
    first.session.post({
      t: "welcome",
      you: "bob",
      kind: "hub",
      members: ["bob"],
      count: 1,
      history: 0,
    });
    await bob.waitForLine((line) => line.startsWith("[System] Joined the hub as bob."));
    await host.say(first.session, [{ t: "bye", reason: `Restarting ${ATTACK}` }]);
    await bob.waitForLine((line) => line.startsWith("[System] Connection lost (Restarting"));
    const again = await host.accept();
    await host.say(again.session, [{ t: "bye", reason: `Banned ${ATTACK}` }]);
    assert.equal((await bob.exit()).code, 1);
    assert.ok(bob.lines.some((line) => line.includes(`Connection lost (Restarting ${SHOWN})`)));
    assert.equal(bob.stderr, `p2pchat: Banned ${SHOWN}\n`);
    assertNothingRaw(bob.stderr, "stderr");
    assertNothingRaw(bob.stdout, "stdout");
  } finally {
    await bob.close();
  }
});
