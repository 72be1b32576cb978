// Discovery between two computers: network namespaces on one bridge (root only, as in CI).
import assert from "node:assert/strict";
import { CliProcess, type JsonEvent, tempDir } from "./cli_process.ts";
import { CAN_MAKE_NAMESPACES, NetLab } from "./net_namespace.ts";

const ROOT_ONLY = { ignore: !CAN_MAKE_NAMESPACES, sanitizeResources: true, sanitizeOps: true };

/** Runs `p2pchat scan --json` on `computer` and returns its events, checking it exits 0. */
async function scan(lab: NetLab, computer: string, cwd: string, seconds = 2): Promise<JsonEvent[]> {
  const proc = CliProcess.start(["scan", "--json", "--timeout", String(seconds)], {
    cwd,
    netns: lab.ns(computer),
  });
  await proc.closeStdin();
  const status = await proc.exit(seconds * 1000 + 15_000);
  assert.equal(status.code, 0, proc.stderr);
  const done = proc.events.at(-1);
  assert.equal(done?.type, "scan-done", proc.stdout);
  assert.equal(done?.count, proc.events.length - 1);
  return proc.events.filter((event) => event.type === "found");
}

/** Starts a host on `computer` and waits until it says it is announced (or not). */
async function startHost(
  lab: NetLab,
  computer: string,
  cwd: string,
  args: string[],
): Promise<{ proc: CliProcess; port: number }> {
  const proc = CliProcess.start([...args, "--json"], { cwd, netns: lab.ns(computer) });
  const listening = await proc.waitFor((event) => event.type === "listening");
  if (!args.includes("--no-announce")) {
    await proc.waitFor((e) => e.type === "system" && String(e.text).startsWith("Announced on"));
  }
  return { proc, port: listening.port as number };
}

Deno.test(
  "serve on one computer: scan on another finds it at the first one's address, and not after it stops",
  ROOT_ONLY,
  async () => {
    await using lab = await NetLab.create(["alice", "bob"]);
    await using dir = await tempDir();
    const hub = await startHost(lab, "alice", dir.path, [
      "serve",
      "0",
      "--label",
      "alice's hub",
      "--data",
      `${dir.path}/hub`,
    ]);
    const hidden = await startHost(lab, "alice", dir.path, [
      "serve",
      "0",
      "--no-announce",
      "--label",
      "hidden hub",
      "--data",
      `${dir.path}/hidden`,
    ]);
    let member: CliProcess | undefined;
    try {
      assert.ok(hidden.proc.events.every((e) => !String(e.text ?? "").startsWith("Announced")));
      const found = await scan(lab, "bob", dir.path);
      assert.deepEqual(found, [{
        type: "found",
        label: "alice's hub",
        kind: "hub",
        host: lab.address("alice"),
        port: hub.port,
        auth: "passkey",
        members: 0,
      }]);
      // Someone joins: the count a scan sees follows.
      member = CliProcess.start(
        ["connect", lab.address("alice"), String(hub.port), "--name", "bob", "--json"],
        { cwd: dir.path, netns: lab.ns("bob") },
      );
      await member.waitFor((event) => event.type === "welcome");
      const again = await scan(lab, "bob", dir.path);
      assert.equal(again.length, 1);
      assert.equal(again[0].members, 1);
      await member.closeStdin();
      await member.exit();
      hub.proc.kill("SIGINT");
      assert.equal((await hub.proc.exit()).code, 130);
      assert.deepEqual(await scan(lab, "bob", dir.path), []);
    } finally {
      await member?.close();
      await hub.proc.close();
      await hidden.proc.close();
    }
  },
);

Deno.test(
  "listen is announced as a direct chat, busy while someone chats with it",
  ROOT_ONLY,
  async () => {
    await using lab = await NetLab.create(["alice", "bob"]);
    await using dir = await tempDir();
    const host = await startHost(lab, "alice", dir.path, [
      "listen",
      "0",
      "--name",
      "alice",
      "--label",
      "alice",
      "--open",
    ]);
    let bob: CliProcess | undefined;
    try {
      const [waiting] = await scan(lab, "bob", dir.path);
      assert.deepEqual(waiting, {
        type: "found",
        label: "alice",
        kind: "direct",
        host: lab.address("alice"),
        port: host.port,
        auth: "open",
        busy: false,
      });
      bob = CliProcess.start(
        ["connect", lab.address("alice"), String(host.port), "--name", "bob", "--open", "--json"],
        { cwd: dir.path, netns: lab.ns("bob") },
      );
      await bob.waitFor((event) => event.type === "connected" || event.type === "welcome");
      const [busy] = await scan(lab, "bob", dir.path);
      assert.equal(busy.busy, true);
      // End of input: alice quits, and says goodbye on her way out.
      await host.proc.closeStdin();
      assert.equal((await host.proc.exit()).code, 0);
      assert.deepEqual(await scan(lab, "bob", dir.path, 1), []);
    } finally {
      await bob?.close();
      await host.proc.close();
    }
  },
);
