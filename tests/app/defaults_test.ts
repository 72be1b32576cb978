import assert from "node:assert/strict";
import { defaultLabel, defaultName, DEFAULTS } from "../../lib/app/defaults.ts";
import { parseOptions } from "../../lib/cli/options.ts";

Deno.test("defaults: the command line's options start from the one table of defaults", () => {
  const serve = parseOptions("serve", []);
  assert.deepEqual(
    [serve.port, serve.host, serve.history, serve.rate, serve.maxClients, serve.data],
    [
      DEFAULTS.port,
      DEFAULTS.listenHost,
      DEFAULTS.history,
      DEFAULTS.rate,
      DEFAULTS.maxClients,
      DEFAULTS.dataDir,
    ],
  );
  assert.equal(parseOptions("listen", []).dir, DEFAULTS.receiveDir);
  assert.equal(parseOptions("ui", []).port, DEFAULTS.uiPort);
  assert.equal(parseOptions("scan", []).timeoutMs, DEFAULTS.scanTimeoutMs);
});

Deno.test("defaults: a usable name from the user name, else guest; a label from the host name", () => {
  assert.match(defaultName(), /^[A-Za-z0-9_.-]{1,16}$/);
  assert.ok(defaultLabel().length > 0);
});
