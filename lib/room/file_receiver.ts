/**
 * The one receiver of files from one peer: a person's client and a hub's storage alike. It
 * answers the peer's `offer`, `chunk`, `end` and `cancel` messages for every file that peer
 * sends, writes them into a {@linkcode FileStore} (temporary file, hash, rename), and tells
 * the peer the verdict with `received`. What differs between a client and a hub (what a file
 * may take, what happens once it is saved, who hears of a failure) comes in as hooks.
 *
 * @example
 * ```ts ignore
 * import { FileReceiver } from "./file_receiver.ts";
 * import { FileStore } from "./file_store.ts";
 * const receiver = new FileReceiver(new FileStore("received_files"), {
 *   reply: (message) => session.post(message),
 *   saved: (file) => console.log(`saved ${file.saved.path}`),
 *   failed: (name, reason) => console.log(`${name}: ${reason}`),
 * });
 * await receiver.offer(offer, "bob");
 * ```
 * @module
 */

import type { Message } from "../session/message.ts";
import { sha256File } from "./file_hash.ts";
import {
  DEFAULT_MAX_FILE_BYTES,
  type FileStore,
  type IncomingFile,
  type SavedFile,
} from "./file_store.ts";
import { IncomingFolder } from "./incoming_folder.ts";
import { refusalReason } from "./refusal.ts";
import { TRANSFERS_AT_ONCE } from "./transfer_limits.ts";

type Offer = Extract<Message, { t: "offer" }>;

/** What a file may take, given by {@linkcode ReceiverHooks.admit} before anything is opened. */
export interface Admission {
  /** Largest size accepted for this file (the store's default when absent). */
  maxBytes?: number;
  /** Gives back what was taken for the file once it ends: `kept` when it was saved. */
  release?: (kept: boolean) => void;
  /** A folder is kept whole: its stream saved as one file, not unpacked (a hub). */
  whole?: boolean;
}

/** A file received, verified and saved. */
export interface ReceivedFile {
  /** The peer's file id. */
  fid: number;
  /** Who it is from (the offer's `from`, else the peer's name). */
  from: string;
  /** The offered name. */
  offered: string;
  /** Where it was saved (or was already, when `skipped`). */
  saved: SavedFile;
  /** Bytes held from an interrupted transfer, not sent again (0 when none). */
  resumedFrom: number;
  /** Nothing was sent: the same file was in the folder already. */
  skipped: boolean;
  /** Set for a folder unpacked: how many files it holds (`saved.bytes` is theirs together). */
  files?: number;
  /** Set for a folder kept whole (`saved` is its stream): the offer's counts. */
  folder?: { files: number; bytes: number };
}

/** What a client and a hub do differently with what they receive. */
export interface ReceiverHooks {
  /** Posts a message to the sending peer. */
  reply: (message: Message) => void;
  /**
   * Checks an offer before anything is opened: returns what the file may take, or throws
   * (a {@linkcode FileRefusedError} or a reason) to refuse it.
   */
  admit?: (offer: Offer) => Admission;
  /** A file is coming (after the offer was admitted, before it is opened). */
  incoming?: (offer: Offer, from: string) => void;
  /** Bytes of file `fid` received so far: at most ten calls a second, and at the end. */
  progress?: (
    fid: number,
    name: string,
    done: number,
    total: number,
    /** A folder: its files written so far, and how many it holds. */
    files?: { done: number; total: number },
  ) => void;
  /**
   * The file is saved. Throwing refuses it after all (e.g. a hub that cannot index it; the
   * hook removes what it must): the peer hears the reason. It may return what to do once the
   * peer was told it arrived.
   */
  saved: (file: ReceivedFile) => Promise<(() => void) | void> | (() => void) | void;
  /**
   * A file failed or was refused, with the reason the peer was told (or was given by the
   * peer's `cancel`). `offered` is true when it was refused at its offer, before anything was
   * opened: a flood of such offers should not flood a log. `kept`: what arrived is kept for a
   * resume (the transfer was cut off, not refused); `held`: and some did (a file, not a
   * folder), so sending it again continues.
   */
  failed: (
    name: string,
    reason: string,
    offered: boolean,
    fid: number,
    kept: boolean,
    held?: boolean,
  ) => void;
}

/** Options of {@linkcode FileReceiver}. */
export interface FileReceiverOptions {
  /** Files received from this peer at once; {@linkcode TRANSFERS_AT_ONCE} by default. */
  atOnce?: number;
  /** The refusal when that many come already. */
  busy?: (offer: Offer, atOnce: number) => string;
  /**
   * Keeps what an interrupted transfer received, to resume it (offers with a `key`), and
   * skips a file the folder has already. Off: such offers are answered to start at 0.
   */
  resume?: boolean;
}

/** A file on its way in, as far as it has got. */
export interface FileComing {
  /** The peer's file id. */
  fid: number;
  /** The offered name. */
  name: string;
  /** Bytes received (held from an interrupted transfer included). */
  done: number;
  /** The offered size. */
  total: number;
}

/** One file on its way in. */
interface Receiving {
  file: IncomingFile | IncomingFolder;
  from: string;
  offer: Offer;
  admission: Admission;
  /** When progress was last reported (ms). */
  reported: number;
  /** A file of the offered name and size in the folder, until the sender's `check` settles it. */
  same?: string;
}

/** Receives every file one peer sends. */
export class FileReceiver {
  #store: FileStore;
  #hooks: ReceiverHooks;
  #atOnce: number;
  #busy: (offer: Offer, atOnce: number) => string;
  #resume: boolean;
  #receiving: Map<number, Receiving> = new Map();
  /** Offers admitted and being opened: they count against the limit already. */
  #opening: Map<number, Offer> = new Map();
  /** What ends a file that was being opened when it was cancelled, once it is open. */
  #cancelled: Map<number, () => Promise<void>> = new Map();

  /**
   * @param store The folder the files go to.
   * @param hooks What to do with an offer, a saved file and a failure.
   * @param options How many files at once, and the refusal past that.
   *
   * @example
   * ```ts ignore
   * const receiver = new FileReceiver(store, { reply, saved, failed });
   * ```
   */
  constructor(store: FileStore, hooks: ReceiverHooks, options: FileReceiverOptions = {}) {
    this.#store = store;
    this.#hooks = hooks;
    this.#atOnce = options.atOnce ?? TRANSFERS_AT_ONCE;
    this.#resume = options.resume ?? false;
    this.#busy = options.busy ??
      ((offer, atOnce) =>
        `refused '${offer.name}': ${atOnce} files are already coming; send it when one has arrived`);
  }

  /** Files being received now. */
  get size(): number {
    return this.#receiving.size + this.#opening.size;
  }

  /**
   * The files being received now, with how far each has got (one still being opened at 0).
   *
   * @example
   * ```ts ignore
   * for (const file of receiver.files) console.log(`${file.name}: ${file.done}/${file.total}`);
   * ```
   */
  get files(): FileComing[] {
    return [
      ...[...this.#opening.values()].map((offer) => ({
        fid: offer.fid,
        name: offer.name,
        done: 0,
        total: offer.size,
      })),
      ...[...this.#receiving].map(([fid, receiving]) => ({
        fid,
        name: receiving.offer.name,
        done: receiving.file.received,
        total: receiving.offer.size,
      })),
    ];
  }

  /**
   * Whether part of this offer's file is held from an interrupted transfer of the same sender
   * (it was accepted then: it continues without asking again).
   *
   * @example
   * ```ts ignore
   * if (await receiver.holdsPart(offer, "bob")) console.log("continues unasked");
   * ```
   */
  async holdsPart(offer: Offer, from: string): Promise<boolean> {
    if (!this.#resume || offer.key === undefined || offer.folder) return false;
    return await this.#store.holdsPart(offer.name, offer.size, {
      owner: offer.from ?? from,
      key: offer.key,
    });
  }

  /**
   * Takes an offer from `from` (the offer's own `from` wins: a hub passes on others' files):
   * refused at once when its file id is in use or too many files come already, else admitted
   * and opened in the store.
   *
   * @example
   * ```ts ignore
   * await receiver.offer({ t: "offer", fid: 1, name: "a.txt", size: 3 }, "bob");
   * ```
   */
  async offer(offer: Offer, from: string): Promise<void> {
    const { fid } = offer;
    // Refused before anything is opened. A file id in use keeps its file: replacing it
    // would leave that file's temporary copy behind, with the peer's content in it.
    if (this.#receiving.has(fid) || this.#opening.has(fid)) {
      return this.#refuse(
        fid,
        offer.name,
        `refused '${offer.name}': file id ${fid} is already in use`,
        true,
      );
    }
    if (this.size >= this.#atOnce) {
      return this.#refuse(fid, offer.name, this.#busy(offer, this.#atOnce), true);
    }
    let admission: Admission;
    try {
      admission = this.#hooks.admit?.(offer) ?? {};
    } catch (error) {
      return this.#refuse(fid, offer.name, error, true);
    }
    const sender = offer.from ?? from;
    this.#hooks.incoming?.(offer, sender);
    this.#opening.set(fid, offer);
    const resume = this.#resume && offer.key !== undefined
      ? { owner: sender, key: offer.key }
      : undefined;
    let file: IncomingFile | IncomingFolder;
    let same: string | undefined;
    try {
      if (offer.folder && !admission.whole) {
        // Unpacked as it comes, whole or not at all: no resume, no "already there". What a
        // receiver killed while unpacking left goes first (a file's offer sweeps as well).
        await this.#store.sweep();
        file = await IncomingFolder.begin(
          this.#store.dir,
          offer.name,
          offer.size,
          offer.folder,
          admission.maxBytes ?? DEFAULT_MAX_FILE_BYTES,
        );
      } else {
        file = await this.#store.begin(offer.name, offer.size, {
          maxBytes: admission.maxBytes,
          ...(resume ? { resume } : {}),
        });
        if (resume) same = await this.#store.existing(offer.name, offer.size);
      }
    } catch (error) {
      admission.release?.(false);
      return this.#refuse(fid, offer.name, error, true);
    } finally {
      this.#opening.delete(fid);
    }
    this.#receiving.set(fid, { file, from: sender, offer, admission, reported: 0, same });
    const early = this.#cancelled.get(fid);
    this.#cancelled.delete(fid);
    if (early) return await early();
    // A sender that gave a key waits for this before it sends anything.
    if (offer.key !== undefined) this.#ready(fid, file, same !== undefined);
  }

  /** Tells the sender what is held of file `fid` (and whether the folder has it already). */
  #ready(fid: number, file: IncomingFile | IncomingFolder, same: boolean): void {
    const held = file.resume?.held ?? 0;
    this.#hooks.reply({
      t: "ready",
      fid,
      offset: held,
      ...(held > 0 ? { nonce: file.resume!.nonce, proof: file.resume!.proof } : {}),
      ...(same ? { same: true } : {}),
    });
  }

  /**
   * The sender's hash of the whole file, for a file the folder may have already: the same
   * hash ends the transfer with nothing sent, another asks for the file.
   *
   * @example
   * ```ts ignore
   * await receiver.check(1, sha256);
   * ```
   */
  async check(fid: number, sha256: string): Promise<void> {
    const receiving = this.#receiving.get(fid);
    if (!receiving?.same) return;
    const path = receiving.same;
    receiving.same = undefined;
    let ours: string | undefined;
    try {
      ours = await sha256File(path);
    } catch {
      ours = undefined; // gone or unreadable: it is sent
    }
    if (ours !== sha256) return this.#ready(fid, receiving.file, false);
    await this.#drop(fid, receiving);
    const saved = { name: receiving.offer.name, path, bytes: receiving.offer.size, sha256 };
    await this.#done(fid, receiving, saved, 0, true);
  }

  /**
   * Where the sender of file `fid` starts: at what is held, or at 0.
   *
   * @example
   * ```ts ignore
   * await receiver.start(1, 0);
   * ```
   */
  async start(fid: number, offset: number): Promise<void> {
    const receiving = this.#receiving.get(fid);
    if (!receiving) return;
    receiving.same = undefined;
    try {
      await receiving.file.startAt(offset);
    } catch (error) {
      await this.#drop(fid, receiving);
      return this.#refuse(fid, receiving.offer.name, error, false);
    }
  }

  /**
   * Writes a chunk of file `fid`; a chunk of a file not (or no longer) being received is
   * dropped.
   *
   * @example
   * ```ts ignore
   * await receiver.chunk(1, body);
   * ```
   */
  async chunk(fid: number, body: Uint8Array): Promise<void> {
    const receiving = this.#receiving.get(fid);
    if (!receiving) return; // refused or ended: the rest of it is dropped
    try {
      await receiving.file.write(body);
    } catch (error) {
      await this.#drop(fid, receiving);
      return this.#refuse(fid, receiving.offer.name, error, false);
    }
    const done = receiving.file.received;
    // At most ten progress events a second: drawing them costs more than the data.
    const now = Date.now();
    if (done < receiving.offer.size && now - receiving.reported < 100) return;
    receiving.reported = now;
    const file = receiving.file;
    const files = file instanceof IncomingFolder
      ? { done: file.filesDone, total: file.files }
      : undefined;
    this.#hooks.progress?.(fid, receiving.offer.name, done, receiving.offer.size, files);
  }

  /**
   * Checks file `fid` against the sender's hash and saves it; the peer hears the verdict.
   *
   * @example
   * ```ts ignore
   * await receiver.end(1, sha256);
   * ```
   */
  async end(fid: number, sha256: string): Promise<void> {
    const receiving = this.#receiving.get(fid);
    if (!receiving) return;
    this.#receiving.delete(fid);
    let saved: SavedFile;
    try {
      saved = await receiving.file.commit(sha256);
    } catch (error) {
      receiving.admission.release?.(false);
      return this.#refuse(fid, receiving.offer.name, error, false);
    }
    await this.#done(fid, receiving, saved, receiving.file.resumedFrom, false);
  }

  /** File `fid` is saved (or was there already): the hooks hear it, then the sender. */
  async #done(
    fid: number,
    receiving: Receiving,
    saved: SavedFile,
    resumedFrom: number,
    skipped: boolean,
  ): Promise<void> {
    const { from, offer, admission } = receiving;
    let then: (() => void) | void;
    try {
      then = await this.#hooks.saved({
        fid,
        from,
        offered: offer.name,
        saved,
        resumedFrom,
        skipped,
        ...(receiving.file instanceof IncomingFolder ? { files: receiving.file.files } : {}),
        ...(offer.folder && admission.whole ? { folder: offer.folder } : {}),
      });
    } catch (error) {
      if (!skipped) admission.release?.(false); // a skipped file's was given back when dropped
      return this.#refuse(fid, offer.name, error, false);
    }
    if (!skipped) admission.release?.(true);
    this.#hooks.reply({
      t: "received",
      fid,
      ok: true,
      sha256: saved.sha256,
      ...(resumedFrom > 0 ? { resumedFrom } : {}),
      ...(skipped ? { skipped } : {}),
    });
    then?.();
  }

  /**
   * The sender gave file `fid` up: what came of it is removed, unless `keep` (the sender was
   * lost, not stopping): a resumable file's part is then kept for a resume.
   *
   * @example
   * ```ts ignore
   * await receiver.cancel(1, "the file changed while it was sent");
   * ```
   */
  async cancel(fid: number, reason: string, keep = false): Promise<void> {
    const receiving = this.#receiving.get(fid);
    // Still being opened (its held part hashed): cancelled once it is open.
    if (!receiving && this.#opening.has(fid)) {
      this.#cancelled.set(fid, () => this.cancel(fid, reason, keep));
    }
    if (!receiving) return;
    const held = keep && holds(receiving);
    await this.#drop(fid, receiving, keep ? "suspend" : "abort");
    this.#hooks.failed(receiving.offer.name, reason, false, fid, keep, held);
  }

  /**
   * Ends every file still coming (the connection ended, the member left), each reported as
   * failed with `reason`; what a resumable file received is kept for a resume.
   *
   * @example
   * ```ts ignore
   * await receiver.endAll("the connection ended before the file was complete");
   * ```
   */
  async endAll(reason: string): Promise<void> {
    // Those still being opened end as soon as they are open.
    for (const fid of this.#opening.keys()) {
      this.#cancelled.set(fid, () => this.cancel(fid, reason, true));
    }
    for (const [fid, receiving] of [...this.#receiving]) {
      const held = holds(receiving);
      await this.#drop(fid, receiving, "suspend");
      this.#hooks.failed(receiving.offer.name, reason, false, fid, true, held);
    }
  }

  /**
   * Refuses every file still coming (we are leaving without waiting for them): the sender
   * hears `reason`, the hooks `own` (how this side words it); what came of each is removed.
   *
   * @example
   * ```ts ignore
   * await receiver.refuseAll("cancelled by bob (quit)", "cancelled (you quit)");
   * ```
   */
  async refuseAll(reason: string, own = reason): Promise<void> {
    const refuse = async (fid: number, receiving: Receiving) => {
      await this.#drop(fid, receiving);
      this.#hooks.reply({ t: "received", fid, ok: false, reason });
      this.#hooks.failed(receiving.offer.name, own, false, fid, false);
    };
    // Those still being opened are refused as soon as they are open.
    for (const fid of this.#opening.keys()) {
      this.#cancelled.set(fid, async () => {
        const receiving = this.#receiving.get(fid);
        if (receiving) await refuse(fid, receiving);
      });
    }
    for (const [fid, receiving] of [...this.#receiving]) await refuse(fid, receiving);
  }

  async #drop(fid: number, receiving: Receiving, how: "abort" | "suspend" = "abort") {
    this.#receiving.delete(fid);
    await (how === "suspend" ? receiving.file.suspend() : receiving.file.abort());
    receiving.admission.release?.(false);
  }

  /** Tells the peer and the hooks that file `fid` (`name`) was refused or failed. */
  #refuse(fid: number, name: string, error: unknown, offered: boolean): void {
    const reason = refusalReason(error);
    this.#hooks.reply({ t: "received", fid, ok: false, reason });
    this.#hooks.failed(name, reason, offered, fid, false);
  }
}

/** Whether a suspended transfer leaves a part to continue from (a resumable file, begun). */
function holds(receiving: Receiving): boolean {
  const { file } = receiving;
  return !(file instanceof IncomingFolder) && file.resume !== undefined && file.received > 0;
}
