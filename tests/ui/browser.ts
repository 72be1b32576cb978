/**
 * Headless Chromium for the UI tests (Debian's `chromium`, or Google Chrome, or what
 * `P2PCHAT_CHROMIUM` names; driven by playwright-core), plus the local UI servers under test
 * and screenshots. Where no such browser exists the browser tests are ignored, with the reason
 * printed once; `deno task test` installs Debian's Chromium first where it can
 * (dev/ensure_tools.ts).
 *
 * @example
 * ```ts ignore
 * import { pageTest, launchBrowser, startUi } from "./browser.ts";
 * pageTest("a page opens", async () => {
 *   await using browser = await launchBrowser();
 *   await using ui = await startUi("alice", dir);
 *   const page = await browser.open(ui.url);
 * });
 * ```
 * @module
 */

import fs from "node:fs";
import type { Browser, Page } from "playwright-core";
import type { LinkAddress } from "../../lib/session/mdns_link.ts";
import { UiServer } from "../../lib/ui/ui_server.ts";
import { findTool } from "../../dev/tool_install.ts";
import { TOOLS } from "../../dev/tools.ts";

// playwright-core probes /proc/sys/fs/binfmt_misc/WSLInterop when it loads. Deno wants
// --allow-all to read /proc/sys and throws where Node would answer false; answering false
// here keeps the test task's permissions as they are.
const existsSync = fs.existsSync;
fs.existsSync = (path: fs.PathLike) => {
  try {
    return existsSync(path);
  } catch {
    return false;
  }
};
const { chromium } = await import("playwright-core");

/** The browser the tests drive; undefined when this machine has none. */
export const CHROMIUM: string | undefined = await findTool(TOOLS.chromium);

if (CHROMIUM === undefined) {
  const { override, candidates } = TOOLS.chromium;
  const set = Deno.env.get(override);
  const why = set
    ? `${override} is set to ${set}, which is not a program`
    : `no Chromium or Chrome here (looked for ${candidates.join(", ")})`;
  console.log(
    `Browser tests ignored: ${why}. \`deno task test\` installs Debian's chromium when run as ` +
      `root; otherwise install Chromium or Google Chrome, or set ${override} to its path.`,
  );
}

/**
 * Registers a test that drives a web page in the browser: ignored (not failed) where there is no browser.
 *
 * @example
 * ```ts ignore
 * pageTest("the connection screen shows", async () => {
 *   await using browser = await launchBrowser();
 * });
 * ```
 */
export function pageTest(name: string, fn: () => Promise<void>): void {
  Deno.test({ name, ignore: CHROMIUM === undefined, fn });
}

/** Where screenshots go (git-ignored). */
export const SCREENSHOTS: string = new URL("../screenshots/", import.meta.url).pathname;

/** Time a test waits for something to appear on a page. */
export const PAGE_WAIT_MS = 15_000;

/** The two sizes every screen is photographed at. */
export const SIZES = {
  wide: { width: 1280, height: 800 },
  narrow: { width: 375, height: 740 },
} as const;

/** A browser whose pages are closed with it. */
export interface TestBrowser extends AsyncDisposable {
  /** The underlying browser. */
  browser: Browser;
  /** Opens `url` in a fresh context (its own cookies: another person) and waits for the app. */
  open(url: string): Promise<Page>;
  /** Dialogs (alert, confirm...) any page opened: must stay 0 (no script from peers ran). */
  dialogs: string[];
}

/** Launches headless Chromium with a fresh profile. */
export async function launchBrowser(): Promise<TestBrowser> {
  if (CHROMIUM === undefined) {
    throw new Error("no browser here: register the test with pageTest");
  }
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  const dialogs: string[] = [];
  return {
    browser,
    dialogs,
    async open(url: string): Promise<Page> {
      const context = await browser.newContext({ viewport: SIZES.wide });
      const page = await context.newPage();
      page.setDefaultTimeout(PAGE_WAIT_MS);
      page.on("dialog", (dialog) => {
        dialogs.push(dialog.message());
        dialog.dismiss().catch(() => {});
      });
      await page.goto(url);
      // The socket said hello. (Locators, not waitForFunction: the page's CSP forbids eval.)
      await page.locator("body[data-state]").waitFor();
      return page;
    },
    [Symbol.asyncDispose]: () => browser.close(),
  };
}

/** A UI server for one person, closed at the end of the test. */
export interface TestUi extends AsyncDisposable {
  server: UiServer;
  url: string;
  receiveDir: string;
}

/**
 * Starts a UI server as `name`, receiving into `dir/name/received_files`; `closedPageGraceMs`
 * shortens how long it keeps the chat of a closed page.
 */
export function startUi(
  name: string,
  dir: string,
  options: { closedPageGraceMs?: number; scanAddresses?: LinkAddress[] } = {},
): TestUi {
  const receiveDir = `${dir}/${name}/received_files`;
  const server = UiServer.start({
    port: 0,
    name,
    receiveDir,
    dataDir: `${dir}/${name}/data`,
    ...options,
  });
  return {
    server,
    url: server.url,
    receiveDir,
    [Symbol.asyncDispose]: () => server.close(),
  };
}

/** Saves `name`-wide.png and `name`-narrow.png of `page` in tests/screenshots/. */
export async function screenshots(page: Page, name: string): Promise<void> {
  await Deno.mkdir(SCREENSHOTS, { recursive: true });
  for (const [size, viewport] of Object.entries(SIZES)) {
    await page.setViewportSize(viewport);
    await page.screenshot({ path: `${SCREENSHOTS}${name}-${size}.png` });
  }
  await page.setViewportSize(SIZES.wide);
}

/** Fills the connection form and submits it. */
export async function connectForm(
  page: Page,
  fields: {
    mode: "connect" | "listen" | "host";
    host?: string;
    /** Left as it is when not given (empty: the address's port, else the default). */
    port?: number | string;
    passkey?: string;
    name?: string;
  },
): Promise<void> {
  const labels = { connect: "Connect", listen: "Listen", host: "Host a hub" };
  await page.getByRole("radio", { name: labels[fields.mode] }).check();
  if (fields.host !== undefined) {
    await page.locator("#host").fill(fields.host);
  }
  if (fields.port !== undefined) {
    await page.getByLabel("Port", { exact: true }).fill(String(fields.port));
  }
  if (fields.name !== undefined) await page.getByLabel("Your name").fill(fields.name);
  if (fields.passkey !== undefined) {
    await page.getByLabel("Passkey", { exact: true }).fill(fields.passkey);
  }
  await page.locator("#connect-button").click();
}

/**
 * Drops a file named `name` holding `bytes` on the chat, as dragging it from the desktop
 * would (page scripts are strings: these files are type-checked without the DOM types).
 */
export async function dropFile(page: Page, name: string, bytes: Uint8Array): Promise<void> {
  const base64 = btoa(String.fromCharCode(...bytes));
  await page.evaluate(`(() => {
    const data = Uint8Array.from(atob(${JSON.stringify(base64)}), (c) => c.charCodeAt(0));
    const transfer = new DataTransfer();
    transfer.items.add(new File([data], ${JSON.stringify(name)}));
    const screen = document.getElementById("chat-screen");
    for (const type of ["dragenter", "dragover", "drop"]) {
      screen.dispatchEvent(new DragEvent(type, { dataTransfer: transfer, bubbles: true }));
    }
  })()`);
}

/** Waits for a line of the log containing `text` and returns its locator. */
export async function logLine(page: Page, text: string, selector = "#log li") {
  const line = page.locator(selector, { hasText: text }).first();
  await line.waitFor();
  return line;
}
