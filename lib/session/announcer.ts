/**
 * Announcing a chat on the LAN with DNS-SD over multicast DNS (RFC 6763, RFC 6762), so that
 * `p2pchat scan` and the ecosystem's own browsers (Avahi, Bonjour, python-zeroconf) see it.
 * A responder per address: it probes its names first (a clash renames the instance to
 * `label (2)` ...), announces twice, answers queries with the address of the interface they
 * came in on, re-announces a changed TXT record at most every {@linkcode UPDATE_GAP_MS}, and
 * says goodbye (TTL 0) when closed.
 *
 * Everything heard is hostile until checked: only queries from an address's own subnet are
 * answered, at most one multicast answer per second per address (a flood of queries cannot
 * make us flood the LAN), unicast answers to one-shot queries are rate-limited (no reflection
 * amplifier), and only the first questions and known answers of a packet are read.
 *
 * @example
 * ```ts ignore
 * import { Announcer } from "./announcer.ts";
 * const announcer = await Announcer.start({ bound: "0.0.0.0", announcement: { label: "alice",
 *   kind: "hub", port: 5050, version: 2, auth: "passkey", members: 0 } });
 * announcer.update({ members: 1 });
 * await announcer.close(); // goodbye
 * ```
 * @module
 */

// @ts-types="@types/dns-packet"
import type { Answer, DecodedPacket, Packet, RecordType } from "dns-packet";
import { type Announcement, announcementTxt, instanceLabel, SERVICE_TYPE } from "./announcement.ts";
import {
  type LinkAddress,
  linkAddresses,
  MDNS_PORT,
  MdnsLink,
  type PacketSource,
} from "./mdns_link.ts";

/** The name under which DNS-SD lists the service types on a network. */
export const SERVICES_NAME = "_services._dns-sd._udp.local";

/** TTL of the records naming a host (SRV, A), RFC 6762 section 10. */
const HOST_TTL = 120;
/** TTL of the other records (PTR, TXT). */
const OTHER_TTL = 4500;
/** A one-shot (legacy unicast) query's answer lives at most this long (RFC 6762 6.7). */
const LEGACY_TTL = 10;
const PROBES = 3;
const PROBE_GAP_MS = 250;
/** Renames tried before announcing anyway. */
const MAX_CLASHES = 15;
/** Least time between two multicast answers on one address (RFC 6762 section 6). */
const ANSWER_GAP_MS = 1000;
/** Least time between two answers to probes on one address. */
const PROBE_ANSWER_GAP_MS = 250;
/** Least time between two announcements of a changed TXT record (members, busy). */
export const UPDATE_GAP_MS = 5000;
/** Unicast answers per second per address, to one-shot queries. */
const UNICAST_PER_SECOND = 10;
/** Questions and known answers read of one packet. */
const QUESTIONS_READ = 16;
const KNOWN_ANSWERS_READ = 64;

type RecordName = "ptr" | "services" | "srv" | "txt" | "a";

/** The question type ANY (255): dns-packet encodes it, its typings leave it out. */
const ANY = "ANY" as unknown as RecordType;

/** How to start an {@linkcode Announcer}. */
export interface AnnouncerOptions {
  announcement: Announcement;
  /** The chat listener's address: `0.0.0.0` announces on every LAN address. */
  bound: string;
  /** The addresses to announce on, instead of the machine's (tests). */
  addresses?: LinkAddress[];
}

/** Per address: when it last multicast an answer, what it still has to send, its tokens. */
interface LinkState {
  link: MdnsLink;
  lastAnswer: number;
  pending: Set<RecordName>;
  timer: ReturnType<typeof setTimeout> | undefined;
  tokens: number;
  tokensAt: number;
}

function randomHex(bytes: number): string {
  return [...crypto.getRandomValues(new Uint8Array(bytes))]
    .map((b) => b.toString(16).padStart(2, "0")).join("");
}

const lower = (name: string) => name.toLowerCase();

/** A chat's DNS-SD responder on the LAN. */
export class Announcer {
  #announcement: Announcement;
  #links: LinkState[] = [];
  #clash = 1;
  /** Per process: never clashes with the system's own host name or another process's. */
  #hostName = `p2pchat-${randomHex(6)}.local`;
  #state: "probing" | "announced" | "closed" = "probing";
  #conflict = false;
  #lostTie = false;
  #timers = new Set<ReturnType<typeof setTimeout>>();
  #sleepers = new Set<() => void>();
  #lastUpdate = 0;
  #updateTimer: ReturnType<typeof setTimeout> | undefined;
  #sentTxt = "";
  #announced: PromiseWithResolvers<void> = Promise.withResolvers();
  #running: Promise<void> = Promise.resolve();

  private constructor(announcement: Announcement) {
    this.#announcement = { ...announcement };
  }

  /**
   * Opens a responder on each address and starts probing; rejects when there is no address
   * or none could open port 5353.
   */
  static async start(options: AnnouncerOptions): Promise<Announcer> {
    const addresses = options.addresses ?? linkAddresses(options.bound);
    if (addresses.length === 0) throw new Error(`no network address for ${options.bound}`);
    const announcer = new Announcer(options.announcement);
    const opened = await Promise.allSettled(addresses.map((address) =>
      MdnsLink.open(address, {
        onQuery: (packet, from) => announcer.#onQuery(address, packet, from),
        onResponse: (packet) => announcer.#onResponse(packet),
      })
    ));
    for (const result of opened) {
      if (result.status === "fulfilled") {
        announcer.#links.push({
          link: result.value,
          lastAnswer: 0,
          pending: new Set(),
          timer: undefined,
          tokens: UNICAST_PER_SECOND,
          tokensAt: Date.now(),
        });
      }
    }
    if (announcer.#links.length === 0) {
      const failure = opened.find((r) => r.status === "rejected") as PromiseRejectedResult;
      throw failure.reason;
    }
    announcer.#running = announcer.#probeAndAnnounce();
    return announcer;
  }

  /** The DNS-SD instance name, e.g. `alice._p2pchat._tcp.local` (`alice (2)` after a clash). */
  get instance(): string {
    return `${instanceLabel(this.#announcement.label, this.#clash)}.${SERVICE_TYPE}`;
  }

  /** The addresses announced on. */
  get addresses(): string[] {
    return this.#links.map((state) => state.link.address.address);
  }

  /** Resolves once the names are probed and the first announcement is out (or closed). */
  get announced(): Promise<void> {
    return this.#announced.promise;
  }

  /** Changes what is announced (a hub's members, a direct chat's busy); rate-limited. */
  update(changes: Pick<Partial<Announcement>, "busy" | "members">): void {
    Object.assign(this.#announcement, changes);
    if (this.#state !== "announced") return; // the announcement will carry it
    if (announcementTxt(this.#announcement).join("\n") === this.#sentTxt) return;
    if (this.#updateTimer !== undefined) return; // already due
    const wait = Math.max(0, this.#lastUpdate + UPDATE_GAP_MS - Date.now());
    this.#updateTimer = this.#later(wait, () => {
      this.#updateTimer = undefined;
      this.#lastUpdate = Date.now();
      this.#sendAll(() => ({ type: "response", answers: [this.#record("txt")] }));
    });
  }

  /** Says goodbye (TTL 0) where it announced, then closes every socket. */
  async close(): Promise<void> {
    if (this.#state === "closed") return await this.#running;
    const wasAnnounced = this.#state === "announced";
    this.#state = "closed";
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    for (const wake of this.#sleepers) wake();
    for (const state of this.#links) clearTimeout(state.timer);
    this.#announced.resolve();
    if (wasAnnounced) {
      await this.#sendAll((state) => ({
        type: "response",
        answers: (["ptr", "srv", "txt", "a"] as const).map((name) => ({
          ...this.#record(name, state.link.address),
          ttl: 0,
        })),
      }));
    }
    await Promise.all(this.#links.map((state) => state.link.close()));
    await this.#running;
  }

  // Probing (RFC 6762 section 8.1): ask three times whether anyone holds our names.
  async #probeAndAnnounce(): Promise<void> {
    await this.#sleep(Math.random() * PROBE_GAP_MS);
    while (this.#state === "probing") {
      this.#conflict = false;
      this.#lostTie = false;
      for (let i = 0; i < PROBES && !this.#conflict && !this.#lostTie; i++) {
        this.#sendAll((state) => ({
          type: "query",
          questions: [
            { name: this.instance, type: ANY },
            { name: this.#hostName, type: ANY },
          ],
          authorities: [
            this.#record("srv"),
            this.#record("txt"),
            this.#record("a", state.link.address),
          ],
        }));
        await this.#sleep(PROBE_GAP_MS);
        if (this.#state !== "probing") return;
      }
      if (this.#lostTie) {
        await this.#sleep(1000); // the winner announces; probing again then sees the clash
        continue;
      }
      if (!this.#conflict || this.#clash >= MAX_CLASHES) break;
      this.#clash++;
    }
    if (this.#state !== "probing") return;
    this.#state = "announced";
    this.#announce();
    this.#announced.resolve();
    this.#later(1000, () => this.#announce()); // twice, a second apart (section 8.3)
  }

  #announce(): void {
    this.#lastUpdate = Date.now();
    this.#sendAll((state) => ({
      type: "response",
      answers: (["ptr", "services", "srv", "txt", "a"] as const).map((name) =>
        this.#record(name, state.link.address)
      ),
    }));
  }

  #record(name: RecordName, address?: LinkAddress, legacy = false): Answer {
    // A one-shot query's answer goes to a plain DNS resolver: short TTL, no cache-flush bit.
    const ttl = (ttl: number) => legacy ? Math.min(ttl, LEGACY_TTL) : ttl;
    const flush = !legacy;
    switch (name) {
      case "ptr":
        return { name: SERVICE_TYPE, type: "PTR", ttl: ttl(OTHER_TTL), data: this.instance };
      case "services":
        return { name: SERVICES_NAME, type: "PTR", ttl: ttl(OTHER_TTL), data: SERVICE_TYPE };
      case "srv":
        return {
          name: this.instance,
          type: "SRV",
          ttl: ttl(HOST_TTL),
          flush,
          data: { port: this.#announcement.port, target: this.#hostName, priority: 0, weight: 0 },
        };
      case "txt": {
        const txt = announcementTxt(this.#announcement);
        this.#sentTxt = txt.join("\n");
        return { name: this.instance, type: "TXT", ttl: ttl(OTHER_TTL), flush, data: txt };
      }
      case "a":
        return {
          name: this.#hostName,
          type: "A",
          ttl: ttl(HOST_TTL),
          flush,
          data: (address ?? this.#links[0].link.address).address,
        };
    }
  }

  /** The records a question asks for. */
  #asked(name: string, type: string): RecordName[] {
    const any = type === "ANY";
    const asked: RecordName[] = [];
    if (name === SERVICE_TYPE && (any || type === "PTR")) asked.push("ptr");
    if (name === SERVICES_NAME && (any || type === "PTR")) asked.push("services");
    if (name === lower(this.instance)) {
      if (any || type === "SRV") asked.push("srv");
      if (any || type === "TXT") asked.push("txt");
    }
    if (name === this.#hostName && (any || type === "A")) asked.push("a");
    return asked;
  }

  #onQuery(address: LinkAddress, packet: DecodedPacket, from: PacketSource): void {
    const state = this.#links.find((s) => s.link.address === address);
    if (!state || this.#state === "closed") return;
    const questions = (packet.questions ?? []).slice(0, QUESTIONS_READ);
    if (this.#state === "probing") return this.#checkProbe(packet, questions);
    const asked = new Set<RecordName>();
    for (const q of questions) for (const r of this.#asked(lower(q.name), q.type)) asked.add(r);
    if (asked.size === 0) return;
    // Known-answer suppression (section 7.1): the querier already holds our PTR.
    for (const known of (packet.answers ?? []).slice(0, KNOWN_ANSWERS_READ)) {
      if (known.type !== "PTR" || (known.ttl ?? 0) < OTHER_TTL / 2) continue;
      if (lower(known.name) === SERVICE_TYPE && lower(known.data) === lower(this.instance)) {
        asked.delete("ptr");
      }
      if (lower(known.name) === SERVICES_NAME && lower(known.data) === SERVICE_TYPE) {
        asked.delete("services");
      }
    }
    if (asked.size === 0) return;
    if (from.port !== MDNS_PORT) return this.#answerOneShot(state, packet, asked, from);
    for (const name of asked) state.pending.add(name);
    const probe = (packet.authorities ?? []).length > 0;
    if (state.timer !== undefined && !probe) return; // an answer is already due
    clearTimeout(state.timer);
    const now = Date.now();
    const earliest = state.lastAnswer + (probe ? PROBE_ANSWER_GAP_MS : ANSWER_GAP_MS);
    // Shared answers wait 20-120 ms so that several responders do not answer at once.
    const delay = Math.max(probe ? 0 : 20 + Math.random() * 100, earliest - now);
    state.timer = setTimeout(() => {
      state.timer = undefined;
      if (this.#state !== "announced") return;
      state.lastAnswer = Date.now();
      const names = [...state.pending];
      state.pending.clear();
      state.link.send(this.#answer(names, state.link.address)).catch(() => {});
    }, delay);
  }

  /** A response with the records asked for, plus the ones a browser needs next. */
  #answer(asked: RecordName[], address: LinkAddress, legacy = false): Packet {
    const extra: RecordName[] = [];
    if (asked.includes("ptr")) extra.push("srv", "txt", "a");
    if (asked.includes("srv")) extra.push("a");
    return {
      type: "response",
      answers: asked.map((name) => this.#record(name, address, legacy)),
      additionals: [...new Set(extra)].filter((name) => !asked.includes(name))
        .map((name) => this.#record(name, address, legacy)),
    };
  }

  /** A query from another port than 5353 is a one-shot query: answer it, unicast. */
  #answerOneShot(
    state: LinkState,
    packet: DecodedPacket,
    asked: Set<RecordName>,
    from: PacketSource,
  ): void {
    const now = Date.now();
    state.tokens = Math.min(
      UNICAST_PER_SECOND,
      state.tokens + (now - state.tokensAt) * UNICAST_PER_SECOND / 1000,
    );
    state.tokensAt = now;
    if (state.tokens < 1) return;
    state.tokens--;
    const answer = this.#answer([...asked], state.link.address, true);
    answer.id = packet.id;
    answer.questions = (packet.questions ?? []).slice(0, QUESTIONS_READ);
    state.link.send(answer, from).catch(() => {});
  }

  /** While probing: another host probing for our instance name at the same time. */
  #checkProbe(packet: DecodedPacket, questions: { name: string }[]): void {
    const instance = lower(this.instance);
    if (!questions.some((q) => lower(q.name) === instance)) return;
    const theirs = (packet.authorities ?? [])
      .find((r) => r.type === "SRV" && lower(r.name) === instance);
    if (!theirs || theirs.type !== "SRV") return;
    const target = lower(theirs.data.target);
    if (target === this.#hostName) return; // our own probe, looped back
    // Simultaneous probes (section 8.2): the greater record wins; the other waits and re-probes.
    if (target > this.#hostName) this.#lostTie = true;
  }

  /** A response holding one of our names with other data is a clash (while probing). */
  #onResponse(packet: DecodedPacket): void {
    if (this.#state !== "probing") return;
    const instance = lower(this.instance);
    const records = [...packet.answers ?? [], ...packet.additionals ?? []];
    for (const record of records.slice(0, KNOWN_ANSWERS_READ)) {
      const name = lower(record.name);
      if (name === instance && record.type === "SRV") {
        if (lower(record.data.target) !== this.#hostName) this.#conflict = true;
      } else if (name === this.#hostName && record.type === "A") {
        if (!this.addresses.includes(record.data)) this.#conflict = true;
      }
    }
  }

  #sendAll(packet: (state: LinkState) => Packet): Promise<void> {
    return Promise.all(
      this.#links.map((state) => state.link.send(packet(state)).catch(() => {})),
    ).then(() => {});
  }

  #later(ms: number, run: () => void): ReturnType<typeof setTimeout> {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      if (this.#state !== "closed") run();
    }, ms);
    this.#timers.add(timer);
    return timer;
  }

  /** Waits `ms`, or until closed. */
  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.#timers.delete(timer);
        this.#sleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.#timers.add(timer);
      this.#sleepers.add(wake);
    });
  }
}
