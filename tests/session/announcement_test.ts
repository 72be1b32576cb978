import assert from "node:assert/strict";
import {
  type Announcement,
  announcementTxt,
  capUtf8,
  instanceLabel,
  LABEL_MAX_BYTES,
  labelProblem,
  MEMBERS_MAX,
  parseAnnouncement,
  type RawAnnouncement,
} from "../../lib/session/announcement.ts";

const hub: Announcement = {
  label: "alice's hub",
  kind: "hub",
  port: 5050,
  version: 2,
  auth: "passkey",
  members: 3,
};

const bytes = (text: string) => new TextEncoder().encode(text).length;

function raw(txt: ReadonlyArray<string | Uint8Array>, port = 5050): RawAnnouncement {
  return { instance: "alice._p2pchat._tcp.local", host: "10.0.0.1", port, txt };
}

Deno.test("announcementTxt() carries the label, kind, protocol, auth and members, nothing else", () => {
  assert.deepEqual(announcementTxt(hub), [
    "txtvers=1",
    "label=alice's hub",
    "kind=hub",
    "proto=2",
    "auth=passkey",
    "members=3",
  ]);
  assert.deepEqual(
    announcementTxt({
      label: "bob",
      kind: "direct",
      port: 1,
      version: 2,
      auth: "open",
      busy: true,
    }),
    ["txtvers=1", "label=bob", "kind=direct", "proto=2", "auth=open", "busy=1"],
  );
});

Deno.test("an announcement reads back as what was announced, with the sender's address", () => {
  assert.deepEqual(parseAnnouncement(raw(announcementTxt(hub))), {
    instance: "alice._p2pchat._tcp.local",
    host: "10.0.0.1",
    port: 5050,
    label: "alice's hub",
    kind: "hub",
    auth: "passkey",
    version: 2,
    members: 3,
  });
  const direct = parseAnnouncement(
    raw(
      ["kind=direct", "auth=open", "busy=0", "label=bob"].map((s) => new TextEncoder().encode(s)),
    ),
  );
  assert.equal(direct?.busy, false);
  assert.equal(direct?.label, "bob");
});

Deno.test("an announcement with a bad port, kind, auth, members or busy is not shown", () => {
  const good = ["kind=hub", "auth=passkey", "members=2"];
  assert.ok(parseAnnouncement(raw(good)));
  for (const port of [0, -1, 65536, 1.5]) {
    assert.equal(parseAnnouncement(raw(good, port)), undefined);
  }
  for (
    const txt of [
      ["kind=server", "auth=passkey"],
      ["auth=passkey"],
      ["kind=hub", "auth=maybe"],
      ["kind=hub"],
      ["kind=hub", "auth=open", "members=-1"],
      ["kind=hub", "auth=open", "members=1e3"],
      ["kind=hub", "auth=open", `members=${MEMBERS_MAX + 1}`],
      ["kind=hub", "auth=open", "members=99999999999999999999"],
      ["kind=direct", "auth=open", "busy=yes"],
      ["kind=direct", "auth=open", "proto=two"],
    ]
  ) {
    assert.equal(parseAnnouncement(raw(txt)), undefined, txt.join(" "));
  }
});

Deno.test("a scanner keeps the first of a repeated key and reads only the first TXT strings", () => {
  const chat = parseAnnouncement(
    raw(["KIND=hub", "kind=direct", "auth=open", "label=first", "label=x"]),
  );
  assert.equal(chat?.kind, "hub");
  assert.equal(chat?.label, "first");
  const late = parseAnnouncement(raw([...Array(16).fill("pad=1"), "kind=hub", "auth=open"]));
  assert.equal(late, undefined);
});

Deno.test("a received label is capped at 63 bytes, whole characters, and kept unescaped", () => {
  const chat = parseAnnouncement(raw(["kind=hub", "auth=open", `label=\x1b[2J${"é".repeat(100)}`]));
  assert.ok(chat);
  assert.ok(bytes(chat.label) <= LABEL_MAX_BYTES);
  assert.ok(chat.label.startsWith("\x1b[2Jé")); // escaping is the printer's job
  assert.ok(!chat.label.includes("\ufffd"));
  const empty = parseAnnouncement(raw(["kind=hub", "auth=open", "label="]));
  assert.equal(empty?.label, "alice"); // no label: the instance name
});

Deno.test("labelProblem() allows names with emoji and refuses empty, long or control labels", () => {
  assert.equal(labelProblem("alice's hub 👩‍💻"), undefined);
  assert.equal(labelProblem("x".repeat(63)), undefined);
  assert.match(labelProblem("x".repeat(64))!, /at most 63 bytes/);
  assert.match(labelProblem("é".repeat(32))!, /at most 63 bytes/);
  assert.match(labelProblem(" ")!, /empty/);
  assert.match(labelProblem("a\x1b[2Jb")!, /control/);
  assert.match(labelProblem("evil\u202etxt")!, /control/);
});

Deno.test("instanceLabel() makes a DNS label: no dots, at most 63 bytes with its clash number", () => {
  assert.equal(instanceLabel("alice.example.com"), "alice-example-com");
  assert.equal(instanceLabel("alice", 2), "alice (2)");
  const long = instanceLabel("ü".repeat(40), 12);
  assert.ok(bytes(long) <= 63);
  assert.ok(long.endsWith(" (12)"));
  assert.equal(capUtf8("aé", 2), "a");
});

Deno.test("announcementTxt() caps what it sends: label bytes and member count", () => {
  const txt = announcementTxt({ ...hub, label: "ß".repeat(100), members: 10 ** 9 });
  assert.ok(bytes(txt[1]) <= "label=".length + LABEL_MAX_BYTES);
  assert.equal(txt[5], `members=${MEMBERS_MAX}`);
});
