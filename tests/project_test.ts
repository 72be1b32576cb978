import assert from "node:assert/strict";

const ROOT = new URL("../", import.meta.url);

interface DenoJson {
  tasks: { [name: string]: string };
  test?: { sanitizeOps?: boolean; sanitizeResources?: boolean };
}

const denoJson = JSON.parse(await Deno.readTextFile(new URL("deno.json", ROOT))) as DenoJson;

/** The permission flags of a `deno run` / `deno compile` command line, in order. */
function permissionFlags(command: string): string[] {
  return command.split(/\s+/).filter((word) =>
    /^--(allow|deny)-/.test(word) || word === "-A" || /^-[a-zA-Z]*A/.test(word) ||
    // The V8 memory tuning is part of the program too, so it must match as well.
    word.startsWith("--v8-flags=")
  );
}

/** The `deno compile` commands of a workflow, with `\` continuations joined. */
function compileCommands(workflow: string): string[] {
  const joined = workflow.replace(/\\\r?\n/g, " ");
  return joined.split(/\r?\n/).filter((line) =>
    /\bdeno compile\b/.test(line) && !/^\s*#/.test(line)
  );
}

Deno.test("project: start and compile tasks grant the same permissions", () => {
  const start = permissionFlags(denoJson.tasks.start);
  const compile = permissionFlags(denoJson.tasks.compile);
  assert.ok(start.length > 0, "start has permission flags");
  assert.deepEqual(compile, start);
});

Deno.test("project: no task grants all permissions", () => {
  for (const [name, command] of Object.entries(denoJson.tasks)) {
    for (const flag of permissionFlags(command)) {
      assert.ok(flag !== "--allow-all" && !/^-[a-zA-Z]*A/.test(flag), `task ${name} uses ${flag}`);
    }
  }
});

Deno.test("project: the release workflow compiles with the same permissions", async () => {
  const workflow = await Deno.readTextFile(new URL(".github/workflows/release.yml", ROOT));
  const commands = compileCommands(workflow);
  assert.ok(commands.length > 0, "the release workflow runs deno compile");
  const expected = permissionFlags(denoJson.tasks.compile);
  for (const command of commands) {
    assert.deepEqual(permissionFlags(command), expected, command.trim());
  }
});

Deno.test("project: tests run with the op and resource sanitizers on", () => {
  assert.equal(denoJson.test?.sanitizeOps, true);
  assert.equal(denoJson.test?.sanitizeResources, true);
});

Deno.test("project: permissionFlags finds -A in any form", () => {
  // The checks above are only as good as this.
  assert.deepEqual(permissionFlags("deno run -A main.ts"), ["-A"]);
  assert.deepEqual(permissionFlags("deno run -qA main.ts"), ["-qA"]);
  assert.deepEqual(permissionFlags("deno run --allow-all main.ts"), ["--allow-all"]);
  assert.deepEqual(permissionFlags("deno run --allow-net=0.0.0.0 --deny-env x.ts"), [
    "--allow-net=0.0.0.0",
    "--deny-env",
  ]);
  // Commented-out lines are skipped; continued lines are joined.
  const workflow =
    "run: |\n  # deno compile -A\n  deno compile --allow-net \\\n    --allow-read main.ts\n";
  assert.deepEqual(compileCommands(workflow).map(permissionFlags), [[
    "--allow-net",
    "--allow-read",
  ]]);
});
