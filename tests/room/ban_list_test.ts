import assert from "node:assert/strict";
import { type Ban, banAddress, BanList, type BanStore } from "../../lib/room/ban_list.ts";

const host = { by: "host", byHost: true };

Deno.test("banAddress: the address itself (not an IPv6 /64: a LAN shares one), never loopback or what is not an address", () => {
  assert.equal(banAddress("192.168.1.7:50483"), "192.168.1.7");
  assert.equal(banAddress("[2001:DB8:1:2::5]:5050"), "2001:db8:1:2::5");
  assert.equal(banAddress("[fe80::1%eth0]:5050"), "fe80::1");
  assert.notEqual(banAddress("[2001:db8:1:2::5]:1"), banAddress("[2001:db8:1:2::6]:1"));
  assert.equal(banAddress("[::ffff:10.0.0.5]:77"), "10.0.0.5");
  for (
    const remote of ["127.0.0.1:5050", "127.9.9.9:1", "[::1]:5050", "this computer", "", "x:y"]
  ) {
    assert.equal(banAddress(remote), undefined, remote);
  }
});

Deno.test("BanList: a ban holds by client, by name (look-alikes too) and by address", () => {
  const bans = new BanList();
  bans.add({ name: "bob", client: "c7", address: "10.0.0.5", reason: "spam", ...host });
  assert.equal(bans.match({ name: "robert", client: "c7" })?.name, "bob", "a new name");
  assert.equal(bans.match({ name: "robert", client: "c8", address: "10.0.0.5" })?.name, "bob");
  assert.equal(bans.match({ name: "B0B", client: "c9" })?.name, "bob", "a look-alike");
  assert.equal(bans.match({ name: "carol", client: "c9", address: "10.0.0.6" }), undefined);
  assert.equal(bans.match({ name: "carol" }), undefined);
  assert.equal(bans.size, 1);
});

Deno.test("BanList: a ban ends at its time; until then it holds", () => {
  let now = 1_000_000;
  const bans = new BanList({ now: () => now });
  bans.add({ name: "bob", client: "c7", until: now + 60_000, ...host });
  bans.add({ name: "eve", ...host });
  now += 59_999;
  assert.equal(bans.match({ name: "bob" })?.name, "bob");
  now += 1;
  assert.equal(bans.match({ name: "bob", client: "c7" }), undefined);
  assert.deepEqual(bans.list().map((ban) => ban.name), ["eve"], "an expired ban is gone");
  now += 365 * 86_400_000;
  assert.equal(bans.match({ name: "eve" })?.name, "eve", "no end: until lifted");
});

Deno.test("BanList: /unban lifts exactly that name; a new ban on a name replaces the old", () => {
  const bans = new BanList();
  bans.add({ name: "alice", client: "c1", ...host });
  assert.deepEqual(bans.removeName("aIice"), [], "a look-alike is not the name");
  assert.equal(bans.onName("ALICE").length, 1);
  bans.add({ name: "Alice", client: "c1", reason: "again", ...host });
  assert.deepEqual(bans.list().map((ban) => [ban.name, ban.reason]), [["Alice", "again"]]);
  assert.deepEqual(bans.removeName("alice").map((ban) => ban.name), ["Alice"]);
  assert.equal(bans.match({ name: "alice", client: "c1" }), undefined);
  assert.equal(bans.size, 0);
});

Deno.test("BanList: bounded; a full list refuses new bans instead of forgetting old ones", () => {
  const bans = new BanList({ max: 3 });
  for (const name of ["a", "b", "c"]) assert.ok(bans.add({ name, ...host }));
  assert.equal(bans.add({ name: "d", ...host }), undefined);
  assert.equal(bans.match({ name: "a" })?.name, "a", "the oldest still holds");
  bans.removeName("b");
  assert.ok(bans.add({ name: "d", ...host }));
});

Deno.test("BanList: a full list makes room from expired bans first", () => {
  let now = 0;
  const bans = new BanList({ max: 2, now: () => now });
  bans.add({ name: "a", until: 10, ...host });
  bans.add({ name: "b", ...host });
  now = 10;
  assert.ok(bans.add({ name: "c", ...host }));
  assert.deepEqual(bans.list().map((ban) => ban.name), ["b", "c"]);
});

/** A store in memory that can be made to fail, as a full disk would. */
class FakeStore implements BanStore {
  rows: Ban[] = [];
  failing = false;
  #next = 100;
  load(limit: number): Ban[] {
    return this.rows.slice(-limit);
  }
  insert(ban: Omit<Ban, "id">): number {
    if (this.failing) throw new Error("disk full");
    const id = this.#next++;
    this.rows.push({ ...ban, id });
    return id;
  }
  remove(ids: number[]): void {
    if (this.failing) throw new Error("disk full");
    this.rows = this.rows.filter((row) => !ids.includes(row.id));
  }
}

Deno.test("BanList: its store keeps the bans for the next list; a failing store is said, the ban holds", () => {
  const store = new FakeStore();
  const first = new BanList({ store });
  assert.equal(first.add({ name: "bob", client: "c7", ...host })?.kept, true);
  const second = new BanList({ store });
  assert.equal(second.match({ name: "x", client: "c7" })?.name, "bob");
  store.failing = true;
  const added = second.add({ name: "eve", ...host });
  assert.equal(added?.kept, false);
  assert.equal(second.match({ name: "eve" })?.name, "eve", "held while the hub runs");
  assert.notEqual(added?.ban.id, second.match({ name: "bob" })?.id, "numbers stay apart");
  store.failing = false;
  second.removeName("bob");
  assert.deepEqual(store.rows, []);
});
