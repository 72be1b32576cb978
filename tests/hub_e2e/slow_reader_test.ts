import assert from "node:assert/strict";
import { handshakeConn } from "../../lib/secure/conn_handshake.ts";
import { FrameSealer } from "../../lib/secure/encrypted_channel.ts";
import { PROTOCOL_VERSION } from "../../lib/session/message.ts";
import { encodeRecord } from "../../lib/wire/codec.ts";
import { encodeFrame } from "../../lib/wire/frame_encoder.ts";
import { writeAll } from "../../lib/wire/write_all.ts";
import { PASSKEY, tempDir } from "../e2e/cli_process.ts";
import { HubMember, type MessageEvent, until } from "./hub_member.ts";
import { hubLog, startHub } from "./hub_process.ts";

const LINE_BYTES = 4000;
/** Far beyond what the hub lets wait for one member, plus loopback socket buffers. */
const MAX_LINES = 15_000;
const IN_FLIGHT = 200;

/** Joins as `name` over a raw connection, then never reads again. */
async function joinAndStopReading(port: number, name: string) {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const { keys } = await handshakeConn(conn, { role: "client", passkey: PASSKEY });
  const hello = encodeRecord({ t: "hello", v: PROTOCOL_VERSION, name });
  // A sealed frame carries a batch of length-prefixed records; here a batch of one.
  await writeAll(conn, encodeFrame(new FrameSealer(keys.sendKey).seal(encodeFrame(hello))));
  return {
    close() {
      try {
        conn.close();
      } catch { /* already closed */ }
    },
  };
}

Deno.test("a member that stops reading is cut off once it is far behind; the others flow on", async () => {
  await using dir = await tempDir();
  const hub = await startHub({ cwd: dir.path, args: ["--rate", "0"] });
  const members: HubMember[] = [];
  const sloth = await joinAndStopReading(hub.port, "sloth");
  try {
    await hub.proc.waitFor((event) => event.type === "hub-joined" && event.name === "sloth");
    const flood = await HubMember.join(hub.port, "flood", `${dir.path}/flood`);
    const watch = await HubMember.join(hub.port, "watch", `${dir.path}/watch`);
    members.push(flood, watch);

    // How long each line took from the flooder to the watcher.
    const sentAt = new Map<string, number>();
    let slowest = 0;
    watch.client.subscribe((event) => {
      if (event.type === "message") {
        slowest = Math.max(slowest, performance.now() - sentAt.get(event.text.slice(0, 6))!);
      }
    });
    const slothLeft = () =>
      hubLog(hub.proc, "hub-left").find((event) => event.name === "sloth") !== undefined;
    let sent = 0;
    let watchedAtCut = -1;
    while (sent < MAX_LINES && !slothLeft()) {
      // A few hundred lines in flight: the flooder's own queue stays small.
      await flood.until(() => flood.client.unacknowledged < IN_FLIGHT, "acks", 10_000);
      for (let i = 0; i < 50; i++, sent++) {
        const tag = String(sent).padStart(6, "0");
        sentAt.set(tag, performance.now());
        flood.client.say(tag + "x".repeat(LINE_BYTES - tag.length));
      }
      if (slothLeft()) watchedAtCut = watch.messages().length;
    }
    await until(slothLeft, "the stalled member cut off", 10_000);
    if (watchedAtCut < 0) watchedAtCut = watch.messages().length;

    const left = hubLog(hub.proc, "hub-left").find((event) => event.name === "sloth")!;
    // What people are told; the room held the others for a second at most meanwhile.
    assert.match(String(left.reason), /not reading fast enough/, JSON.stringify(left));
    // Only once 256 KiB wait for it at the hub, beyond what the sockets hold.
    assert.ok(sent > 256 * 1024 / LINE_BYTES, `cut off after only ${sent} lines`);
    // The watcher kept up the whole time: by the cut it had nearly everything sent so far.
    assert.ok(watchedAtCut >= sent - 2 * IN_FLIGHT - 50, `watcher at ${watchedAtCut} of ${sent}`);
    await watch.until(() => watch.messages().length === sent, `all ${sent} lines`);
    assert.deepEqual(
      watch.messages().map((line: MessageEvent) => line.text.slice(0, 6)),
      Array.from({ length: sent }, (_, i) => String(i).padStart(6, "0")),
    );
    assert.ok(slowest < 3_000, `a line took ${Math.round(slowest)} ms to reach the watcher`);
    // The others were told, with the reason.
    await watch.until(
      () => watch.events.some((event) => event.type === "left" && event.name === "sloth"),
      "sloth left",
    );
    const told = watch.events.find((event) => event.type === "left" && event.name === "sloth");
    assert.match(JSON.stringify(told), /not reading fast enough/);

    await flood.leave();
    await watch.leave();
    members.length = 0;
  } finally {
    await Promise.all(members.map((member) => member.client.disconnect()));
    sloth.close();
    await hub.proc.close();
  }
});
