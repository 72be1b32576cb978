import assert from "node:assert/strict";
import { join } from "node:path";
import {
  type CliProcess,
  PASSKEY,
  startConnector,
  startListener,
  tempDir,
  writeRandomFile,
} from "./cli_process.ts";
import { startHub } from "../hub_e2e/hub_process.ts";
import { terminalTest, TmuxTerminal } from "./tmux_terminal.ts";
import { ValveProxy } from "./valve_proxy.ts";

/** A draft of three rows at 80 columns: never sent while the lines come in. */
const DRAFT = "this draft is long: " + "typed and not sent yet, ".repeat(8) + "end of draft";

/**
 * alice listening (JSON), bob at a terminal connected to her through a proxy that can hold
 * what bob sends half way through a file; `fn` drives them.
 */
async function bobSending(
  files: { name: string; bytes: number }[],
  fn: (bob: TmuxTerminal, alice: CliProcess, proxy: ValveProxy) => Promise<void>,
): Promise<void> {
  await using dir = await tempDir();
  for (const file of files) await writeRandomFile(join(dir.path, file.name), file.bytes);
  const { proc: alice, port } = await startListener("alice", { cwd: dir.path });
  try {
    await using proxy = ValveProxy.start(port);
    await using bob = await TmuxTerminal.start(
      ["connect", "127.0.0.1", String(proxy.port), "--name", "bob", "--dir", "inbox"],
      { cwd: dir.path, env: { P2PCHAT_PASSKEY: PASSKEY } },
    );
    await bob.waitFor("[System] Chatting with alice.");
    await fn(bob, alice, proxy);
  } finally {
    await alice.close();
  }
}

/** The rows of `text`, trailing spaces dropped and empty rows at the end left out. */
function rows(text: string): string[] {
  const all = text.split("\n").map((row) => row.trimEnd());
  while (all.length && all.at(-1) === "") all.pop();
  return all;
}

/**
 * A file that cannot be through when the proxy holds it: the socket buffers on both sides of
 * the proxy (some MB each on Linux) and bob's send queue hold less than what is left.
 */
const BIG = { name: "big.bin", bytes: 64 * 1024 * 1024 };

/**
 * Holds bob's files half way and waits until his status line shows them. One `/send` for all, so
 * every offer goes out before the first file's bytes fill the proxy's allowance.
 */
async function holdHalfWay(bob: TmuxTerminal, proxy: ValveProxy, files: string[]) {
  proxy.holdAfter(6 * 1024 * 1024);
  await bob.typeLine(`/send ${files.join(" ")}`);
  await proxy.held;
  return await bob.waitFor(/ \d+ % \[#*-+\]/);
}

terminalTest(
  "80x24: every incoming line stays on screen and in the scrollback above a wrapped draft and a running transfer",
  () =>
    bobSending([BIG], async (bob, alice, proxy) => {
      await holdHalfWay(bob, proxy, ["big.bin"]);
      await bob.type(DRAFT);
      await bob.waitFor("end of draft");
      // More lines than the screen holds, so some scroll off into the scrollback.
      const said = Array.from({ length: 30 }, (_, i) => `incoming line ${i + 1}`);
      for (const line of said) await alice.writeLine(line);
      await bob.waitFor("[alice] incoming line 30");
      const screen = rows(await bob.screen());
      // At the bottom: the status line, then the draft, whole, after the prompt.
      assert.equal(screen.at(-1), `> ${DRAFT}`);
      assert.match(screen.at(-2)!, /^big\.bin \d+ % \[#*-+\] .*ETA/);
      assert.ok(screen.at(-2)!.length <= 80, "the status line fits the width");
      assert.equal(screen.at(-3), "[alice] incoming line 30");
      // Every line, once, in order; no status line or draft left behind above them.
      const all = rows(await bob.scrollback());
      const shown = all.filter((row) => row.startsWith("[alice] "));
      assert.deepEqual(shown, said.map((line) => `[alice] ${line}`));
      assert.equal(all.filter((row) => / % \[/.test(row)).length, 1, "one status line");
      assert.equal(all.filter((row) => row.includes("end of draft")).length, 1, "one draft");
      // The draft is still there to send.
      proxy.release();
      await bob.press("Enter");
      const sent = await alice.waitFor((event) => event.type === "message");
      assert.equal(sent.text, DRAFT);
    }),
);

terminalTest(
  "resizing the terminal leaves no fragments of the status line or the draft",
  () =>
    bobSending([BIG], async (bob, alice, proxy) => {
      await holdHalfWay(bob, proxy, ["big.bin"]);
      await bob.type(DRAFT);
      await bob.waitFor("end of draft");
      const widths = [50, 120, 33, 80];
      for (const width of widths) {
        await bob.resize(width);
        await alice.writeLine(`at ${width} columns`);
        await bob.waitFor(`[alice] at ${width} columns`);
        const all = rows(await bob.scrollback());
        assert.equal(all.filter((row) => / % /.test(row)).length, 1, `one status at ${width}`);
        assert.equal(all.filter((row) => row.includes("end of draft")).length, 1);
        assert.equal(all.filter((row) => row.includes(`this draft is long`)).length, 1);
        const screen = rows(await bob.screen());
        assert.equal(screen.at(-1), `> ${DRAFT}`);
        // The status row is cut to the width: one row, never wrapped.
        assert.match(screen.at(-2)!, /^big\.bin \d+ %/);
        assert.ok(screen.at(-2)!.length <= width, `${screen.at(-2)} fits ${width}`);
      }
      // Nothing printed was cleared with them.
      const all = rows(await bob.scrollback());
      for (const width of widths) {
        assert.equal(all.filter((row) => row === `[alice] at ${width} columns`).length, 1);
      }
      proxy.release();
    }),
);

terminalTest(
  "two transfers at once are one status line, summed, that is gone from what was sent",
  () =>
    bobSending([
      { name: "one.bin", bytes: 32 * 1024 * 1024 },
      { name: "two.bin", bytes: 32 * 1024 * 1024 },
    ], async (bob, alice, proxy) => {
      const screen = rows(await holdHalfWay(bob, proxy, ["one.bin", "two.bin"]));
      await bob.waitFor(/^2 files, \d+ % \[#*-+\] [\d.]+ MB\/67\.1 MB /m);
      await bob.resize(30);
      // Cut to the width: what cannot fit goes, the summed percentage stays.
      const narrow = rows(await bob.waitFor(/^2 files, \d+ %( ETA \S+)?\s*$/m));
      assert.ok(narrow.at(-2)!.length <= 30 && narrow.at(-1) === ">", narrow.join("\n"));
      await bob.resize(80);
      proxy.release();
      for (const name of ["one.bin", "two.bin"]) {
        await alice.waitFor((event) => event.type === "file" && event.name === name);
      }
      await bob.waitFor("Sent file two.bin");
      await bob.waitFor("Sent file one.bin");
      await bob.typeLine("after the files");
      await alice.waitFor((event) => event.type === "message" && event.text === "after the files");
      const all = rows(await bob.scrollback());
      // No status line anywhere once the files are through: not in front of what was sent.
      assert.deepEqual(all.filter((row) => / % /.test(row)), []);
      assert.ok(all.includes("> after the files"));
      assert.ok(all.includes("> /send one.bin two.bin"), `${screen}`);
    }),
);

terminalTest(
  "Ctrl-C during a transfer says what it waits for; Ctrl-C again cancels it, told on both sides",
  () =>
    bobSending([BIG], async (bob, alice, proxy) => {
      await holdHalfWay(bob, proxy, ["big.bin"]);
      await bob.press("C-c");
      const screen = await bob.waitFor(
        /Waiting for big\.bin to finish \(\d+ %\); Ctrl-C again cancels it and quits\./,
      );
      // The percent said is the status line's.
      const said = screen.match(/finish \((\d+ %)\)/)![1];
      assert.match(screen, new RegExp(`^big\\.bin ${said} \\[`, "m"));
      await bob.press("C-c");
      // Cancelled at once, though the connection does not take the file's data now.
      await bob.waitFor("[System] Sending big.bin failed: cancelled (you quit)");
      proxy.release();
      const failed = await alice.waitFor((event) => event.type === "error" && "file" in event);
      assert.deepEqual(failed, {
        type: "error",
        message: "Receiving big.bin failed: cancelled by bob (quit)",
        file: "big.bin",
      });
      assert.equal(await bob.exit(), 130);
      assert.deepEqual(alice.events.filter((event) => event.type === "file"), []);
    }),
);

terminalTest(
  "Ctrl-C during a transfer waits for it: the file arrives whole, then the program ends",
  () =>
    bobSending([BIG], async (bob, alice, proxy) => {
      await holdHalfWay(bob, proxy, ["big.bin"]);
      await bob.press("C-c");
      await bob.waitFor("Waiting for big.bin to finish");
      proxy.release();
      const file = await alice.waitFor((event) => event.type === "file");
      assert.equal(file.name, "big.bin");
      assert.equal(await bob.exit(), 130);
    }),
);

/** bob at a terminal in a hub that is then killed; `fn` drives him and can restart the hub. */
async function bobInDeadHub(
  fn: (bob: TmuxTerminal, restart: () => Promise<void>, cwd: string, port: number) => Promise<void>,
): Promise<void> {
  await using dir = await tempDir();
  let hub = await startHub({ cwd: dir.path });
  const port = hub.port;
  try {
    await using bob = await TmuxTerminal.start(
      ["connect", "127.0.0.1", String(port), "--name", "bob"],
      { cwd: dir.path, env: { P2PCHAT_PASSKEY: PASSKEY } },
    );
    await bob.waitFor("Type /help for commands.");
    hub.proc.kill("SIGKILL");
    await hub.proc.close();
    await bob.waitFor("Connection lost (");
    const restart = async () => {
      hub = await startHub({ cwd: dir.path, port });
    };
    await fn(bob, restart, dir.path, port);
  } finally {
    await hub.proc.close();
  }
}

terminalTest(
  "/quit while the hub is unreachable says how many lines wait, and delivers them once it is back",
  () =>
    bobInDeadHub(async (bob, restart, cwd, port) => {
      await bob.typeLine("first while away");
      await bob.typeLine("second while away");
      await bob.typeLine("/quit");
      await bob.waitFor(
        "[System] 2 lines are not delivered yet: waiting for the connection to come back; " +
          "/quit again drops them and quits.",
      );
      await restart();
      assert.equal(await bob.exit(), 0);
      // Delivered: in the hub's history, as carol, who comes next, sees.
      const carol = startConnector("carol", port, { cwd });
      try {
        await carol.waitFor((event) =>
          event.type === "message" && event.text === "second while away"
        );
        const seen = carol.events.filter((event) => event.type === "message");
        assert.deepEqual(seen.map((event) => [event.from, event.text]), [
          ["bob", "first while away"],
          ["bob", "second while away"],
        ]);
      } finally {
        await carol.close();
      }
    }),
);

terminalTest(
  "/quit again while the hub is unreachable drops the waiting lines, saying so",
  () =>
    bobInDeadHub(async (bob) => {
      await bob.typeLine("lost line");
      await bob.typeLine("/quit");
      await bob.waitFor(
        "[System] 1 line is not delivered yet: waiting for the connection to come back; " +
          "/quit again drops it and quits.",
      );
      await bob.typeLine("/quit");
      await bob.waitFor("1 line was not delivered (dropped).");
      assert.equal(await bob.exit(), 0);
    }),
);

terminalTest(
  "Ctrl-C while the hub is unreachable waits for the lines; Ctrl-C again drops them, exit 130",
  () =>
    bobInDeadHub(async (bob) => {
      await bob.typeLine("lost line");
      await bob.press("C-c");
      await bob.waitFor("Ctrl-C again drops it and quits.");
      await bob.press("C-c");
      await bob.waitFor("1 line was not delivered (dropped).");
      assert.equal(await bob.exit(), 130);
    }),
);
