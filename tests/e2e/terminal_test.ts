import assert from "node:assert/strict";
import { PASSKEY, startListener, tempDir } from "./cli_process.ts";
import { CraftedHost } from "./crafted_host.ts";
import { terminalTest, TmuxTerminal } from "./tmux_terminal.ts";

/** Connect at a terminal, with the passkey asked for (none in the environment). */
function connectAt(port: number, name: string, cwd: string): Promise<TmuxTerminal> {
  return TmuxTerminal.start(["connect", "127.0.0.1", String(port), "--name", name], {
    cwd,
    env: { P2PCHAT_PASSKEY: "" },
  });
}

terminalTest(
  "a wrong passkey at the terminal is asked for again, and the right one joins",
  async () => {
    await using dir = await tempDir();
    const { proc: alice, port } = await startListener("alice", { cwd: dir.path });
    try {
      await using bob = await connectAt(port, "bob", dir.path);
      await bob.waitFor("Passkey (shown by the host): ");
      await bob.typeLine("2-wrong-words-here");
      await bob.waitFor("[System] Wrong passkey, try again (2 tries left)");
      const asked = await bob.waitFor(
        /Wrong passkey, try again \(2 tries left\)\n.*Passkey \(shown by the host\): /,
      );
      assert.ok(!asked.includes("2-wrong-words-here"), "the passkey is not echoed");
      await bob.typeLine(PASSKEY);
      await bob.waitFor("[System] Chatting with alice.");
      await bob.typeLine("hello after a retry");
      const said = await alice.waitFor((event) => event.type === "message");
      assert.equal(said.text, "hello after a retry");
      await bob.typeLine("/quit");
      assert.equal(await bob.exit(), 0);
      // The host saw one wrong guess, then bob.
      assert.equal(alice.events.filter((event) => event.type === "error").length, 1);
    } finally {
      await alice.close();
    }
  },
);

terminalTest(
  "three wrong passkeys at the terminal: it gives up, exit 1, with the reason",
  async () => {
    await using dir = await tempDir();
    const { proc: alice, port } = await startListener("alice", { cwd: dir.path });
    try {
      await using bob = await connectAt(port, "bob", dir.path);
      await bob.waitFor("Passkey (shown by the host): ");
      await bob.typeLine("2-wrong-words-here");
      await bob.waitFor("(2 tries left)");
      await bob.typeLine("3-wrong-words-again");
      await bob.waitFor("(1 try left)");
      await bob.typeLine("4-still-wrong-words");
      assert.equal(await bob.exit(), 1);
      assert.match(await bob.screen(), /p2pchat: Wrong passkey/);
    } finally {
      await alice.close();
    }
  },
);

terminalTest(
  "a name taken at the terminal asks for another, and the chat goes on with it",
  async () => {
    await using dir = await tempDir();
    const { proc: alice, port } = await startListener("alice", { cwd: dir.path });
    try {
      const env = { P2PCHAT_PASSKEY: PASSKEY };
      await using other = await TmuxTerminal.start(
        ["connect", "127.0.0.1", String(port), "--name", "ALICE"],
        { cwd: dir.path, env },
      );
      await other.waitFor("[System] The name ALICE is taken in this chat");
      await other.waitFor("Another name: ");
      await other.typeLine("bad name!");
      await other.waitFor('The name "bad name!" is not allowed');
      await other.typeLine("carol");
      await other.waitFor("[System] Chatting with alice.");
      await alice.waitFor((event) => event.type === "connected" && event.peer === "carol");
      await other.typeLine("hi, I am carol");
      const said = await alice.waitFor((event) => event.type === "message");
      assert.deepEqual([said.from, said.text], ["carol", "hi, I am carol"]);
    } finally {
      await alice.close();
    }
  },
);

terminalTest(
  "a line typed at the terminal while the join is still under way reaches the peer once it is done",
  async () => {
    await using dir = await tempDir();
    await using host = CraftedHost.listen();
    const welcome = Promise.withResolvers<void>();
    const accepting = host.accept("alice", { welcome: welcome.promise });
    await using bob = await TmuxTerminal.start(
      ["connect", "127.0.0.1", String(host.port), "--name", "bob"],
      { cwd: dir.path, env: { P2PCHAT_PASSKEY: PASSKEY } },
    );
    try {
      await bob.waitFor("is encrypted and authenticated.");
      await bob.typeLine("typed while joining");
      await bob.waitFor("typed while joining");
      welcome.resolve();
      await accepting;
      await bob.waitFor("[System] Chatting with alice.");
      const said = await host.waitFor((message) => message.t === "chat");
      assert.equal(said.t === "chat" && said.text, "typed while joining");
    } finally {
      welcome.resolve();
      await accepting.catch(() => {});
    }
  },
);
