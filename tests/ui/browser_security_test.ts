import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { PASSKEY, startListener, tempDir } from "../e2e/cli_process.ts";
import { HostileHost } from "../e2e/hostile_host.ts";
import { startHub } from "../hub_e2e/hub_process.ts";
import { connectForm, launchBrowser, logLine, pageTest, startUi } from "./browser.ts";

const RLO = "\u202e";

/**
 * Where each of `needles` starts on the screen (x in CSS pixels), in the first log line
 * holding `line`: what a person reading that line sees, left to right.
 */
async function screenX(page: Page, line: string, needles: string[]): Promise<number[]> {
  return await page.evaluate(`(() => {
    const item = [...document.querySelectorAll("#log li")]
      .find((li) => li.textContent.includes(${JSON.stringify(line)}));
    return ${JSON.stringify(needles)}.map((needle) => {
      const walker = document.createTreeWalker(item, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const at = node.data.indexOf(needle);
        if (at < 0) continue;
        const range = document.createRange();
        range.setStart(node, at);
        range.setEnd(node, at + 1);
        return range.getBoundingClientRect().left;
      }
      return null;
    });
  })()`) as number[];
}

/** Asserts the needles appear on screen left to right, as they are in the text. */
async function assertReadsInOrder(page: Page, line: string, needles: string[]): Promise<void> {
  const xs = await screenX(page, line, needles);
  for (let i = 1; i < xs.length; i++) {
    assert.ok(
      xs[i - 1] < xs[i],
      `"${needles[i - 1]}" (x ${xs[i - 1]}) should be left of "${needles[i]}" (x ${xs[i]})`,
    );
  }
}

pageTest(
  "browser: a right-to-left override in a name or file name does not reorder what follows",
  async () => {
    await using dir = await tempDir();
    await using browser = await launchBrowser();
    await using ui = startUi("webby", dir.path);
    await using host = HostileHost.start();
    const page = await browser.open(ui.url);
    await connectForm(page, { mode: "connect", port: host.port, passkey: PASSKEY });
    const { session } = await host.accept();
    session.post({
      t: "welcome",
      you: "webby",
      kind: "direct",
      members: [`mal${RLO}ory`, "webby"],
      history: 0,
    });
    session.post({ t: "chat", id: "1", from: `mal${RLO}ory`, text: "hello world" });
    // Keyed: the sender waits for an answer, so the page asks about it.
    session.post({ t: "offer", fid: 1, name: `evil${RLO}txt.exe`, size: 1, from: "mal", key: "k" });
    await logLine(page, "hello world", "#log li.peer");
    await logLine(page, "Accept evil");

    // The line's text still reads "hello world", to the right of the name.
    await assertReadsInOrder(page, "hello world", ["mal", "ory", "h", "w"]);
    // Our own words after a peer's file name stay in place and in order.
    await assertReadsInOrder(page, "Accept evil", ["Accept", "evil", "1 B", "from", "[Y/n]"]);
    await assertReadsInOrder(page, `Chatting with mal${RLO}ory.`, ["Chatting", "mal"]);
    assert.deepEqual(browser.dialogs, []);
    await session.close();
  },
);

/** A web server on another port of 127.0.0.1 that keeps every header browsers send it. */
function foreignServer() {
  const seen: Headers[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (request) => {
    seen.push(request.headers);
    return new Response("<!doctype html><title>elsewhere</title><p>hello", {
      headers: { "content-type": "text/html" },
    });
  });
  return {
    url: `http://127.0.0.1:${server.addr.port}/`,
    seen,
    [Symbol.asyncDispose]: () => server.shutdown(),
  };
}

/** Opens a WebSocket to the UI as a server can (any Origin, any header); the HTTP status. */
async function socketStatus(port: number, path: string, headers: Headers): Promise<number> {
  using conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const lines = [
    `GET ${path} HTTP/1.1`,
    `host: 127.0.0.1:${port}`,
    `origin: http://127.0.0.1:${port}`,
    "connection: Upgrade",
    "upgrade: websocket",
    "sec-websocket-key: dGhlIHNhbXBsZSBub25jZQ==",
    "sec-websocket-version: 13",
  ];
  for (const [name, value] of headers) {
    if (name === "cookie" || name === "authorization") lines.push(`${name}: ${value}`);
  }
  await conn.write(new TextEncoder().encode(`${lines.join("\r\n")}\r\n\r\n`));
  const buffer = new Uint8Array(1024);
  const n = await conn.read(buffer);
  const text = new TextDecoder().decode(buffer.subarray(0, n ?? 0));
  return Number(text.match(/^HTTP\/1\.1 (\d{3})/)?.[1]);
}

pageTest(
  "browser: a web server on another local port gets nothing that lets it drive the UI",
  async () => {
    await using dir = await tempDir();
    await using browser = await launchBrowser();
    await using ui = startUi("webby", dir.path);
    await using elsewhere = foreignServer();
    const page = await browser.open(ui.url);
    const uiPort = new URL(ui.url).port;
    // The same person, in the same browser, visits another local web server.
    const other = await page.context().newPage();
    await other.goto(elsewhere.url);
    await other.getByText("hello").waitFor();
    assert.ok(elsewhere.seen.length > 0);

    for (const headers of elsewhere.seen) {
      const carried = [...headers.values()].join("\n");
      assert.ok(!carried.includes(new URL(ui.url).searchParams.get("token")!), "the token leaked");
      // Whatever it got, replayed by the server with a forged Origin, opens nothing.
      assert.equal(await socketStatus(Number(uiPort), "/ws", headers), 403);
      const upload = await fetch(`http://127.0.0.1:${uiPort}/upload?name=passwd`, {
        method: "POST",
        headers: [...headers].filter(([name]) => name === "cookie"),
        body: "x",
      });
      assert.equal(upload.status, 403);
      await upload.body?.cancel();
    }
    // A page over there cannot open the socket from the browser either.
    const opened = await other.evaluate(`new Promise((resolve) => {
    const socket = new WebSocket("ws://127.0.0.1:${uiPort}/ws");
    socket.onopen = () => resolve("opened");
    socket.onerror = () => resolve("refused");
  })`);
    assert.equal(opened, "refused");
    // The UI itself still works after a reload, which has no token in its address.
    await page.reload();
    await page.locator("body[data-state=idle]").waitFor();
    // Opened without the token (typed by hand, or by another site), the page only says how.
    const bare = await (await browser.browser.newContext()).newPage();
    await bare.goto(`http://127.0.0.1:${uiPort}/`);
    await bare.getByText("Open the address that `p2pchat ui` printed").waitFor();
    assert.equal(await bare.locator("body[data-state]").count(), 0);
  },
);

pageTest("browser: /send PATH typed in the browser reads no local file", async () => {
  await using dir = await tempDir();
  await using browser = await launchBrowser();
  await using ui = startUi("webby", dir.path);
  const { proc: cli, port } = await startListener("termy", { cwd: dir.path });
  try {
    const page = await browser.open(ui.url);
    await connectForm(page, { mode: "connect", port, passkey: PASSKEY });
    await logLine(page, "Chatting with termy.");
    const box = page.getByLabel("Message", { exact: true });
    await box.fill("/send /etc/passwd");
    await box.press("Enter");
    await logLine(page, "use the Send File button or drop files on the chat");
    await box.fill("after the send");
    await box.press("Enter");
    await cli.waitFor((event) => event.type === "message" && event.text === "after the send");
    const files = cli.events.filter((event) => event.type.startsWith("file"));
    assert.deepEqual(files, [], "nothing was offered");
    await assert.rejects(Deno.stat(`${dir.path}/received_files`), Deno.errors.NotFound);
  } finally {
    await cli.close();
  }
});

pageTest(
  "browser: a reconnect in open mode shows the new safety code and that it changed",
  async () => {
    await using dir = await tempDir();
    await using browser = await launchBrowser();
    await using ui = startUi("webby", dir.path);
    let hub = await startHub({ cwd: dir.path, args: ["--open"] });
    const port = hub.port;
    try {
      const page = await browser.open(ui.url);
      await page.locator("#open-mode").check();
      await connectForm(page, { mode: "connect", port });
      const first = await logLine(page, "NOT authenticated (open mode). Safety code:");
      const firstCode = (await first.textContent())!.match(/\d{4} \d{4} \d{4}/)![0];
      const joined = await hub.proc.waitFor((event) => event.type === "hub-joined");
      assert.equal(joined.safety, firstCode, "the hub shows the code the browser shows");

      hub.proc.kill("SIGKILL");
      await hub.proc.close();
      hub = await startHub({ cwd: dir.path, port, args: ["--open"] });
      const told = await logLine(page, "The safety code CHANGED");
      const rejoined = await hub.proc.waitFor((event) => event.type === "hub-joined");
      assert.equal(
        await told.locator(".text").textContent(),
        `New connection to 127.0.0.1:${port}, NOT authenticated (open mode). ` +
          `The safety code CHANGED: now ${rejoined.safety} (was ${firstCode}) - ` +
          "check that the other screen shows the new code.",
      );
      await logLine(page, "Reconnected.");
    } finally {
      await hub.proc.close();
    }
  },
);
