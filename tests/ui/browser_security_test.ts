import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { PASSKEY, tempDir } from "../e2e/cli_process.ts";
import { HostileHost } from "../e2e/hostile_host.ts";
import { connectForm, launchBrowser, logLine, startUi } from "./browser.ts";

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

Deno.test("browser: a right-to-left override in a name or file name does not reorder what follows", async () => {
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
  session.post({ t: "offer", fid: 1, name: `evil${RLO}txt.exe`, size: 1, from: "mal" });
  await logLine(page, "hello world", "#log li.peer");
  await logLine(page, "Incoming file evil");

  // The line's text still reads "hello world", to the right of the name.
  await assertReadsInOrder(page, "hello world", ["mal", "ory", "h", "w"]);
  // Our own words after a peer's file name stay in place and in order.
  await assertReadsInOrder(page, "Incoming file evil", ["Incoming", "evil", "1 B", "from"]);
  await assertReadsInOrder(page, `Chatting with mal${RLO}ory.`, ["Chatting", "mal"]);
  assert.deepEqual(browser.dialogs, []);
  await session.close();
});
