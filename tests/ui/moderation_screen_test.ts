/**
 * The host in charge, on the browser's screen (issue 22): the topic bar, the members' marks
 * (operator, away, muted) from the welcome and as they change, the same commands as the
 * terminal (/away, /ignore; /help lists an operator's once the host makes us one), and
 * mentions highlighted and counted in the tab's title while the person looks elsewhere. The
 * hub and the others are real processes; screenshots of each at both sizes land in
 * tests/screenshots/.
 */

import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { type CliProcess, type JsonEvent, PASSKEY, tempDir } from "../e2e/cli_process.ts";
import { joinHub, startHub } from "../hub_e2e/hub_process.ts";
import { connectForm, launchBrowser, logLine, pageTest, screenshots, startUi } from "./browser.ts";

const isEvent = (type: string) => (event: JsonEvent) => event.type === type;

/** Types `text` in the message box and sends it with Enter. */
async function say(page: Page, text: string): Promise<void> {
  const box = page.getByLabel("Message", { exact: true });
  await box.fill(text);
  await box.press("Enter");
}

/** Waits until the members list reads `names` (each with its marks), in order. */
async function membersRead(page: Page, names: string[]): Promise<void> {
  const items = page.locator("#members li");
  const deadline = Date.now() + 15_000;
  while (true) {
    const shown = await items.allTextContents();
    if (JSON.stringify(shown) === JSON.stringify(names)) return;
    if (Date.now() > deadline) assert.deepEqual(shown, names);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Waits until the tab's title is `title`. */
async function titleIs(page: Page, title: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while ((await page.title()) !== title) {
    if (Date.now() > deadline) assert.equal(await page.title(), title);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The person looks at another window, or back at this one. */
async function look(page: Page, here: boolean): Promise<void> {
  await page.evaluate(
    `window.dispatchEvent(new Event(${JSON.stringify(here ? "focus" : "blur")}))`,
  );
}

pageTest(
  "browser: the topic bar, members marked op, away and muted as it changes, away and ignore, an operator's commands, and mentions highlighted and counted in the title",
  async () => {
    await using dir = await tempDir();
    const hub = await startHub({ cwd: dir.path });
    const procs: CliProcess[] = [];
    try {
      const ann = await joinHub("ann", hub.port, dir.path);
      procs.push(ann);
      const bob = await joinHub("bob", hub.port, dir.path);
      procs.push(bob);
      await hub.proc.writeLine("/topic Release day: v2 ships at 5");
      await hub.proc.writeLine("/op ann");
      await hub.proc.waitFor(isEvent("hub-op"));
      await ann.writeLine("/away at lunch");
      await ann.waitFor((event) => event.type === "system" && /away/.test(String(event.text)));

      await using browser = await launchBrowser();
      await using ui = startUi("cara", dir.path);
      const page = await browser.open(ui.url);
      await connectForm(page, { mode: "connect", port: hub.port, passkey: PASSKEY });
      await logLine(page, "Joined the hub as cara.");
      // What was so before we came: the welcome brings the topic and the marks.
      const topic = page.locator("#topic");
      assert.equal(await topic.isVisible(), true);
      assert.equal(await topic.textContent(), "Topic Release day: v2 ships at 5");
      await membersRead(page, ["ann (op, away)", "bob", "cara (you)"]);

      // As it changes: the host mutes bob, then unmutes him; the topic changes.
      await hub.proc.writeLine("/mute bob 10m shouting");
      await logLine(page, "bob was muted by the host");
      await membersRead(page, ["ann (op, away)", "bob (muted)", "cara (you)"]);
      await hub.proc.writeLine("/topic Release moved to Monday");
      await page.locator("#topic", { hasText: "Release moved to Monday" }).waitFor();
      await screenshots(page, "moderation-marks");
      await hub.proc.writeLine("/unmute bob");
      await membersRead(page, ["ann (op, away)", "bob", "cara (you)"]);

      // A member's own commands: away (a private line gets the message back), and ignore.
      await say(page, "/away in a meeting");
      await logLine(page, "You are marked as away (in a meeting)");
      await bob.writeLine("/msg cara quick question");
      assert.deepEqual(await bob.waitFor(isEvent("away")), {
        type: "away",
        name: "cara",
        text: "in a meeting",
      });
      await say(page, "/back");
      await logLine(page, "You are back");
      await say(page, "/ignore bob");
      await logLine(page, "You ignore bob now");
      await bob.writeLine("noise from bob");
      await ann.writeLine("ann after bob's noise");
      await logLine(page, "ann after bob's noise");
      assert.equal(await page.locator("#log li", { hasText: "noise from bob" }).count(), 0);
      await say(page, "/unignore bob");
      await logLine(page, "You no longer ignore bob");

      // The same commands as a terminal: a member's /help has no operator's commands, an
      // operator's does, and the operator's /mute works from the page.
      await say(page, "/help");
      await logLine(page, "/ignore");
      assert.equal(await page.locator("#log li", { hasText: "/kick" }).count(), 0);
      await say(page, "/mute bob 5m");
      await logLine(page, "Only operators may mute");
      await hub.proc.writeLine("/op cara");
      await membersRead(page, ["ann (op, away)", "bob", "cara (you, op)"]);
      await say(page, "/help");
      await logLine(page, "/kick NAME");
      await say(page, "/mute bob 5m spam");
      await membersRead(page, ["ann (op, away)", "bob (muted)", "cara (you, op)"]);
      await bob.waitFor((event) => event.type === "moderated" && event.by === "cara");
      await hub.proc.waitFor((event) => event.type === "hub-muted" && event.by === "cara");

      // Mentions: highlighted always, counted in the title only while the person looks away.
      await ann.writeLine("cara: the build is green");
      const first = await logLine(page, "the build is green");
      assert.match(await first.getAttribute("class") ?? "", /\bmention\b/);
      assert.equal(await page.title(), "p2pchat", "seen as it came: nothing to count");
      await look(page, false);
      await ann.writeLine("@CARA are you there?");
      await ann.writeLine("the caravan has left");
      await ann.writeLine("thanks cara.");
      await logLine(page, "thanks cara.");
      await titleIs(page, "(2) p2pchat");
      assert.deepEqual(await page.locator("#log li.mention .text").allTextContents(), [
        "cara: the build is green",
        "@CARA are you there?",
        "thanks cara.",
      ]);
      await screenshots(page, "mention");
      await look(page, true);
      await titleIs(page, "p2pchat");

      // A reload replays the chat: its mentions are marked, but not news to count, even in a
      // window the person is not looking at (a reload in the background).
      await page.addInitScript("Document.prototype.hasFocus = () => false");
      await page.reload();
      await logLine(page, "thanks cara.");
      await page.locator("#log li.mention").nth(2).waitFor();
      assert.equal(await page.title(), "p2pchat");

      // The longest topic takes two lines at most, on a phone too; the whole is its tooltip.
      const oneLine = (await topic.boundingBox())!.height;
      const long = Array(50).fill("agenda").join(" ").slice(0, 300);
      await hub.proc.writeLine(`/topic ${long}`);
      await page.locator("#topic-text", { hasText: long }).waitFor();
      assert.equal(await topic.getAttribute("title"), long);
      await page.setViewportSize({ width: 375, height: 740 });
      assert.ok((await topic.boundingBox())!.height < 2.5 * oneLine, "two lines at most");
      await screenshots(page, "topic-long");

      await hub.proc.writeLine("/topic --clear");
      await topic.waitFor({ state: "hidden" });
      assert.deepEqual(browser.dialogs, []);
    } finally {
      for (const proc of procs) await proc.close();
      await hub.proc.close();
    }
  },
);
