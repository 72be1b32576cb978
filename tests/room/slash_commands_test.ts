import assert from "node:assert/strict";
import {
  type CommandContext,
  type CommandFeedback,
  COMMANDS,
  type OwnLine,
  runLine,
} from "../../lib/room/slash_commands.ts";
import type { Order, Role } from "../../lib/room/moderation.ts";
import type { RoomClient } from "../../lib/room/room_client.ts";

type Call = [method: string, ...args: unknown[]];

/** The parts of a RoomClient the commands use, recording each call. */
class FakeClient implements
  Pick<
    RoomClient,
    | "say"
    | "whisper"
    | "nick"
    | "who"
    | "listFiles"
    | "fetch"
    | "sendFile"
    | "kind"
    | "answerOffer"
    | "offersWaiting"
    | "role"
    | "topic"
    | "order"
    | "away"
    | "back"
    | "ignore"
    | "unignore"
    | "ignored"
  > {
  calls: Call[] = [];
  offersWaiting: number[] = [];
  kind: "direct" | "hub";
  role: Role = "member";
  topic: string | undefined;
  ignored: string[] = [];
  sendResult: Promise<void> = Promise.resolve();
  constructor(kind: "direct" | "hub" = "hub") {
    this.kind = kind;
  }
  say(text: string, me = false): void {
    this.calls.push(["say", text, me]);
  }
  whisper(to: string, text: string): void {
    this.calls.push(["whisper", to, text]);
  }
  nick(name: string): void {
    this.calls.push(["nick", name]);
  }
  who(page = 1): void {
    this.calls.push(["who", page]);
  }
  listFiles(page = 1): void {
    this.calls.push(["listFiles", page]);
  }
  fetch(file: number): Promise<void> {
    this.calls.push(["fetch", file]);
    return Promise.resolve();
  }
  sendFile(path: string): Promise<void> {
    this.calls.push(["sendFile", path]);
    return this.sendResult;
  }
  answerOffer(offer: number | undefined, yes: boolean): boolean {
    this.calls.push(["answerOffer", offer, yes]);
    const known = offer === undefined
      ? this.offersWaiting.length > 0
      : this.offersWaiting.includes(offer);
    this.offersWaiting = this.offersWaiting.filter((id) => id !== (offer ?? this.offersWaiting[0]));
    return known;
  }
  order(order: Order): void {
    this.calls.push(["order", order]);
  }
  away(text?: string): void {
    this.calls.push(["away", text]);
  }
  back(): void {
    this.calls.push(["back"]);
  }
  ignore(name: string): string | undefined {
    this.calls.push(["ignore", name]);
    if (name === "me") return "You cannot ignore yourself.";
    this.ignored.push(name);
    return undefined;
  }
  unignore(name: string): boolean {
    this.calls.push(["unignore", name]);
    const had = this.ignored.includes(name);
    this.ignored = this.ignored.filter((other) => other !== name);
    return had;
  }
}

function setup(kind: "direct" | "hub" = "hub", lastPrivateFrom?: string) {
  const client = new FakeClient(kind);
  const shown: CommandFeedback[] = [];
  const said: OwnLine[] = [];
  let quits = 0;
  const context: CommandContext = {
    client: client as unknown as RoomClient,
    show: (event) => shown.push(event),
    quit: () => quits++,
    lastPrivateFrom,
    said: (line) => said.push(line),
  };
  const run = (line: string) => runLine(line, context);
  return { client, shown, said, run, quits: () => quits };
}

Deno.test("runLine: plain text is said to everyone", () => {
  const { client, shown, said, run } = setup();
  run("hello there");
  run("  indented");
  assert.deepEqual(client.calls, [["say", "hello there", false], ["say", "  indented", false]]);
  assert.deepEqual(said, [{ text: "hello there", me: false }, { text: "  indented", me: false }]);
  assert.deepEqual(shown, []);
});

Deno.test("runLine: blank lines do nothing", () => {
  const { client, shown, run } = setup();
  run("");
  run("   ");
  assert.deepEqual(client.calls, []);
  assert.deepEqual(shown, []);
});

Deno.test("runLine: //text sends /text instead of running a command", () => {
  const { client, run } = setup();
  run("//quit is a command");
  run("//");
  assert.deepEqual(client.calls, [["say", "/quit is a command", false], ["say", "/", false]]);
});

Deno.test("runLine: /send sends the file, quotes around the path removed", () => {
  const { client, shown, run } = setup("direct");
  run("/send report.pdf");
  run('/send "my files/holiday photo.jpg"');
  run("/send 'x y.txt'  ");
  assert.deepEqual(client.calls, [
    ["sendFile", "report.pdf"],
    ["sendFile", "my files/holiday photo.jpg"],
    ["sendFile", "x y.txt"],
  ]);
  assert.deepEqual(shown, []);
});

Deno.test("runLine: /send sends several files, dropped-on paths and ~/ included", () => {
  const { client, shown, run } = setup("direct");
  const home = Deno.env.get("HOME");
  run(String.raw`/send a.txt /tmp/My\ Holiday.jpg "b c.pdf" ~/notes.md`);
  assert.deepEqual(client.calls, [
    ["sendFile", "a.txt"],
    ["sendFile", "/tmp/My Holiday.jpg"],
    ["sendFile", "b c.pdf"],
    ["sendFile", home === undefined ? "~/notes.md" : `${home}/notes.md`],
  ]);
  assert.deepEqual(shown, []);
});

Deno.test("runLine: /send of one existing file named with spaces, unquoted, sends that file", () => {
  const dir = Deno.makeTempDirSync();
  try {
    const { client, run } = setup("direct");
    Deno.writeFileSync(`${dir}/my notes.txt`, new Uint8Array(1));
    run(`/send ${dir}/my notes.txt`);
    assert.deepEqual(client.calls, [["sendFile", `${dir}/my notes.txt`]]);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("runLine: /send with an unclosed quote sends nothing and says why", () => {
  const { client, shown, run } = setup("direct");
  run(`/send a.txt "b.txt`);
  assert.deepEqual(client.calls, []);
  assert.deepEqual(shown, [
    { type: "error", message: 'a quote (") is not closed: /send PATH ...' },
  ]);
});

Deno.test("runLine: y, n and Enter (yes, as [Y/n] says) answer the oldest waiting offer; /accept and /decline take an id", () => {
  const { client, shown, run } = setup("direct");
  client.offersWaiting = [3, 4, 5, 6];
  run("y");
  run(" NO ");
  run("");
  run("/accept 6");
  assert.deepEqual(client.calls, [
    ["answerOffer", undefined, true],
    ["answerOffer", undefined, false],
    ["answerOffer", undefined, true],
    ["answerOffer", 6, true],
  ]);
  // With nothing waiting, y is a chat line, Enter does nothing; /decline says there is nothing to answer.
  run("y");
  run("");
  run("/decline");
  run("/decline x");
  assert.deepEqual(client.calls.slice(4), [["say", "y", false], ["answerOffer", undefined, false]]);
  assert.deepEqual(shown, [
    { type: "error", message: "No file offer waits for an answer." },
    { type: "error", message: "Usage: /decline [ID]" },
  ]);
});

Deno.test("runLine: /send without a path shows its usage", () => {
  const { client, shown, run } = setup();
  run("/send");
  run("/send   ");
  assert.deepEqual(client.calls, []);
  assert.deepEqual(shown, [
    { type: "error", message: "Usage: /send PATH ..." },
    { type: "error", message: "Usage: /send PATH ..." },
  ]);
});

Deno.test("runLine: where paths are refused, /send reads nothing and says why", () => {
  const client = new FakeClient("direct");
  const shown: CommandFeedback[] = [];
  const context: CommandContext = {
    client: client as unknown as RoomClient,
    show: (event) => shown.push(event),
    quit: () => {},
    sendPathRefusal: "Use the Send File button.",
  };
  runLine("/send /etc/passwd", context);
  runLine("/help", context);
  assert.deepEqual(client.calls, []);
  assert.deepEqual(shown[0], { type: "error", message: "Use the Send File button." });
  assert.ok(shown[1].type === "system" && !shown[1].text.includes("/send"), "not in /help");
});

Deno.test("runLine: a failed /send does not become an unhandled rejection", async () => {
  const { client, run } = setup();
  client.sendResult = Promise.reject(new Error("refused"));
  run("/send a.txt");
  // Shown through the client's file-failed event; here it must just not crash the test.
  await new Promise((resolve) => setTimeout(resolve, 0));
  assert.deepEqual(client.calls, [["sendFile", "a.txt"]]);
});

Deno.test("runLine: /msg whispers, and shows its usage when incomplete", () => {
  const { client, shown, said, run } = setup();
  run("/msg bob see you at 5");
  run("/msg bob");
  run("/msg");
  assert.deepEqual(client.calls, [["whisper", "bob", "see you at 5"]]);
  assert.deepEqual(said, [{ to: "bob", text: "see you at 5" }]);
  assert.deepEqual(shown, [
    { type: "error", message: "Usage: /msg NAME TEXT" },
    { type: "error", message: "Usage: /msg NAME TEXT" },
  ]);
});

Deno.test("runLine: /reply answers the last private message", () => {
  const none = setup("hub");
  none.run("/reply ok");
  assert.deepEqual(none.shown, [{ type: "error", message: "No private message to reply to." }]);
  assert.deepEqual(none.client.calls, []);
  const some = setup("hub", "carol");
  some.run("/reply  on my way ");
  assert.deepEqual(some.client.calls, [["whisper", "carol", "on my way"]]);
});

Deno.test("runLine: /me, /nick, /who, /files and /get", () => {
  const { client, shown, run } = setup();
  run("/me waves");
  run("/nick alicia");
  run("/who");
  run("/files");
  run("/get 3");
  run("/get x");
  run("/get 0");
  run("/nick");
  assert.deepEqual(client.calls, [
    ["say", "waves", true],
    ["nick", "alicia"],
    ["who", 1],
    ["listFiles", 1],
    ["fetch", 3],
  ]);
  assert.deepEqual(shown, [
    { type: "error", message: "Usage: /get ID" },
    { type: "error", message: "Usage: /get ID" },
    { type: "error", message: "Usage: /nick NAME" },
  ]);
});

Deno.test("runLine: /who and /files take a page number", () => {
  const { client, shown, run } = setup();
  run("/who 2");
  run("/files  12 ");
  run("/names 3");
  for (const bad of ["/who x", "/who 0", "/who -1", "/who 1.5", "/files 2 3", "/files 1e3"]) {
    run(bad);
  }
  assert.deepEqual(client.calls, [["who", 2], ["listFiles", 12], ["who", 3]]);
  assert.deepEqual(shown.map((event) => event.type === "error" ? event.message : event.text), [
    ...Array(4).fill("Usage: /who [PAGE]"),
    ...Array(2).fill("Usage: /files [PAGE]"),
  ]);
});

Deno.test("runLine: aliases /names, /exit and /nickname, any case", () => {
  const { client, run, quits } = setup();
  run("/names");
  run("/NAMES");
  run("/nickname al");
  run("/exit");
  run("/Quit");
  assert.deepEqual(client.calls, [["who", 1], ["who", 1], ["nick", "al"]]);
  assert.equal(quits(), 2);
});

Deno.test("runLine: an unknown command is named, with a pointer to /help", () => {
  const { client, shown, run } = setup();
  run("/dance wildly");
  run("/constructor"); // not a property lookup on the table
  run("/toString");
  assert.deepEqual(client.calls, []);
  assert.deepEqual(shown, [
    { type: "error", message: "Unknown command /dance. Type /help for the list." },
    { type: "error", message: "Unknown command /constructor. Type /help for the list." },
    { type: "error", message: "Unknown command /toString. Type /help for the list." },
  ]);
});

Deno.test("runLine: a lone slash is an unknown command, not a crash", () => {
  const { client, shown, run } = setup();
  run("/");
  run("/ hello");
  assert.deepEqual(client.calls, []);
  assert.deepEqual(shown, [
    { type: "error", message: "Unknown command /. Type /help for the list." },
    { type: "error", message: "Unknown command /. Type /help for the list." },
  ]);
});

Deno.test("runLine: /help lists hub commands only in a hub, and orders only to those who may give them", () => {
  const helpOf = (kind: "direct" | "hub", role: Role) => {
    const person = setup(kind);
    person.client.role = role;
    person.run(kind === "hub" ? "/help" : "/HELP");
    return person.shown[0].type === "system" ? person.shown[0].text : "";
  };
  const hostText = helpOf("hub", "host");
  const opText = helpOf("hub", "op");
  const memberText = helpOf("hub", "member");
  const directText = helpOf("direct", "member");
  assert.match(hostText, /^Commands:\n/);
  for (const command of Object.values(COMMANDS)) {
    assert.ok(hostText.includes(command.usage), command.usage);
    assert.equal(opText.includes(command.usage), command.role !== "host", command.usage);
    assert.equal(memberText.includes(command.usage), command.role === undefined, command.usage);
    assert.equal(
      directText.includes(command.usage),
      !command.hubOnly && command.role === undefined,
      command.usage,
    );
  }
  assert.match(directText, /\/send PATH \.\.\. +send files/);
  assert.match(memberText, /\/away \[MESSAGE\] +mark yourself away/);
  assert.match(opText, /\/kick NAME \[REASON\] +put a member out/);
  assert.ok(!opText.includes("/op NAME"), "an operator does not make operators");
});

Deno.test("runLine: moderation orders go to the hub parsed (durations strictly); mistakes are shown", () => {
  const { client, shown, run } = setup();
  run("/kick bob");
  run("/kick bob stop flooding");
  run("/ban bob 2h flooding the room");
  run("/ban bob");
  run("/ban bob spam");
  run("/mute bob 10m");
  run("/unmute bob");
  run("/unban bob");
  run("/op carol");
  run("/deop carol");
  run("/topic Friday's plan");
  run("/topic --clear");
  assert.deepEqual(client.calls.map((call) => call[1]), [
    { action: "kick", name: "bob" },
    { action: "kick", name: "bob", reason: "stop flooding" },
    { action: "ban", name: "bob", seconds: 7200, reason: "flooding the room" },
    { action: "ban", name: "bob" },
    { action: "ban", name: "bob", reason: "spam" },
    { action: "mute", name: "bob", seconds: 600 },
    { action: "unmute", name: "bob" },
    { action: "unban", name: "bob" },
    { action: "op", name: "carol" },
    { action: "deop", name: "carol" },
    { action: "topic", text: "Friday's plan" },
    { action: "topic", text: "" },
  ]);
  assert.equal(shown.length, 0);
  client.calls = [];
  run("/kick");
  run("/ban bob 1.5h");
  run("/ban bob 400d");
  run("/mute bob 0m");
  run("/ban bob 10 minutes");
  run("/unban bob now");
  assert.deepEqual(client.calls, [], "nothing went to the hub");
  assert.deepEqual(shown.map((event) => event.type === "error" ? event.message : event.text), [
    "Usage: /kick NAME [REASON]",
    "Not a duration: 1.5h (use a whole number and s, m, h or d: 90s, 10m, 2h, 7d).",
    "Too long: 400d (at most 365d).",
    "Too short: 0m.",
    "Not a duration: 10 (use a whole number and s, m, h or d: 90s, 10m, 2h, 7d).",
    "Usage: /unban NAME",
  ]);
});

Deno.test("runLine: /topic alone shows the topic", () => {
  const { client, shown, run } = setup();
  run("/topic");
  client.topic = "Friday's plan";
  run("/topic ");
  assert.deepEqual(client.calls, []);
  assert.deepEqual(shown, [
    { type: "system", text: "No topic." },
    { type: "system", text: "Topic: Friday's plan" },
  ]);
});

Deno.test("runLine: /away, /back, /ignore and /unignore", () => {
  const { client, shown, run } = setup();
  run("/away");
  run("/away  at lunch ");
  run("/back");
  run("/ignore mallory");
  run("/ignore me");
  run("/ignore");
  run("/unignore mallory");
  run("/unignore mallory");
  run("/ignore");
  assert.deepEqual(client.calls, [
    ["away", undefined],
    ["away", "at lunch"],
    ["back"],
    ["ignore", "mallory"],
    ["ignore", "me"],
    ["unignore", "mallory"],
    ["unignore", "mallory"],
  ]);
  assert.deepEqual(shown, [
    { type: "system", text: "You ignore mallory now: /unignore mallory to undo." },
    { type: "error", message: "You cannot ignore yourself." },
    { type: "system", text: "You ignore: mallory" },
    { type: "system", text: "You no longer ignore mallory." },
    { type: "error", message: "You do not ignore mallory." },
    { type: "system", text: "You ignore no one." },
  ]);
});
