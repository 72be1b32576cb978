// The way into a chat, as people take it: the address forms they type, what connect says
// before it asks anything, and names that are taken.
import assert from "node:assert/strict";
import { CliProcess, PASSKEY, startListener, tempDir } from "./cli_process.ts";
import { terminalTest, TmuxTerminal } from "./tmux_terminal.ts";
import { freePort } from "../../dev/free_port.ts";

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

terminalTest(
  "a closed port fails at once, before the passkey is asked for, saying what to check",
  async () => {
    await using dir = await tempDir();
    const port = freePort();
    await using bob = await TmuxTerminal.start(
      ["connect", `127.0.0.1:${port}`, "--name", "bob"],
      { cwd: dir.path, env: { P2PCHAT_PASSKEY: "" } },
    );
    assert.equal(await bob.exit(), 1);
    const screen = await bob.screen();
    assert.match(
      screen,
      new RegExp(
        `^\\[System\\] Connecting to 127\\.0\\.0\\.1:${port} \\.\\.\\.\\n` +
          `p2pchat: Could not connect to 127\\.0\\.0\\.1:${port}: nothing answers there: ` +
          "is p2pchat running on that port\\?\\n",
      ),
    );
    assert.ok(!screen.includes("Passkey"), screen);
  },
);

terminalTest(
  "connect says where it connects at once, and asks for the passkey only once the host answered",
  async () => {
    await using dir = await tempDir();
    const { proc: alice, port } = await startListener("alice", { cwd: dir.path });
    try {
      await using bob = await TmuxTerminal.start(
        ["connect", `127.0.0.1:${port}`, "--name", "bob"],
        { cwd: dir.path, env: { P2PCHAT_PASSKEY: "" } },
      );
      await bob.waitFor(
        new RegExp(
          `^\\[System\\] Connecting to 127\\.0\\.0\\.1:${port} \\.\\.\\.\\n` +
            "Passkey \\(shown by the host\\): ",
        ),
      );
      // The probe cost the host nothing: no failed handshake in its log.
      assert.deepEqual(alice.events.filter((event) => event.type === "error"), []);
      await bob.typeLine(PASSKEY);
      await bob.waitFor("[System] Chatting with alice.");
      assert.deepEqual(alice.events.filter((event) => event.type === "error"), []);
    } finally {
      await alice.close();
    }
  },
);

/** `connect` to `port` as a program; resolves with its exit code and what it said on stderr. */
async function connectFails(port: number, cwd: string): Promise<{ code: number; stderr: string }> {
  const proc = CliProcess.start(["connect", `127.0.0.1:${port}`, "--name", "bob"], { cwd });
  await proc.closeStdin();
  const status = await proc.exit(30_000);
  return { code: status.code, stderr: proc.stderr };
}

Deno.test("a port that accepts and says nothing: connect says so after 10 s, exit 1", async () => {
  await using dir = await tempDir();
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const held: Deno.Conn[] = [];
  const accepting = (async () => {
    for await (const conn of listener) held.push(conn);
  })();
  try {
    const { code, stderr } = await connectFails(listener.addr.port, dir.path);
    assert.equal(code, 1);
    assert.equal(
      stderr,
      `p2pchat: 127.0.0.1:${listener.addr.port} accepted the connection but said nothing ` +
        "within 10 s: that port does not seem to speak p2pchat\n",
    );
  } finally {
    listener.close();
    await accepting.catch(() => {});
    for (const conn of held) conn.close();
  }
});

Deno.test("a web server's port: connect says that port does not speak p2pchat, exit 1", async () => {
  await using dir = await tempDir();
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    () => new Response("hello"),
  );
  try {
    const { code, stderr } = await connectFails(server.addr.port, dir.path);
    assert.equal(code, 1);
    assert.equal(
      stderr,
      `p2pchat: 127.0.0.1:${server.addr.port} answered like a web server: that port does not ` +
        "speak p2pchat\n",
    );
  } finally {
    await server.shutdown();
  }
});
