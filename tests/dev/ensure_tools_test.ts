import assert from "node:assert/strict";
import config from "../../deno.json" with { type: "json" };
import { tempDir } from "../e2e/cli_process.ts";
import { TOOLS } from "../../dev/tools.ts";

/**
 * The first command of the `test` task (`deno run ... dev/ensure_tools.ts ...`), as the task
 * runs it: its own flags, its own arguments.
 */
function firstStepOfTestTask(): string[] {
  const [first] = config.tasks.test.split("&&");
  const words = first.trim().split(/\s+/);
  assert.equal(words[0], "deno");
  assert.ok(words.includes("dev/ensure_tools.ts"), first);
  return words.slice(1);
}

/** Replaces `dev/ensure_tools.ts ARGS` of the task's first step with `args`. */
function withArgs(args: string[]): string[] {
  const words = firstStepOfTestTask();
  const script = words.indexOf("dev/ensure_tools.ts");
  return [...words.slice(0, script + 1), ...args];
}

// A stand-in for Debian's apt: `apt-cache policy` knows packages only after `apt-get update`
// (a fresh machine's lists are empty), and `apt-get install X` puts a program X in this folder.
// PATH holds nothing else, so only the shell's built-ins and absolute paths work here.
const APT_CACHE = `#!/bin/sh
here=\${0%/*}
[ -f "$here/../updated" ] || exit 0
for p in "$@"; do
  [ "$p" = policy ] || printf '%s:\\n  Installed: (none)\\n  Candidate: 1.0\\n' "$p"
done
`;
const APT_GET = `#!/bin/sh
here=\${0%/*}
echo "$*" >> "$here/../apt-get.log"
[ "$2" = update ] && : > "$here/../updated" && exit 0
[ -f "$here/../updated" ] || { echo "E: Unable to locate package $4"; exit 100; }
for p in "$@"; do
  case $p in -*|install) ;; *)
    printf '#!/bin/sh\\n' > "$here/$p" && /bin/chmod +x "$here/$p" && echo "Setting up $p ...";;
  esac
done
`;

/** A folder for PATH holding `programs` (file name to script), and the folder around it. */
async function fakeBin(root: string, programs: { [name: string]: string }): Promise<string> {
  const bin = `${root}/bin`;
  await Deno.mkdir(bin);
  for (const [name, script] of Object.entries(programs)) {
    await Deno.writeTextFile(`${bin}/${name}`, script, { mode: 0o755 });
  }
  return bin;
}

/** Runs `deno ARGS` in the repository with PATH set to `path` alone (and `env`). */
async function run(args: string[], path: string, env: { [name: string]: string } = {}) {
  return await runAs([], args, path, env);
}

/** Like {@linkcode run}, but through `prefix` (e.g. setpriv to become another user). */
async function runAs(
  prefix: string[],
  args: string[],
  path: string,
  env: { [name: string]: string } = {},
) {
  const home = Deno.env.get("HOME");
  const denoDir = Deno.env.get("DENO_DIR");
  const [program, ...programArgs] = [...prefix, Deno.execPath(), ...args];
  const output = await new Deno.Command(program, {
    args: programArgs,
    cwd: new URL("../../", import.meta.url).pathname,
    clearEnv: true,
    env: {
      PATH: path,
      NO_COLOR: "1",
      ...(home ? { HOME: home } : {}),
      ...(denoDir ? { DENO_DIR: denoDir } : {}),
      ...env,
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

Deno.test("deno task test, fresh machine: Chromium is installed first as root, else the command is named", async () => {
  await using dir = await tempDir();
  const bin = await fakeBin(dir.path, { "apt-get": APT_GET, "apt-cache": APT_CACHE });
  const { code, stdout, stderr } = await run(firstStepOfTestTask(), bin);
  assert.equal(stdout, "");
  const log = await Deno.readTextFile(`${dir.path}/apt-get.log`).catch(() => "");
  if (Deno.uid() === 0) {
    assert.equal(code, 0, stderr);
    assert.equal(
      stderr,
      [
        "Installing chromium (Debian package chromium) for the browser tests ...",
        "Updating apt's package lists first (apt-get update) ...",
        "  Setting up chromium ...",
        `Installed chromium (${bin}/chromium).`,
        "",
      ].join("\n"),
    );
    assert.equal(log, "-q update\n-q install -y chromium\n");
  } else {
    // Not root: the run stops before any test with the line that installs it.
    assert.equal(code, 1);
    assert.match(
      stderr,
      /Install it with:\n {2}sudo apt-get update && sudo apt-get install -y chromium\n$/,
    );
    assert.equal(log, "");
  }
});

const SETPRIV = "/usr/bin/setpriv";
const canBecomeNobody = Deno.uid() === 0 &&
  await Deno.stat(SETPRIV).then((info) => info.isFile, () => false);

Deno.test({
  name: "deno task test as a user on Debian without Chromium: stops at once with the sudo line",
  ignore: !canBecomeNobody,
  fn: async () => {
    await using dir = await tempDir();
    await Deno.chmod(dir.path, 0o755);
    const bin = await fakeBin(dir.path, { "apt-get": APT_GET, "apt-cache": APT_CACHE });
    const cache = `${dir.path}/deno_dir`; // the user's own, as `deno` writes to it
    await Deno.mkdir(cache, { mode: 0o777 });
    await Deno.chmod(cache, 0o777);
    const nobody = [SETPRIV, "--reuid=65534", "--regid=65534", "--clear-groups"];
    const { code, stdout, stderr } = await runAs(nobody, firstStepOfTestTask(), bin, {
      HOME: dir.path,
      DENO_DIR: cache,
    });
    assert.deepEqual({ code, stdout, stderr }, {
      code: 1,
      stdout: "",
      stderr: "chromium is needed by the browser tests but not installed. Install it with:\n" +
        "  sudo apt-get update && sudo apt-get install -y chromium\n",
    });
    assert.equal(await Deno.readTextFile(`${dir.path}/apt-get.log`).catch(() => ""), "");
  },
});

Deno.test("deno task test: with Chromium present the first step prints nothing", async () => {
  await using dir = await tempDir();
  const bin = await fakeBin(dir.path, { chromium: "#!/bin/sh\n", "apt-get": APT_GET });
  const { code, stdout, stderr } = await run(firstStepOfTestTask(), bin);
  assert.deepEqual({ code, stdout, stderr }, { code: 0, stdout: "", stderr: "" });
  assert.equal(await Deno.readTextFile(`${dir.path}/apt-get.log`).catch(() => ""), "");
});

Deno.test("deno task test without apt-get (macOS, Windows): the browser tests are ignored, with the reason", async () => {
  await using dir = await tempDir();
  const bin = await fakeBin(dir.path, {});
  const { code, stderr } = await run(firstStepOfTestTask(), bin);
  assert.equal(code, 0);
  assert.equal(
    stderr,
    "chromium is needed by the browser tests but not installed, and this machine has no " +
      "apt-get to install it: install Chromium or Google Chrome, or set P2PCHAT_CHROMIUM to its " +
      "path. Those tests are ignored.\n",
  );
});

Deno.test("ensure_tools: a P2PCHAT_CHROMIUM that names nothing stops the run", async () => {
  await using dir = await tempDir();
  const bin = await fakeBin(dir.path, { chromium: "#!/bin/sh\n", "apt-get": APT_GET });
  const { code, stderr } = await run(firstStepOfTestTask(), bin, {
    P2PCHAT_CHROMIUM: `${dir.path}/no-such-browser`,
  });
  assert.equal(code, 1);
  assert.equal(
    stderr,
    `P2PCHAT_CHROMIUM is set to ${dir.path}/no-such-browser, which is not a program: ` +
      "point it at chromium or unset it.\n",
  );
});

Deno.test("ensure_tools: without --optional a missing tool stops the run; unknown names are refused", async () => {
  await using dir = await tempDir();
  const bin = await fakeBin(dir.path, {});
  const missing = await run(withArgs(["socat"]), bin);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /^socat is needed by the file benchmark's baseline but not/);
  const unknown = await run(withArgs(["socatt"]), bin);
  assert.equal(unknown.code, 2);
  assert.equal(
    unknown.stderr,
    `ensure_tools: unknown tool socatt; known: ${Object.keys(TOOLS).join(", ")}\n`,
  );
});
