/**
 * `p2pchat serve` as a subprocess for the hub's end-to-end tests: on loopback, with `--json`,
 * started with exactly the `start` task's permissions (via {@linkcode CliProcess}), and
 * restartable on the same port and data folder.
 *
 * @example
 * ```ts ignore
 * import { startHub } from "./hub_process.ts";
 * const hub = await startHub({ cwd: dir, args: ["--history", "5"] });
 * console.log(hub.port);
 * hub.proc.kill("SIGKILL");
 * const again = await startHub({ cwd: dir, port: hub.port });
 * await again.proc.close();
 * ```
 * @module
 */

import { CliProcess, type JsonEvent, startConnector, tempDir } from "../e2e/cli_process.ts";

/** How to start a hub. */
export interface HubStartOptions {
  /** Working directory; the data folder is `p2pchat-data` inside it unless `args` say otherwise. */
  cwd: string;
  /** Port to listen on; 0 (the default) picks a free one. */
  port?: number;
  /** More `serve` flags, e.g. `["--rate", "0"]`. */
  args?: string[];
  /** Extra environment (`P2PCHAT_PASSKEY: ""`: no passkey given, the hub keeps its own). */
  env?: Record<string, string>;
}

/** A running hub and the port it listens on. */
export interface RunningHub {
  proc: CliProcess;
  port: number;
}

/**
 * Starts `p2pchat serve PORT --host 127.0.0.1 --json ...args` in `cwd` and waits until it
 * listens. A restart right after a SIGKILL may find the port still held for a moment, so a
 * failed start on a fixed port is retried for a few seconds.
 *
 * @example
 * ```ts ignore
 * import { startHub } from "./hub_process.ts";
 * const { proc, port } = await startHub({ cwd: dir, args: ["--rate", "0"] });
 * ```
 */
export async function startHub(options: HubStartOptions): Promise<RunningHub> {
  const deadline = Date.now() + 10_000;
  while (true) {
    const proc = CliProcess.start(
      ["serve", String(options.port ?? 0), "--host", "127.0.0.1", "--json", ...options.args ?? []],
      { cwd: options.cwd, env: options.env },
    );
    try {
      const listening = await proc.waitFor((event) => event.type === "listening");
      return { proc, port: listening.port as number };
    } catch (error) {
      await proc.close();
      if (Date.now() > deadline || !options.port) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

/** The hub's log events of one type (`hub-joined`, `hub-left`, ...), in order. */
export function hubLog(proc: CliProcess, type: string): JsonEvent[] {
  return proc.events.filter((event) => event.type === type);
}

/** A hub started for one test in a fresh folder, and a way to join it. */
export interface HubScene {
  hub: RunningHub;
  /** The folder the hub runs in (its data folder is inside). */
  dir: string;
  /** Joins as `name` (`--json`) and waits for the welcome; closed when the test ends. */
  join(name: string): Promise<CliProcess>;
}

/**
 * Runs `fn` with a hub in a fresh temporary folder; afterwards, whatever happened, every member
 * it joined and the hub are closed and the folder removed.
 *
 * @example
 * ```ts ignore
 * await withHub(async ({ hub, join }) => {
 *   const alice = await join("alice");
 *   await hub.proc.writeLine("/kick alice");
 * });
 * ```
 */
export async function withHub(
  fn: (scene: HubScene) => Promise<void>,
  options: { args?: string[] } = {},
): Promise<void> {
  await using dir = await tempDir();
  const hub = await startHub({ cwd: dir.path, args: options.args });
  const members: CliProcess[] = [];
  try {
    await fn({
      hub,
      dir: dir.path,
      join: async (name) => {
        const proc = startConnector(name, hub.port, { cwd: dir.path });
        members.push(proc);
        await proc.waitFor((event) => event.type === "welcome");
        return proc;
      },
    });
  } finally {
    for (const proc of members) await proc.close();
    await hub.proc.close();
  }
}

/**
 * Starts `connect --json` as `name` into the hub on `port` (run in `cwd`) and waits until it has
 * joined.
 *
 * @example
 * ```ts ignore
 * import { joinHub } from "./hub_process.ts";
 * const alice = await joinHub("alice", hub.port, dir);
 * ```
 */
export async function joinHub(name: string, port: number, cwd: string): Promise<CliProcess> {
  const proc = startConnector(name, port, { cwd });
  await proc.waitFor((event) => event.type === "welcome");
  return proc;
}
