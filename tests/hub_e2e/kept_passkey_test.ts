// A hub keeps its passkey in --data: a restart takes its members back; --new-passkey makes a
// terminal member ask for the new one (issue 19, item 2). The member types at a real terminal.
import assert from "node:assert/strict";
import { type CliProcess, type JsonEvent, startConnector, tempDir } from "../e2e/cli_process.ts";
import { terminalTest, TmuxTerminal } from "../e2e/tmux_terminal.ts";
import { type RunningHub, startHub } from "./hub_process.ts";

/** No passkey given: the hub uses the one kept in its data folder. */
const NONE_GIVEN = { P2PCHAT_PASSKEY: "" };

const message = (text: string) => (event: JsonEvent) =>
  event.type === "message" && event.text === text;

/**
 * A hub (no passkey given), bob at a terminal who typed its passkey, carol as a program; then
 * the hub is killed and bob types two lines while it is away. `fn` restarts it.
 */
async function hubKilledUnderBob(
  fn: (parts: { bob: TmuxTerminal; carol: CliProcess; first: RunningHub; cwd: string }) => Promise<
    void
  >,
): Promise<void> {
  await using dir = await tempDir();
  const first = await startHub({ cwd: dir.path, env: NONE_GIVEN });
  const listening = first.proc.events.find((event) => event.type === "listening")!;
  assert.equal(listening.passkeyKept, true);
  const passkey = listening.passkey as string;
  let carol: CliProcess | undefined;
  try {
    await using bob = await TmuxTerminal.start(
      ["connect", `127.0.0.1:${first.port}`, "--name", "bob"],
      { cwd: dir.path, env: NONE_GIVEN },
    );
    await bob.waitFor("Passkey (shown by the host): ");
    await bob.typeLine(passkey);
    await bob.waitFor("Joined the hub as bob.");
    await first.proc.close(); // SIGKILL
    await bob.waitFor("[System] Connection lost (");
    await bob.typeLine("typed while the hub was away");
    await bob.typeLine("and a second line");
    await fn({
      bob,
      get carol() {
        return carol!;
      },
      set carol(proc: CliProcess) {
        carol = proc;
      },
      first,
      cwd: dir.path,
    });
  } finally {
    await carol?.close();
  }
}

terminalTest(
  "a hub killed and restarted on the same --data takes bob back with his queued lines, no passkey typed again",
  async () => {
    await hubKilledUnderBob(async (parts) => {
      const again = await startHub({ cwd: parts.cwd, port: parts.first.port, env: NONE_GIVEN });
      try {
        const listening = again.proc.events.find((event) => event.type === "listening")!;
        assert.equal(listening.passkey, parts.first.proc.events[0].passkey);
        // carol comes with the same passkey as before the restart.
        parts.carol = startConnector("carol", again.port, {
          cwd: parts.cwd,
          env: { P2PCHAT_PASSKEY: listening.passkey as string },
        });
        await parts.carol.waitFor(message("and a second line"), 40_000);
        assert.ok(parts.carol.events.some(message("typed while the hub was away")));
        const screen = await parts.bob.waitFor("[System] Reconnected.");
        // Asked once, at the start; never again.
        assert.equal(screen.split("Passkey (shown by the host)").length, 2, screen);
        assert.ok(!screen.includes("passkey changed"), screen);
      } finally {
        await again.proc.close();
      }
    });
  },
);

terminalTest(
  "a hub restarted with --new-passkey: bob is told, asked for the new one, rejoins and delivers his lines",
  async () => {
    await hubKilledUnderBob(async (parts) => {
      const renewed = await startHub({
        cwd: parts.cwd,
        port: parts.first.port,
        env: NONE_GIVEN,
        args: ["--new-passkey"],
      });
      try {
        const listening = renewed.proc.events.find((event) => event.type === "listening")!;
        const passkey = listening.passkey as string;
        assert.notEqual(passkey, parts.first.proc.events[0].passkey);
        parts.carol = startConnector("carol", renewed.port, {
          cwd: parts.cwd,
          env: { P2PCHAT_PASSKEY: passkey },
        });
        await parts.carol.waitFor((event) => event.type === "welcome");
        await parts.bob.waitFor(
          "[System] The hub's passkey changed (it was restarted with a new one). Type the new " +
            "passkey to rejoin; your 2 lines not delivered yet are kept.",
          40_000,
        );
        await parts.bob.waitFor(/Passkey \(shown by the host\): *$/m);
        await parts.bob.typeLine(passkey);
        await parts.carol.waitFor(message("and a second line"), 40_000);
        assert.ok(parts.carol.events.some(message("typed while the hub was away")));
        await parts.bob.waitFor("[System] Reconnected.");
        // bob chats on at the same terminal.
        await parts.bob.typeLine("back again");
        await parts.carol.waitFor(message("back again"));
      } finally {
        await renewed.proc.close();
      }
    });
  },
);
