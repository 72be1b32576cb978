import assert from "node:assert/strict";
import { CliProcess, tempDir } from "../e2e/cli_process.ts";

/** Sends a raw HTTP/1.1 request (any Host, any headers) and returns the status code. */
async function rawStatus(
  port: number,
  path: string,
  headers: Record<string, string>,
  method = "GET",
): Promise<number> {
  using conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const lines = [`${method} ${path} HTTP/1.1`, "connection: close"];
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
  await conn.write(new TextEncoder().encode(`${lines.join("\r\n")}\r\n\r\n`));
  const buffer = new Uint8Array(1024);
  let text = "";
  while (!text.includes("\r\n")) {
    const n = await conn.read(buffer);
    if (n === null) break;
    text += new TextDecoder().decode(buffer.subarray(0, n));
  }
  return Number(text.match(/^HTTP\/1\.1 (\d{3})/)?.[1]);
}

const WEBSOCKET = {
  upgrade: "websocket",
  connection: "Upgrade",
  "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==",
  "sec-websocket-version": "13",
};

Deno.test("p2pchat ui: prints a tokened 127.0.0.1 URL; without the token nobody can act", async () => {
  await using dir = await tempDir();
  const ui = CliProcess.start(["ui", "--no-open", "--port", "0"], { cwd: dir.path });
  try {
    const line = await ui.waitForLine((line) => line.includes("http://"));
    const url = new URL(line.match(/http:\/\/\S+/)![0]);
    assert.equal(url.hostname, "127.0.0.1");
    const token = url.searchParams.get("token")!;
    assert.ok(token.length >= 22, "at least 128 bits");
    const port = Number(url.port);
    const base = `http://127.0.0.1:${port}`;

    // The token opens the page; no cookie is set (every port of 127.0.0.1 would get it).
    const page = await fetch(url);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<title>p2pchat<\/title>/);
    assert.equal(page.headers.get("set-cookie"), null);
    assert.match(page.headers.get("content-security-policy")!, /script-src 'self'/);
    // The page and its assets hold no secret: a reload, which has no token, gets them.
    for (const path of ["/", "/app.js", "/style.css"]) {
      const asset = await fetch(`${base}${path}`);
      assert.equal(asset.status, 200, path);
      assert.equal(asset.headers.get("set-cookie"), null, path);
      await asset.body?.cancel();
    }
    const script = await fetch(`${base}/app.js`);
    assert.match(script.headers.get("content-type")!, /javascript/);
    await script.body?.cancel();
    const wrong = await fetch(`${base}/?token=${token.slice(0, -1)}x`);
    assert.equal(wrong.status, 403);
    await wrong.body?.cancel();

    // Socket and upload: refused without the token, also with what a cookie used to carry.
    const host = `127.0.0.1:${port}`;
    const oldCookie = { cookie: `p2pchat_ui_${port}=${token}` };
    for (const headers of [{}, oldCookie]) {
      const upload = await fetch(`${base}/upload?name=x`, { method: "POST", headers, body: "x" });
      assert.equal(upload.status, 403);
      await upload.body?.cancel();
      assert.equal(
        await rawStatus(port, "/ws", { host, origin: base, ...WEBSOCKET, ...headers }),
        403,
      );
    }
    assert.equal(await rawStatus(port, `/ws?token=${token}x`, { host, ...WEBSOCKET }), 403);
    assert.equal(
      await rawStatus(port, `/ws?token=${token}`, { host, origin: base, ...WEBSOCKET }),
      101,
    );

    // A foreign Origin is refused even with the token (a drive-by page cannot drive it).
    for (const origin of ["http://evil.example", `http://127.0.0.1:${port + 1}`, "null"]) {
      const response = await fetch(url, { headers: { origin } });
      assert.equal(response.status, 403, origin);
      await response.body?.cancel();
      const upload = await fetch(`${base}/upload?name=x&token=${token}`, {
        method: "POST",
        headers: { origin },
        body: "x",
      });
      assert.equal(upload.status, 403, origin);
      await upload.body?.cancel();
      assert.equal(
        await rawStatus(port, `/ws?token=${token}`, { host, origin, ...WEBSOCKET }),
        403,
      );
    }
    // DNS rebinding: a foreign Host is refused, with the right token too.
    assert.equal(await rawStatus(port, `/?token=${token}`, { host: `evil.example:${port}` }), 403);
    assert.equal(await rawStatus(port, "/app.js", { host: `evil.example:${port}` }), 403);
    assert.equal(
      await rawStatus(port, `/ws?token=${token}`, { host: `evil.example:${port}`, ...WEBSOCKET }),
      403,
    );

    // Not in a chat: an upload with the token is turned down, not sent anywhere.
    const early = await fetch(`${base}/upload?name=a.txt&token=${token}`, {
      method: "POST",
      body: "hello",
    });
    assert.equal(early.status, 409);
    await early.body?.cancel();

    ui.kill("SIGINT");
    assert.equal((await ui.exit()).code, 130);
    assert.ok(ui.lines.includes("[System] Stopping."), ui.stdout);
    assert.equal(ui.stderr, "");
  } finally {
    await ui.close();
  }
});

Deno.test("p2pchat ui: a port in use is one clear line and exit code 1", async () => {
  await using dir = await tempDir();
  using taken = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const ui = CliProcess.start(["ui", "--no-open", "--port", String(taken.addr.port)], {
    cwd: dir.path,
  });
  try {
    assert.equal((await ui.exit()).code, 1);
    assert.match(ui.stderr, /^p2pchat: Could not listen on 127\.0\.0\.1:\d+: address in use/);
  } finally {
    await ui.close();
  }
});
