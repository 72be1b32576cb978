/**
 * A hostile announcer for the discovery tests: floods the LAN's multicast DNS with fake
 * `_p2pchat._tcp` services (1,000 a second by default), labels full of escape sequences,
 * oversized TXT records and packets that are not DNS at all, until stdin closes.
 *
 * `deno run --allow-net --allow-sys fake_announcer.ts ADDRESS [SERVICES_PER_SECOND]`
 *
 * @example
 * ```ts ignore
 * // ip netns exec NS deno run --allow-net fake_announcer.ts 10.99.0.3 1000
 * ```
 * @module
 */

import dgram from "node:dgram";
// @ts-types="@types/dns-packet"
import * as dnsPacket from "dns-packet";

const TYPE = "_p2pchat._tcp.local";
const [address, rateText = "1000"] = Deno.args;
const perSecond = Number(rateText);
const PER_PACKET = 10;

const socket = dgram.createSocket({ type: "udp4", reuseAddr: true });
await new Promise<void>((resolve) => socket.bind(5353, "0.0.0.0", resolve));
socket.setMulticastInterface(address);

function fake(n: number): dnsPacket.Answer[] {
  const instance = `fake ${n}.${TYPE}`;
  const label = `\x1b[2J\x1b[31mFAKE ${n}\x1b]0;owned\x07\u202e${"é".repeat(60)}`;
  const txt = [`label=${label}`, "kind=hub", "auth=open", `members=${n % 1000}`];
  // Every tenth one carries an oversized TXT record: 30 strings of 255 bytes.
  if (n % 10 === 0) txt.push(...Array(30).fill("x".repeat(250)));
  return [
    { name: TYPE, type: "PTR", ttl: 4500, data: instance },
    {
      name: instance,
      type: "SRV",
      ttl: 120,
      data: { port: 1 + (n % 65535), target: "fake.local" },
    },
    { name: instance, type: "TXT", ttl: 4500, data: txt },
  ];
}

function send(bytes: Uint8Array): Promise<void> {
  return new Promise((resolve) => socket.send(bytes, 5353, "224.0.0.251", () => resolve()));
}

let running = true;
(async () => {
  for await (const _ of Deno.stdin.readable) { /* until stdin closes */ }
  running = false;
})();

console.log("flooding");
let n = 0;
const started = Date.now();
while (running) {
  const answers: dnsPacket.Answer[] = [];
  for (let i = 0; i < PER_PACKET; i++) answers.push(...fake(n++));
  await send(
    dnsPacket.encode({ type: "response", flags: dnsPacket.AUTHORITATIVE_ANSWER, answers }),
  );
  if (n % 100 === 0) await send(crypto.getRandomValues(new Uint8Array(1400))); // not DNS
  // Keep to the rate: wait until the services sent so far are due.
  const due = started + (n / perSecond) * 1000;
  const wait = due - Date.now();
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
}
socket.close();
console.log(`sent ${n}`);
Deno.exit(0);
