// The scanner against hand-made answers on loopback (multicast out of 127.0.0.1 stays on
// this machine). Labels are unique per test: other processes may announce on loopback too.
import assert from "node:assert/strict";
import dgram from "node:dgram";
// @ts-types="@types/dns-packet"
import * as dnsPacket from "dns-packet";
import { FOUND_LIMIT } from "../../lib/session/found_chats.ts";
import type { LinkAddress } from "../../lib/session/mdns_link.ts";
import { type ScanEvent, Scanner } from "../../lib/session/scanner.ts";

const LOOPBACK: LinkAddress[] = [{ name: "lo", address: "127.0.0.1", netmask: "255.0.0.0" }];
const TYPE = "_p2pchat._tcp.local";

function unique(prefix: string): string {
  return `${prefix}-${crypto.randomUUID().slice(0, 8)}`;
}

/** A hand-made responder on loopback's port 5353. */
async function fakeResponder(from = "0.0.0.0"): Promise<dgram.Socket> {
  const socket = dgram.createSocket({ type: "udp4", reuseAddr: true });
  await new Promise<void>((resolve) => socket.bind(5353, from, resolve));
  socket.addMembership("224.0.0.251", "127.0.0.1");
  socket.setMulticastInterface("127.0.0.1");
  return socket;
}

function respond(socket: dgram.Socket, answers: dnsPacket.Answer[]): Promise<void> {
  const bytes = dnsPacket.encode({
    type: "response",
    flags: dnsPacket.AUTHORITATIVE_ANSWER,
    answers,
  });
  return new Promise((resolve) => socket.send(bytes, 5353, "224.0.0.251", () => resolve()));
}

function service(name: string, txt: string[], port = 6000): dnsPacket.Answer[] {
  const instance = `${name}.${TYPE}`;
  return [
    { name: TYPE, type: "PTR", ttl: 4500, data: instance },
    { name: instance, type: "SRV", ttl: 120, data: { port, target: "fake.local" } },
    { name: instance, type: "TXT", ttl: 4500, data: txt },
  ];
}

async function scanAll(timeoutMs: number): Promise<{ scanner: Scanner; events: ScanEvent[] }> {
  const scanner = await Scanner.start({ timeoutMs, addresses: LOOPBACK });
  const events: ScanEvent[] = [];
  for await (const event of scanner) events.push(event);
  return { scanner, events };
}

Deno.test("a flood of fake services: the scan ends on time with a bounded list", async () => {
  const prefix = unique("flood");
  const socket = await fakeResponder();
  let sending = true;
  let sent = 0;
  // 1,000 services a second, ten to a packet, until the scan is over.
  const flood = (async () => {
    while (sending) {
      const answers = [];
      for (let i = 0; i < 10; i++) {
        answers.push(
          ...service(`${prefix}-${sent++}`, ["kind=hub", "auth=open", `label=${prefix}`]),
        );
      }
      await respond(socket, answers);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  })();
  try {
    const started = Date.now();
    const { scanner, events } = await scanAll(1500);
    const took = Date.now() - started;
    assert.ok(took < 1500 + 1000, `the scan took ${took} ms`);
    const mine = scanner.found.list.filter((chat) => chat.label === prefix);
    assert.ok(sent > FOUND_LIMIT, `${sent} sent`);
    assert.ok(mine.length > 0 && scanner.found.size === FOUND_LIMIT, `${scanner.found.size} kept`);
    assert.ok(scanner.found.hidden > 0);
    // Events are news about the kept chats only.
    assert.ok(events.length <= FOUND_LIMIT * 2, `${events.length} events`);
  } finally {
    sending = false;
    await flood;
    socket.close();
  }
});

Deno.test("oversized and malformed answers are dropped; escape codes stay text, capped", async () => {
  const prefix = unique("odd");
  const socket = await fakeResponder();
  const answer = async () => {
    await respond(socket, [
      // A TXT record of 30 strings of 255 bytes: only the first 16 are read.
      ...service(`${prefix}-big`, [...Array(30).fill("x".repeat(255)), "kind=hub", "auth=open"]),
      ...service(`${prefix}-esc`, [
        "kind=direct",
        "auth=passkey",
        `label=${prefix}\x1b[2J\x1b]0;owned\x07${"é".repeat(80)}`,
      ]),
      ...service(`${prefix}-port0`, ["kind=hub", "auth=open", `label=${prefix}`], 0),
      ...service(`${prefix}-kind`, ["kind=admin", "auth=open", `label=${prefix}`]),
      ...service(`${prefix}-members`, ["kind=hub", "auth=open", "members=-5", `label=${prefix}`]),
    ]);
    // Not DNS at all.
    await new Promise((resolve) =>
      socket.send(crypto.getRandomValues(new Uint8Array(1200)), 5353, "224.0.0.251", resolve)
    );
  };
  const timer = setInterval(answer, 200);
  try {
    const { scanner } = await scanAll(1200);
    const mine = scanner.found.list.filter((chat) => chat.instance.startsWith(prefix));
    assert.deepEqual(mine.map((chat) => chat.instance), [`${prefix}-esc.${TYPE}`]);
    const label = mine[0].label;
    assert.ok(label.startsWith(`${prefix}\x1b[2J`));
    assert.ok(new TextEncoder().encode(label).length <= 63);
  } finally {
    clearInterval(timer);
    socket.close();
  }
});

Deno.test("an answer without SRV and TXT is asked about again, and then found", async () => {
  const name = unique("shy");
  const instance = `${name}.${TYPE}`;
  const socket = await fakeResponder();
  socket.on("message", (message) => {
    const packet = dnsPacket.decode(message);
    if (packet.type !== "query") return;
    for (const question of packet.questions ?? []) {
      if (question.name === TYPE) {
        respond(socket, [{ name: TYPE, type: "PTR", ttl: 4500, data: instance }]);
      }
      if (question.name === instance && question.type === "SRV") {
        respond(socket, service(name, ["kind=hub", "auth=passkey", "members=4"], 6010).slice(1));
      }
    }
  });
  try {
    const { scanner } = await scanAll(1500);
    const chat = scanner.found.list.find((c) => c.instance === instance);
    assert.equal(chat?.port, 6010);
    assert.equal(chat?.members, 4);
    assert.equal(chat?.label, name);
  } finally {
    socket.close();
  }
});

Deno.test("answers from outside the address's subnet are ignored", async () => {
  const name = unique("foreign");
  const socket = await fakeResponder("127.0.0.2");
  const timer = setInterval(() => respond(socket, service(name, ["kind=hub", "auth=open"])), 100);
  try {
    const narrow = [{ name: "lo", address: "127.0.0.1", netmask: "255.255.255.255" }];
    const scanner = await Scanner.start({ timeoutMs: 800, addresses: narrow });
    for await (const _ of scanner) { /* until the time is up */ }
    assert.equal(scanner.found.list.some((chat) => chat.label === name), false);
    const wide = await Scanner.start({ timeoutMs: 800, addresses: LOOPBACK });
    for await (const _ of wide) { /* until the time is up */ }
    assert.equal(wide.found.list.some((chat) => chat.label === name), true);
  } finally {
    clearInterval(timer);
    socket.close();
  }
});
