import assert from "node:assert/strict";
import { p256 } from "@noble/curves/nist.js";
import { passkeyToScalar, Spake2, SPAKE2_P256_M } from "../../lib/secure/spake2.ts";
import { CLIENT_IDENTITY, HANDSHAKE_VERSION, HOST_IDENTITY } from "../../lib/secure/handshake.ts";
import { NetSession } from "../../lib/session/net_session.ts";
import {
  CliProcess,
  type JsonEvent,
  PASSKEY,
  startConnector,
  startListener,
  tempDir,
} from "../e2e/cli_process.ts";
import { ROOT, startTaskFlags } from "../../dev/start_task.ts";
import { clientHello, FailureReason, FrameType, RawPeer } from "./raw_peer.ts";

const G = p256.Point.BASE.toBytes(false);

/** An error the host printed about a connection: "REASON... from 127.0.0.1:PORT". */
const hostError = (reason: string) => (event: JsonEvent) =>
  event.type === "error" && typeof event.message === "string" &&
  event.message.startsWith(reason) && / from 127\.0\.0\.1:\d+$/.test(event.message);

/** A correct peer joins after the refusal and a line goes through: the host kept serving. */
async function assertStillServing(alice: CliProcess, port: number, cwd: string): Promise<void> {
  const bob = startConnector("bob", port, { cwd });
  try {
    await bob.waitFor((event) => event.type === "connected");
    await bob.writeLine("still serving");
    const line = await alice.waitFor((event) => event.type === "message");
    assert.deepEqual([line.from, line.text], ["bob", "still serving"]);
    await bob.closeStdin();
    assert.equal((await bob.exit()).code, 0);
  } finally {
    await bob.close();
  }
}

/** Runs `refuse` against a fresh host, then checks the host kept serving. */
async function withHost(
  refuse: (port: number, alice: CliProcess) => Promise<void>,
  { checkServing = true } = {},
): Promise<CliProcess> {
  await using dir = await tempDir();
  const { proc: alice, port } = await startListener("alice", { cwd: dir.path });
  try {
    await refuse(port, alice);
    if (checkServing) await assertStillServing(alice, port, dir.path);
    await alice.closeStdin();
    assert.equal((await alice.exit()).code, 0);
    return alice;
  } finally {
    await alice.close();
  }
}

/** Sends `hello` and expects the host's failure frame with `reason`, then the close. */
async function expectRefusal(port: number, hello: Uint8Array, reason: number): Promise<void> {
  await using peer = await RawPeer.connect(port);
  await peer.sendFrame(hello);
  assert.deepEqual(
    await peer.readFrame(),
    new Uint8Array([FrameType.Failure, reason, HANDSHAKE_VERSION]),
  );
  await peer.waitForClose();
}

Deno.test("wrong passkey: the connecting CLI prints 'Wrong passkey' and exits 1; the host shows it and keeps listening", async () => {
  await using dir = await tempDir();
  await withHost(async (port, alice) => {
    const mallory = startConnector("mallory", port, {
      cwd: dir.path,
      env: { P2PCHAT_PASSKEY: "2-silver-canyon-maple" },
      json: false,
    });
    try {
      const status = await mallory.exit();
      assert.equal(status.code, 1);
      assert.equal(mallory.stderr, "p2pchat: Wrong passkey\n");
      assert.equal(mallory.stdout, `[System] Connecting to 127.0.0.1:${port} ...`);
    } finally {
      await mallory.close();
    }
    await alice.waitFor(hostError("Wrong passkey"));
    assert.equal(alice.events.filter((event) => event.type === "connected").length, 0);
  });
});

Deno.test("empty passkey: refused by the CLI before connecting, and by the host as a wrong passkey", async () => {
  await using dir = await tempDir();
  await withHost(async (port, alice) => {
    // Only separators: normalizes to "", which the command line refuses outright.
    const blank = startConnector("mallory", port, {
      cwd: dir.path,
      env: { P2PCHAT_PASSKEY: " - _ " },
    });
    try {
      assert.equal((await blank.exit()).code, 2);
      assert.match(blank.stderr, /^p2pchat: the passkey is empty\nSet P2PCHAT_PASSKEY/);
    } finally {
      await blank.close();
    }
    // A hand-made client whose w comes from the empty string: one failed guess, nothing more.
    const spake = new Spake2({
      role: "A",
      w: await passkeyToScalar(""),
      identityA: CLIENT_IDENTITY,
      identityB: HOST_IDENTITY,
    });
    await using peer = await RawPeer.connect(port);
    const hello = clientHello(spake.message);
    await peer.sendFrame(hello);
    const reply = await peer.readFrame();
    assert.ok(reply !== null && reply[0] === FrameType.HostHello && reply.length === 100);
    // The MAC cannot be right without the passkey; send a well-formed confirm anyway.
    await peer.sendFrame(new Uint8Array(33).fill(FrameType.Confirm, 0, 1));
    assert.deepEqual(
      await peer.readFrame(),
      new Uint8Array([FrameType.Failure, FailureReason.WrongPasskey, HANDSHAKE_VERSION]),
    );
    await alice.waitFor(hostError("Wrong passkey"));
  });
});

Deno.test("a weak passkey (1234) is refused by listen, serve and connect, from the environment", async () => {
  await using dir = await tempDir();
  const weak =
    /^p2pchat: the passkey is too weak: it could be guessed online \(about 6 bits; p2pchat asks for 40, as in a generated passkey such as 7-orbit-lemon-cradle\)\n/;
  for (
    const [args, env] of [
      [["listen", "0", "--host", "127.0.0.1", "--json"], { P2PCHAT_PASSKEY: "1234" }],
      [["serve", "0", "--host", "127.0.0.1", "--json"], { P2PCHAT_PASSKEY: "1234" }],
    ] as const
  ) {
    const host = CliProcess.start([...args], { cwd: dir.path, env });
    try {
      assert.equal((await host.exit()).code, 2);
      assert.match(host.stderr, weak);
      assert.match(host.stderr, /\nLeave P2PCHAT_PASSKEY unset and p2pchat makes one/);
      // It never listened: stdout (--json) holds only the outcome.
      assert.deepEqual(host.events.map((event) => [event.type, event.exit]), [["fatal", 2]]);
    } finally {
      await host.close();
    }
  }
  await withHost(async (port, alice) => {
    for (const env of [{ P2PCHAT_PASSKEY: "1234" }]) {
      const bob = startConnector("bob", port, { cwd: dir.path, env });
      try {
        assert.equal((await bob.exit()).code, 2);
        assert.match(bob.stderr, weak);
        assert.match(bob.stderr, /\nUse the passkey the host shows/);
      } finally {
        await bob.close();
      }
    }
    // It gave up before connecting: the host saw nothing.
    assert.deepEqual(alice.events.map((event) => event.type), ["listening"]);
  });
});

Deno.test("a weak passkey typed at connect's hidden prompt is refused before connecting", async () => {
  await using dir = await tempDir();
  await withHost(async (port, alice) => {
    // `script` gives the client a terminal, so it asks for the passkey.
    const command = [Deno.execPath(), "run", ...startTaskFlags(), `${ROOT}main.ts`, "connect"]
      .concat(["127.0.0.1", String(port), "--name", "bob"])
      .map((word) => `'${word}'`).join(" ");
    const child = new Deno.Command("script", {
      args: ["-qec", command, "/dev/null"],
      cwd: dir.path,
      env: { P2PCHAT_PASSKEY: "", NO_COLOR: "1" },
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const writer = child.stdin.getWriter();
    const output = new Response(child.stdout).text();
    const errors = new Response(child.stderr).text();
    await new Promise((resolve) => setTimeout(resolve, 1500)); // the prompt is up
    await writer.write(new TextEncoder().encode("1234\r"));
    const status = await child.status;
    await writer.close().catch(() => {});
    const screen = await output;
    await errors;
    assert.equal(status.code, 1, screen);
    assert.match(screen, /Passkey \(shown by the host\): /);
    assert.match(screen, /p2pchat: The passkey is too weak: it could be guessed online/);
    assert.ok(!screen.includes("1234"), "the passkey is not echoed");
    assert.deepEqual(alice.events.map((event) => event.type), ["listening"]);
  });
});

Deno.test("key shares off the curve or at the identity are refused; the host keeps listening", async () => {
  const invalid = "Handshake failed: the peer sent an invalid key share";
  const alice = await withHost(async (port, alice) => {
    const offCurve = G.slice();
    offCurve[64] ^= 1; // y + 1 (or - 1): no longer satisfies the curve equation
    await expectRefusal(port, clientHello(offCurve), FailureReason.Malformed);
    await alice.waitFor(hostError(invalid));

    // The identity has no uncompressed encoding; (0, 0) is what an attacker would send.
    const identity = new Uint8Array(65);
    identity[0] = 0x04;
    await expectRefusal(port, clientHello(identity), FailureReason.Malformed);

    // pA = w*M unblinds to the identity on the host: K would be the identity for every y.
    const w = await passkeyToScalar(PASSKEY);
    const blinding = p256.Point.fromHex(SPAKE2_P256_M).multiply(w).toBytes(false);
    await expectRefusal(port, clientHello(blinding), FailureReason.Malformed);

    // Compressed points are refused too (only the 65-byte form is accepted).
    await expectRefusal(
      port,
      clientHello(p256.Point.BASE.toBytes(true)),
      FailureReason.Malformed,
    );
  });
  assert.equal(alice.events.filter(hostError(invalid)).length, 3, alice.stdout);
  assert.ok(alice.events.some(hostError("Handshake failed: the peer sent a malformed")));
});

Deno.test("oversized handshake frames are refused without buffering them; the host keeps listening", async () => {
  await withHost(async (port, alice) => {
    // Over the 1024-byte handshake limit, under the frame limit.
    const big = new Uint8Array(2000);
    big[0] = FrameType.ClientHello;
    big[1] = HANDSHAKE_VERSION;
    {
      await using peer = await RawPeer.connect(port);
      await peer.sendFrame(big);
      await peer.waitForClose();
    }
    await alice.waitFor(
      hostError(
        "The connection failed during the handshake: frame of 2000 bytes exceeds the limit of 1024 bytes",
      ),
    );

    // A length prefix of almost 4 GiB: refused from the prefix alone.
    {
      await using peer = await RawPeer.connect(port);
      await peer.sendRaw(
        new Uint8Array([0xff, 0xff, 0xff, 0xf0, FrameType.ClientHello, HANDSHAKE_VERSION, 1]),
      );
      await peer.waitForClose();
    }
    const errors = () => alice.events.filter((event) => event.type === "error");
    await alice.waitFor(() => errors().length >= 2);
    assert.match(
      String(errors()[1].message),
      /^The connection failed during the handshake: frame of 4294967280 bytes exceeds the limit of \d+ bytes from 127\.0\.0\.1:\d+$/,
    );
  });
});

Deno.test("a handshake frame announced over 1 KiB is refused from its length alone, before its bytes are held", async () => {
  await withHost(async (port, alice) => {
    // 200,000 bytes: under the limit of a sealed frame, far over any handshake frame. Only the
    // prefix and a few bytes are sent: the host must not wait to gather the rest.
    await using peer = await RawPeer.connect(port);
    await peer.sendRaw(
      new Uint8Array([0, 3, 0x0d, 0x40, FrameType.ClientHello, HANDSHAKE_VERSION]),
    );
    const waited = await peer.waitForClose();
    const refused = await alice.waitFor((event) => event.type === "error");
    assert.match(
      String(refused.message),
      /^The connection failed during the handshake: frame of 200000 bytes exceeds the limit of 1024 bytes from 127\.0\.0\.1:\d+$/,
    );
    assert.ok(waited < 5_000, `closed after ${waited} ms`);
  });
});

Deno.test("a client that stops mid-handshake is cut off at the 10 s deadline; others get in meanwhile", async () => {
  await withHost(async (port, alice) => {
    await using stalled = await RawPeer.connect(port);
    // Half a client hello, then silence.
    await stalled.sendRaw(
      new Uint8Array([0, 0, 0, 68, FrameType.ClientHello, HANDSHAKE_VERSION, 1]),
    );
    const closedAfter = stalled.waitForClose(13_000);

    // The stalled handshake blocks nobody: a correct client is secured right away.
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    const started = Date.now();
    const session = await NetSession.start(conn, { role: "client", passkey: PASSKEY });
    assert.ok(Date.now() - started < 2000);
    assert.equal(session.keys.authenticated, true);
    await session.close();

    const waited = await closedAfter;
    assert.ok(waited >= 9_000 && waited <= 11_500, `closed after ${waited} ms`);
    await alice.waitFor(hostError("Handshake timed out"));
  });
});

Deno.test("repeated wrong passkeys from one address are slowed down and logged", async () => {
  await withHost(async (port, alice) => {
    const attempt = async () => {
      const conn = await Deno.connect({ hostname: "127.0.0.1", port });
      const started = Date.now();
      await assert.rejects(
        NetSession.start(conn, { role: "client", passkey: "9-wrong-guess-here" }),
        { name: "HandshakeError", message: "Wrong passkey" },
      );
      return Date.now() - started;
    };
    for (let i = 0; i < 3; i++) assert.ok(await attempt() < 1000);
    const third = await alice.waitFor((event) =>
      String(event.message).endsWith("(3 failures from this address; its next attempt waits 1 s)")
    );
    assert.match(String(third.message), /^Wrong passkey from 127\.0\.0\.1:\d+ \(3 failures/);
    assert.ok(await attempt() >= 950);
    await alice.waitFor((event) =>
      String(event.message).endsWith("(4 failures from this address; its next attempt waits 2 s)")
    );
    const fifth = await attempt();
    assert.ok(fifth >= 1950, `the 5th attempt was answered after ${fifth} ms`);
    await alice.waitFor((event) =>
      String(event.message).endsWith("(5 failures from this address; its next attempt waits 4 s)")
    );
    // (A correct peer would now wait 4 s too; the other tests show the host keeps serving.)
  }, { checkServing: false });
});

Deno.test("a client that hangs up after the host's hello (its guess checked offline) is slowed down too", async () => {
  await withHost(async (port, alice) => {
    const encoder = new TextEncoder();
    /** Sends a hello for `passkey`, reads the host's hello, hangs up; says if the guess was right. */
    const probe = async (passkey: string) => {
      const spake = new Spake2({
        role: "A",
        w: await passkeyToScalar(passkey),
        identityA: CLIENT_IDENTITY,
        identityB: HOST_IDENTITY,
      });
      await using peer = await RawPeer.connect(port);
      const hello = clientHello(spake.message);
      const started = Date.now();
      await peer.sendFrame(hello);
      const reply = await peer.readFrame();
      const waited = Date.now() - started;
      assert.ok(reply !== null && reply[0] === FrameType.HostHello, `got ${reply}`);
      // The confirmation keys bind both hellos without the MAC (lib/secure/handshake.ts).
      const aad = new Uint8Array([
        ...encoder.encode("p2pchat handshake"),
        ...hello,
        ...reply.subarray(0, 68),
      ]);
      const keys = await spake.finish(reply.subarray(3, 68), aad);
      return { right: await keys.verifyPeerConfirmation(reply.subarray(68)), waited };
    };
    // The host's hello carries its key confirmation: enough to check one guess offline.
    assert.equal((await probe(PASSKEY)).right, true);
    for (let i = 0; i < 2; i++) assert.equal((await probe("8-wrong-guess-here")).right, false);
    // Each of those was one guess: the host counts them like wrong passkeys.
    await alice.waitFor((event) =>
      String(event.message).endsWith("(3 failures from this address; its next attempt waits 1 s)")
    );
    const { waited } = await probe("8-wrong-guess-here");
    assert.ok(waited >= 950, `the 4th guess was answered after ${waited} ms`);
  }, { checkServing: false });
});
