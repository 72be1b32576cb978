/**
 * At least one sample of every event a face shows, in an order a chat could see them: typed
 * by event type, so a new event type does not compile until it has a sample here (and so is
 * checked by the tests that show every event on each face).
 *
 * @example
 * ```ts ignore
 * import { sampleEvents } from "./sample_events.ts";
 * for (const event of sampleEvents()) view.show(event);
 * ```
 * @module
 */

import type { ChatEvent } from "../../lib/app/chat_event.ts";

const TIME = "2026-01-01T12:34:00.000Z";
const HASH = "0123456789abcdef".repeat(4);
/** A ban's end already past: how long is left reads the same whenever the test runs. */
const ENDED = "2026-01-01T14:00:00.000Z";
/** A received file, the base of the file samples. */
const SAVED = {
  type: "file" as const,
  from: "alice",
  name: "a.txt",
  path: "received_files/a.txt",
  bytes: 1234,
  sha256: HASH,
};

type Samples = { [T in ChatEvent["type"]]: Extract<ChatEvent, { type: T }>[] };

/** Every event type, with the variants their words differ by. */
const SAMPLES: Samples = {
  listening: [
    {
      type: "listening",
      host: "0.0.0.0",
      port: 5050,
      addresses: ["192.168.1.12"],
      passkey: "7-orbit-lemon-cradle",
      hub: false,
    },
    { type: "listening", host: "127.0.0.1", port: 6060, addresses: [], passkey: null, hub: true },
    {
      type: "listening",
      host: "0.0.0.0",
      port: 6060,
      addresses: ["192.168.1.12"],
      passkey: "7-orbit-lemon-cradle",
      hub: true,
      served: true,
    },
  ],
  scanning: [
    { type: "scanning", timeoutMs: 2000 },
    { type: "scanning", timeoutMs: 500, label: "alice's hub" },
  ],
  "found-chat": [
    { type: "found-chat", label: "alice's hub", kind: "hub", host: "192.168.1.12", port: 5050 },
    { type: "found-chat", label: "bob", kind: "direct", host: "fe80::1", port: 5050 },
  ],
  connecting: [
    { type: "connecting", host: "192.168.1.12", port: 5050 },
    { type: "connecting", host: "fe80::1", port: 5050 },
  ],
  "name-numbered": [{ type: "name-numbered", taken: "root", name: "root-2" }],
  "passkey-changed": [
    { type: "passkey-changed", queued: 2, asking: true },
    { type: "passkey-changed", queued: 0, asking: true },
    { type: "passkey-changed", queued: 1, asking: false },
  ],
  "connected-to": [{ type: "connected-to", host: "192.168.1.12", port: 5050 }],
  secured: [
    { type: "secured", peer: "192.168.1.12:5050", authenticated: true, safety: "1111 2222 3333" },
    { type: "secured", peer: "192.168.1.12:5050", authenticated: false, safety: "1111 2222 3333" },
    {
      type: "secured",
      peer: "192.168.1.12:5050",
      authenticated: false,
      safety: "4444 5555 6666",
      previousSafety: "1111 2222 3333",
      safetyChanged: true,
    },
  ],
  retry: [
    { type: "retry", ask: "passkey", reason: "Wrong passkey", triesLeft: 2 },
    { type: "retry", ask: "name", reason: "The name bob is taken in this chat." },
  ],
  welcome: [
    {
      type: "welcome",
      you: "bob",
      kind: "hub",
      members: ["alice", "bob"],
      count: 2,
      history: 0,
      resumed: true,
      topic: "Release day",
      role: "op",
      ops: ["bob"],
      away: ["alice"],
    },
    {
      type: "welcome",
      you: "bob",
      kind: "hub",
      members: ["alice", "bob"],
      count: 5,
      history: 1,
      resumed: false,
      skipped: 3,
    },
  ],
  message: [
    {
      type: "message",
      from: "alice",
      text: "earlier",
      time: TIME,
      seq: 1,
      me: false,
      history: true,
    },
    {
      type: "message",
      from: "alice",
      text: "hi bob 👋",
      time: TIME,
      seq: 2,
      me: false,
      history: false,
    },
    { type: "message", from: "alice", text: "waves", time: TIME, seq: 3, me: true, history: false },
    {
      type: "message",
      from: "alice",
      text: "bob, look",
      time: TIME,
      seq: 4,
      me: false,
      history: false,
      mention: true,
    },
  ],
  own: [
    { type: "own", from: "bob", text: "hello all", me: false, time: TIME },
    { type: "own", from: "bob", text: "psst", me: false, to: "alice", time: TIME },
  ],
  private: [{ type: "private", from: "alice", to: "bob", text: "just you", time: TIME }],
  joined: [
    { type: "joined", name: "carol", count: 6 },
    { type: "joined", name: "dave", count: 2, remote: "192.168.1.7:50483" },
  ],
  left: [{ type: "left", name: "carol", count: 5, reason: "the connection was reset" }],
  crowd: [{ type: "crowd", joined: 12, left: 3, count: 14 }],
  renamed: [{ type: "renamed", from: "bob", to: "robert" }],
  members: [
    { type: "members", names: ["alice", "robert"], page: 1, pages: 1, total: 2 },
    { type: "members", names: ["alice"], page: 1, pages: 3, total: 250 },
    {
      type: "members",
      names: ["alice", "robert", "carol"],
      page: 1,
      pages: 1,
      total: 3,
      away: ["robert"],
      ops: ["alice", "robert"],
      muted: ["carol"],
    },
  ],
  moderated: [
    { type: "moderated", action: "kicked", name: "carol", by: "host", host: true, reason: "spam" },
    {
      type: "moderated",
      action: "banned",
      name: "carol",
      by: "alice",
      host: false,
      reason: "spam",
      until: ENDED,
    },
    { type: "moderated", action: "banned", name: "dave", by: "host", host: true, until: "soon" },
    { type: "moderated", action: "unbanned", name: "dave", by: "host", host: true },
    { type: "moderated", action: "muted", name: "erin", by: "alice", host: false },
    { type: "moderated", action: "unmuted", name: "erin", by: "alice", host: false },
    { type: "moderated", action: "op", name: "robert", by: "host", host: true },
    { type: "moderated", action: "deop", name: "robert", by: "host", host: true },
  ],
  topic: [
    { type: "topic", text: "Release day", by: "host" },
    { type: "topic", text: "Ship it", by: "alice" },
    { type: "topic", text: "", by: "alice" },
    { type: "topic", text: "Ship it" },
  ],
  away: [
    { type: "away", name: "alice", text: "at lunch" },
    { type: "away", name: "carol" },
  ],
  removed: [{ type: "removed", file: 3, name: "d.txt", by: "host" }],
  notice: [
    { type: "notice", text: "Message rejected: Rate limiting is in effect.", error: true },
    { type: "notice", text: "The hub will restart soon.", error: false },
  ],
  "file-offer": [
    {
      type: "file-offer",
      offer: 2,
      from: "alice",
      name: "report.pdf",
      bytes: 12_300_000,
      ask: true,
    },
    { type: "file-offer", offer: 3, from: "alice", name: "pics", bytes: 9000, files: 3, ask: true },
    { type: "file-offer", offer: 4, from: "alice", name: "a.txt", bytes: 1234, ask: false },
  ],
  "file-waiting": [{ type: "file-waiting", name: "report.pdf" }],
  "file-paused": [
    { type: "file-paused", name: "report.pdf" },
    { type: "file-paused", name: "report.pdf", by: "bob" },
  ],
  "file-declined": [
    { type: "file-declined", name: "report.pdf", by: "alice" },
    { type: "file-declined", name: "report.pdf", from: "bob" },
  ],
  "file-incoming": [
    { type: "file-incoming", from: "alice", name: "a.txt", bytes: 1234 },
    { type: "file-incoming", from: "alice", name: "photos", bytes: 5_000_000, files: 12 },
  ],
  progress: [{
    type: "progress",
    transfer: "receive-1",
    direction: "receive",
    name: "a.txt",
    done: 1234,
    total: 1234,
  }],
  file: [
    SAVED,
    { ...SAVED, bytes: 200_000_000, resumedFrom: 104_857_600 },
    { ...SAVED, skipped: true },
    {
      ...SAVED,
      name: "photos (1)",
      path: "received_files/photos (1)",
      bytes: 5_000_000,
      files: 1,
    },
  ],
  "file-sent": [
    { type: "file-sent", name: "b.txt", bytes: 20, sha256: HASH, to: "alice" },
    { type: "file-sent", name: "b.txt", bytes: 9e8, sha256: HASH, to: "alice", resumedFrom: 5e8 },
    { type: "file-sent", name: "b.txt", bytes: 20, sha256: HASH, to: "alice", skipped: true },
    { type: "file-sent", name: "photos", bytes: 5_000_000, sha256: HASH, files: 12, leftOut: 2 },
  ],
  "file-failed": [
    { type: "file-failed", direction: "send", name: "c.txt", reason: "too large" },
    { type: "file-failed", direction: "receive", name: "c.txt", reason: "bob left", held: true },
  ],
  shared: [{
    type: "shared",
    file: 3,
    from: "alice",
    name: "d.txt",
    bytes: 50_000_000,
    sha256: HASH,
  }, {
    type: "shared",
    file: 4,
    from: "alice",
    name: "pics",
    bytes: 9000,
    sha256: HASH,
    files: 3,
  }],
  "file-list": [
    { type: "file-list", files: [], page: 1, pages: 1, total: 0 },
    {
      type: "file-list",
      files: [{
        file: 3,
        from: "alice",
        name: "d.txt",
        size: 50_000_000,
        sha256: HASH,
        time: TIME,
      }, {
        file: 4,
        from: "alice",
        name: "pics",
        size: 9100,
        sha256: HASH,
        time: TIME,
        folder: { files: 3, bytes: 9000 },
      }],
      page: 1,
      pages: 2,
      total: 21,
    },
  ],
  reconnecting: [{ type: "reconnecting", reason: "connection reset", delayMs: 1500, attempt: 1 }],
  reconnected: [{ type: "reconnected" }],
  waiting: [{ type: "waiting", port: 5050 }],
  announced: [{ type: "announced", label: "alice's hub" }],
  "announce-failed": [{ type: "announce-failed", reason: "no address to announce on" }],
  room: [
    { type: "room", event: { type: "joined", name: "erin", remote: "10.0.0.7:5000", count: 3 } },
    { type: "room", event: { type: "skipped", remote: "10.0.0.6:4001", reason: "bad", count: 8 } },
    { type: "room", event: { type: "kicked", name: "erin", by: "host", reason: "spam" } },
    {
      type: "room",
      event: {
        type: "banned",
        name: "erin",
        by: "alice",
        until: ENDED,
        client: true,
        address: "10.0.0.7",
      },
    },
    {
      type: "room",
      event: { type: "banned", name: "zed", by: "host", client: false, kept: false },
    },
    { type: "room", event: { type: "topic", text: "Release day", by: "host" } },
    { type: "room", event: { type: "topic", text: "", by: "alice" } },
    { type: "room", event: { type: "said", text: "good luck" } },
    { type: "room", event: { type: "removed", file: 3, name: "d.txt", by: "host" } },
    {
      type: "room",
      event: { type: "denied", name: "erin", order: "kick", reason: "Only operators may kick." },
    },
  ],
  console: [
    { type: "console", event: { type: "help", commands: [{ usage: "/kick NAME", help: "out" }] } },
    {
      type: "console",
      event: {
        type: "who",
        members: [
          { name: "alice", remote: "10.0.0.1:5000", role: "op", away: "at lunch", muted: true },
          { name: "carol", remote: "10.0.0.3:5000", role: "member", away: "" },
        ],
        page: 1,
        pages: 2,
        total: 120,
      },
    },
    { type: "console", event: { type: "bans", bans: [], page: 1, pages: 1, total: 0 } },
    {
      type: "console",
      event: {
        type: "bans",
        bans: [{
          name: "erin",
          client: true,
          address: "10.0.0.7",
          reason: "spam",
          by: "alice",
          since: TIME,
          until: ENDED,
        }, { name: "zed", client: false, by: "host", since: TIME }],
        page: 1,
        pages: 1,
        total: 2,
      },
    },
    { type: "console", event: { type: "files", files: [], page: 1, pages: 1, total: 0 } },
    {
      type: "console",
      event: {
        type: "files",
        files: [{ file: 3, from: "alice", name: "d.txt", size: 1234, sha256: HASH, time: TIME }],
        page: 1,
        pages: 1,
        total: 1,
      },
    },
    { type: "console", event: { type: "passkey", passkey: "7-orbit-lemon-cradle" } },
    { type: "console", event: { type: "passkey", passkey: null } },
    { type: "console", event: { type: "topic", text: "Release day", by: "host" } },
    { type: "console", event: { type: "topic" } },
    { type: "console", event: { type: "error", message: "No one called zed is here." } },
  ],
  refused: [{ type: "refused", remote: "10.0.0.9:2", reason: "too many connections" }],
  "handshake-failed": [{
    type: "handshake-failed",
    remote: "10.0.0.9:1",
    reason: "Wrong passkey",
    failures: 4,
    delayMs: 2000,
  }],
  throttled: [{ type: "throttled", reason: "100 guesses failed in a short time" }],
  "accept-failed": [{ type: "accept-failed", reason: "Too many open files", retryMs: 10 }],
  "accept-resumed": [{ type: "accept-resumed", failures: 7 }],
  system: [{ type: "system", text: "Commands:\n  /help            this list" }],
  error: [{ type: "error", message: "Usage: /msg NAME TEXT" }],
  sent: [
    { type: "sent", text: "hello all", seq: 4 },
    { type: "sent", text: "psst", to: "alice" },
  ],
  "not-sent": [{ type: "not-sent", text: "hello?", reason: "dropped when leaving" }],
  closed: [
    { type: "closed", reason: "The hub is stopping." },
    { type: "closed", reason: "You were kicked by the host (spam).", kicked: true },
  ],
  quitting: [
    { type: "quitting", lines: 2, transfers: [], connected: false, how: "quit" },
    {
      type: "quitting",
      lines: 0,
      transfers: [{ direction: "send", name: "big.bin", done: 400, total: 1000 }],
      connected: true,
      how: "signal",
    },
  ],
  dropped: [{ type: "dropped", lines: 2 }],
  stopping: [{ type: "stopping" }],
  stopped: [{ type: "stopped" }],
  exiting: [{ type: "exiting" }],
};

/** Every sample, in the table's order (the welcome before what its words depend on). */
export function sampleEvents(): ChatEvent[] {
  return Object.values(SAMPLES).flat();
}

/** The event types a face shows. */
export const EVENT_TYPES: readonly string[] = Object.keys(SAMPLES);
