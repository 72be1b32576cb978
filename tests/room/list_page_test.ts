import assert from "node:assert/strict";
import {
  FILE_ENTRY_BYTES,
  fileEntry,
  FILES_PAGE_ENTRIES,
  fitting,
  headerBytes,
  listPage,
  WHO_PAGE_NAMES,
} from "../../lib/room/list_page.ts";
import { MAX_FILE_NAME_BYTES, safeFileName } from "../../lib/room/file_name.ts";
import { MAX_NAME_LENGTH } from "../../lib/room/member_name.ts";
import { type Message, parseMessage, type SharedFileInfo } from "../../lib/session/message.ts";
import { decodeRecord, encodeRecord } from "../../lib/wire/codec.ts";
import { MAX_HEADER_BYTES } from "../../lib/wire/limits.ts";

/** The header `message` takes on the wire, after checking that a receiver accepts it. */
function wireHeaderBytes(message: Message): number {
  const record = encodeRecord(message);
  parseMessage(decodeRecord(record).header); // throws as a receiver would refuse it
  return new DataView(record.buffer).getUint32(0);
}

Deno.test("listPage(): pages of a list, the last one for a page past the end", () => {
  assert.deepEqual(listPage(0, undefined, 100), { page: 1, pages: 1, total: 0, start: 0, end: 0 });
  assert.deepEqual(listPage(250, undefined, 100), {
    page: 1,
    pages: 3,
    total: 250,
    start: 0,
    end: 100,
  });
  assert.deepEqual(listPage(250, 3, 100), { page: 3, pages: 3, total: 250, start: 200, end: 250 });
  assert.deepEqual(listPage(250, 99, 100), { page: 3, pages: 3, total: 250, start: 200, end: 250 });
  assert.deepEqual(listPage(250, 0, 100), { page: 1, pages: 3, total: 250, start: 0, end: 100 });
});

Deno.test("a full page of /who at its worst fits the header limit", () => {
  const longest = "W".repeat(MAX_NAME_LENGTH);
  const bytes = wireHeaderBytes({
    t: "members",
    names: Array(WHO_PAGE_NAMES).fill(longest),
    page: Number.MAX_SAFE_INTEGER,
    pages: Number.MAX_SAFE_INTEGER,
    total: Number.MAX_SAFE_INTEGER,
  });
  assert.ok(bytes <= MAX_HEADER_BYTES, `${bytes} bytes`);
});

Deno.test("a full page of /files at its worst fits the header limit", () => {
  // The longest name an upload may have, in the characters that take the most room.
  const names = [
    "x".repeat(MAX_FILE_NAME_BYTES),
    "日".repeat(MAX_FILE_NAME_BYTES / 3),
    "😀".repeat(Math.floor(MAX_FILE_NAME_BYTES / 4)),
    "'&%=+".repeat(51),
  ];
  for (const name of names) {
    safeFileName(name); // an upload could have it
    const entry: SharedFileInfo = {
      file: Number.MAX_SAFE_INTEGER,
      from: "W".repeat(MAX_NAME_LENGTH),
      name,
      size: Number.MAX_SAFE_INTEGER,
      sha256: "f".repeat(64),
      time: new Date(8.64e15).toISOString(),
    };
    assert.equal(fileEntry(entry), entry, "such an entry is shown whole");
    const bytes = wireHeaderBytes({
      t: "file-list",
      files: Array(FILES_PAGE_ENTRIES).fill(entry),
      page: Number.MAX_SAFE_INTEGER,
      pages: Number.MAX_SAFE_INTEGER,
      total: Number.MAX_SAFE_INTEGER,
    });
    assert.ok(bytes <= MAX_HEADER_BYTES, `${bytes} bytes`);
  }
});

Deno.test("fileEntry(): a name no upload could have is cut to fit, and says so", () => {
  const base = {
    file: 7,
    from: "bob",
    size: 1,
    sha256: "0".repeat(64),
    time: new Date(0).toISOString(),
  };
  for (const name of ['"\\'.repeat(1000), "\x1b".repeat(1024), "😀".repeat(500)]) {
    const entry = fileEntry({ ...base, name });
    assert.ok(headerBytes(entry) <= FILE_ENTRY_BYTES, `${headerBytes(entry)} bytes`);
    assert.ok(entry.name.endsWith("…"));
    assert.ok(name.startsWith(entry.name.slice(0, -1)), "the start of the name is kept");
    assert.ok(entry.name.length > 50, "as much as fits");
    const page = Array(FILES_PAGE_ENTRIES).fill(entry);
    assert.ok(
      wireHeaderBytes({ t: "file-list", files: page, page: 1, pages: 1, total: 20 }) <=
        MAX_HEADER_BYTES,
    );
  }
});

Deno.test("fitting(): how many items fit a budget and a count", () => {
  const items = Array.from({ length: 30 }, (_, i) => ({ name: `n${i}` }));
  assert.equal(fitting(items, 20, 100_000), 20);
  assert.equal(fitting(items, 100, 100_000), 30);
  assert.equal(fitting(items, 20, 30), 2); // {"name":"n0"} is 13 bytes, and a comma
  assert.equal(fitting([], 20, 100), 0);
});
