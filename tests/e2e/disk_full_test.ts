import assert from "node:assert/strict";
import { join } from "node:path";
import {
  CliProcess,
  type JsonEvent,
  startConnector,
  tempDir,
  writeRandomFile,
} from "./cli_process.ts";
import { mountSmallDisk, SMALL_DISK_IGNORED } from "./small_disk.ts";
import { ValveProxy } from "./valve_proxy.ts";
import { listing, untilTempHolds } from "./folder_listing.ts";

const MiB = 1024 * 1024;

const isError = (event: JsonEvent) => event.type === "error";

Deno.test({
  name:
    `a direct chat's receive folder fills up during a file: both sides say so, nothing is left, chat goes on ${
      SMALL_DISK_IGNORED ?? ""
    }`,
  ignore: SMALL_DISK_IGNORED !== undefined,
  async fn() {
    await using dir = await tempDir();
    await using disk = await mountSmallDisk(64 * MiB);
    const inbox = join(disk.path, "received");
    const alice = CliProcess.start(
      ["listen", "0", "--host", "127.0.0.1", "--name", "alice", "--dir", inbox, "--json"],
      { cwd: dir.path },
    );
    let bob: CliProcess | undefined;
    try {
      const { port } = await alice.waitFor((event) => event.type === "listening");
      await using proxy = ValveProxy.start(port as number);
      // The offer fits (24 MiB and the 16 MiB kept free, of 64): the disk fills meanwhile.
      const source = join(dir.path, "big.bin");
      await writeRandomFile(source, 24 * MiB);
      bob = startConnector("bob", proxy.port, { cwd: dir.path });
      await bob.waitFor((event) => event.type === "connected");
      proxy.holdAfter(4 * MiB);
      await bob.writeLine(`/send ${source}`);
      await proxy.held;
      await untilTempHolds(inbox, 2 * MiB);
      await disk.fill();
      proxy.release();

      const received = await alice.waitFor(isError);
      assert.equal(
        received.message,
        "Receiving big.bin failed: cannot write 'big.bin': the disk is full",
      );
      const sent = await bob.waitFor(isError);
      assert.equal(
        sent.message,
        "Sending big.bin failed: alice refused big.bin: cannot write 'big.bin': the disk is full",
      );
      assert.deepEqual(await listing(inbox), [], "no temporary file stays");

      // The chat goes on, both ways.
      await bob.writeLine("the disk was full");
      await alice.waitFor((event) =>
        event.type === "message" && event.text === "the disk was full"
      );
      await alice.writeLine("freeing it");
      await bob.waitFor((event) => event.type === "message" && event.text === "freeing it");

      // Once space is free again, files arrive again.
      await disk.free();
      const small = join(dir.path, "small.txt");
      await Deno.writeTextFile(small, "it fits now");
      await bob.writeLine(`/send ${small}`);
      const saved = await alice.waitFor((event) => event.type === "file");
      assert.equal(saved.name, "small.txt");
      assert.deepEqual(await listing(inbox), ["small.txt"]);
      await bob.closeStdin();
      assert.equal((await bob.exit()).code, 0);
      await alice.closeStdin();
      assert.equal((await alice.exit()).code, 0);
    } finally {
      await bob?.close();
      await alice.close();
    }
  },
});
