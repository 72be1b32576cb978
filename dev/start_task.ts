/**
 * How the tests and the benchmark run p2pchat: as the `start` task in deno.json does, with
 * exactly its `deno run` flags, so what they measure and check is what a person runs.
 *
 * @example
 * ```ts
 * import { startTaskArgs } from "./start_task.ts";
 * const args = startTaskArgs(["--version"]);
 * console.log(args[0], args.includes("--allow-net"), args.at(-1)); // run true --version
 * ```
 * @module
 */

import config from "../deno.json" with { type: "json" };

/** The repository root, where main.ts lives. */
export const ROOT: string = new URL("../", import.meta.url).pathname;

/**
 * The flags of `deno run` in the `start` task of deno.json, e.g. `--allow-net`.
 *
 * @example
 * ```ts
 * import { startTaskFlags } from "./start_task.ts";
 * console.log(startTaskFlags().includes("--allow-net")); // true
 * ```
 */
export function startTaskFlags(): string[] {
  const words = config.tasks.start.split(/\s+/);
  const run = words.indexOf("run");
  const script = words.indexOf("main.ts");
  if (words[0] !== "deno" || run < 0 || script < run) {
    throw new Error(`unexpected start task: ${config.tasks.start}`);
  }
  return words.slice(run + 1, script);
}

/**
 * The arguments of `deno` (`Deno.execPath()`) that run `p2pchat ARGS` as the `start` task does,
 * with `denoFlags` (e.g. `--cpu-prof`) added before the script.
 *
 * @example
 * ```ts ignore
 * new Deno.Command(Deno.execPath(), { args: startTaskArgs(["listen", "0"]) }).spawn();
 * ```
 */
export function startTaskArgs(args: string[], denoFlags: string[] = []): string[] {
  return ["run", ...startTaskFlags(), ...denoFlags, `${ROOT}main.ts`, ...args];
}
