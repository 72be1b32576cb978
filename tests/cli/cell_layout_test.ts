import assert from "node:assert/strict";
import {
  cellsOf,
  cellWidth,
  fitCells,
  layoutCells,
  rowsOf,
  textWidth,
} from "../../lib/cli/cell_layout.ts";

Deno.test("cell widths: wide scripts and emoji take two cells, accents none of their own", () => {
  assert.deepEqual(["a", "é", "語", "한", "👋", "👋🏽", "❤️", "❤"].map(cellWidth), [
    1,
    1,
    2,
    2,
    2,
    2,
    2,
    1,
  ]);
  assert.equal(textWidth("e\u0301te\u0301"), 3);
  assert.deepEqual(cellsOf("👨‍👩‍👧!").map((cell) => cell.text), ["👨‍👩‍👧", "!"]);
});

Deno.test("layoutCells wraps as a terminal does: a wide character never splits", () => {
  const { starts, rows } = layoutCells([1, 1, 1, 2, 1], 4);
  assert.deepEqual(starts, [
    { row: 0, col: 0 },
    { row: 0, col: 1 },
    { row: 0, col: 2 },
    { row: 1, col: 0 },
    { row: 1, col: 2 },
  ]);
  assert.equal(rows, 2);
  // A row filled exactly: the next cell starts the next row.
  assert.deepEqual(layoutCells([2, 2, 1], 4).starts[2], { row: 1, col: 0 });
  assert.equal(layoutCells([], 80).rows, 1);
});

Deno.test("rowsOf and fitCells", () => {
  assert.deepEqual([rowsOf(0, 80), rowsOf(80, 80), rowsOf(81, 80)], [1, 1, 2]);
  assert.equal(fitCells("short", 10), "short");
  assert.equal(fitCells("語語語語", 5), "語語…");
  assert.equal(textWidth(fitCells("語語語語", 5)), 5);
});
