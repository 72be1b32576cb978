import assert from "node:assert/strict";
import config from "../../deno.json" with { type: "json" };
import { ROOT, startTaskArgs, startTaskFlags } from "../../dev/start_task.ts";

Deno.test("startTaskFlags: exactly the start task's flags, in order", () => {
  const expected = config.tasks.start.replace(/^deno run /, "").replace(/ main\.ts$/, "");
  assert.equal(startTaskFlags().join(" "), expected);
  assert.ok(!startTaskFlags().includes("-A"));
});

Deno.test("startTaskArgs: runs p2pchat as a person would, printing its version", async () => {
  const args = startTaskArgs(["--version"], ["--quiet"]);
  assert.deepEqual(args.slice(-3), ["--quiet", `${ROOT}main.ts`, "--version"]);
  const output = await new Deno.Command(Deno.execPath(), { args, cwd: ROOT }).output();
  assert.equal(output.code, 0);
  assert.match(new TextDecoder().decode(output.stdout), new RegExp(`${config.version}`));
});
