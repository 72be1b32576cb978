/**
 * `deno run --allow-read --allow-env --allow-run --allow-sys dev/ensure_tools.ts [--optional]
 * TOOL...`: makes sure the named tools (dev/tools.ts) are here before a run starts, installing
 * their Debian packages as root. The `test` task runs it before `deno test`, so a machine
 * without Chromium gets it installed, or the run stops at once with the command that installs
 * it, instead of failing the browser tests one by one.
 *
 * Exit codes: 0 when every tool is there (or was installed); 1 when one is missing and could
 * not be installed (the message says what to do); 2 for a mistake on the command line.
 * `--optional`: on a machine without apt-get (macOS, Windows...), a missing tool is reported
 * and the run goes on; the tests that need it are then ignored with the same reason.
 *
 * @example
 * ```ts ignore
 * // deno run --allow-read --allow-env --allow-run --allow-sys dev/ensure_tools.ts chromium
 * ```
 * @module
 */

import { parseArgs } from "node:util";
import { ensureTools, type ToolProbes } from "./tool_install.ts";
import { type ToolName, TOOLS } from "./tools.ts";

/**
 * Runs the command with `args`; resolves with its exit code. Messages go to stderr: stdout
 * stays for the program that runs after it.
 *
 * @example
 * ```ts ignore
 * Deno.exit(await ensureToolsCommand(["chromium"]));
 * ```
 */
export async function ensureToolsCommand(
  args: string[],
  probes?: ToolProbes,
  log: (line: string) => void = (line) => console.error(line),
): Promise<number> {
  let values: { optional?: boolean };
  let names: string[];
  try {
    ({ values, positionals: names } = parseArgs({
      args,
      options: { optional: { type: "boolean" } },
      allowPositionals: true,
      strict: true,
    }));
  } catch (error) {
    log(`ensure_tools: ${error instanceof Error ? error.message : error}`);
    return 2;
  }
  const unknown = names.filter((name) => !Object.hasOwn(TOOLS, name));
  if (names.length === 0 || unknown.length > 0) {
    log(
      `ensure_tools: ${names.length === 0 ? "name the tools" : `unknown tool ${unknown[0]}`}; ` +
        `known: ${Object.keys(TOOLS).join(", ")}`,
    );
    return 2;
  }
  const result = await ensureTools(names.map((name) => TOOLS[name as ToolName]), { probes, log });
  if (result.ok) return 0;
  if (values.optional && result.problem === "no-apt-get") {
    log(`${result.message} Those tests are ignored.`);
    return 0;
  }
  log(result.message);
  return 1;
}

if (import.meta.main) Deno.exit(await ensureToolsCommand(Deno.args));
