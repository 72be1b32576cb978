import assert from "node:assert/strict";
import { defaultLabel, defaultName } from "../../lib/app/defaults.ts";
import { OPTION_COMMANDS, parseOptions, parsePort, parseSize } from "../../lib/cli/options.ts";
import { UsageError } from "../../lib/cli/usage.ts";

function usageError(fn: () => unknown): UsageError {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof UsageError, String(error));
    return error;
  }
  assert.fail("expected a UsageError");
}

Deno.test("parseOptions: listen has sensible defaults", () => {
  const options = parseOptions("listen", []);
  assert.equal(options.command, "listen");
  assert.equal(options.port, 5050);
  assert.equal(options.host, "0.0.0.0");
  assert.equal(options.dir, "received_files");
  assert.equal(options.json, false);
  assert.equal(options.open, false);
  assert.equal(options.name, defaultName());
});

Deno.test("parseOptions: listen takes a port and flags", () => {
  const options = parseOptions("listen", [
    "0",
    "--host",
    "127.0.0.1",
    "--name",
    "alice",
    "--dir",
    "in box",
    "--open",
    "--json",
  ]);
  assert.equal(options.port, 0);
  assert.equal(options.host, "127.0.0.1");
  assert.equal(options.name, "alice");
  assert.equal(options.dir, "in box");
  assert.equal(options.open, true);
  assert.equal(options.json, true);
});

Deno.test("parseOptions: connect takes a host (none: found by scanning); the port defaults to 5050", () => {
  const options = parseOptions("connect", ["192.168.1.12"]);
  assert.equal(options.host, "192.168.1.12");
  assert.equal(options.port, 5050);
  assert.equal(parseOptions("connect", ["hub.local", "6000"]).port, 6000);
  const scanning = parseOptions("connect", ["--label", "alice's hub", "--timeout", "0.5"]);
  assert.deepEqual([scanning.host, scanning.label, scanning.timeoutMs], ["", "alice's hub", 500]);
  assert.equal(parseOptions("connect", []).label, "");
  const error = usageError(() => parseOptions("connect", ["10.0.0.5", "--label", "x"]));
  assert.equal(error.message, "connect takes a HOST or a --label, not both");
});

Deno.test("parseOptions: connect takes HOST:PORT and [IPv6]:PORT; a port given twice must agree", () => {
  const target = (...args: string[]) => {
    const options = parseOptions("connect", args);
    return [options.host, options.port];
  };
  assert.deepEqual(target("127.0.0.1:6000"), ["127.0.0.1", 6000]);
  assert.deepEqual(target("[::1]:6000"), ["::1", 6000]);
  assert.deepEqual(target("::1", "6000"), ["::1", 6000]);
  assert.deepEqual(target("[::1]"), ["::1", 5050]);
  assert.deepEqual(target("hub.local:6000", "6000"), ["hub.local", 6000]);
  const twice = usageError(() => parseOptions("connect", ["10.0.0.5:6000", "7000"]));
  assert.equal(twice.message, "the port is given twice and differs: 10.0.0.5:6000 and port 7000");
  const typo = usageError(() => parseOptions("connect", ["10.0.0.5:50x0"]));
  assert.match(typo.message, /^'10\.0\.0\.5:50x0' has no usable port/);
  assert.match(typo.hint, /p2pchat connect 192\.168\.1\.12:5050/);
  const spaced = usageError(() => parseOptions("connect", ["alice's laptop"]));
  assert.match(spaced.message, /is not an address/);
});

Deno.test("parseOptions: serve defaults and limits", () => {
  const defaults = parseOptions("serve", []);
  assert.equal(defaults.port, 5050);
  assert.equal(defaults.data, "p2pchat-data");
  assert.equal(defaults.history, 50);
  assert.equal(defaults.maxClients, 10_000);
  assert.equal(defaults.rate, 5);
  assert.equal(defaults.maxFileBytes, undefined);
  assert.equal(defaults.newPasskey, false);
  assert.equal(parseOptions("serve", ["--new-passkey"]).newPasskey, true);
  assert.throws(() => parseOptions("listen", ["--new-passkey"]), /Unknown option '--new-passkey'/);
  const options = parseOptions("serve", [
    "7000",
    "--history",
    "0",
    "--max-clients",
    "3",
    "--rate",
    "0",
    "--max-file-size",
    "50MB",
    "--data",
    "hub",
  ]);
  assert.equal(options.port, 7000);
  assert.equal(options.history, 0);
  assert.equal(options.maxClients, 3);
  assert.equal(options.rate, 0);
  assert.equal(options.maxFileBytes, 50_000_000);
  assert.equal(options.data, "hub");
  assert.equal(
    usageError(() => parseOptions("serve", ["--history", "lots"])).message,
    "invalid history size 'lots'",
  );
  assert.equal(
    usageError(() => parseOptions("serve", ["--rate", "1.5"])).message,
    "invalid rate '1.5'",
  );
});

Deno.test("parseOptions: ui picks a free port unless told", () => {
  assert.equal(parseOptions("ui", []).port, 0);
  assert.equal(parseOptions("ui", ["--port", "8080"]).port, 8080);
  assert.equal(parseOptions("ui", ["--no-open"]).noOpen, true);
});

Deno.test("parseOptions: a bad port is a usage error with a hint", () => {
  for (const port of ["abc", "65536", "50.5", "0x10", "", " 50"]) {
    const error = usageError(() => parseOptions("listen", [port]));
    assert.equal(error.message, `invalid port '${port}'`);
    assert.equal(error.hint, "A port is a number from 0 to 65535, e.g. 5050.");
  }
  assert.equal(
    usageError(() => parseOptions("connect", ["h", "99999"])).message,
    "invalid port '99999'",
  );
  assert.equal(usageError(() => parseOptions("ui", ["--port", "x"])).message, "invalid port 'x'");
  assert.equal(parsePort("65535"), 65535);
});

Deno.test("parseOptions: unknown flags and extra arguments are usage errors", () => {
  const unknown = usageError(() => parseOptions("listen", ["--bogus"]));
  assert.equal(unknown.message, "Unknown option '--bogus'");
  assert.equal(unknown.hint, "Run p2pchat --help for usage.");
  // A flag of another command is unknown here.
  assert.equal(
    usageError(() => parseOptions("connect", ["h", "--rate", "3"])).message,
    "Unknown option '--rate'",
  );
  assert.equal(usageError(() => parseOptions("listen", ["-1"])).message, "Unknown option '-1'");
  assert.equal(
    usageError(() => parseOptions("listen", ["1", "2"])).message,
    "unexpected argument '2'",
  );
  assert.equal(
    usageError(() => parseOptions("connect", ["--passkey"])).message,
    "Option '--passkey <value>' argument missing",
  );
});

Deno.test("parseOptions: --passkey is refused, since ps shows a program's arguments to every user", () => {
  for (const command of ["listen", "connect", "serve"] as const) {
    const error = usageError(() => parseOptions(command, ["--passkey", "1-silver-canyon-maple"]));
    assert.equal(
      error.message,
      "--passkey would show the passkey to every user of this computer (ps lists arguments)",
    );
  }
});

Deno.test("parseOptions: a name that is not allowed is a usage error", () => {
  for (const name of ["al ice", "\x1b[31mred", "a".repeat(17), ""]) {
    const error = usageError(() => parseOptions("listen", ["--name", name]));
    assert.equal(error.message, `invalid name '${name}'`);
    assert.equal(error.hint, "A name is 1-16 of A-Z a-z 0-9 _ . -");
  }
  assert.equal(parseOptions("listen", ["--name", "a".repeat(16)]).name, "a".repeat(16));
});

Deno.test("parseSize: understands SI and binary units", () => {
  assert.equal(parseSize("50MB"), 50_000_000);
  assert.equal(parseSize("1.5GiB"), 1.5 * 1024 ** 3);
  assert.equal(parseSize("1.5 GiB"), 1.5 * 1024 ** 3);
  assert.equal(parseSize("800k"), 800_000);
  assert.equal(parseSize("2gb"), 2_000_000_000);
  assert.equal(parseSize("10KiB"), 10_240);
  assert.equal(parseSize("1T"), 1e12);
  assert.equal(parseSize("1048576"), 1_048_576);
  assert.equal(parseSize(" 5 MB "), 5_000_000);
});

Deno.test("parseSize: anything else is a usage error", () => {
  for (const text of ["lots", "", "-5MB", "1.5.2MB", "5PB", "MB"]) {
    const error = usageError(() => parseSize(text));
    assert.equal(error.message, `invalid size '${text}'`);
    assert.equal(error.hint, "Use e.g. 500MB, 2GB or 1048576.");
  }
  assert.equal(
    usageError(() => parseOptions("serve", ["--max-file-size", "huge"])).message,
    "invalid size 'huge'",
  );
});

Deno.test("defaultName: a usable name from the user name, else guest", () => {
  const name = defaultName();
  assert.match(name, /^[A-Za-z0-9_.-]{1,16}$/);
  assert.deepEqual([...OPTION_COMMANDS].sort(), ["connect", "listen", "scan", "serve", "ui"]);
});

Deno.test("listen and serve announce by default, labelled with this computer's name", () => {
  for (const command of ["listen", "serve"]) {
    const options = parseOptions(command, []);
    assert.equal(options.announce, true);
    assert.equal(options.label, defaultLabel());
  }
  assert.ok(defaultLabel().length > 0);
  const quiet = parseOptions("serve", ["--no-announce", "--label", "alice's hub 👩‍💻"]);
  assert.equal(quiet.announce, false);
  assert.equal(quiet.label, "alice's hub 👩‍💻");
});

Deno.test("--label refuses what it would not announce: long, empty or control characters", () => {
  assert.match(
    usageError(() => parseOptions("listen", ["--label", "x".repeat(64)])).message,
    /^invalid label 'x{64}': a label is at most 63 bytes$/,
  );
  assert.match(usageError(() => parseOptions("serve", ["--label", ""])).message, /empty/);
  // The refused label is shown escaped.
  assert.equal(
    usageError(() => parseOptions("listen", ["--label", "a\x1b[2Jb"])).message,
    "invalid label 'a\\x1b[2Jb': a label cannot hold control or invisible characters",
  );
  assert.match(usageError(() => parseOptions("connect", ["h", "--label", "x"])).message, /label/);
});

Deno.test("scan waits 2 s by default; --timeout takes seconds, decimals too", () => {
  assert.equal(parseOptions("scan", []).timeoutMs, 2000);
  assert.equal(parseOptions("scan", ["--timeout", "0.5", "--json"]).timeoutMs, 500);
  assert.equal(parseOptions("scan", ["--json"]).json, true);
  for (const bad of ["0", "-1", "soon", "601", "1e3"]) {
    assert.match(usageError(() => parseOptions("scan", ["--timeout", bad])).message, /timeout/);
  }
  assert.match(usageError(() => parseOptions("scan", ["10.0.0.1"])).message, /unexpected/);
});

Deno.test("parseOptions: serve --max-storage takes a size; unset, the hub's default (10 GB) applies", () => {
  assert.equal(parseOptions("serve", []).maxStorageBytes, undefined);
  assert.equal(parseOptions("serve", ["--max-storage", "10GB"]).maxStorageBytes, 10e9);
  assert.equal(parseOptions("serve", ["--max-storage", "512MiB"]).maxStorageBytes, 512 * 2 ** 20);
  assert.equal(parseOptions("serve", ["--max-storage", "0"]).maxStorageBytes, 0);
  const error = usageError(() => parseOptions("serve", ["--max-storage", "lots"]));
  assert.equal(error.message, "invalid size 'lots'");
  // A hub's flag only.
  assert.equal(
    usageError(() => parseOptions("listen", ["--max-storage", "1GB"])).message,
    "Unknown option '--max-storage'",
  );
});

Deno.test("parseOptions: --port works wherever a port is taken, as for ui", () => {
  assert.equal(parseOptions("listen", ["--port", "5090"]).port, 5090);
  assert.equal(parseOptions("serve", ["--port=6060"]).port, 6060);
  assert.equal(parseOptions("connect", ["10.0.0.5", "--port", "5090"]).port, 5090);
  assert.equal(parseOptions("listen", ["5090", "--port", "5090"]).port, 5090);
  const twice = usageError(() => parseOptions("listen", ["5090", "--port", "6060"]));
  assert.equal(twice.message, "two ports given: '5090' and --port '6060'");
});

Deno.test("parseOptions: a negative number is refused by the flag's own check, not as ambiguous", () => {
  const history = usageError(() => parseOptions("serve", ["--history", "-1"]));
  assert.equal(history.message, "invalid history size '-1'");
  assert.equal(history.hint, "Use a whole number.");
  const port = usageError(() => parseOptions("listen", ["--port", "-5"]));
  assert.equal(port.message, "invalid port '-5'");
  // A flag after a flag that needs a value is still a mistake named as such.
  assert.match(usageError(() => parseOptions("serve", ["--history", "--json"])).message, /history/);
});
