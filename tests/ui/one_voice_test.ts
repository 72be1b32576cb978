import assert from "node:assert/strict";
import page from "../../lib/ui/index.html" with { type: "text" };
import script from "../../lib/ui/app.js" with { type: "text" };
import style from "../../lib/ui/style.css" with { type: "text" };
import { EventWords } from "../../lib/app/event_words.ts";
import { TextView } from "../../lib/cli/text_view.ts";
import { chatPayload } from "../../lib/ui/ui_bridge.ts";
import type { UiEvent } from "../../lib/ui/ui_protocol.ts";
import { sampleEvents } from "../app/sample_events.ts";
import { launchBrowser, pageTest } from "./browser.ts";

const ASSETS: { [path: string]: [string, string] } = {
  "/": [page, "text/html"],
  "/app.js": [script, "text/javascript"],
  "/style.css": [style, "text/css"],
};

/**
 * The real page, served with `events` sent over its socket as the bridge sends them: a stand-in
 * for the p2pchat process that says exactly what the bridge would.
 */
function servePage(events: UiEvent[]): Deno.HttpServer<Deno.NetAddr> {
  return Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (request) => {
    const { pathname } = new URL(request.url);
    if (pathname === "/ws") {
      const { socket, response } = Deno.upgradeWebSocket(request);
      socket.addEventListener("open", () => {
        for (const event of events) socket.send(JSON.stringify(event));
      });
      return response;
    }
    const asset = ASSETS[pathname];
    if (!asset) return new Response("Not found", { status: 404 });
    return new Response(asset[0], { headers: { "content-type": asset[1] } });
  });
}

pageTest("the terminal and the browser show the same sentence for every event type", async () => {
  const events = sampleEvents();
  // The terminal's lines.
  const printed: string[] = [];
  const terminal = new TextView({ print: (line) => printed.push(line), status: () => {} });
  for (const event of events) terminal.show(event);
  // The bridge's payloads, as the page gets them.
  const words = new EventWords();
  const payloads: UiEvent[] = [
    { type: "hello", state: "chat", name: "bob", passkey: "1-a-b-c", receiveDir: "r" },
    {
      type: "started",
      mode: "connect",
      host: "192.168.1.12",
      port: 5050,
      passkey: null,
      addresses: [],
    },
    ...events.map((event) => chatPayload(words, event)),
  ];
  const server = servePage(payloads);
  try {
    await using browser = await launchBrowser();
    const shown = await browser.open(`http://127.0.0.1:${server.addr.port}/?token=test`);
    const items = shown.locator("#log li");
    await shown.locator(`#log li >> nth=${printed.length - 1}`).waitFor();
    assert.equal(await items.count(), printed.length);
    const onPage = await items.evaluateAll((lis) =>
      lis.map((li) => ({
        kind: li.className,
        from: li.querySelector(".from")?.textContent ?? undefined,
        text: li.querySelector(".text")?.textContent ?? "",
      }))
    );
    // The same words; only the frame differs: the terminal's "[System] " and "[bob] " and a
    // replayed line's "[12:34] ", the page's classes and a name of its own.
    const framed = onPage.map(({ kind, from, text }) => {
      const said = from === undefined ? text : `[${from}] ${text}`;
      return kind.startsWith("system") ? `[System] ${said}` : said;
    });
    const unclocked = printed.map((line) => line.replace(/^\[\d\d:\d\d\] /, ""));
    assert.deepEqual(framed, unclocked);
    // Each kind keeps its look: errors and refusals stand out, history is marked.
    assert.ok(onPage.some(({ kind }) => kind.includes("error-line")));
    assert.ok(onPage.some(({ kind }) => kind.includes("history")));
    assert.ok(onPage.some(({ kind }) => kind.includes("safety-line")));
    assert.deepEqual(browser.dialogs, []);
  } finally {
    await server.shutdown();
  }
});
