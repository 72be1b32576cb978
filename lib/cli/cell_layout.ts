/**
 * Where text lands on a terminal: how many cells each character takes (a wide CJK character or
 * an emoji takes two) and on which row and column each one starts when a terminal of a given
 * width wraps it. The prompt needs it to know exactly which rows it occupies, so it can clear
 * those rows and no others.
 *
 * @example
 * ```ts
 * import { cellsOf, layoutCells } from "./cell_layout.ts";
 * const cells = cellsOf("hi 👋");
 * console.log(cells.map((cell) => cell.width)); // [1, 1, 1, 2]
 * console.log(layoutCells(cells.map((cell) => cell.width), 4).rows); // 2
 * ```
 * @module
 */

const segmenter = new Intl.Segmenter(undefined, { granularity: "grapheme" });

/**
 * East Asian Wide and Fullwidth code points (Unicode's EastAsianWidth W and F), emoji
 * presentation included: terminals give these two cells.
 */
const WIDE: readonly [number, number][] = [
  [0x1100, 0x115f],
  [0x231a, 0x231b],
  [0x2329, 0x232a],
  [0x23e9, 0x23ec],
  [0x23f0, 0x23f0],
  [0x23f3, 0x23f3],
  [0x25fd, 0x25fe],
  [0x2614, 0x2615],
  [0x2648, 0x2653],
  [0x267f, 0x267f],
  [0x2693, 0x2693],
  [0x26a1, 0x26a1],
  [0x26aa, 0x26ab],
  [0x26bd, 0x26be],
  [0x26c4, 0x26c5],
  [0x26ce, 0x26ce],
  [0x26d4, 0x26d4],
  [0x26ea, 0x26ea],
  [0x26f2, 0x26f3],
  [0x26f5, 0x26f5],
  [0x26fa, 0x26fa],
  [0x26fd, 0x26fd],
  [0x2705, 0x2705],
  [0x270a, 0x270b],
  [0x2728, 0x2728],
  [0x274c, 0x274c],
  [0x274e, 0x274e],
  [0x2753, 0x2755],
  [0x2757, 0x2757],
  [0x2795, 0x2797],
  [0x27b0, 0x27b0],
  [0x27bf, 0x27bf],
  [0x2b1b, 0x2b1c],
  [0x2b50, 0x2b50],
  [0x2b55, 0x2b55],
  [0x2e80, 0x303e],
  [0x3041, 0x33ff],
  [0x3400, 0x4dbf],
  [0x4e00, 0x9fff],
  [0xa000, 0xa4cf],
  [0xa960, 0xa97f],
  [0xac00, 0xd7a3],
  [0xf900, 0xfaff],
  [0xfe10, 0xfe19],
  [0xfe30, 0xfe6f],
  [0xff00, 0xff60],
  [0xffe0, 0xffe6],
  [0x16fe0, 0x16fe4],
  [0x17000, 0x18cff],
  [0x1b000, 0x1b2ff],
  [0x1f004, 0x1f004],
  [0x1f0cf, 0x1f0cf],
  [0x1f18e, 0x1f18e],
  [0x1f191, 0x1f19a],
  [0x1f200, 0x1f251],
  [0x1f300, 0x1f320],
  [0x1f32d, 0x1f335],
  [0x1f337, 0x1f37c],
  [0x1f37e, 0x1f393],
  [0x1f3a0, 0x1f3ca],
  [0x1f3cf, 0x1f3d3],
  [0x1f3e0, 0x1f3f0],
  [0x1f3f4, 0x1f3f4],
  [0x1f3f8, 0x1f43e],
  [0x1f440, 0x1f440],
  [0x1f442, 0x1f4fc],
  [0x1f4ff, 0x1f53d],
  [0x1f54b, 0x1f54e],
  [0x1f550, 0x1f567],
  [0x1f57a, 0x1f57a],
  [0x1f595, 0x1f596],
  [0x1f5a4, 0x1f5a4],
  [0x1f5fb, 0x1f64f],
  [0x1f680, 0x1f6c5],
  [0x1f6cc, 0x1f6cc],
  [0x1f6d0, 0x1f6d2],
  [0x1f6d5, 0x1f6d7],
  [0x1f6dc, 0x1f6df],
  [0x1f6eb, 0x1f6ec],
  [0x1f6f4, 0x1f6fc],
  [0x1f7e0, 0x1f7eb],
  [0x1f7f0, 0x1f7f0],
  [0x1f90c, 0x1f93a],
  [0x1f93c, 0x1f945],
  [0x1f947, 0x1f9ff],
  [0x1fa70, 0x1faff],
  [0x20000, 0x2fffd],
  [0x30000, 0x3fffd],
];

function isWide(code: number): boolean {
  let low = 0;
  let high = WIDE.length - 1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    const [from, to] = WIDE[middle];
    if (code < from) high = middle - 1;
    else if (code > to) low = middle + 1;
    else return true;
  }
  return false;
}

/** One character as a person sees it (a grapheme: `é`, `👋🏽`) and the cells it takes. */
export interface Cell {
  text: string;
  width: number;
}

/**
 * The cells a grapheme takes: 2 for wide characters and emoji shown as emoji, 1 otherwise.
 * Pass text that has no control characters (escape them first).
 *
 * @example
 * ```ts
 * import { cellWidth } from "./cell_layout.ts";
 * console.log(cellWidth("a"), cellWidth("語"), cellWidth("👋")); // 1 2 2
 * ```
 */
export function cellWidth(grapheme: string): number {
  const code = grapheme.codePointAt(0) ?? 0;
  if (isWide(code)) return 2;
  // A text-style symbol asked to look like an emoji (U+FE0F) is drawn as one.
  if (grapheme.includes("\ufe0f") && /\p{Extended_Pictographic}/u.test(grapheme)) return 2;
  return 1;
}

/**
 * The graphemes of `text` with their widths.
 *
 * @example
 * ```ts
 * import { cellsOf } from "./cell_layout.ts";
 * console.log(cellsOf("e\u0301!").length); // 2
 * ```
 */
export function cellsOf(text: string): Cell[] {
  return [...segmenter.segment(text)].map(({ segment }) => ({
    text: segment,
    width: cellWidth(segment),
  }));
}

/**
 * The cells `text` takes on one row (wider text wraps).
 *
 * @example
 * ```ts
 * import { textWidth } from "./cell_layout.ts";
 * console.log(textWidth("hi 👋")); // 5
 * ```
 */
export function textWidth(text: string): number {
  let width = 0;
  for (const cell of cellsOf(text)) width += cell.width;
  return width;
}

/** A row and a column, from 0. */
export interface Place {
  row: number;
  col: number;
}

/** Where a run of cells lands. */
export interface CellLayout {
  /** Where each cell starts. */
  starts: Place[];
  /** Rows taken (at least 1). */
  rows: number;
}

/**
 * Places cells of the given widths from column 0 on rows of `columns` cells, as a terminal
 * wraps them: a cell that does not fit on the rest of a row starts the next one (a wide
 * character is never split).
 *
 * @example
 * ```ts
 * import { layoutCells } from "./cell_layout.ts";
 * const { starts, rows } = layoutCells([1, 1, 2], 3);
 * console.log(starts[2], rows); // { row: 1, col: 0 } 2
 * ```
 */
export function layoutCells(widths: readonly number[], columns: number): CellLayout {
  const width = Math.max(1, columns);
  const starts: Place[] = [];
  let row = 0;
  let col = 0;
  for (const cells of widths) {
    if (col > 0 && col + cells > width) {
      row++;
      col = 0;
    }
    starts.push({ row, col });
    col += cells;
  }
  return { starts, rows: row + 1 };
}

/**
 * Rows a line of `cells` cells takes on a terminal `columns` wide (at least 1).
 *
 * @example
 * ```ts
 * import { rowsOf } from "./cell_layout.ts";
 * console.log(rowsOf(160, 80), rowsOf(161, 80), rowsOf(0, 80)); // 2 3 1
 * ```
 */
export function rowsOf(cells: number, columns: number): number {
  return Math.max(1, Math.ceil(cells / Math.max(1, columns)));
}

/**
 * `text` cut to at most `columns` cells, ending with `…` when cut.
 *
 * @example
 * ```ts
 * import { fitCells } from "./cell_layout.ts";
 * console.log(fitCells("report.pdf", 6)); // "repor…"
 * ```
 */
export function fitCells(text: string, columns: number): string {
  if (textWidth(text) <= columns) return text;
  let out = "";
  let used = 0;
  for (const cell of cellsOf(text)) {
    if (used + cell.width > columns - 1) break;
    out += cell.text;
    used += cell.width;
  }
  return columns >= 1 ? `${out}…` : "";
}
