// The way into a chat, as people take it: the address forms they type, what connect says
// before it asks anything, and names that are taken.
import assert from "node:assert/strict";
import { CliProcess, PASSKEY, startListener, tempDir } from "./cli_process.ts";
import { terminalTest, TmuxTerminal } from "./tmux_terminal.ts";

terminalTest("connect 127.0.0.1:PORT at an 80x24 terminal joins the chat", async () => {
  await using dir = await tempDir();
  const { proc: alice, port } = await startListener("alice", { cwd: dir.path });
  try {
    await using bob = await TmuxTerminal.start(
      ["connect", `127.0.0.1:${port}`, "--name", "bob"],
      { cwd: dir.path, env: { P2PCHAT_PASSKEY: PASSKEY } },
    );
    await bob.waitFor(`[System] Connected to 127.0.0.1:${port}`);
    await bob.waitFor("[System] Chatting with alice.");
    await bob.typeLine("hi from host:port");
    const said = await alice.waitFor((event) => event.type === "message");
    assert.deepEqual([said.from, said.text], ["bob", "hi from host:port"]);
    await alice.writeLine("hello bob");
    await bob.waitFor("[alice] hello bob");
  } finally {
    await alice.close();
  }
});

Deno.test("connect [::1]:PORT joins a chat listening on IPv6 loopback, a line each way", async () => {
  await using dir = await tempDir();
  const alice = CliProcess.start(["listen", "0", "--host", "::1", "--name", "alice", "--json"], {
    cwd: dir.path,
  });
  const bob = (port: number) =>
    CliProcess.start(["connect", `[::1]:${port}`, "--name", "bob", "--json"], { cwd: dir.path });
  let member: CliProcess | undefined;
  try {
    const listening = await alice.waitFor((event) => event.type === "listening");
    assert.equal(listening.host, "::1");
    member = bob(listening.port as number);
    await member.waitFor((event) => event.type === "connected" && event.peer === "alice");
    await member.writeLine("hi over IPv6");
    const said = await alice.waitFor((event) => event.type === "message");
    assert.equal(said.text, "hi over IPv6");
    await alice.writeLine("hello back");
    const back = await member.waitFor((event) => event.type === "message");
    assert.equal(back.text, "hello back");
  } finally {
    await member?.close();
    await alice.close();
  }
});
