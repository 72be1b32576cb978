/**
 * Finding chats on the LAN: asks for `_p2pchat._tcp` on every IPv4 address (multicast DNS,
 * RFC 6762), reads the answers as they arrive and yields what changes (`found`, `changed`,
 * `lost` after a goodbye) until the time is up or it is stopped. The terminal's `scan` and a
 * live list in the browser both read it.
 *
 * Every answer is hostile until checked: only answers from an address's own subnet count,
 * only the first records of a packet are read, an announcement is validated before it is
 * kept ({@linkcode parseAnnouncement}), the table of chats is bounded
 * ({@linkcode FoundChats}), and so are the half-heard instances and the events not yet
 * taken (one per chat, the latest): a flood costs a bounded amount of memory and the scan
 * still ends on time.
 *
 * @example
 * ```ts ignore
 * import { Scanner } from "./scanner.ts";
 * const scanner = await Scanner.start({ timeoutMs: 2000 });
 * for await (const event of scanner) console.log(event.type, event.chat.label);
 * console.log(scanner.found.list.length, "chats");
 * ```
 * @module
 */

// @ts-types="@types/dns-packet"
import type { DecodedPacket } from "dns-packet";
import { type FoundChat, parseAnnouncement, SERVICE_TYPE } from "./announcement.ts";
import { chatKey, FOUND_LIMIT, FoundChats } from "./found_chats.ts";
import { type LinkAddress, linkAddresses, MdnsLink, type PacketSource } from "./mdns_link.ts";

/** What changed in what a scan has found. */
export type ScanEvent =
  | { type: "found"; chat: FoundChat }
  | { type: "changed"; chat: FoundChat }
  | { type: "lost"; chat: FoundChat };

/** How to scan. */
export interface ScanOptions {
  /** Stop after this long; `Infinity` scans until {@linkcode Scanner.stop}. */
  timeoutMs: number;
  /** Chats kept at most (default {@linkcode FOUND_LIMIT}). */
  limit?: number;
  /** The addresses to ask on, instead of every IPv4 address of the machine (tests). */
  addresses?: LinkAddress[];
}

/** Records read of one packet; an honest answer has five. */
const RECORDS_READ = 64;
/** Instances heard only in part (a PTR without SRV or TXT yet) remembered at most. */
const PARTIALS_KEPT = 1024;
/** Instances asked about again at once, when their answer came without SRV or TXT. */
const FOLLOW_UPS = 8;
/** Instances asked about again in one scan at most. */
const FOLLOW_UPS_PER_SCAN = 256;
/** The query is repeated after 1 s, 2 s, 4 s ... (RFC 6762 5.2), at most this far apart. */
const MAX_QUERY_GAP_MS = 60_000;

interface Partial {
  instance: string;
  host: string;
  port?: number;
  txt?: ReadonlyArray<string | Uint8Array>;
}

const INSTANCE_SUFFIX = `.${SERVICE_TYPE}`;

/** A running scan. */
export class Scanner implements AsyncIterable<ScanEvent> {
  /** What has been found so far. */
  readonly found: FoundChats;
  #links: MdnsLink[] = [];
  #partials = new Map<string, Partial>();
  /** Per chat, the latest news the reader has not taken yet (`null`: it left). */
  #news = new Map<string, FoundChat | null>();
  /** What the reader was last told, per chat. */
  #told = new Map<string, FoundChat>();
  #followUps = new Set<string>();
  #followedUp = new Set<string>();
  #followUpTimer: ReturnType<typeof setTimeout> | undefined;
  #queryTimer: ReturnType<typeof setTimeout> | undefined;
  #endTimer: ReturnType<typeof setTimeout> | undefined;
  #queryGap = 1000;
  #stopped = false;
  #closing: Promise<void> | undefined;
  #wake: (() => void) | undefined;

  private constructor(limit: number) {
    this.found = new FoundChats(limit);
  }

  /** Opens a socket per address and sends the first query; rejects when none could open. */
  static async start(options: ScanOptions): Promise<Scanner> {
    const addresses = options.addresses ?? linkAddresses("scan");
    if (addresses.length === 0) throw new Error("no network address to scan on");
    const scanner = new Scanner(options.limit ?? FOUND_LIMIT);
    const opened = await Promise.allSettled(addresses.map((address) =>
      MdnsLink.open(address, {
        onResponse: (packet, from) => scanner.#onResponse(packet, from),
      })
    ));
    for (const result of opened) {
      if (result.status === "fulfilled") scanner.#links.push(result.value);
    }
    if (scanner.#links.length === 0) {
      throw (opened.find((r) => r.status === "rejected") as PromiseRejectedResult).reason;
    }
    if (Number.isFinite(options.timeoutMs)) {
      scanner.#endTimer = setTimeout(() => scanner.stop(), options.timeoutMs);
    }
    scanner.#query();
    return scanner;
  }

  /** The events, as they come, until the scan ends. */
  async *[Symbol.asyncIterator](): AsyncIterator<ScanEvent> {
    while (true) {
      const next = this.#news.entries().next();
      if (!next.done) {
        const [key, chat] = next.value;
        this.#news.delete(key);
        const told = this.#told.get(key);
        if (chat === null) {
          this.#told.delete(key);
          if (told) yield { type: "lost", chat: told };
        } else {
          this.#told.set(key, chat);
          yield { type: told ? "changed" : "found", chat };
        }
        continue;
      }
      if (this.#stopped) return;
      await new Promise<void>((resolve) => this.#wake = resolve);
    }
  }

  /** Ends the scan: closes the sockets; the events already heard are still given. */
  stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#endTimer);
    clearTimeout(this.#queryTimer);
    clearTimeout(this.#followUpTimer);
    this.#wake?.();
    this.#closing ??= Promise.all(this.#links.map((link) => link.close())).then(() => {});
    return this.#closing;
  }

  #query(): void {
    if (this.#stopped) return;
    for (const link of this.#links) {
      link.send({ type: "query", questions: [{ name: SERVICE_TYPE, type: "PTR" }] })
        .catch(() => {});
    }
    this.#queryTimer = setTimeout(() => this.#query(), this.#queryGap);
    this.#queryGap = Math.min(this.#queryGap * 2, MAX_QUERY_GAP_MS);
  }

  #onResponse(packet: DecodedPacket, from: PacketSource): void {
    if (this.#stopped) return;
    const records = [...packet.answers ?? [], ...packet.additionals ?? []].slice(0, RECORDS_READ);
    const touched = new Set<string>();
    for (const record of records) {
      const name = record.name.toLowerCase();
      let instance: string;
      if (record.type === "PTR" && name === SERVICE_TYPE) instance = record.data;
      else if ((record.type === "SRV" || record.type === "TXT") && name.endsWith(INSTANCE_SUFFIX)) {
        instance = record.name;
      } else continue;
      if (!instance.toLowerCase().endsWith(INSTANCE_SUFFIX)) continue;
      const key = chatKey({ instance, host: from.address });
      if (record.ttl === 0) {
        this.#lost(key);
        continue;
      }
      const partial = this.#partial(key, instance, from.address);
      if (record.type === "SRV") partial.port = record.data.port;
      if (record.type === "TXT") {
        partial.txt = Array.isArray(record.data) ? record.data : [record.data];
      }
      touched.add(key);
    }
    for (const key of touched) {
      const partial = this.#partials.get(key);
      if (!partial) continue;
      if (partial.port === undefined || partial.txt === undefined) {
        this.#followUp(partial.instance);
        continue;
      }
      const chat = parseAnnouncement({
        instance: partial.instance,
        host: partial.host,
        port: partial.port,
        txt: partial.txt,
      });
      if (!chat) continue;
      const change = this.found.add(chat);
      if (change === "found" || change === "changed") this.#tell(key, chat);
    }
  }

  #partial(key: string, instance: string, host: string): Partial {
    let partial = this.#partials.get(key);
    if (!partial) {
      if (this.#partials.size >= PARTIALS_KEPT) {
        this.#partials.delete(this.#partials.keys().next().value!);
      }
      partial = { instance, host };
      this.#partials.set(key, partial);
    }
    return partial;
  }

  #lost(key: string): void {
    const partial = this.#partials.get(key);
    this.#partials.delete(key);
    if (partial && this.found.remove(partial)) this.#tell(key, null);
  }

  #tell(key: string, chat: FoundChat | null): void {
    // Only the latest news per chat waits, so the queue is as bounded as the table.
    this.#news.delete(key);
    this.#news.set(key, chat);
    this.#wake?.();
    this.#wake = undefined;
  }

  /** An answer without SRV or TXT: ask for them (a few at a time, soon, once). */
  #followUp(instance: string): void {
    const key = instance.toLowerCase();
    if (this.#followUps.size >= FOLLOW_UPS || this.#followedUp.has(key)) return;
    if (this.#followedUp.size >= FOLLOW_UPS_PER_SCAN) return;
    this.#followedUp.add(key);
    this.#followUps.add(instance);
    this.#followUpTimer ??= setTimeout(() => {
      this.#followUpTimer = undefined;
      const questions = [...this.#followUps].flatMap((name) => [
        { name, type: "SRV" as const },
        { name, type: "TXT" as const },
      ]);
      this.#followUps.clear();
      if (this.#stopped) return;
      for (const link of this.#links) {
        link.send({ type: "query", questions }).catch(() => {});
      }
    }, 100);
  }
}
