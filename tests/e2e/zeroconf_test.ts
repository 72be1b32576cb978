// p2pchat and an independent DNS-SD implementation (Debian's python3-zeroconf) see each other,
// on two computers made of network namespaces (root only, as in CI).
import assert from "node:assert/strict";
import { CliProcess, type JsonEvent, tempDir } from "./cli_process.ts";
import { readLines } from "../../dev/read_lines.ts";
import { CAN_MAKE_NAMESPACES, NetLab } from "./net_namespace.ts";

const ROOT_ONLY = { ignore: !CAN_MAKE_NAMESPACES };
const PEER = new URL("./zeroconf_peer.py", import.meta.url).pathname;

/** tests/e2e/zeroconf_peer.py in a namespace: its JSON lines, its stdin to end it. */
class ZeroconfPeer {
  events: JsonEvent[] = [];
  #child: Deno.ChildProcess;
  #stdin: WritableStreamDefaultWriter<Uint8Array>;
  #output: Promise<string>;
  #reading: Promise<void>;

  constructor(ns: string, args: string[]) {
    this.#child = new Deno.Command("ip", {
      args: ["netns", "exec", ns, "/usr/bin/python3", PEER, ...args],
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    this.#stdin = this.#child.stdin.getWriter();
    this.#reading = readLines(this.#child.stdout, (line) => this.events.push(JSON.parse(line)));
    this.#output = new Response(this.#child.stderr).text();
  }

  async waitFor(test: (event: JsonEvent) => boolean, timeoutMs = 15_000): Promise<JsonEvent> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const found = this.events.find(test);
      if (found) return found;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`zeroconf did not see it: ${JSON.stringify(this.events)}`);
  }

  /** Closes stdin (a registered service says goodbye) and waits for the exit. */
  async close(): Promise<void> {
    await this.#stdin.close().catch(() => {});
    const timer = setTimeout(() => this.#child.kill("SIGKILL"), 10_000);
    await this.#child.status;
    clearTimeout(timer);
    await this.#reading;
    const stderr = await this.#output;
    if (stderr.trim()) console.error(stderr);
  }
}

Deno.test(
  "python-zeroconf sees a p2pchat hub with its port and TXT fields, and its goodbye",
  ROOT_ONLY,
  async () => {
    await using lab = await NetLab.create(["alice", "bob"]);
    await using dir = await tempDir();
    const browser = new ZeroconfPeer(lab.ns("bob"), ["browse"]);
    const hub = CliProcess.start(
      ["serve", "0", "--json", "--label", "alice's hub", "--data", `${dir.path}/hub`],
      { cwd: dir.path, netns: lab.ns("alice") },
    );
    try {
      await browser.waitFor((event) => event.event === "browsing");
      const { port } = await hub.waitFor((event) => event.type === "listening");
      const added = await browser.waitFor((event) => event.event === "added");
      assert.equal(added.name, "alice's hub._p2pchat._tcp.local.");
      assert.equal(added.port, port);
      assert.deepEqual(added.addresses, [lab.address("alice")]);
      assert.deepEqual(added.txt, {
        txtvers: "1",
        label: "alice's hub",
        kind: "hub",
        proto: "2",
        auth: "passkey",
        members: "0",
      });
      const started = Date.now();
      hub.kill("SIGINT");
      assert.equal((await hub.exit()).code, 130);
      // The records live 120 s and 75 min in caches: only a goodbye removes them this soon.
      await browser.waitFor((event) => event.event === "removed", 10_000);
      assert.ok(Date.now() - started < 10_000);
    } finally {
      await hub.close();
      await browser.close();
    }
  },
);

Deno.test(
  "p2pchat scan lists a _p2pchat._tcp service that python-zeroconf announces",
  ROOT_ONLY,
  async () => {
    await using lab = await NetLab.create(["alice", "bob"]);
    await using dir = await tempDir();
    const announcer = new ZeroconfPeer(lab.ns("alice"), [
      "register",
      "zeroconf hub",
      "6060",
      lab.address("alice"),
      "txtvers=1",
      "label=made by zeroconf",
      "kind=hub",
      "proto=2",
      "auth=open",
      "members=7",
    ]);
    try {
      await announcer.waitFor((event) => event.event === "registered");
      const scan = CliProcess.start(["scan", "--json"], { cwd: dir.path, netns: lab.ns("bob") });
      await scan.closeStdin();
      assert.equal((await scan.exit()).code, 0);
      assert.deepEqual(scan.events, [
        {
          type: "found",
          label: "made by zeroconf",
          kind: "hub",
          host: lab.address("alice"),
          port: 6060,
          auth: "open",
          members: 7,
        },
        { type: "scan-done", count: 1 },
      ]);
    } finally {
      await announcer.close();
    }
  },
);

Deno.test("listen says goodbye when it stops: on /quit and on SIGINT", ROOT_ONLY, async () => {
  await using lab = await NetLab.create(["alice", "bob"]);
  await using dir = await tempDir();
  const browser = new ZeroconfPeer(lab.ns("bob"), ["browse"]);
  const start = (label: string) =>
    CliProcess.start(["listen", "0", "--json", "--label", label], {
      cwd: dir.path,
      netns: lab.ns("alice"),
    });
  const quitting = start("quits");
  const interrupted = start("interrupted");
  try {
    await browser.waitFor((event) => event.event === "browsing");
    for (const label of ["quits", "interrupted"]) {
      await browser.waitFor((e) =>
        e.event === "added" && e.name === `${label}._p2pchat._tcp.local.`
      );
    }
    await quitting.writeLine("/quit");
    assert.equal((await quitting.exit()).code, 0);
    await browser.waitFor((e) => e.event === "removed" && e.name === "quits._p2pchat._tcp.local.");
    interrupted.kill("SIGINT");
    assert.equal((await interrupted.exit()).code, 130);
    await browser.waitFor((e) =>
      e.event === "removed" && e.name === "interrupted._p2pchat._tcp.local."
    );
  } finally {
    await quitting.close();
    await interrupted.close();
    await browser.close();
  }
});
