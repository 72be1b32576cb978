import assert from "node:assert/strict";
import { freePort } from "../../dev/free_port.ts";
import { type CliProcess, PASSKEY, tempDir } from "../e2e/cli_process.ts";
import { terminalTest, TmuxTerminal } from "../e2e/tmux_terminal.ts";
import { joinHub, withHub } from "./hub_process.ts";

/** An SGR escape sequence (`ESC [`) followed by `rest`, as a pattern. */
const sgr = (rest: string) => new RegExp(`\x1b\\[${rest}`);

/** The row the prompt is on: the last row with anything on it. */
function promptRow(screen: string): string {
  return screen.trimEnd().split("\n").at(-1) ?? "";
}

terminalTest(
  "serve at a terminal: a prompt under the log; /kick typed there while the log prints puts the member out",
  async () => {
    await using dir = await tempDir();
    const port = freePort();
    await using host = await TmuxTerminal.start(
      ["serve", String(port), "--host", "127.0.0.1", "--no-announce"],
      { cwd: dir.path, env: { P2PCHAT_PASSKEY: PASSKEY } },
    );
    const procs: CliProcess[] = [];
    try {
      const banner = await host.waitFor(/Type \/help for the host's commands.*\n>\s*$/);
      assert.match(
        banner,
        new RegExp(`To chat too, in another terminal: p2pchat connect 127\\.0\\.0\\.1 ${port}\\n`),
      );
      assert.equal(promptRow(banner), ">");
      const alice = await joinHub("alice", port, dir.path);
      const bob = await joinHub("bob", port, dir.path);
      procs.push(alice, bob);
      await host.waitFor("bob joined from 127.0.0.1:");

      // Half a command typed; then the log prints (carol joins) above it, and the half stays.
      await host.type("/kick bob flo");
      await host.waitFor("> /kick bob flo");
      const carol = await joinHub("carol", port, dir.path);
      procs.push(carol);
      const meanwhile = await host.waitFor("carol joined from 127.0.0.1:");
      assert.equal(promptRow(meanwhile), "> /kick bob flo", meanwhile);
      await host.typeLine("oding");

      assert.equal((await bob.exit()).code, 1);
      assert.equal(bob.stderr, "p2pchat: You were kicked by the host (flooding).\n");
      const kicked = await host.waitFor(/bob left \(kicked\)\. \(Connected: 2\)\n>/);
      assert.ok(kicked.includes("[System] bob was kicked by the host (flooding).\n"), kicked);
      await alice.waitFor((event) => event.type === "moderated" && event.action === "kicked");

      // The console answers at the prompt; a plain line is said to everyone as host.
      await host.typeLine("/who");
      await host.waitFor(/Members \(2\):\n.*alice from 127\.0\.0\.1:\d+\n.*carol from/);
      await host.typeLine("/passkey");
      await host.waitFor(`[System] Passkey: ${PASSKEY} (give it to the person connecting)`);
      await host.typeLine("/kick zed");
      await host.waitFor("[System] Error: No one called zed is here.");
      await host.typeLine("tea is ready");
      const said = await alice.waitFor((event) => event.type === "message");
      assert.deepEqual([said.from, said.text], ["host", "tea is ready"]);
      await host.waitFor("[System] [host] tea is ready");

      // /quit stops the hub as SIGINT does: members told, exit 0.
      await host.typeLine("/quit");
      assert.equal(await host.exit(), 0);
      await host.waitFor("[System] Hub stopped.");
      await alice.waitFor((event) => event.type === "reconnecting");
    } finally {
      for (const proc of procs) await proc.close();
    }
  },
);

/** A hub, alice (JSON) in it, and bob at a terminal with `env`; `fn` drives them. */
async function bobAtTerminal(
  env: Record<string, string>,
  fn: (bob: TmuxTerminal, alice: CliProcess) => Promise<void>,
): Promise<void> {
  await withHub(async ({ hub, dir, join }) => {
    const alice = await join("alice");
    await using bob = await TmuxTerminal.start(
      ["connect", "127.0.0.1", String(hub.port), "--name", "bob"],
      { cwd: dir, env: { P2PCHAT_PASSKEY: PASSKEY, ...env } },
    );
    await bob.waitFor("[System] Joined the hub as bob.");
    await fn(bob, alice);
    await bob.typeLine("/quit");
    assert.equal(await bob.exit(), 0);
  });
}

terminalTest(
  "a line that mentions you rings the terminal's bell and stands out in reverse video; others do not",
  () =>
    bobAtTerminal({ NO_COLOR: "" }, async (bob, alice) => {
      await alice.writeLine("hello all, bobby too");
      await bob.waitFor("[alice] hello all, bobby too");
      assert.equal(await bob.rang(), false, "no bell for a line that does not mention bob");
      await alice.writeLine("thanks Bob.");
      await bob.waitFor("[alice] thanks Bob.");
      assert.equal(await bob.rang(), true, "the bell rang for the mention");
      const styled = await bob.styledScreen();
      assert.match(styled, sgr("[0-9;]*7[0-9;]*m\\[alice\\] thanks Bob\\."), styled);
      assert.doesNotMatch(styled, sgr("[0-9;]*m\\[alice\\] hello all"), "only the mention");
      // And what bob says that mentions alice reaches her program marked.
      await bob.typeLine("alice: you're welcome");
      const line = await alice.waitFor((event) => event.type === "message");
      assert.deepEqual(line, {
        type: "message",
        from: "bob",
        text: "alice: you're welcome",
        time: line.time,
        seq: line.seq,
        mention: true,
      });
    }),
);

terminalTest(
  "with NO_COLOR a mention rings and is marked with a *, no styles",
  () =>
    bobAtTerminal({ NO_COLOR: "1" }, async (bob, alice) => {
      await alice.writeLine("@bob look at this");
      const screen = await bob.waitFor("[alice] @bob look at this");
      assert.match(screen, /^\* \[alice\] @bob look at this$/m);
      assert.equal(await bob.rang(), true);
      assert.ok(!(await bob.styledScreen()).includes("\x1b"), "no escape sequences at all");
    }),
);
