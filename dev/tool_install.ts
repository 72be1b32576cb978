/**
 * Makes sure the external programs a test run or a benchmark needs (Chromium, socat, ncat...)
 * are on this machine before anything starts. Each is looked for where it may be; what is
 * missing is installed from its Debian package when this process may do so (root, with
 * apt-get, as CI runs), and otherwise the run is stopped with the one command that installs
 * it. Every look at the machine goes through {@linkcode ToolProbes}, so each decision can be
 * tested without touching the machine.
 *
 * @example
 * ```ts ignore
 * import { ensureTools } from "./tool_install.ts";
 * import { TOOLS } from "./tools.ts";
 * const result = await ensureTools([TOOLS.socat], { purpose: "the file benchmark" });
 * if (!result.ok) console.error(result.message);
 * ```
 * @module
 */

import { delimiter, isAbsolute, join } from "node:path";
import { readLines } from "./read_lines.ts";

/** An external program that tests or benchmarks run, and where it comes from. */
export interface Tool {
  /** What people call it, e.g. `socat`. */
  readonly name: string;
  /**
   * Where it may be, first found wins: a bare name is looked up on PATH, anything with a
   * slash or backslash is a path used as it is.
   */
  readonly candidates: readonly string[];
  /** The Debian package that installs it. */
  readonly debian: string;
  /** What runs it, for messages: "the browser tests". */
  readonly neededBy: string;
  /** An environment variable that, when set, names the one program to use instead. */
  readonly override?: string;
  /**
   * The candidates are files that only have to exist, not programs: e.g. a server's plugin,
   * `/usr/lib/python3/dist-packages/twisted/plugins/magic_wormhole_mailbox.py`.
   */
  readonly plainFile?: boolean;
  /** How to get it where there is no apt-get, e.g. "install Google Chrome". */
  readonly elsewhere?: string;
}

/** Everything {@linkcode ensureTools} asks the machine; replaced in tests. */
export interface ToolProbes {
  /** An environment variable (PATH, an override). */
  env(name: string): string | undefined;
  /** What is at `path`: a program this process could run, another file, or nothing. */
  fileAt(path: string): Promise<"program" | "file" | undefined>;
  /** Whether this process runs as root (and so may install packages). */
  isRoot(): boolean;
  /** Of `packages`, those apt's package lists know (have a version to install). */
  aptKnows(packages: string[]): Promise<Set<string>>;
  /** Runs `apt-get ARGS`, passing its output to `log` line by line; resolves with its exit code. */
  aptGet(args: string[], log: (line: string) => void): Promise<number>;
}

/** Why the tools are not there (each comes with a message saying what to do). */
export type ToolProblem =
  /** The tool's override variable names something that is not a program. */
  | "misconfigured"
  /** apt-get is here but this process is not root: the message names the `sudo` command. */
  | "needs-root"
  /** No apt-get on this machine (macOS, Windows, other Linux families). */
  | "no-apt-get"
  /** apt-get ran but the tools are still missing. */
  | "failed";

/** What {@linkcode ensureTools} found: every tool's program, or why not. */
export type ToolsResult =
  | { ok: true; paths: { [name: string]: string } }
  | { ok: false; problem: ToolProblem; missing: Tool[]; message: string };

/** Options of {@linkcode ensureTools}. */
export interface EnsureOptions {
  /** Who needs the tools, for the messages (default: each tool's `neededBy`). */
  purpose?: string;
  /** The machine (default: this one). */
  probes?: ToolProbes;
  /** Progress for the person watching (default: stderr). */
  log?: (line: string) => void;
}

/**
 * The probes of this machine: PATH, file modes, `Deno.uid()`, `apt-cache policy` and
 * `apt-get` (non-interactive, quiet).
 *
 * @example
 * ```ts ignore
 * console.log(machineProbes().isRoot());
 * ```
 */
export function machineProbes(): ToolProbes {
  return {
    env: (name) => Deno.env.get(name),
    async fileAt(path) {
      try {
        const info = await Deno.stat(path);
        if (!info.isFile) return undefined;
        const runnable = Deno.build.os === "windows" || ((info.mode ?? 0) & 0o111) !== 0;
        return runnable ? "program" : "file";
      } catch {
        return undefined;
      }
    },
    isRoot: () => Deno.uid() === 0,
    async aptKnows(packages) {
      try {
        const { stdout } = await new Deno.Command("apt-cache", {
          args: ["policy", ...packages],
          env: { LC_ALL: "C" },
          stderr: "null",
        }).output();
        return knownPackages(new TextDecoder().decode(stdout));
      } catch {
        return new Set(); // no apt-cache: as if the lists were empty (apt-get update first)
      }
    },
    async aptGet(args, log) {
      const child = new Deno.Command("apt-get", {
        args: ["-q", ...args],
        env: { DEBIAN_FRONTEND: "noninteractive" },
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
      }).spawn();
      // dpkg redraws its progress with carriage returns: show each line as it ended.
      const show = (line: string) => log(line.split("\r").findLast((part) => part !== "") ?? "");
      await Promise.all([readLines(child.stdout, show), readLines(child.stderr, show)]);
      return (await child.status).code;
    },
  };
}

/**
 * The packages that `apt-cache policy` output gives a version to install (`Candidate:` other
 * than `(none)`); unknown packages are simply absent from it.
 *
 * @example
 * ```ts
 * import { knownPackages } from "./tool_install.ts";
 * const known = knownPackages("socat:\n  Installed: (none)\n  Candidate: 1.7.4.4-2\n");
 * console.log(known.has("socat")); // true
 * ```
 */
export function knownPackages(policy: string): Set<string> {
  const known = new Set<string>();
  let current: string | undefined;
  for (const line of policy.split("\n")) {
    const name = line.match(/^(\S+):$/);
    if (name) current = name[1];
    const candidate = line.match(/^\s+Candidate:\s*(\S+)/);
    if (candidate && current && candidate[1] !== "(none)") known.add(current);
  }
  return known;
}

/**
 * Where `tool` is on this machine, or undefined. When its override variable is set, that is the
 * only place looked at.
 *
 * @example
 * ```ts ignore
 * import { TOOLS } from "./tools.ts";
 * console.log(await findTool(TOOLS.socat)); // "/usr/bin/socat"
 * ```
 */
export async function findTool(
  tool: Tool,
  probes: ToolProbes = machineProbes(),
): Promise<string | undefined> {
  const override = tool.override ? probes.env(tool.override) : undefined;
  const candidates = override ? [override] : tool.candidates;
  // An empty or relative PATH entry means the current folder: a cloned repository could then
  // hand us its own "chromium". Only absolute folders count.
  const dirs = (probes.env("PATH") ?? "").split(delimiter).filter((dir) => isAbsolute(dir));
  const suffixes = Deno.build.os === "windows"
    ? ["", ...(probes.env("PATHEXT") ?? ".EXE;.CMD;.BAT").split(";")]
    : [""];
  const usable = async (path: string) => {
    const found = await probes.fileAt(path);
    return found === "program" || (found === "file" && tool.plainFile === true);
  };
  for (const candidate of candidates) {
    if (/[\\/]/.test(candidate)) {
      if (await usable(candidate)) return candidate;
      continue;
    }
    for (const dir of dirs) {
      for (const suffix of suffixes) {
        const path = join(dir, candidate + suffix);
        if (await usable(path)) return path;
      }
    }
  }
  return undefined;
}

/** apt-get itself, looked for like any tool. */
const APT_GET: Tool = { name: "apt-get", candidates: ["apt-get"], debian: "apt", neededBy: "" };

/** `socat`, `socat and ncat`, `a, b and c`. */
function names(tools: Tool[]): string {
  const all = tools.map((tool) => tool.name);
  return all.length < 2 ? all.join("") : `${all.slice(0, -1).join(", ")} and ${all.at(-1)}`;
}

/**
 * Finds every tool in `tools`, installing the missing ones' Debian packages when this process
 * may (root with apt-get: `apt-get update` first only when apt does not know a package yet, or
 * once more when an install fails). Otherwise nothing is changed and the result says what to do:
 * as a user, the one `sudo apt-get install` command; without apt-get, how to get them.
 *
 * @example
 * ```ts ignore
 * import { TOOLS } from "./tools.ts";
 * const result = await ensureTools([TOOLS.socat, TOOLS.ncat]);
 * if (result.ok) console.log(result.paths.socat);
 * ```
 */
export async function ensureTools(
  tools: readonly Tool[],
  options: EnsureOptions = {},
): Promise<ToolsResult> {
  const probes = options.probes ?? machineProbes();
  const log = options.log ?? ((line: string) => console.error(line));
  const unique = [...new Map(tools.map((tool) => [tool.name, tool])).values()];
  const paths: { [name: string]: string } = {};
  const missing: Tool[] = [];
  for (const tool of unique) {
    const path = await findTool(tool, probes);
    if (path !== undefined) {
      paths[tool.name] = path;
      continue;
    }
    const override = tool.override ? probes.env(tool.override) : undefined;
    if (override) {
      return {
        ok: false,
        problem: "misconfigured",
        missing: [tool],
        message: `${tool.override} is set to ${override}, which is not a program: ` +
          `point it at ${tool.name} or unset it.`,
      };
    }
    missing.push(tool);
  }
  if (missing.length === 0) return { ok: true, paths };

  const purpose = options.purpose ??
    [...new Set(missing.map((tool) => tool.neededBy))].join(" and ");
  const them = missing.length === 1 ? "it" : "them";
  const needed = `${names(missing)} ${missing.length === 1 ? "is" : "are"} needed by ${purpose} ` +
    "but not installed";
  if (await findTool(APT_GET, probes) === undefined) {
    const plain = missing.filter((tool) => tool.elsewhere === undefined);
    const hints = missing.flatMap((tool) => tool.elsewhere ?? []);
    if (plain.length > 0) {
      hints.push(
        `install ${plain.length === missing.length ? them : names(plain)} with the system's ` +
          `package manager (Debian: ${[...new Set(plain.map((tool) => tool.debian))].join(", ")})`,
      );
    }
    return {
      ok: false,
      problem: "no-apt-get",
      missing,
      message: `${needed}, and this machine has no apt-get to install ${them}: ` +
        `${hints.join("; ")}.`,
    };
  }

  const packages = [...new Set(missing.map((tool) => tool.debian))];
  const known = await probes.aptKnows(packages);
  const unknown = !packages.every((name) => known.has(name));
  if (!probes.isRoot()) {
    const install = `sudo apt-get install -y ${packages.join(" ")}`;
    return {
      ok: false,
      problem: "needs-root",
      missing,
      message: `${needed}. Install ${them} with:\n  ` +
        (unknown ? `sudo apt-get update && ${install}` : install),
    };
  }

  const indent = (line: string) => log(`  ${line}`);
  log(
    `Installing ${names(missing)} (Debian ${packages.length === 1 ? "package" : "packages"} ` +
      `${packages.join(", ")}) for ${purpose} ...`,
  );
  if (unknown) {
    log("Updating apt's package lists first (apt-get update) ...");
    await probes.aptGet(["update"], indent);
  }
  let code = await probes.aptGet(["install", "-y", ...packages], indent);
  if (code !== 0 && !unknown) {
    // A stale package list names versions the mirror no longer has: refresh it once.
    log("Updating apt's package lists (apt-get update) and trying again ...");
    await probes.aptGet(["update"], indent);
    code = await probes.aptGet(["install", "-y", ...packages], indent);
  }
  const still: Tool[] = [];
  for (const tool of missing) {
    const path = await findTool(tool, probes);
    if (path === undefined) still.push(tool);
    else paths[tool.name] = path;
  }
  if (still.length > 0) {
    return {
      ok: false,
      problem: "failed",
      missing: still,
      message: code !== 0
        ? `apt-get install -y ${packages.join(" ")} failed (exit code ${code}; its output is ` +
          `above), so ${names(still)} ${still.length === 1 ? "is" : "are"} still missing.`
        : `apt-get installed ${packages.join(", ")} but ${names(still)} ` +
          `${still.length === 1 ? "is" : "are"} still not found (looked for ` +
          `${still.flatMap((tool) => tool.candidates).join(", ")}).`,
    };
  }
  log(`Installed ${missing.map((tool) => `${tool.name} (${paths[tool.name]})`).join(", ")}.`);
  return { ok: true, paths };
}
