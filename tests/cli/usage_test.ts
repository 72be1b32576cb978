import assert from "node:assert/strict";
import { DEFAULTS } from "../../lib/app/defaults.ts";
import { HELP } from "../../lib/cli/usage.ts";
import { ALIASES, COMMANDS } from "../../lib/room/slash_commands.ts";

/** The lines of `--help` under "In the chat". */
function chatSection(help: string): string[] {
  const [, section] = help.split(/^In the chat.*:$/m);
  assert.ok(section !== undefined, "--help has an 'In the chat' section");
  return section.split("\n").filter((line) => line.trim() !== "");
}

Deno.test("--help lists the chat commands of the commands table: each usage, help and where it works", () => {
  const lines = chatSection(HELP);
  const commandLines = lines.filter((line) => /^ {2}\//.test(line));
  assert.equal(commandLines.length, Object.keys(COMMANDS).length, lines.join("\n"));
  for (const command of Object.values(COMMANDS)) {
    const line = commandLines.find((line) => line.trimStart().startsWith(`${command.usage} `));
    assert.ok(line, `--help lists ${command.usage}`);
    assert.ok(line.includes(command.help), line);
    assert.equal(line.endsWith("(hubs only)"), command.hubOnly === true, line);
  }
  // What had drifted: /me and /who work in a direct chat too, and /nickname is an alias.
  for (const usage of ["/me ACTION", "/who [PAGE]"]) {
    assert.ok(!commandLines.find((line) => line.includes(usage))!.includes("hubs only"), usage);
  }
  const also = lines.find((line) => line.trimStart().startsWith("Also:")) ?? "";
  for (const [alias, name] of Object.entries(ALIASES)) {
    assert.ok(also.includes(`/${alias} for /${name}`), `${alias} in: ${also}`);
  }
});

Deno.test("--help gives the defaults the program uses", () => {
  assert.match(HELP, new RegExp(`TCP port \\(default ${DEFAULTS.port};`));
  assert.match(HELP, new RegExp(`Where received files go \\(default ${DEFAULTS.receiveDir}\\)`));
  assert.match(HELP, new RegExp(`replays to newcomers \\(default ${DEFAULTS.history}\\)`));
  assert.match(HELP, new RegExp(`Members of a hub at once \\(default ${DEFAULTS.maxClients}\\)`));
});
