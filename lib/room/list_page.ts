/**
 * Lists that grow with a room (members, kept files), cut into pages that fit one record: a
 * header over `MAX_HEADER_BYTES` is refused by the receiver, which closes the session, so an
 * answer listing everyone would cut off whoever asked.
 *
 * @example
 * ```ts
 * import { listPage, WHO_PAGE_NAMES } from "./list_page.ts";
 * const page = listPage(10_000, 2, WHO_PAGE_NAMES);
 * console.log(page); // { page: 2, pages: 100, total: 10000, start: 100, end: 200 }
 * ```
 * @module
 */

import type { SharedFileInfo } from "../session/message.ts";
import { MAX_HEADER_BYTES } from "../wire/limits.ts";

/**
 * Names in one page of `/who`. Names are at most 16 ASCII characters, so a full page is
 * under 2 KiB; more would not be read on a screen anyway.
 */
export const WHO_PAGE_NAMES = 100;

/** Files in one page of `/files`; each entry is kept under {@linkcode FILE_ENTRY_BYTES}. */
export const FILES_PAGE_ENTRIES = 20;

/** Room left in a header for what is not an entry (`t`, `page`, `pages`, `total`). */
const ENVELOPE_BYTES = 256;

/** The most one `/files` entry may take in a header, so a full page always fits. */
export const FILE_ENTRY_BYTES = Math.floor(
  (MAX_HEADER_BYTES - ENVELOPE_BYTES) / FILES_PAGE_ENTRIES,
);

/** One page of a list: which it is, of how many, and the slice of the list it holds. */
export interface ListPage {
  /** 1-based page number (the one asked for, within 1 and `pages`). */
  page: number;
  /** Pages in all (at least 1, even for an empty list). */
  pages: number;
  /** Items in all. */
  total: number;
  /** Index of the page's first item. */
  start: number;
  /** Index after the page's last item. */
  end: number;
}

/**
 * Page `asked` (default 1) of a list of `total` items, `size` to a page. A page past the end
 * gives the last one, so `/who 99` in a small room still shows someone.
 *
 * @example
 * ```ts
 * import { listPage } from "./list_page.ts";
 * listPage(45, 9, 20); // { page: 3, pages: 3, total: 45, start: 40, end: 45 }
 * ```
 */
export function listPage(total: number, asked: number | undefined, size: number): ListPage {
  const pages = Math.max(1, Math.ceil(total / size));
  const page = Math.min(Math.max(1, asked ?? 1), pages);
  const start = (page - 1) * size;
  return { page, pages, total, start, end: Math.min(total, start + size) };
}

const encoder = new TextEncoder();

/**
 * The bytes `value` takes in a record's JSON header.
 *
 * @example
 * ```ts
 * import { headerBytes } from "./list_page.ts";
 * headerBytes({ t: "who" }); // 11
 * ```
 */
export function headerBytes(value: unknown): number {
  return encoder.encode(JSON.stringify(value)).length;
}

/**
 * `info` as a `/files` entry within {@linkcode FILE_ENTRY_BYTES}: a name too long for it (only
 * a hub's own older records can hold one; uploads are checked) is cut and ends with `…`.
 *
 * @example
 * ```ts
 * import { fileEntry } from "./list_page.ts";
 * const info = { file: 1, from: "bob", name: "a.txt", size: 3, sha256: "0".repeat(64), time: "" };
 * console.log(fileEntry(info) === info); // true: it fits as it is
 * ```
 */
export function fileEntry(info: SharedFileInfo): SharedFileInfo {
  if (headerBytes(info) <= FILE_ENTRY_BYTES) return info;
  // A character's bytes in the header are the same alone as within the name.
  let room = FILE_ENTRY_BYTES - headerBytes({ ...info, name: "…" });
  let name = "";
  for (const char of info.name) {
    const bytes = headerBytes(char) - 2; // without its quotes
    if (bytes > room) break;
    room -= bytes;
    name += char;
  }
  return { ...info, name: `${name}…` };
}

/**
 * How many of `items`, from the first, fit in `budget` bytes of header and `max` items: the
 * rest of a presence batch is counted instead of named.
 *
 * @example
 * ```ts
 * import { fitting } from "./list_page.ts";
 * fitting([{ name: "a" }, { name: "b" }], 10, 20); // 1: `{"name":"a"}` is 12 bytes
 * ```
 */
export function fitting(items: readonly unknown[], max: number, budget: number): number {
  let used = 0;
  let count = 0;
  for (const item of items) {
    if (count >= max) break;
    used += headerBytes(item) + 1; // and a comma
    if (used > budget) break;
    count++;
  }
  return count;
}
