import assert from "node:assert/strict";
import {
  ensureTools,
  findTool,
  knownPackages,
  machineProbes,
  type ToolProbes,
} from "../../dev/tool_install.ts";
import { TOOLS } from "../../dev/tools.ts";

/**
 * A machine made of facts: which programs exist, whether we are root, which packages apt knows
 * before and after `apt-get update`, and what installing each package puts on disk.
 */
class FakeMachine implements ToolProbes {
  readonly files: Set<string>;
  /** Files that exist but are not programs. */
  readonly plainFiles: Set<string>;
  readonly aptCalls: string[][] = [];
  readonly envVars: Map<string, string>;
  root: boolean;
  /** Packages apt knows now; after `update`, every package in {@linkcode #repository}. */
  known: Set<string>;
  /** What a package installs; `install` of a package not here fails. */
  readonly repository: Map<string, string[]>;
  /** Exit code of each `install`, in turn (default 0). */
  installCodes: number[] = [];

  constructor(facts: {
    files?: string[];
    plainFiles?: string[];
    env?: { [name: string]: string };
    root?: boolean;
    known?: string[];
    repository?: { [name: string]: string[] };
  }) {
    this.files = new Set(facts.files ?? []);
    this.plainFiles = new Set(facts.plainFiles ?? []);
    this.envVars = new Map(Object.entries({ PATH: "/usr/local/bin:/usr/bin", ...facts.env }));
    this.root = facts.root ?? true;
    this.known = new Set(facts.known ?? []);
    this.repository = new Map(Object.entries(facts.repository ?? {}));
  }

  env(name: string): string | undefined {
    return this.envVars.get(name);
  }

  fileAt(path: string): Promise<"program" | "file" | undefined> {
    if (this.files.has(path)) return Promise.resolve("program");
    return Promise.resolve(this.plainFiles.has(path) ? "file" : undefined);
  }

  isRoot(): boolean {
    return this.root;
  }

  aptKnows(packages: string[]): Promise<Set<string>> {
    return Promise.resolve(new Set(packages.filter((name) => this.known.has(name))));
  }

  aptGet(args: string[], log: (line: string) => void): Promise<number> {
    this.aptCalls.push(args);
    if (args[0] === "update") {
      this.known = new Set(this.repository.keys());
      log("Reading package lists...");
      return Promise.resolve(0);
    }
    const code = this.installCodes.shift() ?? 0;
    const packages = args.filter((arg) => !arg.startsWith("-") && arg !== "install");
    if (code !== 0 || !packages.every((name) => this.known.has(name))) {
      log("E: Unable to locate package");
      return Promise.resolve(code || 100);
    }
    for (const name of packages) {
      for (const file of this.repository.get(name) ?? []) this.files.add(file);
    }
    log(`Setting up ${packages.join(", ")} ...`);
    return Promise.resolve(0);
  }
}

const DEBIAN = {
  chromium: ["/usr/bin/chromium"],
  socat: ["/usr/bin/socat"],
  ncat: ["/usr/bin/ncat"],
};

function logged(): { lines: string[]; log: (line: string) => void } {
  const lines: string[] = [];
  return { lines, log: (line) => lines.push(line) };
}

Deno.test("tools: everything present is found on PATH, nothing is installed or printed", async () => {
  const machine = new FakeMachine({
    files: ["/usr/bin/apt-get", "/usr/bin/socat", "/usr/local/bin/ncat", "/usr/bin/ncat"],
  });
  const { lines, log } = logged();
  const result = await ensureTools([TOOLS.socat, TOOLS.ncat], { probes: machine, log });
  assert.deepEqual(result, {
    ok: true,
    paths: { socat: "/usr/bin/socat", ncat: "/usr/local/bin/ncat" },
  });
  assert.deepEqual(machine.aptCalls, []);
  assert.deepEqual(lines, []);
});

Deno.test("tools: as root, missing tools are installed from Debian with progress", async () => {
  const machine = new FakeMachine({
    files: ["/usr/bin/apt-get"],
    known: ["socat", "ncat"],
    repository: DEBIAN,
  });
  const { lines, log } = logged();
  const result = await ensureTools([TOOLS.socat, TOOLS.ncat, TOOLS.socat], {
    purpose: "the benchmark (file, fanout-100)",
    probes: machine,
    log,
  });
  assert.deepEqual(result, { ok: true, paths: { socat: "/usr/bin/socat", ncat: "/usr/bin/ncat" } });
  // The lists already know both packages: no `apt-get update`.
  assert.deepEqual(machine.aptCalls, [["install", "-y", "socat", "ncat"]]);
  assert.deepEqual(lines, [
    "Installing socat and ncat (Debian packages socat, ncat) for the benchmark (file, fanout-100) ...",
    "  Setting up socat, ncat ...",
    "Installed socat (/usr/bin/socat), ncat (/usr/bin/ncat).",
  ]);
});

Deno.test("tools: a missing Chromium is installed for the browser tests as root", async () => {
  // A fresh machine: apt's lists are empty until `apt-get update`, run once.
  const machine = new FakeMachine({ files: ["/usr/bin/apt-get"], repository: DEBIAN });
  const { lines, log } = logged();
  const result = await ensureTools([TOOLS.chromium], { probes: machine, log });
  assert.deepEqual(result, { ok: true, paths: { chromium: "/usr/bin/chromium" } });
  assert.deepEqual(machine.aptCalls, [["update"], ["install", "-y", "chromium"]]);
  assert.equal(
    lines[0],
    "Installing chromium (Debian package chromium) for the browser tests ...",
  );
  assert.equal(lines[1], "Updating apt's package lists first (apt-get update) ...");
  assert.equal(lines.at(-1), "Installed chromium (/usr/bin/chromium).");
});

Deno.test("tools: Google Chrome on PATH serves as chromium; an override wins", async () => {
  const machine = new FakeMachine({ files: ["/usr/bin/google-chrome", "/opt/c/chrome"] });
  assert.equal(await findTool(TOOLS.chromium, machine), "/usr/bin/google-chrome");
  machine.envVars.set("P2PCHAT_CHROMIUM", "/opt/c/chrome");
  assert.equal(await findTool(TOOLS.chromium, machine), "/opt/c/chrome");
  // A path (with a slash) is used as it is, never looked up on PATH.
  machine.envVars.set("P2PCHAT_CHROMIUM", "./chrome");
  assert.equal(await findTool(TOOLS.chromium, machine), undefined);
});

Deno.test("tools: a file that is not a program counts only for a plainFile tool", async () => {
  const plugin = "/usr/lib/python3/dist-packages/twisted/plugins/magic_wormhole_mailbox.py";
  const machine = new FakeMachine({ plainFiles: [plugin, "/usr/bin/socat"] });
  // A socat without its execute bits is no socat.
  assert.equal(await findTool(TOOLS.socat, machine), undefined);
  const mailbox = {
    name: "wormhole mailbox server",
    candidates: [plugin],
    debian: "python3-magic-wormhole-mailbox-server",
    neededBy: "the wormhole benchmark",
    plainFile: true,
  };
  assert.equal(await findTool(mailbox, machine), plugin);
});

Deno.test("tools: empty and relative PATH entries (the current folder) are never searched", async () => {
  const machine = new FakeMachine({
    files: ["socat", "bin/socat", "./socat", "/usr/bin/socat"],
    env: { PATH: ":.:bin:/usr/bin" },
  });
  assert.equal(await findTool(TOOLS.socat, machine), "/usr/bin/socat");
  machine.files.delete("/usr/bin/socat");
  assert.equal(await findTool(TOOLS.socat, machine), undefined);
});

Deno.test("tools: an override that names no program stops the run, installing nothing", async () => {
  const machine = new FakeMachine({
    files: ["/usr/bin/apt-get", "/usr/bin/chromium"],
    env: { P2PCHAT_CHROMIUM: "/nowhere/chromium" },
    repository: DEBIAN,
  });
  const result = await ensureTools([TOOLS.chromium], { probes: machine, log: () => {} });
  assert.deepEqual(result, {
    ok: false,
    problem: "misconfigured",
    missing: [TOOLS.chromium],
    message: "P2PCHAT_CHROMIUM is set to /nowhere/chromium, which is not a program: " +
      "point it at chromium or unset it.",
  });
  assert.deepEqual(machine.aptCalls, []);
});

Deno.test("tools: not root, the one sudo command is named and nothing runs", async () => {
  const machine = new FakeMachine({
    files: ["/usr/bin/apt-get", "/usr/bin/socat"],
    root: false,
    known: ["chromium", "ncat"],
    repository: DEBIAN,
  });
  const { lines, log } = logged();
  const result = await ensureTools([TOOLS.chromium, TOOLS.socat, TOOLS.ncat], {
    probes: machine,
    log,
  });
  assert.equal(result.ok, false);
  assert.ok(!result.ok);
  assert.equal(result.problem, "needs-root");
  assert.equal(
    result.message,
    "chromium and ncat are needed by the browser tests and the fan-out benchmarks' baseline " +
      "but not installed. Install them with:\n  sudo apt-get install -y chromium ncat",
  );
  assert.deepEqual(machine.aptCalls, []);
  assert.deepEqual(lines, []);

  // Packages apt does not know yet need its lists first: still one line to copy.
  machine.known.clear();
  const fresh = await ensureTools([TOOLS.chromium], { probes: machine, log });
  assert.ok(!fresh.ok);
  assert.match(
    fresh.message,
    /Install it with:\n {2}sudo apt-get update && sudo apt-get install -y chromium$/,
  );
});

Deno.test("tools: without apt-get, how to get them is said instead", async () => {
  const machine = new FakeMachine({ files: [], root: true });
  const chromium = await ensureTools([TOOLS.chromium], { probes: machine });
  assert.deepEqual(chromium, {
    ok: false,
    problem: "no-apt-get",
    missing: [TOOLS.chromium],
    message: "chromium is needed by the browser tests but not installed, and this machine has " +
      "no apt-get to install it: install Chromium or Google Chrome, or set P2PCHAT_CHROMIUM " +
      "to its path.",
  });
  const tools = await ensureTools([TOOLS.socat, TOOLS.ncat], {
    purpose: "the benchmark (file, saturation)",
    probes: machine,
  });
  assert.ok(!tools.ok);
  assert.equal(
    tools.message,
    "socat and ncat are needed by the benchmark (file, saturation) but not installed, and this " +
      "machine has no apt-get to install them: install them with the system's package manager " +
      "(Debian: socat, ncat).",
  );
  const both = await ensureTools([TOOLS.chromium, TOOLS.ncat], { probes: machine });
  assert.ok(!both.ok);
  assert.match(
    both.message,
    /install them: install Chromium or Google Chrome, or set P2PCHAT_CHROMIUM to its path; install ncat with the system's package manager \(Debian: ncat\)\.$/,
  );
});

Deno.test("tools: a failed install is retried once after apt-get update, then reported", async () => {
  // Stale lists: apt knows the package but the first download fails.
  const machine = new FakeMachine({
    files: ["/usr/bin/apt-get"],
    known: ["socat"],
    repository: DEBIAN,
  });
  machine.installCodes = [100];
  const { lines, log } = logged();
  const retried = await ensureTools([TOOLS.socat], { probes: machine, log });
  assert.deepEqual(retried, { ok: true, paths: { socat: "/usr/bin/socat" } });
  assert.deepEqual(machine.aptCalls, [
    ["install", "-y", "socat"],
    ["update"],
    ["install", "-y", "socat"],
  ]);
  assert.ok(lines.includes("Updating apt's package lists (apt-get update) and trying again ..."));

  const broken = new FakeMachine({ files: ["/usr/bin/apt-get"], known: ["ncat"], repository: {} });
  broken.installCodes = [100, 100];
  const failed = await ensureTools([TOOLS.ncat], { probes: broken, log: () => {} });
  assert.deepEqual(failed, {
    ok: false,
    problem: "failed",
    missing: [TOOLS.ncat],
    message: "apt-get install -y ncat failed (exit code 100; its output is above), so ncat is " +
      "still missing.",
  });
  assert.equal(broken.aptCalls.length, 3, "one update, one retry, no more");
});

Deno.test("tools: an install that leaves the program missing says where it looked", async () => {
  const machine = new FakeMachine({
    files: ["/usr/bin/apt-get"],
    known: ["chromium"],
    repository: { chromium: ["/usr/lib/chromium/chromium"] },
  });
  const result = await ensureTools([TOOLS.chromium], { probes: machine, log: () => {} });
  assert.ok(!result.ok);
  assert.equal(result.problem, "failed");
  assert.match(
    result.message,
    /^apt-get installed chromium but chromium is still not found \(looked for chromium, google-chrome-stable, /,
  );
});

Deno.test({
  name: "tools: on this machine, a file's execute bits tell a program from a plain file",
  ignore: Deno.build.os === "windows",
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "p2pchat_tools_" });
    try {
      await Deno.writeTextFile(`${dir}/tool`, "#!/bin/sh\n", { mode: 0o755 });
      await Deno.writeTextFile(`${dir}/plugin.py`, "", { mode: 0o644 });
      await Deno.chmod(`${dir}/tool`, 0o755);
      await Deno.chmod(`${dir}/plugin.py`, 0o644);
      const probes = machineProbes();
      assert.equal(await probes.fileAt(`${dir}/tool`), "program");
      assert.equal(await probes.fileAt(`${dir}/plugin.py`), "file");
      assert.equal(await probes.fileAt(`${dir}/missing`), undefined);
      assert.equal(await probes.fileAt(dir), undefined, "a folder is neither");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("tools: apt-cache policy output gives the packages apt can install", () => {
  const policy = [
    "socat:",
    "  Installed: 1.7.4.4-2",
    "  Candidate: 1.7.4.4-2",
    "  Version table:",
    " *** 1.7.4.4-2 500",
    "        500 http://deb.debian.org/debian bookworm/main amd64 Packages",
    "ncat:",
    "  Installed: (none)",
    "  Candidate: (none)",
    "  Version table:",
    "",
  ].join("\n");
  assert.deepEqual([...knownPackages(policy)], ["socat"]);
  assert.deepEqual([...knownPackages("")], []);
});
