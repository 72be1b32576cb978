/**
 * A real terminal for end-to-end tests: `p2pchat ARGS` in a tmux pane of 80x24 (by default) on
 * a tmux server of the test's own, typed into with `send-keys` and read with `capture-pane`,
 * as a person would see it. The pane stays after the program exits, so its last screen and its
 * exit status can be read. Tests that need it register with {@linkcode terminalTest}: ignored,
 * with the reason, where tmux is missing (`deno task test` installs it where it can).
 *
 * @example
 * ```ts ignore
 * import { TmuxTerminal, terminalTest } from "./tmux_terminal.ts";
 * terminalTest("connect asks for the passkey", async () => {
 *   await using term = await TmuxTerminal.start(["connect", "127.0.0.1", "5050"], { cwd: dir });
 *   await term.waitFor("Passkey (shown by the host): ");
 *   await term.typeLine("7-orbit-lemon-cradle");
 * });
 * ```
 * @module
 */

import { findTool } from "../../dev/tool_install.ts";
import { TOOLS } from "../../dev/tools.ts";
import { startTaskArgs } from "../../dev/start_task.ts";
import { WAIT_MS } from "./cli_process.ts";

/** tmux's pane resize timer (250 ms), and some margin. */
const RESIZE_SPACING_MS = 400;

/** The tmux program; undefined where there is none. */
export const TMUX: string | undefined = await findTool(TOOLS.tmux);

if (TMUX === undefined) {
  console.log(
    "Terminal tests ignored: no tmux here. `deno task test` installs Debian's tmux when run as " +
      "root; otherwise install tmux.",
  );
}

/**
 * Registers a test that drives a real terminal: ignored (not failed) where there is no tmux.
 *
 * @example
 * ```ts ignore
 * terminalTest("a prompt at 80x24", async () => {});
 * ```
 */
export function terminalTest(name: string, fn: () => Promise<void>): void {
  Deno.test({ name, ignore: TMUX === undefined, fn });
}

/** How to start a {@linkcode TmuxTerminal}. */
export interface TerminalOptions {
  /** Working directory. */
  cwd: string;
  /** Environment of the program (added to a minimal one: PATH, HOME, TERM, NO_COLOR). */
  env?: Record<string, string>;
  /** Run inside this network namespace (`ip netns exec`; needs root). */
  netns?: string;
  /** Columns and rows; default 80x24. */
  width?: number;
  height?: number;
}

/** A program running in a tmux pane. */
export class TmuxTerminal implements AsyncDisposable {
  /** The test's own folder: the tmux server's socket and config, the exit status. */
  #dir: string;
  /** When the pane was last resized (ms). */
  #resized = 0;

  private constructor(dir: string) {
    this.#dir = dir;
  }

  /** Starts `p2pchat ARGS` (as the `start` task runs it) in a fresh pane. */
  static async start(args: string[], options: TerminalOptions): Promise<TmuxTerminal> {
    if (TMUX === undefined) throw new Error("no tmux here: register the test with terminalTest");
    // A server of its own, its socket in the test's folder: nothing of the person's tmux, and
    // nothing left behind.
    const dir = await Deno.makeTempDir({ prefix: "p2pchat_tmux_" });
    // The pane is the whole window (no status line) and stays once the program exits.
    await Deno.writeTextFile(`${dir}/tmux.conf`, "set -g status off\nset -g remain-on-exit on\n");
    const terminal = new TmuxTerminal(dir);
    const env = {
      PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
      HOME: Deno.env.get("HOME") ?? "/root",
      TERM: "xterm-256color",
      NO_COLOR: "1",
      STATUS_FILE: `${dir}/status`,
      ...options.env,
    };
    await terminal.#tmux([
      "new-session",
      "-d",
      "-x",
      String(options.width ?? 80),
      "-y",
      String(options.height ?? 24),
      "-c",
      options.cwd,
      ...Object.entries(env).flatMap(([name, value]) => ["-e", `${name}=${value}`]),
      "--",
      // tmux loses the exit status of a deno that used node:process on its terminal: a shell
      // around it writes the status down. The shell then keeps the terminal open: when the
      // last process on it exits, what it printed just before may never reach the pane.
      "sh",
      "-c",
      '"$@"; echo $? > "$STATUS_FILE"; exec sleep 3600',
      "sh",
      ...(options.netns ? ["ip", "netns", "exec", options.netns] : []),
      Deno.execPath(),
      ...startTaskArgs(args),
    ]);
    return terminal;
  }

  /** What the pane shows now, one line per row, trailing spaces removed. */
  async screen(): Promise<string> {
    return await this.#tmux(["capture-pane", "-p", "-J"]);
  }

  /**
   * Everything the pane has shown that is still there: the scrollback (what scrolled off the
   * top), then the screen.
   */
  async scrollback(): Promise<string> {
    return await this.#tmux(["capture-pane", "-p", "-J", "-S", "-"]);
  }

  /** What the pane shows now with its styles, as SGR escape sequences (`\x1b[1;7m`...). */
  async styledScreen(): Promise<string> {
    return await this.#tmux(["capture-pane", "-p", "-J", "-e"]);
  }

  /** Whether the program rang the terminal's bell since the pane opened (tmux's bell flag). */
  async rang(): Promise<boolean> {
    return (await this.#tmux(["display-message", "-p", "#{window_bell_flag}"])).trim() === "1";
  }

  /** Types `text` as it is (no key names), without Enter. */
  async type(text: string): Promise<void> {
    await this.#tmux(["send-keys", "-l", text]);
  }

  /** Presses keys by tmux's names, e.g. `C-c`, `Left`, `Enter`. */
  async press(...keys: string[]): Promise<void> {
    await this.#tmux(["send-keys", ...keys]);
  }

  /**
   * Makes the pane `width` columns wide (and `height` rows high, when given), as a person
   * dragging the window would. tmux wraps what the pane shows again at once but tells the
   * program (the new size and SIGWINCH) at most every 250 ms: a resize sooner after the last
   * would reach the screen before the program learns of it, which no terminal does. So it
   * waits until tmux tells the program at once.
   */
  async resize(width: number, height?: number): Promise<void> {
    const wait = this.#resized + RESIZE_SPACING_MS - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    this.#resized = Date.now();
    await this.#tmux([
      "resize-window",
      "-x",
      String(width),
      ...(height === undefined ? [] : ["-y", String(height)]),
    ]);
  }

  /** Types `text` as it is (no key names), then Enter. */
  async typeLine(text: string): Promise<void> {
    await this.#tmux(["send-keys", "-l", text]);
    await this.#tmux(["send-keys", "Enter"]);
  }

  /** Waits until the screen holds `text` (or matches it) and returns the screen. */
  async waitFor(text: string | RegExp, timeoutMs: number = WAIT_MS): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    while (true) {
      const screen = await this.screen();
      if (typeof text === "string" ? screen.includes(text) : text.test(screen)) return screen;
      if (Date.now() > deadline) {
        throw new Error(`not on the screen within ${timeoutMs} ms: ${text}\n${screen}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Waits for the program to exit and resolves with its exit status. */
  async exit(timeoutMs: number = WAIT_MS): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    while (true) {
      const status = await Deno.readTextFile(`${this.#dir}/status`).catch(() => "");
      if (/^\d+\n$/.test(status)) return Number(status);
      if (Date.now() > deadline) {
        throw new Error(`still running after ${timeoutMs} ms\n${await this.screen()}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Ends the program (if it still runs) and the tmux server. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.#tmux(["kill-server"]).catch(() => {});
    await Deno.remove(this.#dir, { recursive: true }).catch(() => {});
  }

  async #tmux(args: string[]): Promise<string> {
    const output = await new Deno.Command(TMUX!, {
      args: ["-S", `${this.#dir}/socket`, "-f", `${this.#dir}/tmux.conf`, ...args],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (!output.success) {
      throw new Error(`tmux ${args[0]}: ${new TextDecoder().decode(output.stderr).trim()}`);
    }
    return new TextDecoder().decode(output.stdout);
  }
}
