import assert from "node:assert/strict";
import config from "../../deno.json" with { type: "json" };
import { CliProcess, tempDir } from "./cli_process.ts";
import { freePort } from "../../dev/free_port.ts";
import { HELP } from "../../lib/cli/usage.ts";
import { COMMANDS } from "../../lib/room/slash_commands.ts";

/** Runs `p2pchat ARGS` with no input and returns its exit code and output. */
async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  await using dir = await tempDir();
  const proc = CliProcess.start(args, { cwd: dir.path });
  await proc.closeStdin();
  const { code } = await proc.exit();
  return { code, stdout: proc.stdout, stderr: proc.stderr };
}

Deno.test("--help prints the usage and exits 0", async () => {
  for (const flag of ["--help", "-h"]) {
    const { code, stdout, stderr } = await run([flag]);
    assert.equal(code, 0);
    assert.match(stdout, /^Usage:$/m);
    assert.match(stdout, /p2pchat listen \[PORT\]/);
    assert.match(stdout, /p2pchat connect \[HOST \[PORT\]\]/);
    assert.equal(stderr, "");
  }
});

Deno.test("--help printed by the program is the usage, chat commands from the table included", async () => {
  const { stdout } = await run(["--help"]);
  assert.equal(stdout.trimEnd(), HELP.trimEnd());
  for (const command of Object.values(COMMANDS)) assert.ok(stdout.includes(command.usage));
});

Deno.test("--help after a command prints the usage too", async () => {
  const { code, stdout } = await run(["connect", "--help"]);
  assert.equal(code, 0);
  assert.match(stdout, /p2pchat connect \[HOST/);
});

Deno.test("--version prints the version from deno.json", async () => {
  for (const flag of ["--version", "-V"]) {
    const { code, stdout, stderr } = await run([flag]);
    assert.equal(code, 0);
    assert.equal(stdout, `p2pchat ${config.version}`);
    assert.equal(stderr, "");
  }
});

Deno.test("usage mistakes exit 2 with one line of reason and one of hint", async () => {
  const cases: [string[], RegExp][] = [
    [["connect", "10.0.0.5", "--label", "x"], /^p2pchat: connect takes a HOST or a --label/],
    [["listen", "99999"], /^p2pchat: invalid port '99999'$/],
    [["connect", "127.0.0.1", "port"], /^p2pchat: invalid port 'port'$/],
    [["lsten"], /^p2pchat: unknown command 'lsten'$/],
    [["listen", "0", "--colour"], /^p2pchat: Unknown option '--colour'$/],
    [["listen", "0", "--name", "bad name!"], /^p2pchat: invalid name 'bad name!'$/],
  ];
  for (const [args, reason] of cases) {
    const { code, stdout, stderr } = await run(args);
    assert.equal(code, 2, `${args.join(" ")}: ${stderr}`);
    const lines = stderr.trimEnd().split("\n");
    assert.equal(lines.length, 2, `${args.join(" ")}: ${stderr}`);
    assert.match(lines[0], reason);
    assert.ok(lines[1].length > 0);
    assert.doesNotMatch(stderr, /\s+at\s/, "no stack trace");
    assert.equal(stdout, "");
  }
});

Deno.test("connect to a closed port exits 1 with plain words and no stack trace", async () => {
  const port = freePort();
  const { code, stdout, stderr } = await run(["connect", "127.0.0.1", String(port)]);
  assert.equal(code, 1);
  assert.equal(
    stderr,
    `p2pchat: Could not connect to 127.0.0.1:${port}: nothing answers there: is p2pchat running ` +
      "on that port?\n",
  );
  assert.equal(stdout, `[System] Connecting to 127.0.0.1:${port} ...`);
});

Deno.test("serve --new-passkey with --open or a given passkey is a usage error", async () => {
  const open = await run(["serve", "0", "--host", "127.0.0.1", "--new-passkey", "--open"]);
  assert.equal(open.code, 2);
  assert.match(open.stderr, /^p2pchat: --new-passkey cannot go with --open\n/);
  // cli_process gives every command a passkey through P2PCHAT_PASSKEY.
  const given = await run(["serve", "0", "--host", "127.0.0.1", "--new-passkey"]);
  assert.equal(given.code, 2);
  assert.match(given.stderr, /^p2pchat: --new-passkey cannot go with a given passkey\n/);
});

Deno.test("listen on a port in use exits 1 with plain words", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  try {
    const { port } = listener.addr as Deno.NetAddr;
    const { code, stderr } = await run(["listen", String(port), "--host", "127.0.0.1"]);
    assert.equal(code, 1);
    assert.match(stderr, new RegExp(`^p2pchat: Could not listen on 127\\.0\\.0\\.1:${port}: `));
    assert.equal(stderr.trimEnd().split("\n").length, 1);
  } finally {
    listener.close();
  }
});
