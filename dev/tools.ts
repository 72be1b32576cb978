/**
 * The external programs the tests and the benchmark run, with the Debian package of each: the
 * one table to extend when a test or a benchmark scenario starts using another program (its
 * name then goes in the scenario's `tools` in bench/main.ts, or after `ensure_tools.ts` in the
 * `test` task of deno.json).
 *
 * @example
 * ```ts
 * import { TOOLS } from "./tools.ts";
 * console.log(TOOLS.ncat.debian); // "ncat"
 * ```
 * @module
 */

import type { Tool } from "./tool_install.ts";

/** Every tool by name. */
export const TOOLS = {
  chromium: {
    name: "chromium",
    // Debian's first; Google Chrome serves the browser tests as well (GitHub's runners have
    // it); the app bundles and Program Files are where macOS and Windows keep them.
    candidates: [
      "chromium",
      "google-chrome-stable",
      "google-chrome",
      "chromium-browser",
      "/Applications/Chromium.app/Contents/MacOS/Chromium",
      "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
      "C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe",
      "C:\\Program Files (x86)\\Google\\Chrome\\Application\\chrome.exe",
    ],
    debian: "chromium",
    neededBy: "the browser tests",
    override: "P2PCHAT_CHROMIUM",
    elsewhere: "install Chromium or Google Chrome, or set P2PCHAT_CHROMIUM to its path",
  },
  socat: {
    name: "socat",
    candidates: ["socat"],
    debian: "socat",
    neededBy: "the file benchmark's baseline",
  },
  ncat: {
    name: "ncat",
    candidates: ["ncat"],
    debian: "ncat",
    neededBy: "the fan-out benchmarks' baseline",
  },
  wormhole: {
    name: "wormhole",
    candidates: ["wormhole"],
    debian: "magic-wormhole",
    neededBy: "the file benchmark's magic-wormhole peer",
  },
  // The mailbox and transit relay run as twisted plugins (`twist3 wormhole-mailbox`, `twist3
  // transitrelay`); their packages bring python3-twisted, which brings twist3.
  "wormhole-mailbox": {
    name: "magic-wormhole mailbox server",
    candidates: ["/usr/lib/python3/dist-packages/twisted/plugins/magic_wormhole_mailbox.py"],
    plainFile: true,
    debian: "python3-magic-wormhole-mailbox-server",
    neededBy: "the file benchmark's magic-wormhole peer (its mailbox on 127.0.0.1)",
  },
  "wormhole-relay": {
    name: "magic-wormhole transit relay",
    candidates: ["/usr/lib/python3/dist-packages/twisted/plugins/magic_wormhole_transit_relay.py"],
    plainFile: true,
    debian: "magic-wormhole-transit-relay",
    neededBy: "the file benchmark's magic-wormhole peer (its transit relay on 127.0.0.1)",
  },
  twist3: {
    name: "twist3",
    candidates: ["twist3"],
    debian: "python3-twisted",
    neededBy: "the file benchmark's magic-wormhole mailbox and relay",
  },
  ip: {
    name: "ip",
    candidates: ["ip", "/usr/sbin/ip", "/sbin/ip"],
    debian: "iproute2",
    neededBy: "the discovery tests' network namespaces",
  },
  tmux: {
    name: "tmux",
    candidates: ["tmux", "/usr/bin/tmux", "/usr/local/bin/tmux", "/opt/homebrew/bin/tmux"],
    debian: "tmux",
    neededBy: "the terminal tests (a real terminal of 80x24 for the prompts)",
  },
  zeroconf: {
    name: "python3-zeroconf",
    // An independent DNS-SD implementation for the discovery tests, run by Debian's python3.
    candidates: ["/usr/lib/python3/dist-packages/zeroconf/__init__.py"],
    plainFile: true,
    debian: "python3-zeroconf",
    neededBy: "the discovery tests (an independent DNS-SD implementation)",
  },
} as const satisfies { [name: string]: Tool };

/** The name of a known tool. */
export type ToolName = keyof typeof TOOLS;
