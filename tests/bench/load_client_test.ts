import assert from "node:assert/strict";
import { join } from "node:path";
import { type LoadClient, openLoadClient } from "../../bench/load_client.ts";
import { RoomHost } from "../../lib/room/room_host.ts";

const PASSKEY = "1-silver-canyon-maple";

/** Texts a sender may say, each read the quick way or, with escapes or non-ASCII, in full. */
const TEXTS = [
  "3 17 1796168304748.123 r1",
  'she said "hi" \\o/',
  "héllo ünïcode 👋",
  "tab\there",
  "plain again",
];

Deno.test("Load client: receives every live line as said, and no replayed ones", async () => {
  const dir = await Deno.makeTempDir({ prefix: "p2pchat_load_client_" });
  const hub = await RoomHost.hub({
    passkey: PASSKEY,
    dataDir: join(dir, "data"),
    historyLimit: 10,
    rate: 0,
    maxClients: 10,
    listener: Deno.listen({ port: 0, hostname: "127.0.0.1" }),
  });
  const clients: LoadClient[] = [];
  const open = async (name: string, onLine: (text: string) => void) => {
    const client = await openLoadClient({
      dialect: "p2pchat",
      host: "127.0.0.1",
      port: hub.addr.port,
      name,
      passkey: PASSKEY,
      onLine,
    });
    clients.push(client);
    return client;
  };
  try {
    const heard: string[] = [];
    const sender = await open("sender", () => {});
    let allHeard!: () => void;
    const done = new Promise<void>((resolve) => allHeard = resolve);
    await open("listener", (text) => {
      heard.push(text);
      if (heard.length === TEXTS.length) allHeard();
    });
    for (const text of TEXTS) sender.send(text);
    await done;
    assert.deepEqual(heard, TEXTS);
    // A newcomer is replayed the history, which is not live traffic.
    const late: string[] = [];
    await open("late", (text) => late.push(text));
    sender.send("after the newcomer");
    while (late.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    assert.deepEqual(late, ["after the newcomer"]);
  } finally {
    await Promise.all(clients.map((client) => client.close()));
    await hub.close("done");
    await Deno.remove(dir, { recursive: true });
  }
});
