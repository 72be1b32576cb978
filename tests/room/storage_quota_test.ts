import assert from "node:assert/strict";
import { FileRefusedError } from "../../lib/room/file_store.ts";
import { DEFAULT_MAX_STORAGE_BYTES, StorageQuota } from "../../lib/room/storage_quota.ts";

function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof FileRefusedError, String(error));
    return error.message;
  }
  assert.fail("was not refused");
}

Deno.test("StorageQuota: the default is 10 GB", () => {
  assert.equal(DEFAULT_MAX_STORAGE_BYTES, 10_000_000_000);
});

Deno.test("StorageQuota: a file that does not fit is refused with what is used, in the limit's unit", () => {
  const quota = new StorageQuota(DEFAULT_MAX_STORAGE_BYTES, 9_800_000_000);
  assert.equal(
    refusal(() => quota.reserve("big.iso", 500_000_000)),
    "refused 'big.iso' (500.0 MB): the hub's storage is full: 9.8 of 10.0 GB used",
  );
  assert.equal(
    refusal(() => new StorageQuota(900, 800).reserve("a", 101)),
    "refused 'a' (101 B): the hub's storage is full: 800 of 900 B used",
  );
  // Up to the limit exactly is fine.
  quota.reserve("fits.iso", 200_000_000);
  assert.equal(quota.used, DEFAULT_MAX_STORAGE_BYTES);
});

Deno.test("StorageQuota: reservations count until released, and a release counts once", () => {
  const quota = new StorageQuota(1_000, 0);
  const first = quota.reserve("a", 600);
  assert.match(refusal(() => quota.reserve("b", 600)), /600 B\): the hub's storage is full/);
  first.release();
  first.release();
  assert.equal(quota.used, 0);
  quota.reserve("b", 600);
  assert.equal(quota.used, 600);
});

Deno.test("StorageQuota: a limit of 0 keeps no files, not even empty ones", () => {
  assert.equal(
    refusal(() => new StorageQuota(0, 0).reserve("empty.txt", 0)),
    "refused 'empty.txt': this hub does not keep files",
  );
});
