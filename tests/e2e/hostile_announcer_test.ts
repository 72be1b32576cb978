// A hostile announcer on the LAN (network namespaces, root only, as in CI): 1,000 fake
// services a second with escape sequences in their labels and oversized records. A scan
// still ends on time with a bounded, escaped list; a listening host still announces and
// still accepts a chat.
import assert from "node:assert/strict";
import { CliProcess, tempDir } from "./cli_process.ts";
import { readLines } from "../../dev/read_lines.ts";
import { CAN_MAKE_NAMESPACES, NetLab } from "./net_namespace.ts";

const FLOOD = new URL("./fake_announcer.ts", import.meta.url).pathname;

/** The flood, running in `ns` until stopped. */
function startFlood(ns: string, address: string) {
  const child = new Deno.Command("ip", {
    args: [
      "netns",
      "exec",
      ns,
      Deno.execPath(),
      "run",
      "--allow-net",
      "--allow-sys",
      FLOOD,
      address,
    ],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const lines: string[] = [];
  const reading = readLines(child.stdout, (line) => lines.push(line));
  const stderr = new Response(child.stderr).text();
  return {
    lines,
    async started(): Promise<void> {
      while (!lines.includes("flooding")) {
        if (lines.length > 0 && !lines.includes("flooding")) throw new Error(lines.join("\n"));
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    async stop(): Promise<number> {
      await child.stdin.close().catch(() => {});
      await child.status;
      await reading;
      const errors = await stderr;
      const sent = lines.find((line) => line.startsWith("sent "));
      if (!sent) throw new Error(`the flood failed: ${errors}`);
      return Number(sent.slice("sent ".length));
    },
  };
}

/** Runs `scan ARGS` on `computer`; returns its output, exit code and time taken. */
async function timedScan(lab: NetLab, computer: string, cwd: string, args: string[]) {
  const started = Date.now();
  const proc = CliProcess.start(["scan", ...args], { cwd, netns: lab.ns(computer) });
  await proc.closeStdin();
  const status = await proc.exit(30_000);
  return { proc, code: status.code, ms: Date.now() - started };
}

/** Whether `text` holds a control character other than a line break, or a bidi override. */
function hasRawControl(text: string): boolean {
  return [...text].some((ch) => {
    const code = ch.codePointAt(0)!;
    return (code < 0x20 && ch !== "\n") || (code >= 0x7f && code < 0xa0) || code === 0x202e;
  });
}

Deno.test(
  "a flood of fake announcements: scan ends on time with a bounded, escaped list; a host is unaffected",
  { ignore: !CAN_MAKE_NAMESPACES },
  async () => {
    await using lab = await NetLab.create(["alice", "bob", "mallory"]);
    await using dir = await tempDir();
    const host = CliProcess.start(
      ["listen", "0", "--json", "--name", "alice", "--label", "alice"],
      {
        cwd: dir.path,
        netns: lab.ns("alice"),
      },
    );
    const flood = startFlood(lab.ns("mallory"), lab.address("mallory"));
    let bob: CliProcess | undefined;
    try {
      const { port } = await host.waitFor((event) => event.type === "listening");
      await host.waitFor((e) => e.type === "system" && String(e.text).startsWith("Announced"));
      await flood.started();
      await new Promise((resolve) => setTimeout(resolve, 1000)); // the flood is under way

      // Text: ends on time (2 s, plus starting deno), 256 lines at most, nothing raw.
      const text = await timedScan(lab, "bob", dir.path, ["--timeout", "2"]);
      assert.equal(text.code, 0, text.proc.stderr);
      assert.ok(text.ms < 2000 + 5000, `the scan took ${text.ms} ms`);
      const rows = text.proc.lines.filter((line) =>
        line.startsWith("  ") && !line.includes("more")
      );
      assert.equal(rows.length, 256);
      assert.match(text.proc.stdout, /^Found 256 chats within 2 s:$/m);
      assert.match(
        text.proc.stdout,
        /^ {2}\.\.\. and \d+ more not shown \(at most 256 are listed\)\.$/m,
      );
      assert.ok(
        !hasRawControl(text.proc.stdout),
        "a raw control character",
      );
      assert.match(text.proc.stdout, /\\x1b\[2J\\x1b\[31mFAKE \d+\\x1b\]0;owned\\x07\\u202e/);
      for (const row of rows) {
        const label = row.slice(2).split("  ")[0];
        // 63 bytes of label, each escape shown as 4 characters.
        assert.ok(label.length <= 63 * 4, label);
      }

      // JSON: the same bounds, and the count of the ones not shown.
      const json = await timedScan(lab, "bob", dir.path, ["--json", "--timeout", "2"]);
      assert.equal(json.code, 0, json.proc.stderr);
      assert.ok(json.ms < 2000 + 5000, `the scan took ${json.ms} ms`);
      const found = json.proc.events.filter((event) => event.type === "found");
      assert.equal(found.length, 256);
      const done = json.proc.events.at(-1)!;
      assert.equal(done.type, "scan-done");
      assert.equal(done.count, 256);
      assert.ok((done.more as number) > 0);
      for (const event of found) {
        assert.ok(new TextEncoder().encode(event.label as string).length <= 63);
      }

      // The host still accepts a chat while the flood goes on.
      bob = CliProcess.start(
        ["connect", lab.address("alice"), String(port), "--name", "bob", "--json"],
        { cwd: dir.path, netns: lab.ns("bob") },
      );
      await bob.waitFor((event) => event.type === "connected" || event.type === "welcome");
      await bob.writeLine("hello through the flood");
      await host.waitFor((e) => e.type === "message" && e.text === "hello through the flood");

      const sent = await flood.stop();
      assert.ok(sent > 2000, `${sent} fake services sent`);
      // And it still announces: after the flood a scan finds it, busy with bob.
      const after = await timedScan(lab, "bob", dir.path, ["--json", "--timeout", "1.5"]);
      const alice = after.proc.events.filter((e) => e.type === "found" && e.label === "alice");
      assert.deepEqual(alice.map((e) => [e.host, e.port, e.busy]), [[
        lab.address("alice"),
        port,
        true,
      ]]);
    } finally {
      await flood.stop().catch(() => {});
      await bob?.close();
      await host.close();
    }
  },
);
