// The browser's connection screen: the address forms people type.
import assert from "node:assert/strict";
import { PASSKEY, startListener, tempDir } from "../e2e/cli_process.ts";
import { connectForm, launchBrowser, logLine, pageTest, startUi } from "./browser.ts";

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
