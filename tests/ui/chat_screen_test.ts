/**
 * The browser's chat screen as people use it (issue 19 item 10): a chat that is down or over
 * looks it, Exit asks before stopping a hosted chat for others, a closed page leaves after a
 * grace, received files open from the page, times are the events' own, uploads show their
 * progress. Screenshots of each at both sizes land in tests/screenshots/.
 */

import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import {
  CliProcess,
  PASSKEY,
  sha256File,
  startConnector,
  startListener,
  tempDir,
  writeRandomFile,
} from "../e2e/cli_process.ts";
import { startHub } from "../hub_e2e/hub_process.ts";
import { HubMember } from "../hub_e2e/hub_member.ts";
import {
  connectForm,
  launchBrowser,
  logLine,
  pageTest,
  screenshots,
  startUi,
  type TestBrowser,
} from "./browser.ts";

/** Types `text` in the message box and sends it with Enter. */
async function say(page: Page, text: string): Promise<void> {
  const box = page.getByLabel("Message", { exact: true });
  await box.fill(text);
  await box.press("Enter");
}

/** The colour the page draws `selector` in (what a person sees: green or grey). */
async function colorOf(page: Page, selector: string, pseudo?: string): Promise<string> {
  // A string: these files are type-checked without the DOM types.
  return await page.evaluate(
    `getComputedStyle(document.querySelector(${JSON.stringify(selector)}), ` +
      `${JSON.stringify(pseudo ?? null)}).color`,
  ) as string;
}

/** A browser page of "webby" in a direct chat with a terminal, "termy", who listens. */
async function withTermy(
  fn: (
    chat: {
      page: Page;
      termy: CliProcess;
      dir: { path: string };
      browser: TestBrowser;
      port: number;
    },
  ) => Promise<void>,
): Promise<void> {
  await using dir = await tempDir();
  await using browser = await launchBrowser();
  await using ui = startUi("webby", dir.path);
  const { proc: termy, port } = await startListener("termy", { cwd: dir.path });
  try {
    const page = await browser.open(ui.url);
    await connectForm(page, { mode: "connect", port, passkey: PASSKEY });
    await logLine(page, "Chatting with termy.");
    await fn({ page, termy, dir, browser, port });
  } finally {
    await termy.close();
  }
}

const GREEN = "rgb(10, 125, 51)";

pageTest(
  "browser: a hub that goes away shows a disconnected chat; lines typed meanwhile wait and are sent on reconnect",
  async () => {
    await using dir = await tempDir();
    let hub = await startHub({ cwd: dir.path, args: ["--data", `${dir.path}/hub`] });
    const port = hub.port;
    const ann = startConnector("ann", port, { cwd: dir.path });
    try {
      await ann.waitFor((event) => event.type === "welcome");
      await using browser = await launchBrowser();
      await using ui = startUi("cara", dir.path);
      const page = await browser.open(ui.url);
      await connectForm(page, { mode: "connect", port, passkey: PASSKEY });
      await logLine(page, "Joined the hub as cara.");
      const banner = page.locator("#link-banner");
      assert.equal(await banner.isVisible(), false);
      assert.equal(await colorOf(page, "#members li", "::before"), GREEN);
      // What one says with /me and /msg is shown back, as it is to the others (issue 19, 11).
      await say(page, "/me waves");
      await logLine(page, "* cara waves", "#log li.own");
      await say(page, "/msg ann psst");
      const whisper = await logLine(page, "psst", "#log li.private");
      assert.equal(await whisper.locator(".from").textContent(), "you -> ann");
      await ann.waitFor((event) => event.type === "private" && event.text === "psst");

      hub.proc.kill("SIGKILL");
      await hub.proc.close();
      // The whole screen says it: a banner with the event's words, members greyed, and the
      // message box says what happens to what is typed.
      await banner.filter({ hasText: "Connection lost" }).waitFor();
      assert.match(await banner.textContent() ?? "", /retrying in [\d.]+ s/);
      assert.match(
        await banner.locator("#link-queue").textContent() ?? "",
        /What you send now waits and is sent when the connection is back\./,
      );
      assert.notEqual(await colorOf(page, "#members li", "::before"), GREEN);
      assert.notEqual(await colorOf(page, "#members li"), "rgb(29, 35, 48)");
      const box = page.getByLabel("Message", { exact: true });
      assert.match(await box.getAttribute("placeholder") ?? "", /waits and is sent/);
      assert.equal(await box.isEnabled(), true);

      await say(page, "typed while the hub was down");
      await say(page, "and another one");
      const queued = page.locator("#log li.queued");
      await queued.nth(1).waitFor();
      assert.deepEqual(await queued.locator(".text").allTextContents(), [
        "typed while the hub was down",
        "and another one",
      ]);
      await banner.filter({ hasText: "2 lines wait to be sent when the connection is back." })
        .waitFor();
      await screenshots(page, "disconnected");

      hub = await startHub({ cwd: dir.path, port, args: ["--data", `${dir.path}/hub`] });
      await logLine(page, "Reconnected.");
      await banner.waitFor({ state: "hidden" });
      assert.equal(await queued.count(), 0);
      assert.equal(await colorOf(page, "#members li", "::before"), GREEN);
      assert.equal(await box.getAttribute("placeholder"), "Type a message, or /help");
      // What was typed while down reached the others.
      for (const text of ["typed while the hub was down", "and another one"]) {
        await ann.waitFor((event) => event.type === "message" && event.text === text, 30_000);
      }
      assert.deepEqual(browser.dialogs, []);
    } finally {
      await ann.close();
      await hub.proc.close();
    }
  },
);

pageTest(
  "browser: a direct chat whose listener went away reconnects by itself when it is back; a line typed meanwhile is sent then",
  async () => {
    await withTermy(async ({ page, termy, dir, port }) => {
      termy.kill("SIGKILL");
      const banner = page.locator("#link-banner");
      await banner.filter({ hasText: "Connection lost" }).waitFor();
      assert.match(await banner.textContent() ?? "", /retrying in [\d.]+ s/);
      await say(page, "typed while termy was away");
      await page.locator("#log li.queued").waitFor();

      // termy starts again on the same port, with the same passkey: nothing to do in the page.
      const again = CliProcess.start(
        ["listen", String(port), "--host", "127.0.0.1", "--name", "termy", "--json"],
        { cwd: dir.path },
      );
      try {
        await logLine(page, "Reconnected.");
        await banner.waitFor({ state: "hidden" });
        await again.waitFor((e) => e.type === "message" && e.text === "typed while termy was away");
        assert.equal(await page.locator("#log li.queued").count(), 0);
      } finally {
        await again.close();
      }
    });
  },
);

pageTest("browser: a direct chat that ended looks ended until Exit", async () => {
  await withTermy(async ({ page, termy }) => {
    await termy.writeLine("/quit");
    const banner = page.locator("#link-banner");
    await banner.filter({ hasText: "termy ended the chat. Press Exit to go back." }).waitFor();
    // Said once in the log (the event), and at the top until Exit.
    assert.equal(await page.locator("#log li", { hasText: "Press Exit" }).count(), 0);
    const box = page.getByLabel("Message", { exact: true });
    assert.equal(await box.isDisabled(), true);
    assert.equal(
      await box.getAttribute("placeholder"),
      "The chat has ended: press Exit to go back",
    );
    await screenshots(page, "ended");
    await page.getByRole("button", { name: "Exit" }).click();
    await page.locator("#connect-screen").waitFor();
  });
});

pageTest(
  "browser: Exit asks before stopping a hosted hub for the people in it, or a direct chat with someone",
  async () => {
    await using dir = await tempDir();
    await using browser = await launchBrowser();
    await using ui = startUi("host", dir.path);
    const page = await browser.open(ui.url);
    await connectForm(page, { mode: "host", host: "127.0.0.1", port: 0, passkey: PASSKEY });
    await logLine(page, "Joined the hub as host.");
    const info = await page.locator("#chat-info").textContent();
    const port = Number(info!.match(/127\.0\.0\.1:(\d+)/)![1]);
    const ann = await HubMember.join(port, "ann", `${dir.path}/ann`);
    const ben = await HubMember.join(port, "ben", `${dir.path}/ben`);
    await logLine(page, "ben joined.");

    const dialog = page.locator("#stop-dialog");
    await page.getByRole("button", { name: "Exit" }).click();
    await dialog.waitFor();
    assert.equal(await dialog.locator("h2").textContent(), "Stop the hub for 2 people?");
    await screenshots(page, "stop-hub");
    // Kept running: nothing stopped, the hub still carries lines.
    await page.getByRole("button", { name: "Keep it running" }).click();
    await dialog.waitFor({ state: "hidden" });
    ann.client.say("still here");
    await logLine(page, "still here", "#log li.peer");
    assert.equal(ben.events.some((event) => event.type === "closed"), false);

    // Closing the page would stop it too (after the grace): the browser asks first.
    const asked: string[] = [];
    page.on("dialog", (shown) => void asked.push(shown.type()));
    await page.close({ runBeforeUnload: true });
    await logLine(page, "still here"); // the page stayed (the test browser dismisses)
    assert.deepEqual(asked, ["beforeunload"]);

    await page.getByRole("button", { name: "Exit" }).click();
    await page.getByRole("button", { name: "Stop the hub" }).click();
    await page.locator("#connect-screen").waitFor();
    for (const member of [ann, ben]) {
      await member.until(
        () =>
          member.events.some((event) =>
            event.type === "closed" && event.reason === "The hub is stopping."
          ),
        "told the hub stopped",
      );
    }
    await ann.client.disconnect();
    await ben.client.disconnect();

    // A direct chat this page listens on, with someone in it.
    await connectForm(page, { mode: "listen", host: "127.0.0.1", port: 0, passkey: PASSKEY });
    await logLine(page, "Listening on 127.0.0.1:");
    const listening = await page.locator("#chat-info").textContent();
    const directPort = Number(listening!.match(/127\.0\.0\.1:(\d+)/)![1]);
    const bob = startConnector("bob", directPort, { cwd: dir.path });
    try {
      await logLine(page, "Connected by 127.0.0.1:");
      await page.getByRole("button", { name: "Exit" }).click();
      await dialog.waitFor();
      assert.equal(await dialog.locator("h2").textContent(), "End the chat with bob?");
      await screenshots(page, "stop-direct");
      await page.getByRole("button", { name: "End the chat" }).click();
      await page.locator("#connect-screen").waitFor();
      assert.equal((await bob.exit()).code, 0);
    } finally {
      await bob.close();
    }
    // Nobody there: Exit asks nothing.
    await connectForm(page, { mode: "listen", host: "127.0.0.1", port: 0, passkey: PASSKEY });
    await logLine(page, "Listening on 127.0.0.1:");
    await page.getByRole("button", { name: "Exit" }).click();
    await page.locator("#connect-screen").waitFor();
  },
);

pageTest(
  "browser: a closed page leaves the hub after the grace, a reload within it keeps the seat, and a hub restart does not bring it back",
  async () => {
    await using dir = await tempDir();
    const data = ["--data", `${dir.path}/hub`];
    let hub = await startHub({ cwd: dir.path, args: data });
    const port = hub.port;
    const ann = startConnector("ann", port, { cwd: dir.path });
    try {
      await ann.waitFor((event) => event.type === "welcome");
      await using browser = await launchBrowser();
      await using ui = startUi("cara", dir.path, { closedPageGraceMs: 4_000 });
      const page = await browser.open(ui.url);
      await connectForm(page, { mode: "connect", port, passkey: PASSKEY });
      await logLine(page, "Joined the hub as cara.");
      await ann.waitFor((event) => event.type === "joined" && event.name === "cara");

      // A reload is back within the grace: the same seat, the chat so far on the page.
      await page.reload();
      await page.locator("body[data-state=chat]").waitFor();
      await logLine(page, "Joined the hub as cara.");
      await say(page, "back after a reload");
      await ann.waitFor((event) =>
        event.type === "message" && event.text === "back after a reload"
      );
      assert.equal(ann.events.some((event) => event.type === "left"), false);

      // Closed: after the grace the chat is left cleanly, as a person leaving.
      await page.close();
      const left = await ann.waitFor((event) => event.type === "left" && event.name === "cara");
      assert.equal(left.reason, undefined, "left, not lost");
      // The process is still there; a page opened later starts afresh.
      const later = await browser.open(ui.url);
      await later.locator("body[data-state=idle]").waitFor();

      // The hub restarts: ann comes back, the closed page does not.
      hub.proc.kill("SIGKILL");
      await hub.proc.close();
      hub = await startHub({ cwd: dir.path, port, args: data });
      await hub.proc.waitFor(
        (event) => event.type === "hub-joined" && event.name === "ann",
        30_000,
      );
      await new Promise((resolve) => setTimeout(resolve, 5_000));
      const joined = hub.proc.events.filter((event) => event.type === "hub-joined");
      assert.deepEqual(joined.map((event) => event.name), ["ann"]);
    } finally {
      await ann.close();
      await hub.proc.close();
    }
  },
);

pageTest("browser: received files open or download from the page", async () => {
  await withTermy(async ({ page, termy, dir, browser }) => {
    const picture = await page.screenshot({ clip: { x: 0, y: 0, width: 320, height: 120 } });
    await Deno.writeFile(`${dir.path}/picture.png`, picture);
    await Deno.writeTextFile(
      `${dir.path}/page.html`,
      "<script>alert(document.domain)</script><p>a page</p>",
    );
    // Another picture under the same name (the same one again would not be sent: it is there).
    await Deno.mkdir(`${dir.path}/other`);
    await Deno.writeFile(`${dir.path}/other/picture.png`, picture.slice(0, -1));
    for (const name of ["picture.png", "page.html", "other/picture.png"]) {
      await termy.writeLine(`/send ${dir.path}/${name}`);
    }
    // Each offer is asked about on the page: these three are accepted, a fourth declined.
    const answer = (text: string) =>
      page.locator(`.offer-answer button:enabled`, { hasText: text }).first().click();
    await page.locator(".offer-answer").nth(2).waitFor();
    await screenshots(page, "offers");
    for (let i = 0; i < 3; i++) await answer("Accept");
    await page.locator("#received li").nth(2).waitFor();
    await termy.writeLine(`/send ${dir.path}/page.html`);
    await page.locator(".offer-answer").nth(3).waitFor();
    await answer("Decline");
    const declined = await termy.waitFor((event) => event.type === "file-declined");
    assert.equal(declined.name, "page.html");
    const received = page.locator("#received li");
    await received.nth(2).waitFor();
    // The page shows where each landed and offers it: a picture opens, a page only downloads.
    const items = await received.evaluateAll((lis) =>
      lis.map((li) =>
        [li.querySelector(".file-path")?.textContent?.split("/").pop()].concat(
          [...li.querySelectorAll("a")].map((a) => a.textContent),
        ).join(" ")
      )
    );
    assert.deepEqual(items.sort(), [
      "page.html Download",
      "picture (1).png Open Download",
      "picture.png Open Download",
    ]);
    // Each transfer row is finished, the one saved under another name too.
    await page.locator("#transfers li", { hasText: "saved" }).nth(2).waitFor();
    await screenshots(page, "received");

    const item = (saved: string) => received.filter({ hasText: `received_files/${saved}` });
    const downloaded = async (saved: string) => {
      const [download] = await Promise.all([
        page.waitForEvent("download"),
        item(saved).getByRole("link", { name: "Download" }).click(),
      ]);
      return { name: download.suggestedFilename(), path: (await download.path())! };
    };
    const html = await downloaded("page.html");
    assert.equal(html.name, "page.html");
    assert.equal(await sha256File(html.path), await sha256File(`${dir.path}/page.html`));
    // The second picture.png was saved as "picture (1).png": its link fetches that one.
    const second = await downloaded("picture (1).png");
    const first = await downloaded("picture.png");
    assert.equal(second.name, "picture (1).png");
    const pictures = [`${dir.path}/picture.png`, `${dir.path}/other/picture.png`];
    assert.deepEqual(
      (await Promise.all([first.path, second.path].map(sha256File))).sort(),
      (await Promise.all(pictures.map(sha256File))).sort(),
    );

    const [tab] = await Promise.all([
      page.waitForEvent("popup"),
      item("picture.png").getByRole("link", { name: "Open" }).click(),
    ]);
    await tab.waitForLoadState();
    await tab.setViewportSize({ width: 640, height: 300 });
    assert.equal(await tab.locator("img").count(), 1);
    await tab.screenshot({
      path: `${new URL("../screenshots/", import.meta.url).pathname}opened-picture.png`,
    });
    assert.deepEqual(browser.dialogs, []);
  });
});

pageTest("browser: a reload shows each line at the time it happened", async () => {
  await withTermy(async ({ page, termy }) => {
    await termy.writeLine("hello");
    await logLine(page, "hello", "#log li.peer");
    const times = page.locator("#log time");
    const before = {
      stamps: await times.evaluateAll((all) => all.map((time) => time.getAttribute("datetime"))),
      shown: await times.allTextContents(),
    };
    // Three hours later, the page is reloaded.
    await page.clock.setFixedTime(new Date(Date.now() + 3 * 3600_000));
    await page.reload();
    await logLine(page, "hello", "#log li.peer");
    assert.deepEqual({
      stamps: await times.evaluateAll((all) => all.map((time) => time.getAttribute("datetime"))),
      shown: await times.allTextContents(),
    }, before);
  });
});

pageTest(
  "browser: an upload shows its own progress, then the send's, one row per file",
  async () => {
    await withTermy(async ({ page, termy, dir }) => {
      await writeRandomFile(`${dir.path}/big.bin`, 6_000_000);
      await Deno.writeTextFile(`${dir.path}/small.txt`, "small");
      // A slow link from the page to the process, as a big file from a slow disk would be.
      const cdp = await page.context().newCDPSession(page);
      await cdp.send("Network.enable");
      await cdp.send("Network.emulateNetworkConditions", {
        offline: false,
        latency: 0,
        downloadThroughput: -1,
        uploadThroughput: 1_500_000,
      });
      // Every state the rows go through, as they are drawn.
      await page.evaluate(`(() => {
      globalThis.seenStates = [];
      new MutationObserver(() => {
        for (const row of document.querySelectorAll("#transfers li")) {
          const text = row.textContent;
          if (globalThis.seenStates.at(-1) !== text) globalThis.seenStates.push(text);
        }
      }).observe(document.getElementById("transfers"), {
        subtree: true, childList: true, characterData: true,
      });
    })()`);
      await page.locator("#file-input").setInputFiles([
        `${dir.path}/big.bin`,
        `${dir.path}/small.txt`,
      ]);
      const rows = page.locator("#transfers li");
      const big = rows.filter({ hasText: "big.bin" });
      await big.filter({ hasText: /uploading [1-9]\d?%/ }).waitFor();
      const value = await big.locator("progress").evaluate((bar) => [bar.value, bar.max]);
      assert.ok(value[0] > 0 && value[0] < value[1], `part of it: ${value}`);
      await screenshots(page, "uploading");
      for (const name of ["big.bin", "small.txt"]) {
        await termy.waitFor((event) => event.type === "file" && event.name === name, 60_000);
        await rows.filter({ hasText: name }).filter({ hasText: "sent" }).waitFor();
      }
      assert.equal(await rows.count(), 2);
      // The big one: uploading with a percentage, then the send's own progress, then sent.
      const states = (await page.evaluate("globalThis.seenStates") as string[])
        .filter((text) => text.startsWith("Sending big.bin"));
      const at = (pattern: RegExp) => states.findIndex((text) => pattern.test(text));
      const order = [/uploading [1-9]\d?%$/, /\d+% of 6\.0 MB$/, / sent$/].map(at);
      assert.ok(order[0] >= 0 && order[0] < order[1] && order[1] < order[2], states.join("\n"));
      assert.equal(
        await sha256File(`${dir.path}/received_files/big.bin`),
        await sha256File(`${dir.path}/big.bin`),
      );
    });
  },
);
