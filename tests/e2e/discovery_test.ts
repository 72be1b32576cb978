// Discovery between two computers: network namespaces on one bridge (root only, as in CI).
import assert from "node:assert/strict";
import { CliProcess, type JsonEvent, PASSKEY, tempDir } from "./cli_process.ts";
import { CAN_MAKE_NAMESPACES, NetLab } from "./net_namespace.ts";
import { TmuxTerminal } from "./tmux_terminal.ts";

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

/** `serve` on alice's computer, announced as `label`, its data in `dir/data`. */
function aliceServes(lab: NetLab, dir: string, label: string, data: string) {
  return startHost(lab, "alice", dir, ["serve", "0", "--label", label, "--data", `${dir}/${data}`]);
}

Deno.test(
  "serve on one computer: scan on another finds it at the first one's address, and not after it stops",
  ROOT_ONLY,
  async () => {
    await using lab = await NetLab.create(["alice", "bob"]);
    await using dir = await tempDir();
    const hub = await aliceServes(lab, dir.path, "alice's hub", "hub");
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

Deno.test(
  "connect with no HOST on another computer finds the serve, joins it and chats both ways",
  ROOT_ONLY,
  async () => {
    await using lab = await NetLab.create(["alice", "bob"]);
    await using dir = await tempDir();
    const hub = await aliceServes(lab, dir.path, "alice's hub", "hub");
    const carol = CliProcess.start(
      ["connect", `${lab.address("alice")}:${hub.port}`, "--name", "carol", "--json"],
      { cwd: dir.path, netns: lab.ns("alice") },
    );
    const bob = CliProcess.start(["connect", "--name", "bob", "--json"], {
      cwd: dir.path,
      netns: lab.ns("bob"),
    });
    try {
      await carol.waitFor((event) => event.type === "welcome");
      const found = await bob.waitFor((event) => event.type === "found-chat");
      assert.deepEqual(found, {
        type: "found-chat",
        label: "alice's hub",
        kind: "hub",
        host: lab.address("alice"),
        port: hub.port,
      });
      assert.equal((await bob.waitFor((event) => event.type === "welcome")).you, "bob");
      await bob.writeLine("hello from the second computer");
      await carol.waitFor((e) =>
        e.type === "message" && e.text === "hello from the second computer"
      );
      await carol.writeLine("and back from the first");
      await bob.waitFor((e) => e.type === "message" && e.text === "and back from the first");
    } finally {
      await bob.close();
      await carol.close();
      await hub.proc.close();
    }
  },
);

Deno.test(
  "connect with no HOST: several chats are a list (exit 2 for programs, a numbered pick at a terminal); --label goes to exactly that label; none found is exit 1 with the hint",
  ROOT_ONLY,
  async () => {
    await using lab = await NetLab.create(["alice", "bob"]);
    await using dir = await tempDir();
    const hubs = [];
    for (const [i, label] of ["alice's hub", "quiz", "quiz"].entries()) {
      hubs.push(await aliceServes(lab, dir.path, label, `hub${i}`));
    }
    const [alices, ...quizzes] = hubs;
    const alice = lab.address("alice");
    /** `connect ARGS --json` on bob's computer, stdin closed; its exit code and output. */
    const connect = async (args: string[]) => {
      const proc = CliProcess.start(["connect", ...args, "--json", "--timeout", "3"], {
        cwd: dir.path,
        netns: lab.ns("bob"),
      });
      await proc.closeStdin();
      const { code } = await proc.exit(30_000);
      return { code, proc };
    };
    try {
      // Three chats, nobody to pick: the list with the addresses to use, exit 2.
      const several = await connect(["--name", "bob"]);
      assert.equal(several.code, 2, several.proc.stderr);
      const lines = several.proc.stderr.trimEnd().split("\n");
      assert.equal(lines[0], "Found 3 chats; choose one by its address:");
      for (const { port } of hubs) {
        assert.ok(lines.some((line) => line.startsWith(`  p2pchat connect ${alice}:${port} `)));
      }
      assert.equal(several.proc.events.filter((event) => event.type === "found").length, 3);
      // Two chats with one label: never one of them silently.
      const twins = await connect(["--label", "quiz", "--name", "bob"]);
      assert.equal(twins.code, 2);
      assert.match(twins.proc.stderr, /^Found 2 chats; choose one by its address:\n/);
      for (const { port } of quizzes) assert.ok(twins.proc.stderr.includes(`${alice}:${port} `));
      assert.ok(!twins.proc.stderr.includes(`${alice}:${alices.port} `));
      // Nothing with that label: exit 1, the hint.
      const none = await connect(["--label", "nobody's", "--name", "bob"]);
      assert.equal(none.code, 1);
      assert.match(
        none.proc.stderr,
        /^No chat labelled "nobody's" found on the local network within 3 s\.\nIf you expected one: the host may run with --no-announce/,
      );
      // A label of one chat: that one, said before connecting.
      const labelled = CliProcess.start(
        ["connect", "--label", "alice's hub", "--name", "bob", "--json"],
        { cwd: dir.path, netns: lab.ns("bob") },
      );
      try {
        const found = await labelled.waitFor((event) => event.type === "found-chat");
        assert.equal(found.port, alices.port);
        await labelled.waitFor((event) => event.type === "welcome");
      } finally {
        await labelled.close();
      }
      // At a terminal: a numbered list, then the passkey, as always.
      await using dave = await TmuxTerminal.start(["connect", "--name", "dave"], {
        cwd: dir.path,
        netns: lab.ns("bob"),
        env: { P2PCHAT_PASSKEY: "" },
        width: 100,
      });
      const list = await dave.waitFor("Which one? (1-3, Enter to stop): ");
      assert.match(list, /Found 3 chats:\n {2}1\) alice's hub +hub +\S+ +0 members +passkey\n/);
      assert.match(list, /\n {2}2\) quiz +hub/);
      await dave.typeLine("7");
      await dave.waitFor("Type a number from 1 to 3.");
      await dave.typeLine("1");
      await dave.waitFor(`[System] Found alice's hub at ${alice}:${alices.port}`);
      await dave.waitFor(/Passkey \(shown by the host\): *$/m);
      await dave.typeLine(PASSKEY);
      await dave.waitFor("Joined the hub as dave.");
    } finally {
      for (const hub of hubs) await hub.proc.close();
    }
  },
);
