import assert from "node:assert/strict";
import {
  type CommandContext,
  type CommandFeedback,
  COMMANDS,
  type OwnLine,
  runLine,
} from "../../lib/room/slash_commands.ts";
import type { RoomClient } from "../../lib/room/room_client.ts";

type Call = [method: string, ...args: unknown[]];

/** The parts of a RoomClient the commands use, recording each call. */
class FakeClient implements
  Pick<
    RoomClient,
    "say" | "whisper" | "nick" | "who" | "listFiles" | "fetch" | "sendFile" | "kind"
  > {
  calls: Call[] = [];
  kind: "direct" | "hub";
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

Deno.test("runLine: /send without a path shows its usage", () => {
  const { client, shown, run } = setup();
  run("/send");
  run("/send   ");
  assert.deepEqual(client.calls, []);
  assert.deepEqual(shown, [
    { type: "error", message: "Usage: /send PATH" },
    { type: "error", message: "Usage: /send PATH" },
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
  assert.deepEqual(shown.map((event) => event.type === "error" && event.message), [
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

Deno.test("runLine: /help lists hub commands only in a hub", () => {
  const hub = setup("hub");
  hub.run("/help");
  const direct = setup("direct");
  direct.run("/HELP");
  const hubText = hub.shown[0].type === "system" ? hub.shown[0].text : "";
  const directText = direct.shown[0].type === "system" ? direct.shown[0].text : "";
  assert.match(hubText, /^Commands:\n/);
  for (const command of Object.values(COMMANDS)) {
    assert.ok(hubText.includes(command.usage), command.usage);
    assert.equal(directText.includes(command.usage), !command.hubOnly, command.usage);
  }
  assert.match(directText, /\/send PATH +send a file/);
});
