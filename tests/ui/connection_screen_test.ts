// The browser's connection screen: the address forms people type.
import assert from "node:assert/strict";
import { Announcer } from "../../lib/session/announcer.ts";
import type { LinkAddress } from "../../lib/session/mdns_link.ts";
import { PASSKEY, startListener, tempDir } from "../e2e/cli_process.ts";
import {
  connectForm,
  launchBrowser,
  logLine,
  PAGE_WAIT_MS,
  pageTest,
  screenshots,
  startUi,
} from "./browser.ts";

pageTest(
  "the connection form takes HOST:PORT; a port given twice that differs is refused",
  async () => {
    await using dir = await tempDir();
    const { proc: alice, port } = await startListener("alice", { cwd: dir.path });
    try {
      await using browser = await launchBrowser();
      await using ui = startUi("bob", dir.path);
      const page = await browser.open(ui.url);
      // The port field is empty unless typed: the address's port counts, else 5050.
      assert.equal(await page.getByLabel("Port").inputValue(), "");
      assert.equal(await page.getByLabel("Port").getAttribute("placeholder"), "5050");

      await connectForm(page, {
        mode: "connect",
        host: `127.0.0.1:${port}`,
        port: port + 1,
        passkey: PASSKEY,
      });
      const refusal = page.locator("#connect-error");
      await refusal.getByText("The port is given twice and differs").waitFor();
      assert.equal(
        await refusal.textContent(),
        `The port is given twice and differs: 127.0.0.1:${port} and port ${port + 1}.`,
      );
      assert.equal(await page.locator("body").getAttribute("data-state"), "idle");

      await connectForm(page, { mode: "connect", host: `127.0.0.1:${port}`, port: "" });
      await logLine(page, "Chatting with alice.");
      assert.equal(
        await page.locator("#chat-title").textContent(),
        `Chat with alice at 127.0.0.1:${port}`,
      );
      await page.getByLabel("Message", { exact: true }).fill("hi from the form");
      await page.getByLabel("Message", { exact: true }).press("Enter");
      const said = await alice.waitFor((event) => event.type === "message");
      assert.equal(said.text, "hi from the form");
    } finally {
      await alice.close();
    }
  },
);

/** Where the page's list scans, and the announcements are made: this computer only. */
const LOOPBACK: LinkAddress[] = [{ name: "lo", address: "127.0.0.1", netmask: "255.0.0.0" }];

/** An announcement of a direct chat on `port` as `label`, on loopback (as the scanner tests). */
function announce(label: string, port: number): Promise<Announcer> {
  return Announcer.start({
    bound: "127.0.0.1",
    addresses: LOOPBACK,
    announcement: { label, kind: "direct", port, version: 2, auth: "passkey", busy: false },
  });
}

pageTest(
  "the connection screen lists the chats found on this network, live; choosing one fills the form and the passkey is still typed",
  async () => {
    await using dir = await tempDir();
    await using browser = await launchBrowser();
    await using ui = startUi("bob", dir.path, { scanAddresses: LOOPBACK });
    const page = await browser.open(ui.url);
    // Other chats may be announced on this computer: these labels are the test's own.
    const tag = crypto.randomUUID().slice(0, 8);
    const label = `alice's chat ${tag}`;
    const hostile = `<img src=x onerror=alert(1)> ${tag}`;
    // Announced after the page is up: the list follows.
    const alice = await startListener("alice", { cwd: dir.path });
    const announcements = [await announce(label, alice.port), await announce(hostile, 9)];
    try {
      const entry = page.locator(".found-chat", { hasText: label });
      await entry.waitFor({ timeout: PAGE_WAIT_MS });
      assert.equal(
        await entry.textContent(),
        `${label}direct chat · 127.0.0.1:${alice.port} · passkey`,
      );
      // A label is text, never HTML.
      const shown = page.locator(".found-chat", { hasText: hostile });
      await shown.waitFor({ timeout: PAGE_WAIT_MS });
      assert.equal(await page.locator("#found-list img").count(), 0);
      // A host that stops says goodbye and leaves the list.
      await announcements[1].close();
      await shown.waitFor({ state: "detached", timeout: PAGE_WAIT_MS });
      await screenshots(page, "found-chats");

      await entry.click();
      assert.equal(await page.locator("#host").inputValue(), "127.0.0.1");
      assert.equal(await page.getByLabel("Port", { exact: true }).inputValue(), String(alice.port));
      const passkey = page.getByLabel("Passkey", { exact: true });
      assert.equal(await passkey.inputValue(), "");
      assert.equal(await page.evaluate("document.activeElement?.id"), "passkey");
      await passkey.fill(PASSKEY);
      await page.locator("#connect-button").click();
      await logLine(page, "Chatting with alice.");
    } finally {
      for (const announcement of announcements) await announcement.close();
      await alice.proc.close();
    }
  },
);
