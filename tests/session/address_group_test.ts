import assert from "node:assert/strict";
import { addressGroup, isLoopback } from "../../lib/session/address_group.ts";

Deno.test("addressGroup: IPv4 addresses count one by one", () => {
  assert.equal(addressGroup("10.0.0.5"), "10.0.0.5");
  assert.notEqual(addressGroup("10.0.0.5"), addressGroup("10.0.0.6"));
});

Deno.test("addressGroup: every IPv6 address of one /64 is one group, however it is written", () => {
  const group = "2001:db8:1:2::/64";
  for (
    const address of [
      "2001:db8:1:2::a",
      "2001:0DB8:0001:0002:ffff:ffff:ffff:ffff",
      "2001:db8:1:2:0:0:0:1",
      "2001:db8:1:2::1.2.3.4",
      "2001:db8:1:2::9%eth0",
    ]
  ) assert.equal(addressGroup(address), group, address);
  assert.equal(addressGroup("2001:db8:1:3::a"), "2001:db8:1:3::/64");
  assert.equal(addressGroup("::1"), "0:0:0:0::/64");
  assert.equal(addressGroup("fe80::1"), "fe80:0:0:0::/64");
});

Deno.test("addressGroup: an IPv4 address seen through a dual-stack listener is the IPv4 address", () => {
  assert.equal(addressGroup("::ffff:10.0.0.5"), "10.0.0.5");
  assert.equal(addressGroup("::FFFF:192.168.1.7"), "192.168.1.7");
});

Deno.test("addressGroup: what is not an address stays itself (never merged with others)", () => {
  for (const text of ["not an address", "1::2::3", "12345::1", "1:2:3:4:5:6:7:8:9"]) {
    assert.equal(addressGroup(text), text.toLowerCase());
  }
});

Deno.test("isLoopback: this computer in IPv4, IPv6 and mapped forms", () => {
  for (const address of ["127.0.0.1", "127.1.2.3", "::1", "0:0:0:0:0:0:0:1", "::ffff:127.0.0.1"]) {
    assert.equal(isLoopback(address), true, address);
  }
  for (const address of ["10.0.0.1", "::2", "2001:db8::1", "::ffff:10.0.0.1", "128.0.0.1"]) {
    assert.equal(isLoopback(address), false, address);
  }
});
