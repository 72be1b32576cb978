import assert from "node:assert/strict";
import { freePort } from "../../dev/free_port.ts";
import {
  type CliProcess,
  type JsonEvent,
  PASSKEY,
  startConnector,
  tempDir,
} from "../e2e/cli_process.ts";
import { terminalTest, TmuxTerminal } from "../e2e/tmux_terminal.ts";

const isEvent = (type: string) => (event: JsonEvent) => event.type === type;

/** Starts `connect` as `name` (JSON) and waits until it has joined. */
async function member(name: string, port: number, cwd: string): Promise<CliProcess> {
  const proc = startConnector(name, port, { cwd });
  await proc.waitFor(isEvent("welcome"));
  return proc;
}

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
      const alice = await member("alice", port, dir.path);
      const bob = await member("bob", port, dir.path);
      procs.push(alice, bob);
      await host.waitFor("bob joined from 127.0.0.1:");

      // Half a command typed; then the log prints (carol joins) above it, and the half stays.
      await host.type("/kick bob flo");
      await host.waitFor("> /kick bob flo");
      const carol = await member("carol", port, dir.path);
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
