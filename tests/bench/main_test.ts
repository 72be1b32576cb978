import assert from "node:assert/strict";
import config from "../../deno.json" with { type: "json" };
import { TOOLS } from "../../dev/tools.ts";
import { tempDir } from "../e2e/cli_process.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const RESULTS = `${ROOT}bench/results/latest.json`;

/** `deno task bench ARGS` as the task runs it (its flags), with PATH set to `path` alone. */
async function bench(args: string[], path: string) {
  const words = config.tasks.bench.split(/\s+/);
  assert.equal(words[0], "deno");
  const home = Deno.env.get("HOME");
  const denoDir = Deno.env.get("DENO_DIR");
  const output = await new Deno.Command(Deno.execPath(), {
    args: [...words.slice(1), ...args],
    cwd: ROOT,
    clearEnv: true,
    env: {
      PATH: path,
      NO_COLOR: "1",
      ...(home ? { HOME: home } : {}),
      ...(denoDir ? { DENO_DIR: denoDir } : {}),
    },
    stdin: "null",
  }).output();
  const decoder = new TextDecoder();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
}

Deno.test("deno task bench without socat, ncat, magic-wormhole or apt-get stops before any scenario, naming them", async () => {
  await using dir = await tempDir();
  const before = await Deno.stat(RESULTS).then((info) => info.mtime?.getTime(), () => undefined);
  const { code, stdout, stderr } = await bench(
    ["--quick", "--only", "startup,file,fanout-100,saturation"],
    dir.path,
  );
  // magic-wormhole's mailbox and relay are twisted plugins, plain files found whatever PATH
  // says: named only on a machine without them.
  const plugins = [TOOLS["wormhole-mailbox"], TOOLS["wormhole-relay"]];
  const absent = [];
  for (const plugin of plugins) {
    if (!await Deno.stat(plugin.candidates[0]).then(() => true, () => false)) absent.push(plugin);
  }
  const names = ["socat", "wormhole", ...absent.map((tool) => tool.name), "twist3", "ncat"];
  const packages = [
    "socat",
    "magic-wormhole",
    ...absent.map((tool) => tool.debian),
    "python3-twisted",
    "ncat",
  ];
  assert.deepEqual({ code, stdout, stderr }, {
    code: 1,
    stdout: "",
    stderr: `bench: ${names.slice(0, -1).join(", ")} and ${names.at(-1)} are needed by the ` +
      "benchmark (file, fanout-100, saturation) but not installed, and this machine has no " +
      "apt-get to install them: install them with the system's package manager (Debian: " +
      `${packages.join(", ")}).\n`,
  });
  // No scenario ran, so no table and no results file with error rows.
  const after = await Deno.stat(RESULTS).then((info) => info.mtime?.getTime(), () => undefined);
  assert.equal(after, before);
});

Deno.test("deno task bench: an unknown scenario is refused before any tool is looked for", async () => {
  await using dir = await tempDir();
  const { code, stderr } = await bench(["--quick", "--only", "file,nope"], dir.path);
  assert.equal(code, 2);
  assert.match(stderr, /^bench: unknown scenario nope; known: startup, rtt, file, /);
});
