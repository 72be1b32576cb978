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

/**
 * Every module under `folder` with the repository paths it imports (relative imports only,
 * type-only ones too; an import in a JSDoc example is not one).
 */
async function moduleImports(folder: string): Promise<Map<string, string[]>> {
  const graph = new Map<string, string[]>();
  const visit = async (dir: URL) => {
    for await (const entry of Deno.readDir(dir)) {
      if (entry.isDirectory) await visit(new URL(`${entry.name}/`, dir));
      if (!entry.isFile || !/\.(ts|js)$/.test(entry.name)) continue;
      const file = new URL(entry.name, dir);
      const source = (await Deno.readTextFile(file)).replace(/\/\*\*[\s\S]*?\*\//g, "");
      const imports = [...source.matchAll(/(?:from|import)\s*\(?\s*"(\.{1,2}\/[^"]+)"/g)]
        .map(([, specifier]) => new URL(specifier, file).href.slice(ROOT.href.length));
      graph.set(file.href.slice(ROOT.href.length), imports);
    }
  };
  await visit(new URL(`${folder}/`, ROOT));
  return graph;
}

/** The repository folders that the files under `folder` import from, with the imports. */
async function importedFolders(folder: string): Promise<Map<string, string[]>> {
  const found = new Map<string, string[]>();
  for (const [file, imports] of await moduleImports(folder)) {
    for (const path of imports) {
      const top = path.split("/")[0];
      found.set(top, [...(found.get(top) ?? []), `${file} -> ${path}`]);
    }
  }
  return found;
}

Deno.test("project: lib/ is the product alone; bench/ and dev/ never import from tests/", async () => {
  const allowed: { [folder: string]: string[] } = {
    lib: ["lib", "deno.json"],
    dev: ["dev", "deno.json", "lib"],
    bench: ["bench", "dev", "deno.json", "lib"],
  };
  for (const [folder, may] of Object.entries(allowed)) {
    for (const [top, files] of await importedFolders(folder)) {
      assert.ok(may.includes(top), `${folder}/ imports from ${top}: ${files.join(", ")}`);
    }
  }
});

/**
 * The layers of lib/, in order: a module imports from its own layer and the ones before it.
 * lib/cli and lib/ui are the two faces, side by side; the command line may start the browser's
 * (`p2pchat ui`), the browser's face never uses the command line.
 */
const LAYERS: { [layer: string]: readonly string[] } = {
  wire: ["wire"],
  secure: ["wire", "secure"],
  session: ["wire", "secure", "session"],
  room: ["wire", "secure", "session", "room"],
  app: ["wire", "secure", "session", "room", "app"],
  ui: ["wire", "secure", "session", "room", "app", "ui"],
  cli: ["wire", "secure", "session", "room", "app", "cli", "ui"],
};

/** The first import cycle found in `graph`, as the modules around it; undefined when none. */
function findCycle(graph: Map<string, string[]>): string[] | undefined {
  const done = new Set<string>();
  const path: string[] = [];
  const onPath = new Set<string>();
  const walk = (module: string): string[] | undefined => {
    if (onPath.has(module)) return [...path.slice(path.indexOf(module)), module];
    if (done.has(module)) return undefined;
    path.push(module);
    onPath.add(module);
    for (const next of graph.get(module) ?? []) {
      const cycle = walk(next);
      if (cycle) return cycle;
    }
    path.pop();
    onPath.delete(module);
    done.add(module);
    return undefined;
  };
  for (const module of graph.keys()) {
    const cycle = walk(module);
    if (cycle) return cycle;
  }
  return undefined;
}

Deno.test("project: lib/ imports flow one way through its layers, and no module imports itself round", async () => {
  const graph = new Map(
    [...await moduleImports("lib")].map(([module, imports]) => [
      module,
      imports.filter((path) => path.startsWith("lib/")),
    ]),
  );
  assert.ok(graph.size > 50, "lib/ was read");
  const against: string[] = [];
  for (const [module, imports] of graph) {
    const layer = module.split("/")[1];
    assert.ok(Object.hasOwn(LAYERS, layer), `${module}: lib/${layer} is not a known layer`);
    for (const imported of imports) {
      if (!LAYERS[layer].includes(imported.split("/")[1])) against.push(`${module} -> ${imported}`);
    }
  }
  assert.deepEqual(against, [], "imports against the layer order");
  assert.equal(findCycle(graph)?.join(" -> "), undefined, "an import cycle");
});

Deno.test("project: findCycle finds a cycle of any length, and none where there is none", () => {
  // The check above is only as good as this.
  const graph = (edges: [string, string[]][]) => new Map(edges);
  assert.deepEqual(findCycle(graph([["a", ["b"]], ["b", ["a"]]])), ["a", "b", "a"]);
  assert.deepEqual(findCycle(graph([["a", ["b"]], ["b", ["c"]], ["c", ["b"]]])), ["b", "c", "b"]);
  assert.equal(findCycle(graph([["a", ["b", "c"]], ["b", ["c"]], ["c", []]])), undefined);
});

Deno.test("project: the faces take part in chats through the front door only", async () => {
  // Dialling, joining, staying connected, hosting and putting events into words live in
  // lib/app (and below it); lib/cli and lib/ui use them through lib/app.
  const doors = new Set([
    "lib/session/dial.ts",
    "lib/session/session_listener.ts",
    "lib/room/room_client.ts",
    "lib/room/room_host.ts",
    "lib/room/reconnector.ts",
    "lib/room/room.ts",
  ]);
  const around: string[] = [];
  for (const face of ["lib/cli", "lib/ui"]) {
    for (const [module, imports] of await moduleImports(face)) {
      for (const path of imports) if (doors.has(path)) around.push(`${module} -> ${path}`);
    }
  }
  assert.deepEqual(around, []);
});
