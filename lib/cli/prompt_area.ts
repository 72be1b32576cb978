/**
 * The rows at the bottom of a terminal that the chat keeps for itself: one status row (file
 * progress) when there is one, then the prompt and the draft, wrapped over as many rows as it
 * needs. It knows exactly which rows it drew and where it left the cursor, so the terminal can
 * clear those rows (and no others), print incoming lines where they were, and draw it again
 * below them: nothing printed is ever drawn over. It writes nothing itself: it returns the text
 * to write.
 *
 * After a resize the terminal wraps what is on screen again for the new width (tmux, VTE,
 * iTerm2, Windows Terminal do); {@linkcode PromptArea.resized} follows it, so the next clear
 * takes exactly the rows the area has become.
 *
 * @example
 * ```ts
 * import { PromptArea } from "./prompt_area.ts";
 * const area = new PromptArea();
 * let out = area.draw({ prompt: "> ", draft: ["h", "i"], cursor: 2 }, { columns: 80, rows: 24 });
 * out = area.erase() + "[bob] hello\r\n" + area.draw({ prompt: "> ", draft: ["h", "i"], cursor: 2 }, { columns: 80, rows: 24 });
 * ```
 * @module
 */

import { type Cell, cellsOf, fitCells, layoutCells, rowsOf, textWidth } from "./cell_layout.ts";
import { escapeForTerminal } from "./terminal_text.ts";

/** What the area shows. */
export interface AreaView {
  /** The status row (already fitted to the width, or cut to it here); none when undefined. */
  status?: string;
  /** The prompt (`> `) or a question. */
  prompt: string;
  /** The draft's characters. */
  draft: readonly string[];
  /** The cursor, in characters of the draft. */
  cursor: number;
  /** Show `*` for each character (a secret). */
  hidden?: boolean;
}

/** The terminal's size. */
export interface TerminalSize {
  columns: number;
  rows: number;
}

/** What was drawn, as much as is needed to follow a resize. */
interface Drawn {
  /** The width it was drawn at, or last followed to. */
  columns: number;
  statusCells: number;
  /** Widths of the prompt row's cells: prompt, shown draft, the cursor's cell at the end. */
  widths: number[];
  /** The cell the cursor was left on. */
  cursorCell: number;
}

const ELLIPSIS: Cell = { text: "…", width: 1 };

/** How a draft character is shown: controls escaped, or a `*` for a secret. */
function shownCells(char: string, hidden: boolean): Cell[] {
  if (hidden) return [{ text: "*", width: 1 }];
  const escaped = escapeForTerminal(char);
  return escaped === char ? cellsOf(char) : cellsOf(escaped);
}

/** The status row, prompt and draft at the bottom of the terminal. */
export class PromptArea {
  #drawn: Drawn | undefined;
  /** Rows from the area's first row to the cursor. */
  #cursorRow = 0;

  /** Whether the area is on screen. */
  get shown(): boolean {
    return this.#drawn !== undefined;
  }

  /**
   * Text that clears the area (from the cursor where {@linkcode draw} left it) and leaves the
   * cursor at the start of the area's first row, where the next line printed belongs.
   */
  erase(): string {
    if (!this.#drawn) return "";
    const up = this.#cursorRow > 0 ? `\x1b[${this.#cursorRow}A` : "";
    this.#drawn = undefined;
    this.#cursorRow = 0;
    return `\r${up}\x1b[J`;
  }

  /**
   * Text that draws the area from the start of the current row (call {@linkcode erase} first
   * if it is on screen) and puts the cursor in the draft.
   */
  draw(view: AreaView, size: TerminalSize): string {
    const columns = Math.max(1, size.columns);
    const status = view.status === undefined ? undefined : fitCells(view.status, columns);
    // Keep a row for what is printed above, and one for the status.
    const promptRows = Math.max(1, size.rows - 1 - (status === undefined ? 0 : 1));
    const prompt = cellsOf(escapeForTerminal(view.prompt));
    const { cells, cursorCell } = this.#fit(view, prompt, columns, promptRows);
    const widths = cells.map((cell) => cell.width);
    const { starts } = layoutCells(widths, columns);
    const end = starts[starts.length - 1];
    const target = starts[cursorCell];
    let out = status === undefined ? "" : `${status}\r\n`;
    out += cells.map((cell) => cell.text).join("");
    // From the cursor's cell at the end of the row back to the cursor's place in the draft.
    if (end.row > target.row) out += `\x1b[${end.row - target.row}A`;
    out += "\r";
    if (target.col > 0) out += `\x1b[${target.col}C`;
    const statusCells = status === undefined ? 0 : textWidth(status);
    this.#drawn = { columns, statusCells, widths, cursorCell };
    this.#cursorRow = (status === undefined ? 0 : 1) + target.row;
    return out;
  }

  /**
   * The terminal is `columns` wide now and has wrapped the area again: from now on the area
   * is where that wrapping put it. Nothing changes if it was drawn at that width.
   */
  resized(columns: number): void {
    const drawn = this.#drawn;
    if (!drawn || drawn.columns === columns) return;
    drawn.columns = columns;
    const statusRows = drawn.statusCells > 0 ? rowsOf(drawn.statusCells, columns) : 0;
    const { starts } = layoutCells(drawn.widths, columns);
    this.#cursorRow = statusRows + starts[drawn.cursorCell].row;
  }

  /**
   * The cells of the prompt row: the prompt, the draft (a window of it around the cursor when
   * all of it would not fit in `rows` rows), and a blank cell at the end for the cursor.
   */
  #fit(
    view: AreaView,
    prompt: Cell[],
    columns: number,
    rows: number,
  ): { cells: Cell[]; cursorCell: number } {
    const hidden = view.hidden ?? false;
    const shown = view.draft.map((char) => shownCells(char, hidden));
    const blank: Cell = { text: " ", width: 1 };
    const build = (from: number, to: number) => {
      const cells = [...prompt];
      if (from > 0) cells.push(ELLIPSIS);
      let cursorCell = -1;
      for (let i = from; i < to; i++) {
        if (i === view.cursor) cursorCell = cells.length;
        cells.push(...shown[i]);
      }
      if (cursorCell < 0) cursorCell = cells.length;
      if (to < shown.length) cells.push(ELLIPSIS);
      cells.push(blank);
      return { cells, cursorCell };
    };
    const all = build(0, shown.length);
    if (layoutCells(all.cells.map((c) => c.width), columns).rows <= rows) return all;
    // Too long for the screen: the part around the cursor, most of it before the cursor.
    let budget = rows * columns - prompt.length - 3 - rows;
    while (true) {
      let from = view.cursor;
      let to = view.cursor;
      let used = 0;
      const width = (i: number) => shown[i].reduce((sum, cell) => sum + cell.width, 0);
      while (from > 0 && used + width(from - 1) <= budget * 0.75) used += width(--from);
      while (to < shown.length && used + width(to) <= budget) used += width(to++);
      while (from > 0 && used + width(from - 1) <= budget) used += width(--from);
      const window = build(from, to);
      const fits = layoutCells(window.cells.map((c) => c.width), columns).rows <= rows;
      if (fits || budget <= 0) return window;
      budget -= columns;
    }
  }
}
