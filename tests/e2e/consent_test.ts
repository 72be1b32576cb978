import assert from "node:assert/strict";
import { join } from "node:path";
import { CliProcess, PASSKEY, startConnector, startListener, tempDir } from "./cli_process.ts";
import { listing } from "./folder_listing.ts";
import { terminalTest, TmuxTerminal } from "./tmux_terminal.ts";

terminalTest(
  "at a terminal an offered file is asked about (the sender is told it waits): n declines it, Enter takes it, and chat flows meanwhile",
  async () => {
    await using dir = await tempDir();
    const bobDir = join(dir.path, "bob");
    await Deno.mkdir(bobDir);
    const report = join(dir.path, "report.pdf");
    await Deno.writeTextFile(report, "twelve bytes");
    const { proc: alice, port } = await startListener("alice", { cwd: dir.path });
    try {
      await using bob = await TmuxTerminal.start(
        ["connect", "127.0.0.1", String(port), "--name", "bob"],
        { cwd: bobDir, env: { P2PCHAT_PASSKEY: PASSKEY } },
      );
      await bob.waitFor("[System] Chatting with alice.");
      await alice.writeLine(`/send ${report}`);
      await bob.waitFor("Accept report.pdf (12 B) from alice? [Y/n]");
      // The sender is told that a person is asked.
      const waiting = await alice.waitFor((e) => e.type === "file-waiting");
      assert.deepEqual(waiting, { type: "file-waiting", name: "report.pdf" });
      // The question holds up neither side's lines.
      await alice.writeLine("still there?");
      await bob.waitFor("still there?");
      await bob.typeLine("yes, one moment");
      await alice.waitFor((e) => e.type === "message" && e.text === "yes, one moment");
      assert.deepEqual(await listing(join(bobDir, "received_files")), []);
      await bob.typeLine("n");
      await bob.waitFor("Declined report.pdf from alice.");
      const declined = await alice.waitFor((e) => e.type === "file-declined");
      assert.deepEqual(declined, { type: "file-declined", name: "report.pdf", by: "bob" });
      assert.deepEqual(await listing(join(bobDir, "received_files")), []);

      await alice.writeLine(`/send ${report}`);
      await bob.waitFor(/Accept report\.pdf \(12 B\) from alice\? \[Y\/n\][^]*Accept report/);
      // Enter alone takes the default of [Y/n]: yes.
      await bob.press("Enter");
      await bob.waitFor("File saved to received_files/report.pdf");
      await alice.waitFor((e) => e.type === "file-sent");
      assert.equal(
        await Deno.readTextFile(join(bobDir, "received_files/report.pdf")),
        "twelve bytes",
      );
      await bob.typeLine("/quit");
      assert.equal(await bob.exit(), 0);
    } finally {
      await alice.close();
    }
  },
);

Deno.test("--accept none declines every offer unasked: the sender is told, nothing lands", async () => {
  await using dir = await tempDir();
  const aliceDir = join(dir.path, "alice");
  await Deno.mkdir(aliceDir);
  const file = join(dir.path, "a.txt");
  await Deno.writeTextFile(file, "hello");
  const { proc: alice, port } = await startListener("alice", { cwd: aliceDir });
  const bob = startConnector("bob", port, { cwd: dir.path });
  try {
    await bob.waitFor((e) => e.type === "connected");
    await bob.writeLine(`/send ${file}`);
    // --json without --accept takes the file, after a file-offer event.
    const offer = await alice.waitFor((e) => e.type === "file-offer");
    assert.equal(offer.ask, false);
    await alice.waitFor((e) => e.type === "file");
  } finally {
    await bob.close();
    await alice.close();
  }
  await using other = await tempDir();
  const carol = CliProcess.start(
    ["listen", "0", "--host", "127.0.0.1", "--name", "carol", "--json", "--accept", "none"],
    { cwd: other.path },
  );
  const listening = await carol.waitFor((e) => e.type === "listening");
  const dave = startConnector("dave", listening.port as number, { cwd: dir.path });
  try {
    await dave.waitFor((e) => e.type === "connected");
    await dave.writeLine(`/send ${file}`);
    const declined = await dave.waitFor((e) => e.type === "file-declined");
    assert.deepEqual(declined, { type: "file-declined", name: "a.txt", by: "carol" });
    await carol.waitFor((e) => e.type === "file-declined" && e.from === "dave");
    assert.deepEqual(await listing(join(other.path, "received_files")), []);
  } finally {
    await dave.close();
    await carol.close();
  }
});
