// The announcer and the scanner over the loopback interface of this machine: multicast sent
// out of 127.0.0.1 never leaves it. Each test uses labels of its own, since other processes
// on this machine may announce on loopback too.
import assert from "node:assert/strict";
import dgram from "node:dgram";
// @ts-types="@types/dns-packet"
import * as dnsPacket from "dns-packet";
import type { Announcement, FoundChat } from "../../lib/session/announcement.ts";
import { Announcer } from "../../lib/session/announcer.ts";
import type { LinkAddress } from "../../lib/session/mdns_link.ts";
import { type ScanEvent, Scanner } from "../../lib/session/scanner.ts";

const LOOPBACK: LinkAddress[] = [{ name: "lo", address: "127.0.0.1", netmask: "255.0.0.0" }];

function unique(prefix: string): string {
  return `${prefix}-${crypto.randomUUID().slice(0, 8)}`;
}

function hub(label: string, more: Partial<Announcement> = {}): Announcement {
  return { label, kind: "hub", port: 5050, version: 2, auth: "passkey", members: 0, ...more };
}

/** Collects a live scan's events about chats whose label starts with `prefix`. */
class LiveScan {
  events: ScanEvent[] = [];
  #scanner: Scanner;
  #reading: Promise<void>;
  #wake = () => {};

  private constructor(scanner: Scanner, prefix: string) {
    this.#scanner = scanner;
    this.#reading = (async () => {
      for await (const event of scanner) {
        if (!event.chat.label.startsWith(prefix)) continue;
        this.events.push(event);
        this.#wake();
      }
    })();
  }

  static async start(prefix: string, timeoutMs = Infinity): Promise<LiveScan> {
    return new LiveScan(await Scanner.start({ timeoutMs, addresses: LOOPBACK }), prefix);
  }

  get scanner(): Scanner {
    return this.#scanner;
  }

  async waitFor(test: (event: ScanEvent) => boolean, timeoutMs = 8000): Promise<ScanEvent> {
    const deadline = Date.now() + timeoutMs;
    while (true) {
      const found = this.events.find(test);
      if (found) return found;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`not seen; events: ${JSON.stringify(this.events)}`);
      let timer: ReturnType<typeof setTimeout> | undefined;
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
        timer = setTimeout(resolve, left);
      });
      clearTimeout(timer);
    }
  }

  async stop(): Promise<void> {
    await this.#scanner.stop();
    await this.#reading;
  }
}

Deno.test("a scan finds an announced hub on loopback, sees its members change, then its goodbye", async () => {
  const label = unique("hub");
  const live = await LiveScan.start(label);
  const announcer = await Announcer.start({
    bound: "127.0.0.1",
    addresses: LOOPBACK,
    announcement: hub(label, { port: 6123, members: 2 }),
  });
  try {
    const found = await live.waitFor((e) => e.type === "found");
    assert.deepEqual(
      { ...found.chat, instance: undefined },
      {
        instance: undefined,
        host: "127.0.0.1",
        port: 6123,
        label,
        kind: "hub",
        auth: "passkey",
        version: 2,
        members: 2,
      } satisfies Partial<Record<keyof FoundChat, unknown>>,
    );
    assert.equal(found.chat.instance, `${label}._p2pchat._tcp.local`);
    announcer.update({ members: 3 });
    const changed = await live.waitFor((e) => e.type === "changed");
    assert.equal(changed.chat.members, 3);
    await announcer.close();
    const lost = await live.waitFor((e) => e.type === "lost");
    assert.equal(lost.chat.label, label);
  } finally {
    await announcer.close();
    await live.stop();
  }
});

Deno.test("two hosts with one label: the second is renamed by probing, and a scan shows both", async () => {
  const label = unique("twin");
  const first = await Announcer.start({
    bound: "127.0.0.1",
    addresses: LOOPBACK,
    announcement: hub(label, { port: 6001 }),
  });
  let second: Announcer | undefined;
  try {
    await first.announced;
    second = await Announcer.start({
      bound: "127.0.0.1",
      addresses: LOOPBACK,
      announcement: { label, kind: "direct", port: 6002, version: 2, auth: "open", busy: false },
    });
    await second.announced;
    assert.equal(first.instance, `${label}._p2pchat._tcp.local`);
    assert.equal(second.instance, `${label} (2)._p2pchat._tcp.local`);
    const scanner = await Scanner.start({ timeoutMs: 1500, addresses: LOOPBACK });
    for await (const _ of scanner) { /* until the time is up */ }
    const mine = scanner.found.list.filter((chat) => chat.label === label);
    assert.deepEqual(mine.map((chat) => [chat.kind, chat.port]).sort(), [
      ["direct", 6002],
      ["hub", 6001],
    ]);
  } finally {
    await second?.close();
    await first.close();
  }
});

/** A raw UDP socket on loopback, for packets a test crafts itself. */
async function rawSocket(port: number): Promise<dgram.Socket> {
  const socket = dgram.createSocket({ type: "udp4", reuseAddr: true });
  await new Promise<void>((resolve) => socket.bind(port, "0.0.0.0", resolve));
  if (port === 5353) {
    socket.addMembership("224.0.0.251", "127.0.0.1");
    socket.setMulticastInterface("127.0.0.1");
  }
  return socket;
}

function send(socket: dgram.Socket, packet: dnsPacket.Packet, to = "224.0.0.251", port = 5353) {
  return new Promise<void>((resolve) =>
    socket.send(dnsPacket.encode(packet), port, to, () => resolve())
  );
}

Deno.test("a flood of queries gets at most one multicast answer a second", async () => {
  const label = unique("quiet");
  const announcer = await Announcer.start({
    bound: "127.0.0.1",
    addresses: LOOPBACK,
    announcement: hub(label),
  });
  const socket = await rawSocket(5353);
  try {
    await announcer.announced;
    await new Promise((resolve) => setTimeout(resolve, 1100)); // past the second announcement
    let answers = 0;
    socket.on("message", (message) => {
      const packet = dnsPacket.decode(message);
      if (packet.type !== "response") return;
      if ((packet.answers ?? []).some((a) => a.type === "PTR" && a.data === announcer.instance)) {
        answers++;
      }
    });
    const started = Date.now();
    for (let i = 0; i < 300; i++) {
      await send(socket, {
        type: "query",
        questions: [{ name: "_p2pchat._tcp.local", type: "PTR" }],
      });
      if (i % 30 === 29) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await new Promise((resolve) => setTimeout(resolve, 1200));
    const seconds = (Date.now() - started) / 1000;
    assert.ok(answers >= 1, "the announcer answered");
    assert.ok(answers <= Math.ceil(seconds) + 1, `${answers} answers in ${seconds} s`);
  } finally {
    socket.close();
    await announcer.close();
  }
});

Deno.test("a one-shot query from another port gets a unicast answer with short TTLs", async () => {
  const label = unique("oneshot");
  const announcer = await Announcer.start({
    bound: "127.0.0.1",
    addresses: LOOPBACK,
    announcement: hub(label, { port: 7007 }),
  });
  const socket = await rawSocket(0);
  try {
    await announcer.announced;
    const answer = new Promise<dnsPacket.DecodedPacket>((resolve) =>
      socket.on("message", (message) => {
        const packet = dnsPacket.decode(message);
        if (packet.type === "response" && packet.id === 4321) resolve(packet);
      })
    );
    socket.setMulticastInterface("127.0.0.1");
    await send(socket, {
      type: "query",
      id: 4321,
      questions: [{ name: announcer.instance, type: "SRV" }],
    });
    const packet = await answer;
    assert.equal(packet.questions?.[0].name, announcer.instance);
    const srv = packet.answers?.find((a) => a.type === "SRV");
    assert.ok(srv && srv.type === "SRV");
    assert.equal(srv.data.port, 7007);
    assert.ok((srv.ttl ?? 0) <= 10);
    assert.equal(srv.flush, false);
  } finally {
    socket.close();
    await announcer.close();
  }
});

Deno.test("queries from outside the address's subnet are not answered", async () => {
  const label = unique("subnet");
  // The announcer's address is 127.0.0.1/32 here: a query from 127.0.0.2 is foreign.
  const narrow: LinkAddress[] = [{ name: "lo", address: "127.0.0.1", netmask: "255.255.255.255" }];
  const announcer = await Announcer.start({
    bound: "127.0.0.1",
    addresses: narrow,
    announcement: hub(label),
  });
  const asked = async (from: string) => {
    const socket = dgram.createSocket({ type: "udp4" });
    await new Promise<void>((resolve) => socket.bind(0, from, resolve));
    socket.setMulticastInterface("127.0.0.1");
    let answered = false;
    socket.on("message", () => answered = true);
    const question = { name: announcer.instance, type: "SRV" as const };
    await send(socket, { type: "query", id: 1, questions: [question] });
    await new Promise((resolve) => setTimeout(resolve, 500));
    socket.close();
    return answered;
  };
  try {
    await announcer.announced;
    assert.equal(await asked("127.0.0.2"), false);
    assert.equal(await asked("127.0.0.1"), true);
  } finally {
    await announcer.close();
  }
});

Deno.test("a hub's member count is re-announced at most every 5 s, the latest count last", async () => {
  const label = unique("busy");
  const socket = await rawSocket(5353);
  const counts: number[] = [];
  socket.on("message", (message) => {
    const packet = dnsPacket.decode(message);
    for (const record of packet.answers ?? []) {
      if (record.type !== "TXT" || !record.name.startsWith(label)) continue;
      const members = (record.data as Uint8Array[])
        .map((item) => new TextDecoder().decode(item))
        .find((item) => item.startsWith("members="));
      counts.push(Number(members?.slice("members=".length)));
    }
  });
  const announcer = await Announcer.start({
    bound: "127.0.0.1",
    addresses: LOOPBACK,
    announcement: hub(label),
  });
  try {
    await announcer.announced;
    for (let members = 1; members <= 50; members++) {
      announcer.update({ members });
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await new Promise((resolve) => setTimeout(resolve, 1500));
    // The first announcement, its repeat a second later, and not one per change.
    assert.ok(counts.length <= 3, `announced ${counts.length} times: ${counts}`);
    const deadline = Date.now() + 7000;
    while (counts.at(-1) !== 50 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.equal(counts.at(-1), 50);
    assert.ok(counts.length <= 4, `announced ${counts.length} times: ${counts}`);
  } finally {
    socket.close();
    await announcer.close();
  }
});

Deno.test("a flood of one-shot queries gets a bounded number of unicast answers", async () => {
  const label = unique("reflect");
  const announcer = await Announcer.start({
    bound: "127.0.0.1",
    addresses: LOOPBACK,
    announcement: hub(label),
  });
  const socket = await rawSocket(0);
  socket.setMulticastInterface("127.0.0.1");
  try {
    await announcer.announced;
    let answers = 0;
    socket.on("message", () => answers++);
    const started = Date.now();
    for (let id = 1; id <= 200; id++) {
      await send(socket, {
        type: "query",
        id,
        questions: [{ name: announcer.instance, type: "TXT" }],
      });
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
    const seconds = (Date.now() - started) / 1000;
    assert.ok(answers >= 1, "answered");
    // 10 a second, and a burst of 10 to start with.
    assert.ok(answers <= 10 + Math.ceil(seconds * 10), `${answers} answers in ${seconds} s`);
  } finally {
    socket.close();
    await announcer.close();
  }
});
