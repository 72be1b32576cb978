// The connection screen's live list, against announcements on loopback (multicast out of
// 127.0.0.1 stays on this machine). Labels are unique per test: others may announce too.
import assert from "node:assert/strict";
import { Announcer } from "../../lib/session/announcer.ts";
import type { LinkAddress } from "../../lib/session/mdns_link.ts";
import { FoundList, type ListedChat } from "../../lib/ui/found_list.ts";

const LOOPBACK: LinkAddress[] = [{ name: "lo", address: "127.0.0.1", netmask: "255.0.0.0" }];

function announce(label: string, port: number): Promise<Announcer> {
  return Announcer.start({
    bound: "127.0.0.1",
    addresses: LOOPBACK,
    announcement: { label, kind: "hub", port, version: 2, auth: "open", members: 3 },
  });
}

/** A list on loopback that keeps what it was last sent. */
function list() {
  let last: ListedChat[] = [];
  let sent = 0;
  const found = new FoundList((chats) => {
    last = chats;
    sent++;
  }, { addresses: LOOPBACK });
  return {
    found,
    sent: () => sent,
    async until(test: (chats: ListedChat[]) => boolean): Promise<ListedChat[]> {
      const deadline = Date.now() + 15_000;
      while (!test(last)) {
        if (Date.now() > deadline) throw new Error(`not seen: ${JSON.stringify(last)}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      return last;
    },
  };
}

Deno.test("FoundList: a chat announced is listed as the form needs it, and goes when it says goodbye", async () => {
  const label = `hub ${crypto.randomUUID().slice(0, 8)}`;
  const live = list();
  live.found.start();
  const announcer = await announce(label, 6123);
  try {
    const chats = await live.until((chats) => chats.some((chat) => chat.label === label));
    assert.deepEqual(chats.find((chat) => chat.label === label), {
      label,
      kind: "hub",
      host: "127.0.0.1",
      port: 6123,
      address: "127.0.0.1:6123",
      auth: "open",
      members: 3,
    });
    await announcer.close();
    await live.until((chats) => !chats.some((chat) => chat.label === label));
  } finally {
    await announcer.close();
    await live.found.stop();
  }
});

Deno.test("FoundList: stopped, it sends nothing more; started again, it scans again", async () => {
  const label = `again ${crypto.randomUUID().slice(0, 8)}`;
  const live = list();
  live.found.start();
  live.found.start(); // a second start while running changes nothing
  await live.found.stop();
  const sent = live.sent();
  const announcer = await announce(label, 6124);
  try {
    await announcer.announced;
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(live.sent(), sent);
    live.found.start();
    await live.until((chats) => chats.some((chat) => chat.label === label));
  } finally {
    await announcer.close();
    await live.found.stop();
  }
});
