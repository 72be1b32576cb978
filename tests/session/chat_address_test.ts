import assert from "node:assert/strict";
import {
  AddressError,
  formatAddress,
  parseChatAddress,
  portToUse,
} from "../../lib/session/chat_address.ts";

Deno.test("parseChatAddress: the forms people type, with and without a port", () => {
  assert.deepEqual(parseChatAddress("192.168.1.12"), { host: "192.168.1.12" });
  assert.deepEqual(parseChatAddress("192.168.1.12:5050"), { host: "192.168.1.12", port: 5050 });
  assert.deepEqual(parseChatAddress(" hub.local:6000 "), { host: "hub.local", port: 6000 });
  assert.deepEqual(parseChatAddress("localhost"), { host: "localhost" });
  assert.deepEqual(parseChatAddress("[::1]:5050"), { host: "::1", port: 5050 });
  assert.deepEqual(parseChatAddress("[fe80::1%eth0]:7000"), { host: "fe80::1%eth0", port: 7000 });
  assert.deepEqual(parseChatAddress("[::1]"), { host: "::1" });
  // A bare IPv6 address: its colons are its own, no port.
  assert.deepEqual(parseChatAddress("fe80::1"), { host: "fe80::1" });
  assert.deepEqual(parseChatAddress("::1"), { host: "::1" });
});

Deno.test("parseChatAddress: what is not an address is refused with the reason", () => {
  const refused = (typed: string, reason: RegExp) =>
    assert.throws(() => parseChatAddress(typed), (error) => {
      assert.ok(error instanceof AddressError, String(error));
      assert.match(error.message, reason);
      return true;
    });
  refused("", /the address is empty/);
  refused("10.0.0.5:", /'10\.0\.0\.5:' has no usable port/);
  refused("10.0.0.5:http", /no usable port: a port is a number from 1 to 65535/);
  refused("10.0.0.5:65536", /no usable port/);
  refused("10.0.0.5:0", /no usable port/);
  refused(":5050", /is not an address/);
  refused("alice's hub", /is not an address: use an IP address or a host name/);
  refused("10.0.0.5 5050", /is not an address/);
  refused("[10.0.0.5]:5050", /in \[ \] goes an IPv6 address/);
  refused("[::1]:x", /no usable port/);
  refused("\x1b[2J", /is not an address/);
});

Deno.test("portToUse: the address's port, the one given alone, or the default; two must agree", () => {
  assert.equal(portToUse({ host: "h", port: 6000 }, undefined, 5050), 6000);
  assert.equal(portToUse({ host: "h" }, 7000, 5050), 7000);
  assert.equal(portToUse({ host: "h" }, undefined, 5050), 5050);
  assert.equal(portToUse({ host: "h", port: 6000 }, 6000, 5050), 6000);
  assert.throws(
    () => portToUse({ host: "::1", port: 6000 }, 7000, 5050),
    /the port is given twice and differs: \[::1\]:6000 and port 7000/,
  );
});

Deno.test("formatAddress: IPv6 hosts in brackets", () => {
  assert.equal(formatAddress("10.0.0.5", 5050), "10.0.0.5:5050");
  assert.equal(formatAddress("::1", 5050), "[::1]:5050");
});
