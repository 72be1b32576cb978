import assert from "node:assert/strict";
import { generatePasskey } from "../../lib/secure/passkey.ts";
import { startConnector, startListener, tempDir } from "../e2e/cli_process.ts";

/**
 * Reads `/proc/PID/FILE` of another process. Deno lets only --allow-all read /proc/PID
 * directly; the test runs with the start task's flags, so it asks `cat`, as `ps` would read it.
 */
async function procFile(pid: number, file: "cmdline" | "environ"): Promise<string[]> {
  const output = await new Deno.Command("cat", { args: [`/proc/${pid}/${file}`] }).output();
  assert.ok(output.success, new TextDecoder().decode(output.stderr));
  return new TextDecoder().decode(output.stdout).split("\0");
}

Deno.test("a passkey from P2PCHAT_PASSKEY never shows in /proc/PID/cmdline or `ps`", async () => {
  await using dir = await tempDir();
  // A fresh passkey, so nothing else running on this machine can contain it by chance.
  const passkey = generatePasskey();
  const env = { P2PCHAT_PASSKEY: passkey };
  const { proc: alice, port } = await startListener("alice", { cwd: dir.path, env });
  const bob = startConnector("bob", port, { cwd: dir.path, env });
  try {
    // Connected and authenticated: bob did use the passkey.
    await bob.waitFor((event) => event.type === "connected");
    assert.equal((await bob.waitFor((event) => event.type === "secured")).authenticated, true);

    for (const proc of [alice, bob]) {
      const args = await procFile(proc.pid, "cmdline");
      assert.ok(args.some((arg) => arg.endsWith("main.ts")), args.join(" "));
      assert.ok(!args.some((arg) => arg.includes(passkey)), args.join(" "));
      // It is there, in the environment, readable only by the same user.
      const environ = await procFile(proc.pid, "environ");
      assert.ok(environ.includes(`P2PCHAT_PASSKEY=${passkey}`));
    }
    const ps = await new Deno.Command("ps", { args: ["-eo", "pid,args"] }).output();
    assert.ok(ps.success);
    const listing = new TextDecoder().decode(ps.stdout);
    assert.match(listing, new RegExp(`^\\s*${bob.pid} .*main\\.ts connect`, "m"));
    assert.ok(!listing.includes(passkey), "the passkey shows in ps");

    await bob.closeStdin();
    assert.equal((await bob.exit()).code, 0);
    await alice.closeStdin();
    assert.equal((await alice.exit()).code, 0);
  } finally {
    await bob.close();
    await alice.close();
  }
});

// Without P2PCHAT_PASSKEY, `connect` asks at the terminal (lib/cli/hidden_prompt.ts puts
// stdin in raw mode with `Deno.stdin.setRaw(true)` and echoes nothing, so the passkey is
// neither on screen nor in `ps`). Off a terminal it cannot ask, and says what to do instead.
Deno.test("connect without P2PCHAT_PASSKEY off a terminal fails with a clear message and exit 1", async () => {
  await using dir = await tempDir();
  const { proc: alice, port } = await startListener("alice", { cwd: dir.path });
  const bob = startConnector("bob", port, { cwd: dir.path, env: { P2PCHAT_PASSKEY: "" } });
  try {
    assert.equal((await bob.exit()).code, 1);
    assert.equal(
      bob.stderr,
      "p2pchat: No passkey: set P2PCHAT_PASSKEY to the passkey the host shows " +
        "(or use --open if the host does).\n",
    );
    // --json: stdout holds only the outcome.
    assert.deepEqual(bob.events, [{
      type: "fatal",
      message: "No passkey: set P2PCHAT_PASSKEY to the passkey the host shows " +
        "(or use --open if the host does).",
      exit: 1,
    }]);
    // It gave up before connecting: the host saw nothing.
    await alice.closeStdin();
    assert.equal((await alice.exit()).code, 0);
    assert.deepEqual(alice.events.map((event) => event.type), ["listening", "system"]);
  } finally {
    await bob.close();
    await alice.close();
  }
});
