/**
 * How much a hub keeps for its members (`serve --max-storage`): the files kept plus the
 * uploads in progress, each counted at its announced size from the moment it is accepted, so
 * many uploads at once cannot together overshoot the limit.
 *
 * @example
 * ```ts
 * import { StorageQuota } from "./storage_quota.ts";
 * const quota = new StorageQuota(1_000_000, 0);
 * const upload = quota.reserve("a.bin", 600_000);
 * upload.release(); // failed or cancelled: the space is free again
 * ```
 * @module
 */

import { formatBytes, sizeUnit } from "./byte_size.ts";
import { FileRefusedError } from "./file_store.ts";

/**
 * Default of `serve --max-storage`: 10 GB. A fixed size, not a share of the free disk, so the
 * limit is the same at every start and says what members may expect; the disk itself is
 * guarded apart from it (a file that would leave less than 16 MiB free is refused).
 *
 * @example
 * ```ts
 * import { DEFAULT_MAX_STORAGE_BYTES, StorageQuota } from "./storage_quota.ts";
 * const quota = new StorageQuota(DEFAULT_MAX_STORAGE_BYTES, 0);
 * console.log(quota.used); // 0
 * ```
 */
export const DEFAULT_MAX_STORAGE_BYTES: number = 10 * 1000 ** 3;

/**
 * Space taken for one upload; give it back with {@linkcode Reservation.release} unless the
 * file is kept.
 *
 * @example
 * ```ts
 * import { StorageQuota } from "./storage_quota.ts";
 * const reservation = new StorageQuota(100, 0).reserve("a.txt", 10);
 * reservation.release();
 * reservation.release(); // only the first call counts
 * ```
 */
export interface Reservation {
  /** Frees the space (the upload failed); later calls do nothing. */
  release(): void;
}

/**
 * The hub's storage: a limit, and what is used of it.
 *
 * @example
 * ```ts
 * import { StorageQuota } from "./storage_quota.ts";
 * const quota = new StorageQuota(10_000, 9_800);
 * try {
 *   quota.reserve("big.iso", 500);
 * } catch (error) {
 *   console.log((error as Error).message);
 *   // "refused 'big.iso' (500 B): the hub's storage is full: 9.8 of 10.0 kB used"
 * }
 * ```
 */
export class StorageQuota {
  #limit: number;
  #used: number;

  /**
   * @param limit Most bytes kept and in progress together; 0 keeps no files at all.
   * @param used Bytes of the files already kept.
   *
   * @example
   * ```ts
   * import { StorageQuota } from "./storage_quota.ts";
   * console.log(new StorageQuota(100, 40).used); // 40
   * ```
   */
  constructor(limit: number, used: number) {
    this.#limit = limit;
    this.#used = used;
  }

  /**
   * Bytes kept and reserved for uploads in progress.
   *
   * @example
   * ```ts
   * import { StorageQuota } from "./storage_quota.ts";
   * const quota = new StorageQuota(100, 0);
   * quota.reserve("a", 30);
   * console.log(quota.used); // 30
   * ```
   */
  get used(): number {
    return this.#used;
  }

  /**
   * Takes `size` bytes for an upload of `name`, or refuses it with a reason for the uploader.
   *
   * @throws {FileRefusedError} When the file does not fit.
   *
   * @example
   * ```ts
   * import { StorageQuota } from "./storage_quota.ts";
   * const quota = new StorageQuota(100, 0);
   * const reservation = quota.reserve("a.txt", 60);
   * reservation.release();
   * ```
   */
  reserve(name: string, size: number): Reservation {
    if (this.#limit === 0) {
      throw new FileRefusedError(`refused '${name}': this hub does not keep files`);
    }
    if (this.#used + size > this.#limit) {
      throw new FileRefusedError(
        `refused '${name}' (${formatBytes(size)}): the hub's storage is full: ` +
          `${usedText(this.#used, this.#limit)} used`,
      );
    }
    this.#used += size;
    let held = true;
    return {
      release: () => {
        if (!held) return;
        held = false;
        this.#used -= size;
      },
    };
  }

  /**
   * Gives back the `size` bytes of a kept file that was removed.
   *
   * @example
   * ```ts
   * import { StorageQuota } from "./storage_quota.ts";
   * const quota = new StorageQuota(100, 40);
   * quota.free(40);
   * console.log(quota.used); // 0
   * ```
   */
  free(size: number): void {
    this.#used = Math.max(0, this.#used - size);
  }
}

/** `9.8 of 10.0 GB`: the used part in the limit's unit, so the two read together. */
function usedText(used: number, limit: number): string {
  const { unit, bytes } = sizeUnit(limit);
  if (bytes === 1) return `${used} of ${limit} B`;
  return `${(used / bytes).toFixed(1)} of ${(limit / bytes).toFixed(1)} ${unit}`;
}
