/**
 * The p2pchat command line as a benchmark subprocess, started with exactly the flags of the
 * `start` task in deno.json, as a person would run it.
 *
 * @example
 * ```ts ignore
 * import { startHub } from "./p2pchat_cli.ts";
 * const { proc, port } = await startHub({ dataDir: "/tmp/hub" });
 * await proc.stop();
 * ```
 * @module
 */

// The benchmarks run the CLI exactly as the end-to-end tests do: with the `start` task's flags.
import { startTaskFlags } from "../tests/e2e/cli_process.ts";
import { BenchProcess, flagsFromEnv } from "./bench_process.ts";

/** The repository root, where main.ts lives. */
export const ROOT: string = new URL("../", import.meta.url).pathname;

/** The passkey every benchmark peer uses. */
export const PASSKEY = "1-silver-canyon-maple";

/** How to start the CLI. */
export interface CliOptions {
  cwd?: string;
  /** Extra `deno run` flags before the script, e.g. `--cpu-prof`. */
  denoFlags?: string[];
  /** Open-file limit to raise to. */
  nofile?: number;
}

/** Starts `p2pchat ARGS` with the passkey in the environment. */
export function startCli(args: string[], options: CliOptions = {}): BenchProcess {
  return BenchProcess.start(
    Deno.execPath(),
    ["run", ...startTaskFlags(), ...(options.denoFlags ?? []), `${ROOT}main.ts`, ...args],
    { cwd: options.cwd, env: { P2PCHAT_PASSKEY: PASSKEY }, nofile: options.nofile },
  );
}

/** Options of {@linkcode startHub}. */
export interface HubOptions extends CliOptions {
  dataDir: string;
  /** Default 0 (any free port). */
  port?: number;
}

/** Starts `serve` on 127.0.0.1 with no rate limit and room for 20,000 clients. */
export async function startHub(
  options: HubOptions,
): Promise<{ proc: BenchProcess; port: number }> {
  const proc = startCli([
    "serve",
    String(options.port ?? 0),
    "--host",
    "127.0.0.1",
    "--json",
    "--rate",
    "0",
    "--max-clients",
    "20000",
    "--data",
    options.dataDir,
  ], {
    nofile: 65536,
    ...options,
    denoFlags: [...flagsFromEnv("BENCH_HUB_FLAGS"), ...(options.denoFlags ?? [])],
  });
  const listening = await proc.waitFor((event) => event.type === "listening", 30_000);
  return { proc, port: Number(listening.port) };
}

/**
 * Stops a hub from {@linkcode startHub}: at once, or under a profiler (`BENCH_HUB_FLAGS`) with
 * SIGINT and 5 s to write its profile.
 */
export async function stopHub(proc: BenchProcess): Promise<void> {
  await proc.stop(Deno.env.get("BENCH_HUB_FLAGS") ? 5_000 : 0, "SIGINT");
}
