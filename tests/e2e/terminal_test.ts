import assert from "node:assert/strict";
import { type CliProcess, PASSKEY, startConnector, startListener, tempDir } from "./cli_process.ts";
import { CraftedHost } from "./crafted_host.ts";
import { startHub } from "../hub_e2e/hub_process.ts";
import { terminalTest, TmuxTerminal } from "./tmux_terminal.ts";

/**
 * alice listening, and someone connecting to her at a terminal as `name`, with `env` (by
 * default no passkey: it is asked for); `fn` drives them.
 */
async function atAlice(
  name: string,
  fn: (person: TmuxTerminal, alice: CliProcess) => Promise<void>,
  env: Record<string, string> = { P2PCHAT_PASSKEY: "" },
): Promise<void> {
  await using dir = await tempDir();
  const { proc: alice, port } = await startListener("alice", { cwd: dir.path });
  try {
    await using person = await TmuxTerminal.start(
      ["connect", "127.0.0.1", String(port), "--name", name],
      { cwd: dir.path, env },
    );
    await fn(person, alice);
  } finally {
    await alice.close();
  }
}

terminalTest(
  "a wrong passkey at the terminal is asked for again, and the right one joins",
  () =>
    atAlice("bob", async (bob, alice) => {
      await bob.waitFor("Passkey (shown by the host): ");
      // Each character shows as a star, and a backspace takes one away.
      await bob.type("2-wrong-wörds-herex");
      await bob.waitFor(`Passkey (shown by the host): ${"*".repeat(19)}`);
      await bob.press("BSpace");
      await bob.waitFor(/Passkey \(shown by the host\): \*{18} *$/m);
      await bob.press("Enter");
      const asked = await bob.waitFor(
        /\[System\] Wrong passkey, try again \(2 tries left\)\n.*Passkey \(shown by the host\): /,
      );
      assert.ok(!asked.includes("wrong"), "the passkey is not echoed");
      await bob.typeLine(PASSKEY);
      await bob.waitFor("[System] Chatting with alice.");
      await bob.typeLine("hello after a retry");
      const said = await alice.waitFor((event) => event.type === "message");
      assert.equal(said.text, "hello after a retry");
      await bob.typeLine("/quit");
      assert.equal(await bob.exit(), 0);
      // The host saw one wrong guess, then bob.
      assert.equal(alice.events.filter((event) => event.type === "error").length, 1);
    }),
);

terminalTest(
  "three wrong passkeys at the terminal: it gives up, exit 1, with the reason",
  () =>
    atAlice("bob", async (bob) => {
      const tries = ["2-wrong-words-here", "3-wrong-words-again", "4-still-wrong-words"];
      const left = ["(2 tries left)", "(1 try left)"];
      await bob.waitFor("Passkey (shown by the host): ");
      for (const [i, passkey] of tries.entries()) {
        await bob.typeLine(passkey);
        if (i < left.length) await bob.waitFor(left[i]);
      }
      assert.equal(await bob.exit(), 1);
      assert.match(await bob.screen(), /p2pchat: Wrong passkey/);
    }),
);

terminalTest(
  "a name taken at the terminal asks for another, and the chat goes on with it",
  () =>
    atAlice("ALICE", async (other, alice) => {
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
    }, { P2PCHAT_PASSKEY: PASSKEY }),
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

terminalTest(
  "listen at a terminal: after the peer leaves it says it waits for the next person",
  async () => {
    await using dir = await tempDir();
    await using alice = await TmuxTerminal.start(
      ["listen", "0", "--host", "127.0.0.1", "--name", "alice"],
      { cwd: dir.path, env: { P2PCHAT_PASSKEY: PASSKEY } },
    );
    const listening = await alice.waitFor(/Listening on 127\.0\.0\.1:(\d+) /);
    const port = Number(listening.match(/Listening on 127\.0\.0\.1:(\d+) /)![1]);
    const bob = startConnector("bob", port, { cwd: dir.path });
    try {
      await bob.waitFor((event) => event.type === "connected");
      await bob.writeLine("/quit");
      assert.equal((await bob.exit()).code, 0);
      await alice.waitFor("[System] bob has left the chat.");
      await alice.waitFor(`[System] Waiting for the next person on port ${port} ...`);
    } finally {
      await bob.close();
    }
  },
);

terminalTest(
  "/me and /msg show the sender what the others see",
  async () => {
    await using dir = await tempDir();
    const hub = await startHub({ cwd: dir.path });
    const carol = startConnector("carol", hub.port, { cwd: dir.path });
    try {
      await carol.waitFor((event) => event.type === "welcome");
      await using bob = await TmuxTerminal.start(
        ["connect", "127.0.0.1", String(hub.port), "--name", "bob"],
        { cwd: dir.path, env: { P2PCHAT_PASSKEY: PASSKEY } },
      );
      await bob.waitFor("Type /help for commands.");
      await bob.typeLine("/me waves");
      await bob.typeLine("/msg carol just you");
      await bob.typeLine("a plain line");
      await carol.waitFor((event) => event.type === "message" && event.text === "a plain line");
      const screen = await bob.screen();
      assert.match(screen, /^> \/me waves\n\* bob waves$/m);
      assert.match(screen, /^> \/msg carol just you\n\[you -> carol\] just you$/m);
      // A plain line is shown once: as it was typed.
      assert.equal(screen.match(/a plain line/g)?.length, 1, screen);
    } finally {
      await carol.close();
      await hub.proc.close();
    }
  },
);
