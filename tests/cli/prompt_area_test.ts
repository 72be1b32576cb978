import assert from "node:assert/strict";
import { PromptArea } from "../../lib/cli/prompt_area.ts";

const SIZE = { columns: 10, rows: 6 };
const chars = (text: string) => [...text];

Deno.test("PromptArea: the draft wraps and the cursor goes back to its place", () => {
  const area = new PromptArea();
  // "> " + 15 characters + the cursor's cell: 18 cells, two rows of 10.
  const drawn = area.draw({ prompt: "> ", draft: chars("abcdefghijklmno"), cursor: 3 }, SIZE);
  assert.equal(drawn, "> abcdefghijklmno \x1b[1A\r\x1b[5C");
  // The clear goes up to the area's first row, and no further.
  assert.equal(area.erase(), "\r\x1b[J");
});

Deno.test("PromptArea: the status row comes first, and the clear takes it too", () => {
  const area = new PromptArea();
  const drawn = area.draw({
    status: "a.bin 40 % and more than fits",
    prompt: "> ",
    draft: chars("abcdefghijklmno"),
    cursor: 15,
  }, SIZE);
  assert.equal(drawn, "a.bin 40 …\r\n> abcdefghijklmno \r\x1b[7C");
  assert.equal(area.erase(), "\r\x1b[2A\x1b[J");
  assert.equal(area.erase(), "", "nothing left to clear");
});

Deno.test("PromptArea: after a resize the clear follows the terminal's new wrapping", () => {
  const area = new PromptArea();
  area.draw({ status: "0123456789", prompt: "> ", draft: chars("x".repeat(17)), cursor: 17 }, SIZE);
  // At 5 columns: the status takes 2 rows, the 20 cells of the prompt row take 4.
  area.resized(5);
  assert.equal(area.erase(), "\r\x1b[5A\x1b[J");
});

Deno.test("PromptArea: a draft taller than the screen shows the part around the cursor", () => {
  const area = new PromptArea();
  const draft = chars("0123456789".repeat(20));
  const drawn = area.draw({ prompt: "> ", draft, cursor: 100 }, SIZE);
  const shown = drawn.replace(new RegExp("\x1b\\[\\d*[A-Z]|\r", "g"), "");
  assert.ok(shown.startsWith("> …"));
  assert.ok(shown.includes("0123456789") && shown.endsWith("… "));
  assert.ok(shown.length <= 5 * 10, "within the rows the screen leaves");
});

Deno.test("PromptArea: controls in the draft are shown escaped; a secret as stars", () => {
  const area = new PromptArea();
  assert.equal(
    area.draw({ prompt: "> ", draft: chars("a\x1bb"), cursor: 3 }, { columns: 80, rows: 24 }),
    "> a\\x1bb \r\x1b[8C",
  );
  area.erase();
  assert.equal(
    area.draw({ prompt: "Passkey: ", draft: chars("secret"), cursor: 6, hidden: true }, {
      columns: 80,
      rows: 24,
    }),
    "Passkey: ****** \r\x1b[15C",
  );
});
