import assert from "node:assert/strict";
import {
  CliProcess,
  PASSKEY,
  sha256File,
  startConnector,
  startListener,
  tempDir,
  writeRandomFile,
} from "../e2e/cli_process.ts";
import {
  connectForm,
  dropFile,
  launchBrowser,
  logLine,
  pageTest,
  screenshots,
  startUi,
} from "./browser.ts";
import { freePort } from "../../dev/free_port.ts";
import { HubMember } from "../hub_e2e/hub_member.ts";

const XSS = "<img src=x onerror=alert(1)>";

pageTest("two browsers chat: one listens, one connects; a picked file arrives intact", async () => {
  await using dir = await tempDir();
  await using browser = await launchBrowser();
  await using aliceUi = startUi("alice", dir.path);
  await using bobUi = startUi("bob", dir.path);
  const alice = await browser.open(aliceUi.url);
  const bob = await browser.open(bobUi.url);

  // The token left the address bar (the page keeps it in sessionStorage).
  assert.equal(new URL(alice.url()).search, "");
  await screenshots(bob, "connection");

  await connectForm(alice, { mode: "listen", host: "127.0.0.1", port: 0 });
  // The terminal's words for a listener (the page used to say "Waiting for someone to connect").
  await logLine(alice, "Listening on 127.0.0.1:");
  const info = await alice.locator("#chat-info").textContent();
  const [, port, passkey] = info!.match(/127\.0\.0\.1:(\d+) with the passkey (\S+)$/)!;
  await logLine(alice, `Passkey: ${passkey} (give it to the person connecting)`);

  await connectForm(bob, { mode: "connect", host: "127.0.0.1", port, passkey });
  await logLine(bob, "Chatting with alice.");
  await logLine(bob, "encrypted and authenticated");
  await logLine(alice, "Connected by 127.0.0.1:"); // was the page's own "bob connected from"

  await bob.getByLabel("Message", { exact: true }).fill("hi alice 👋");
  await bob.getByLabel("Message", { exact: true }).press("Enter");
  const seen = await logLine(alice, "hi alice 👋", "#log li.peer");
  assert.equal(await seen.locator(".from").textContent(), "bob");
  await logLine(bob, "hi alice 👋", "#log li.own");
  await alice.getByLabel("Message", { exact: true }).fill("hello bob");
  await alice.getByRole("button", { name: "Send", exact: true }).click();
  await logLine(bob, "hello bob", "#log li.peer");
  // A slash command runs like in the terminal.
  await bob.getByLabel("Message", { exact: true }).fill("/me waves");
  await bob.getByLabel("Message", { exact: true }).press("Enter");
  await logLine(alice, "* bob waves");

  const path = `${dir.path}/report.bin`;
  await writeRandomFile(path, 3_000_000);
  await bob.locator("#file-input").setInputFiles(path);
  // The page asks before anything lands: Accept on the offer.
  await alice.getByRole("button", { name: "Accept report.bin" }).click();
  await logLine(bob, "Sent file report.bin (3.0 MB) to alice, hash verified");
  await logLine(bob, "sent", "#transfers li");
  const received = await logLine(alice, "report.bin", "#received li");
  const saved = await received.locator(".file-path").textContent();
  assert.equal(saved, `${aliceUi.receiveDir}/report.bin`);
  assert.equal(await sha256File(saved!), await sha256File(path));
  await logLine(alice, "saved", "#transfers li");

  await screenshots(alice, "chat");

  // Exit with the keyboard alone: Tab from the message box to Exit, Enter. Back to the
  // connection screen; the other side sees the chat end.
  await bob.getByLabel("Message", { exact: true }).focus();
  for (const name of ["Send", "Send File", "Exit"]) {
    await bob.keyboard.press("Tab");
    assert.equal(await bob.locator(":focus").textContent(), name);
  }
  await bob.keyboard.press("Enter");
  await bob.locator("#connect-screen").waitFor();
  await logLine(alice, "bob has left the chat.");
  await alice.getByRole("button", { name: "Exit" }).click();
  await alice.locator("#connect-screen").waitFor();
  assert.deepEqual(browser.dialogs, []);
});

pageTest("a browser chats with a terminal peer; clear errors; peer HTML stays text", async () => {
  await using dir = await tempDir();
  await using browser = await launchBrowser();
  await using ui = startUi("webby", dir.path);
  const page = await browser.open(ui.url);

  const refused = freePort();
  await connectForm(page, { mode: "connect", host: "127.0.0.1", port: refused, passkey: PASSKEY });
  // The terminal's words (the page used to say "Unable to connect"), saying what to check.
  await page.getByText(
    `Could not connect to 127.0.0.1:${refused}: nothing answers there: is p2pchat running on ` +
      "that port?",
  ).waitFor();

  const { proc: cli, port } = await startListener("termy", { cwd: dir.path });
  try {
    await connectForm(page, { mode: "connect", port, passkey: "2-wrong-words-here" });
    await page.locator("#connect-error", { hasText: "Wrong passkey" }).waitFor();
    // A passkey too weak to be a host's is refused before connecting.
    await connectForm(page, { mode: "connect", port, passkey: "1234" });
    await page.locator("#connect-error", { hasText: "The passkey is too weak" }).waitFor();
    // Typed loosely, as people do (normalized like in the terminal); Enter submits.
    await page.getByLabel("Passkey", { exact: true }).fill("");
    await page.getByLabel("Passkey", { exact: true }).focus();
    await page.keyboard.type(" 1 SILVER canyon_maple ");
    await page.keyboard.press("Enter");
    await logLine(page, "Chatting with termy.");
    await cli.waitFor((event) => event.type === "connected" && event.peer === "webby");

    await cli.writeLine(XSS);
    const line = await logLine(page, XSS, "#log li.peer");
    assert.equal(await line.locator(".text").textContent(), XSS);
    assert.equal(await page.locator("#log img").count(), 0);

    await page.getByLabel("Message", { exact: true }).fill("from the browser <b>bold?</b>");
    await page.getByLabel("Message", { exact: true }).press("Enter");
    const message = await cli.waitFor((event) => event.type === "message");
    assert.deepEqual([message.from, message.text], ["webby", "from the browser <b>bold?</b>"]);

    // Drag and drop a file onto the chat.
    const bytes = crypto.getRandomValues(new Uint8Array(50_000));
    const path = `${dir.path}/dropped.bin`;
    await Deno.writeFile(path, bytes);
    await dropFile(page, "dropped.bin", bytes);
    const file = await cli.waitFor((event) => event.type === "file");
    assert.equal(file.name, "dropped.bin");
    assert.equal(file.sha256, await sha256File(path));
    assert.equal(await sha256File(`${dir.path}/received_files/dropped.bin`), file.sha256);

    await cli.writeLine("/quit");
    // The host leaving is told once: its goodbye, no "left" before it.
    await logLine(page, "Peer disconnected: termy ended the chat.");
    assert.equal(await page.locator("#log li", { hasText: "has left the chat" }).count(), 0);
    await page.locator("#link-banner", { hasText: "Press Exit to go back." }).waitFor();
    assert.equal(await page.getByLabel("Message", { exact: true }).isDisabled(), true);
    await page.getByRole("button", { name: "Exit" }).click();
    await page.locator("#connect-screen").waitFor();
    assert.equal((await cli.exit()).code, 0);
    assert.deepEqual(browser.dialogs, []);
  } finally {
    await cli.close();
  }
});

pageTest("a browser joins a hub with two terminal members: history and member list", async () => {
  await using dir = await tempDir();
  const hub = CliProcess.start(
    ["serve", "0", "--host", "127.0.0.1", "--json", "--data", `${dir.path}/hub`],
    { cwd: dir.path },
  );
  let ann: CliProcess | undefined;
  let ben: CliProcess | undefined;
  try {
    const port = (await hub.waitFor((event) => event.type === "listening")).port as number;
    ann = startConnector("ann", port, { cwd: dir.path });
    await ann.waitFor((event) => event.type === "welcome");
    ben = startConnector("ben", port, { cwd: dir.path });
    await ben.waitFor((event) => event.type === "welcome");
    await ann.writeLine("before you came");
    await ben.waitFor((event) => event.type === "message" && event.text === "before you came");
    await ben.writeLine(XSS);
    await ann.waitFor((event) => event.type === "message" && event.text === XSS);

    await using browser = await launchBrowser();
    await using ui = startUi("cara", dir.path);
    const page = await browser.open(ui.url);
    await connectForm(page, { mode: "connect", port, passkey: PASSKEY });
    await logLine(page, "Joined the hub as cara.");

    const history = page.locator("#log li.history");
    await logLine(page, "End of history"); // the terminal's words (was "End of earlier messages")
    assert.deepEqual(await history.locator(".text").allTextContents(), ["before you came", XSS]);
    assert.deepEqual(await history.locator(".from").allTextContents(), ["ann", "ben"]);
    assert.equal(await page.locator("#log img").count(), 0);
    assert.deepEqual(await page.locator("#members li").allTextContents(), [
      "ann",
      "ben",
      "cara (you)",
    ]);

    await ann.writeLine("welcome cara");
    await logLine(page, "welcome cara", "#log li.peer");
    await page.getByLabel("Message", { exact: true }).fill("thanks!");
    await page.getByLabel("Message", { exact: true }).press("Enter");
    await ben.waitFor((event) => event.type === "message" && event.text === "thanks!");
    await page.getByLabel("Message", { exact: true }).fill("/msg ann psst");
    await page.getByLabel("Message", { exact: true }).press("Enter");
    const whisper = await ann.waitFor((event) => event.type === "private");
    assert.deepEqual([whisper.from, whisper.text], ["cara", "psst"]);

    await ben.writeLine("/quit");
    await logLine(page, "ben left");
    assert.deepEqual(await page.locator("#members li").allTextContents(), ["ann", "cara (you)"]);
    await screenshots(page, "hub");

    await page.getByLabel("Message", { exact: true }).fill("/quit");
    await page.getByLabel("Message", { exact: true }).press("Enter");
    await page.locator("#connect-screen").waitFor();
    await ann.waitFor((event) => event.type === "left" && event.name === "cara");
    assert.deepEqual(browser.dialogs, []);
  } finally {
    await ben?.close();
    await ann?.close();
    await hub.close();
  }
});

pageTest("a browser hosts a hub that a terminal joins", async () => {
  await using dir = await tempDir();
  await using browser = await launchBrowser();
  await using ui = startUi("host", dir.path);
  const page = await browser.open(ui.url);
  await page.getByLabel("Host a hub").check();
  // A passkey is generated and shown for the host to read out.
  const passkeyField = page.getByLabel("Passkey", { exact: true });
  assert.equal(await passkeyField.getAttribute("type"), "text");
  assert.match(await passkeyField.inputValue(), /^\d{1,3}(-[a-z]+){3}$/);
  await screenshots(page, "connection-host");
  // A passkey of one's own must be strong enough: 1234 is refused before anything listens.
  await connectForm(page, { mode: "host", host: "127.0.0.1", port: 0, passkey: "1234" });
  await page.locator("#connect-error", { hasText: "The passkey is too weak" }).waitFor();
  await connectForm(page, { mode: "host", host: "127.0.0.1", port: 0, passkey: PASSKEY });
  await logLine(page, "Joined the hub as host.");
  const info = await page.locator("#chat-info").textContent();
  const port = Number(info!.match(/127\.0\.0\.1:(\d+)/)![1]);
  const dan = startConnector("dan", port, { cwd: dir.path });
  try {
    await dan.waitFor((event) => event.type === "welcome");
    await logLine(page, "dan joined.");
    await dan.writeLine("hi host");
    await logLine(page, "hi host", "#log li.peer");
    assert.deepEqual(await page.locator("#members li").allTextContents(), [
      "host (you, op)",
      "dan",
    ]);
    await page.getByRole("button", { name: "Exit" }).click();
    // Asked first: dan is there (tests/ui/chat_screen_test.ts holds the question).
    await page.getByRole("button", { name: "Stop the hub" }).click();
    await page.locator("#connect-screen").waitFor();
    // dan keeps retrying, as a hub member does when the hub restarts.
    await dan.waitFor((event) =>
      event.type === "closed" && event.reason === "The hub is stopping."
    );
  } finally {
    await dan.close();
  }
});

pageTest(
  "a browser in a big hub: the member count is everyone's, /who and /files come a page at a time",
  async () => {
    await using dir = await tempDir();
    const hub = CliProcess.start(
      ["serve", "0", "--host", "127.0.0.1", "--json", "--rate", "0", "--data", `${dir.path}/hub`],
      { cwd: dir.path },
    );
    const members: HubMember[] = [];
    try {
      const port = (await hub.waitFor((event) => event.type === "listening")).port as number;
      for (let i = 0; i < 101; i++) {
        members.push(await HubMember.join(port, `guest${i}`, `${dir.path}/guest${i}`));
      }
      await Deno.mkdir(`${dir.path}/uploads`);
      for (let i = 1; i <= 21; i++) {
        await Deno.writeFile(`${dir.path}/uploads/file${i}.txt`, new Uint8Array(0));
        await members[0].client.sendFile(`${dir.path}/uploads/file${i}.txt`);
      }

      await using browser = await launchBrowser();
      await using ui = startUi("cara", dir.path);
      const page = await browser.open(ui.url);
      await connectForm(page, { mode: "connect", port, passkey: PASSKEY });
      await logLine(page, "Joined the hub as cara.");
      // The welcome names 50 of the 102; the panel counts them all.
      assert.equal(await page.locator("#member-count").textContent(), "(102)");
      assert.equal(await page.locator("#members li").count(), 50);

      const message = page.getByLabel("Message", { exact: true });
      await message.fill("/who");
      await message.press("Enter");
      await logLine(page, "Connected (page 1 of 2): guest0, guest1,");
      await logLine(page, "guest99 (102 in all; /who 2 for more)");
      await message.fill("/who 2");
      await message.press("Enter");
      await logLine(page, "Connected (page 2 of 2): guest100, cara (102 in all)");

      await message.fill("/files");
      await message.press("Enter");
      await logLine(
        page,
        "Shared files, newest first (page 1 of 2, 21 in all; /files 2 for older):",
      );
      assert.equal(await page.locator("#shared li").count(), 20);
      assert.equal(
        await page.locator("#shared li").first().textContent(),
        "file21.txt (0 B) from guest0Get",
      );
      await message.fill("/files 2");
      await message.press("Enter");
      await logLine(page, "Shared files, newest first (page 2 of 2, 21 in all):");
      await logLine(page, "file1.txt (0 B) from guest0", "#shared li");
      assert.equal(await page.locator("#shared li").count(), 21);
      await screenshots(page, "big-hub");
      assert.deepEqual(browser.dialogs, []);
    } finally {
      for (const member of members) await member.leave(1_000);
      await hub.close();
    }
  },
);
