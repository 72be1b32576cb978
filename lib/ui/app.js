// The page of `p2pchat ui`. It talks to the local p2pchat process over a WebSocket; that
// process holds the encrypted connection and words every event (lib/app/event_words.ts, the
// same sentences the terminal prints): the page lays out the lines it is sent and keeps its
// lists (members, transfers, files), but says nothing of its own about an event. Everything
// from peers is put on the page with textContent, never parsed as HTML, and in an element of
// its own that isolates its direction (<bdi>, or unicode-bidi: isolate in style.css), so a
// right-to-left override in a name or a line cannot reorder the words around it.

const $ = (id) => document.getElementById(id);

const form = $("connect-form");
const hostInput = $("host");
const portInput = $("port");
const nameInput = $("name");
const passkeyInput = $("passkey");
const showPasskey = $("show-passkey");
const openMode = $("open-mode");
const connectError = $("connect-error");
const connectButton = $("connect-button");
const log = $("log");
const message = $("message");
const fileInput = $("file-input");
const dropZone = $("drop-zone");

const LABELS = {
  connect: { host: "Server IP", button: "Connect", hint: "The passkey the host's screen shows." },
  listen: {
    host: "Listen on",
    button: "Listen",
    hint: "Give this passkey to the person who connects.",
  },
  host: {
    host: "Listen on",
    button: "Host hub",
    hint: "Give this passkey to everyone who joins.",
  },
};

let socket;
let state = "idle";
let suggestedPasskey = "";
/** The chat being shown: reset by every "started". */
let chat = freshChat();

function freshChat() {
  return {
    kind: "direct",
    you: "",
    address: "",
    members: [],
    /** How many are in the room: a big hub names only some of them. */
    count: 0,
    historyLeft: 0,
    transfers: new Map(),
    /** Whether this person hosts the chat (leaving stops it for the others). */
    hosting: false,
    /** The chat's connection: up, down (reconnecting), ended, or lost (this page's). */
    link: "up",
    /** Marks by member name ("op", "away", "muted"), as far as this page has learnt them. */
    marks: new Map(),
  };
}

// The key to the local process came in the address it printed. Kept in sessionStorage (this
// origin's alone, port included: never sent to other local servers, as a cookie would be)
// for reloads, and out of the address bar and history.
const TOKEN_KEY = "p2pchat-token";
const given = new URLSearchParams(location.search).get("token");
if (given) sessionStorage.setItem(TOKEN_KEY, given);
const token = sessionStorage.getItem(TOKEN_KEY) ?? "";
if (location.search) history.replaceState(null, "", "/");

// ---- Connection to the local process ----

/** Tries left to reopen the socket after it closed (a phone may drop it for a moment). */
let reopenTries = 0;
const REOPEN_TRIES = 10;
const REOPEN_DELAY_MS = 1500;

function openSocket() {
  if (!token) {
    setStatus("Open the address that `p2pchat ui` printed: it carries the key to this page.");
    for (const button of document.querySelectorAll("button")) button.disabled = true;
    return;
  }
  socket = new WebSocket(`ws://${location.host}/ws?token=${encodeURIComponent(token)}`);
  socket.addEventListener("message", (event) => {
    let data;
    try {
      data = JSON.parse(event.data);
    } catch {
      return;
    }
    handle(data);
  });
  socket.addEventListener("open", () => reopenTries = REOPEN_TRIES);
  socket.addEventListener("close", lostProcess);
}

/**
 * The socket to the p2pchat program closed: say so, grey the chat, and try again for a while
 * (the program keeps the chat for a grace; back within it, the page shows it again).
 */
function lostProcess() {
  setStatus(
    "Lost contact with the p2pchat program. Is it still running? Reload to retry, " +
      "or open the address it printed.",
  );
  for (const button of document.querySelectorAll("button")) button.disabled = true;
  message.disabled = true;
  showLink("lost");
  if (reopenTries-- > 0) setTimeout(openSocket, REOPEN_DELAY_MS);
}

function send(request) {
  if (socket?.readyState === WebSocket.OPEN) socket.send(JSON.stringify(request));
}

function setStatus(text) {
  $("status").textContent = text;
}

// ---- Connection screen ----

function mode() {
  return form.querySelector("input[name=mode]:checked").value;
}

function updateMode() {
  const current = mode();
  const labels = LABELS[current];
  $("host-label").textContent = labels.host;
  connectButton.textContent = labels.button;
  $("passkey-hint").textContent = labels.hint;
  $("host-hint").hidden = current === "connect";
  $("found").hidden = current !== "connect";
  if (current === "connect") {
    if (hostInput.value === "0.0.0.0") hostInput.value = "127.0.0.1";
    if (passkeyInput.value === suggestedPasskey) passkeyInput.value = "";
    setPasskeyShown(showPasskey.checked);
  } else {
    if (hostInput.value === "127.0.0.1") hostInput.value = "0.0.0.0";
    // A generated passkey is shown: it is there to be read out.
    if (passkeyInput.value === "") passkeyInput.value = suggestedPasskey;
    showPasskey.checked = true;
    setPasskeyShown(true);
  }
  updateOpenMode();
}

function setPasskeyShown(shown) {
  passkeyInput.type = shown ? "text" : "password";
}

function updateOpenMode() {
  passkeyInput.disabled = openMode.checked;
  showPasskey.disabled = openMode.checked;
}

for (const radio of form.querySelectorAll("input[name=mode]")) {
  radio.addEventListener("change", updateMode);
}
showPasskey.addEventListener("change", () => setPasskeyShown(showPasskey.checked));
openMode.addEventListener("change", updateOpenMode);

form.addEventListener("submit", (event) => {
  event.preventDefault();
  connectError.textContent = "";
  // Empty: the port in the address (192.168.1.12:5050), else the default.
  const portText = portInput.value.trim();
  const port = portText === "" ? null : Number(portText);
  if (port !== null && (!/^\d+$/.test(portText) || port > 65535)) {
    return fail("The port is a number from 0 to 65535, e.g. 5050.", portInput);
  }
  if (nameInput.value.trim() === "") return fail("Enter your name.", nameInput);
  if (mode() === "connect" && hostInput.value.trim() === "") {
    return fail("Enter the address of the other computer.", hostInput);
  }
  send({
    type: "connect",
    mode: mode(),
    host: hostInput.value.trim(),
    port,
    name: nameInput.value.trim(),
    passkey: passkeyInput.value,
    open: openMode.checked,
  });
});

// The chats found on this network (sent live while this screen is up): choosing one fills
// the address, the port and open mode; the passkey is still typed. Labels are peer text.
function showFound(event) {
  const list = $("found-list");
  const chats = Array.isArray(event.chats) ? event.chats : [];
  list.replaceChildren(...chats.map((found) => {
    const item = document.createElement("li");
    const button = document.createElement("button");
    button.type = "button";
    button.className = "found-chat";
    const label = document.createElement("bdi");
    label.className = "label";
    label.textContent = String(found.label);
    const details = document.createElement("span");
    details.className = "details";
    const who = found.kind === "hub"
      ? `hub${typeof found.members === "number" ? `, ${found.members} members` : ""}`
      : `direct chat${found.busy ? ", busy" : ""}`;
    details.textContent = `${who} · ${found.address} · ` +
      (found.auth === "open" ? "open (no passkey)" : "passkey");
    button.append(label, details);
    button.addEventListener("click", () => choose(found));
    item.append(button);
    return item;
  }));
  $("found-none").hidden = chats.length > 0;
  $("found-more").hidden = !(event.more > 0);
  $("found-more").textContent = `... and ${event.more} more`;
}

function choose(found) {
  form.querySelector("input[name=mode][value=connect]").checked = true;
  updateMode();
  hostInput.value = String(found.host);
  portInput.value = String(found.port);
  openMode.checked = found.auth === "open";
  updateOpenMode();
  connectError.textContent = "";
  (openMode.checked ? connectButton : passkeyInput).focus();
}

function fail(text, field) {
  connectError.textContent = text;
  field?.focus();
}

// ---- Messages from the process ----

const HANDLERS = {
  hello(event) {
    for (const button of document.querySelectorAll("button")) button.disabled = false;
    nameInput.value ||= event.name;
    suggestedPasskey = event.passkey;
    if (mode() !== "connect" && passkeyInput.value === "") passkeyInput.value = event.passkey;
    setStatus("");
    chat = freshChat();
    clearChat();
    showState(event.state);
  },
  state: (event) => showState(event.state),
  "connect-error"(event) {
    fail(event.message, /passkey/i.test(event.message) ? passkeyInput : undefined);
  },
  started(event) {
    chat = freshChat();
    clearChat();
    showStarted(event);
    showLink("up");
  },
  chat(payload) {
    const event = payload.event;
    if (typeof event?.type === "string" && Object.hasOwn(LISTS, event.type)) {
      LISTS[event.type](event, payload.sizes ?? [], payload);
    }
    let item;
    for (const line of payload.lines ?? []) {
      item = showLine(line, payload.time);
      if (event?.type === "own" && chat.link === "down") item.classList.add("queued");
    }
    if (event?.type === "file-offer" && event.ask === true && item) {
      item.append(offerButtons(Number(event.offer), event.name));
    }
    if (typeof event?.type === "string" && Object.hasOwn(LINK_EVENTS, event.type)) {
      LINK_EVENTS[event.type](payload.lines ?? []);
    } else if (event?.type === "own") showQueue();
  },
  // Said at the top until Exit (the log has the event that ended it).
  ended: (event) => showLink("ended", [{ peer: event.reason }, " Press Exit to go back."]),
  "confirm-exit": (event) => askStop(event),
  "found-chats": (event) => showFound(event),
};

function handle(event) {
  if (typeof event?.type === "string" && Object.hasOwn(HANDLERS, event.type)) {
    HANDLERS[event.type](event);
  }
}

function showState(next) {
  state = next;
  // For tests and styles: which screen is up, once the process has said hello.
  document.body.dataset.state = next;
  const inChat = next === "chat" || next === "ended";
  $("connect-screen").hidden = inChat;
  $("chat-screen").hidden = !inChat;
  connectButton.disabled = next === "connecting";
  if (next === "connecting") connectButton.textContent = "Connecting...";
  else if (next === "idle") updateMode();
  message.disabled = next !== "chat" || chat.link === "lost";
  $("send-button").disabled = next !== "chat";
  $("file-button").disabled = next !== "chat";
  $("exit-button").disabled = false;
  if (next === "chat" && document.activeElement !== message) message.focus();
  if (next === "idle") {
    setStatus("");
    nameInput.focus();
  }
  if (next === "ended") $("exit-button").focus();
}

function showStarted(event) {
  const info = $("chat-info");
  info.replaceChildren();
  const add = (text, code) => {
    if (code) {
      const element = document.createElement("code");
      element.textContent = text;
      info.append(element);
    } else info.append(text);
  };
  chat.hosting = event.mode !== "connect";
  if (event.mode === "connect") {
    chat.address = `${event.host}:${event.port}`;
    $("chat-title").textContent = `Connected to ${chat.address}`;
    return;
  }
  $("chat-title").textContent = event.mode === "host"
    ? `Hosting a hub on port ${event.port}`
    : `Listening on port ${event.port}`;
  const where = event.addresses.length ? event.addresses : [event.host];
  add("Others connect to ");
  where.forEach((address, i) => {
    if (i > 0) add(" or ");
    add(`${address}:${event.port}`, true);
  });
  if (event.passkey === null) add(" (open mode: no passkey)");
  else {
    add(" with the passkey ");
    add(event.passkey, true);
  }
}

// ---- The log ----

function nearBottom() {
  return log.scrollHeight - log.scrollTop - log.clientHeight < 60;
}

// Keep following the newest line when the window (or phone keyboard) resizes the log.
let following = true;
log.addEventListener("scroll", () => following = nearBottom());
new ResizeObserver(() => {
  if (following) log.scrollTop = log.scrollHeight;
}).observe(log);

/** How each kind of line looks (lib/app/event_words.ts names the kinds). */
const LINE_CLASSES = {
  system: "system",
  error: "system error-line",
  alert: "system error-line",
  safety: "system safety-line",
  divider: "system divider",
  chat: "msg peer",
  history: "msg history",
  private: "msg private",
};

/** Our words as text, what a peer chose each in a <bdi> of its own. */
function segments(parts) {
  return parts.map((part) => {
    if (typeof part === "string") return part;
    const isolated = document.createElement("bdi");
    isolated.textContent = String(part?.peer ?? "");
    return isolated;
  });
}

/** Shows `line`; `stamped` is when its event happened (the process stamped it). */
function showLine(line, stamped) {
  const follow = following || nearBottom();
  let classes = Object.hasOwn(LINE_CLASSES, line.kind) ? LINE_CLASSES[line.kind] : "system";
  if (line.self && line.kind === "chat") classes = "msg own";
  else if (line.self) classes += " own";
  const item = document.createElement("li");
  item.className = classes;
  if (line.mention) mentioned(item, line, stamped);
  if (line.kind !== "divider") {
    const time = document.createElement("time");
    const date = new Date(line.time ?? stamped ?? Date.now());
    time.dateTime = date.toISOString();
    time.textContent = line.kind === "history" && date.toDateString() !== new Date().toDateString()
      ? `${date.toLocaleDateString()} ${clock(date)}`
      : clock(date);
    item.append(time);
  }
  if (Array.isArray(line.from)) {
    const from = document.createElement("span");
    from.append(...segments(line.from));
    from.className = `from ${line.self ? "name-self" : nameClass(from.textContent)}`;
    item.append(from);
  }
  const text = document.createElement("span");
  text.className = "text";
  text.append(...segments([...(line.label ? [line.label] : []), ...(line.text ?? [])]));
  item.append(text);
  log.append(item);
  if (follow) log.scrollTop = log.scrollHeight;
  return item;
}

function clock(date) {
  return date.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
}

/**
 * A line of our own words around what others chose (names, file names, reasons, lines):
 * each value goes in a <bdi> of its own. Used as a tag: peer`${name} joined.`
 */
function peer(words, ...values) {
  const parts = [];
  words.forEach((word, i) => {
    if (word) parts.push(word);
    if (i < values.length) {
      const isolated = document.createElement("bdi");
      isolated.textContent = String(values[i]);
      parts.push(isolated);
    }
  });
  return parts;
}

function nameClass(name) {
  if (name === chat.you) return "name-self";
  let hash = 0;
  for (const ch of name) hash = (hash * 31 + ch.codePointAt(0)) >>> 0;
  return `name-${hash % 6}`;
}

// ---- Mentions: highlighted, and counted in the tab's title while the person looks elsewhere ----

const TITLE = document.title;
let looking = document.visibilityState === "visible" && document.hasFocus();
let unseenMentions = 0;

/** When this page opened: what was said before is in the log it opened with, not news. */
const OPENED = Date.now();

function mentioned(item, line, stamped) {
  item.classList.add("mention");
  // A line of the history, or replayed to a page opened since, was said before: only a line
  // said now waits to be seen.
  if (line.kind !== "chat" || looking || Date.parse(stamped) < OPENED) return;
  unseenMentions++;
  showTitle();
}

function showTitle() {
  document.title = unseenMentions ? `(${unseenMentions}) ${TITLE}` : TITLE;
}

function setLooking(now) {
  looking = now;
  if (now && unseenMentions) {
    unseenMentions = 0;
    showTitle();
  }
}

addEventListener("focus", () => setLooking(document.visibilityState === "visible"));
addEventListener("blur", () => setLooking(false));
document.addEventListener(
  "visibilitychange",
  () => setLooking(document.visibilityState === "visible" && document.hasFocus()),
);

function clearChat() {
  log.replaceChildren();
  unseenMentions = 0;
  showTitle();
  setTopic("");
  for (const id of ["members", "transfers", "received", "shared"]) $(id).replaceChildren();
  for (const id of ["members-panel", "transfers-panel", "received-panel", "shared-panel"]) {
    $(id).hidden = true;
  }
  $("chat-info").replaceChildren();
}

// ---- The chat's connection: a banner, the members greyed, what happens to typed lines ----

/** Events that change the connection's state; the banner says the event's own line. */
const LINK_EVENTS = {
  closed: (lines) => chat.kind === "hub" && showLink("down", lines[0]?.text),
  reconnecting: (lines) => showLink("down", lines[0]?.text),
  reconnected: () => showLink("up"),
};

/** What the message box says in each state. */
const PLACEHOLDERS = {
  up: "Type a message, or /help",
  down: "Not connected: what you send now waits and is sent when the connection is back",
  ended: "The chat has ended: press Exit to go back",
  lost: "Not connected to the p2pchat program",
};

function showLink(link, why) {
  chat.link = link;
  $("chat-screen").dataset.link = link;
  $("link-banner").hidden = link === "up" || link === "lost";
  if (why) $("link-why").replaceChildren(...segments(why));
  message.placeholder = PLACEHOLDERS[link];
  // Back: what waited was sent again with the reconnect.
  if (link === "up") {
    for (const item of log.querySelectorAll("li.queued")) item.classList.remove("queued");
  }
  showQueue();
}

/** How many of our lines wait for the connection. */
function showQueue() {
  const waiting = log.querySelectorAll("li.queued").length;
  $("link-queue").textContent = chat.link !== "down"
    ? ""
    : waiting === 0
    ? "What you send now waits and is sent when the connection is back."
    : `${waiting} ${waiting === 1 ? "line waits" : "lines wait"} to be sent when the ` +
      "connection is back.";
}

// ---- Leaving a chat one hosts: ask before stopping it for the others ----

function askStop(event) {
  const dialog = $("stop-dialog");
  $("stop-question").replaceChildren(...segments(event.question));
  $("stop-detail").textContent = event.detail;
  $("stop-confirm").textContent = event.stop;
  $("stop-keep").textContent = event.keep;
  $("exit-button").disabled = false;
  if (!dialog.open) dialog.showModal();
  $("stop-keep").focus();
}

$("stop-keep").addEventListener("click", () => $("stop-dialog").close());
$("stop-confirm").addEventListener("click", () => {
  $("stop-dialog").close();
  $("exit-button").disabled = true;
  send({ type: "exit", confirmed: true });
});

// Closing the page of a chat one hosts stops it for the others after the grace: ask.
globalThis.addEventListener("beforeunload", (event) => {
  const others = Math.max(chat.count, chat.members.length) - 1;
  if (state === "chat" && chat.hosting && others > 0) event.preventDefault();
});

// ---- What events change besides the log: the title, the lists and the transfer rows ----

const LISTS = {
  welcome(event) {
    chat.you = event.you;
    chat.kind = event.kind;
    chat.count = event.count;
    setTopic(event.topic ?? "");
    learnMarks(event.members, event);
    setMembers(event.members);
    if (chat.address) {
      const others = event.members.filter((name) => name !== event.you);
      $("chat-title").replaceChildren(
        ...(event.kind === "hub"
          ? peer`Hub at ${chat.address}`
          : peer`Chat with ${others.join(", ")} at ${chat.address}`),
      );
    }
  },
  joined(event) {
    chat.count = event.count;
    addMember(event.name);
  },
  left(event) {
    chat.count = event.count;
    chat.marks.delete(event.name);
    removeMember(event.name);
  },
  crowd(event) {
    chat.count = event.count;
    setMembers(chat.members);
  },
  renamed(event) {
    if (event.from === chat.you) chat.you = event.to;
    const marks = chat.marks.get(event.from);
    chat.marks.delete(event.from);
    if (marks) chat.marks.set(event.to, marks);
    setMembers(chat.members.map((name) => name === event.from ? event.to : name));
  },
  members(event) {
    chat.count = event.total;
    learnMarks(event.names, event);
    setMembers(event.pages <= 1 ? event.names : chat.members);
  },
  moderated(event) {
    const change = MARK_CHANGES[event.action];
    if (change) mark(event.name, change[0], change[1]);
  },
  away: (event) => mark(event.name, "away", true),
  topic: (event) => setTopic(event.text),
  progress: (event, sizes) => showProgress(event, sizes[0]),
  file(event, sizes, payload) {
    finishTransfer(event.name, "receive", "saved");
    const item = document.createElement("li");
    const name = document.createElement("strong");
    name.textContent = event.name;
    const path = document.createElement("span");
    path.className = "file-path";
    path.textContent = event.path;
    item.append(name, ...peer` ${sizes[0]} from ${event.from}`, path, fileLinks(payload.file));
    $("received").append(item);
    $("received-panel").hidden = false;
  },
  "file-sent": (event) => finishTransfer(event.name, "send", "sent"),
  "file-failed": (event) => finishTransfer(event.name, event.direction, "failed"),
  shared: (event, sizes) => addShared(event.file, event.name, sizes[0], event.from),
  "file-list"(event, sizes) {
    event.files.forEach((file, i) => addShared(file.file, file.name, sizes[i], file.from));
  },
};

// ---- Members ----

/** What each moderation does to a member's marks. */
const MARK_CHANGES = {
  op: ["op", true],
  deop: ["op", false],
  muted: ["muted", true],
  unmuted: ["muted", false],
};

/** The order marks are shown in, as the terminal's /who shows them. */
const MARK_ORDER = ["op", "away", "muted"];

/** Where a welcome or a page of /who lists the names with each mark. */
const MARK_LISTS = { op: "ops", away: "away", muted: "muted" };

/** The marks of `names` as a welcome or a page of /who gives them (of those names, all). */
function learnMarks(names, marked) {
  for (const name of names) {
    chat.marks.set(
      name,
      new Set(MARK_ORDER.filter((which) => marked[MARK_LISTS[which]]?.includes(name))),
    );
  }
}

function mark(name, which, on) {
  const marks = chat.marks.get(name) ?? new Set();
  if (on) marks.add(which);
  else marks.delete(which);
  chat.marks.set(name, marks);
  setMembers(chat.members);
}

function setMembers(names) {
  chat.members = [...names];
  const list = $("members");
  list.replaceChildren(...chat.members.map((name) => {
    const item = document.createElement("li");
    const marks = MARK_ORDER.filter((which) => chat.marks.get(name)?.has(which));
    const shown = [...(name === chat.you ? ["you"] : []), ...marks];
    item.textContent = name;
    if (shown.length) {
      const notes = document.createElement("span");
      notes.className = "marks";
      notes.textContent = ` (${shown.join(", ")})`;
      item.append(notes);
    }
    if (marks.length) item.dataset.marks = marks.join(" ");
    return item;
  }));
  // The names known may be a few of many: the count is the room's.
  $("member-count").textContent = `(${Math.max(chat.count, chat.members.length)})`;
  $("members-panel").hidden = chat.kind !== "hub";
}

function addMember(name) {
  if (!chat.members.includes(name)) setMembers([...chat.members, name]);
}

function removeMember(name) {
  setMembers(chat.members.filter((member) => member !== name));
}

// ---- The topic ----

function setTopic(text) {
  $("topic").hidden = !text;
  $("topic-text").textContent = text;
  $("topic").title = text;
}

// ---- Files ----

/** Accept and Decline on an offer the person is asked about: each answers it once. */
function offerButtons(offer, name) {
  const actions = document.createElement("span");
  actions.className = "offer-answer";
  for (const [text, command] of [["Accept", "accept"], ["Decline", "decline"]]) {
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = text;
    button.setAttribute("aria-label", `${text} ${name}`);
    button.addEventListener("click", () => {
      for (const other of actions.querySelectorAll("button")) other.disabled = true;
      send({ type: "line", text: `/${command} ${offer}` });
    });
    actions.append(button);
  }
  return actions;
}

function addShared(file, name, size, from) {
  const list = $("shared");
  if (list.querySelector(`[data-file="${Number(file)}"]`)) return;
  const item = document.createElement("li");
  item.dataset.file = String(Number(file));
  const label = document.createElement("span");
  label.append(...peer`${name} (${size}) from ${from}`);
  const get = document.createElement("button");
  get.type = "button";
  get.textContent = "Get";
  get.setAttribute("aria-label", `Download ${name}`);
  get.addEventListener("click", () => send({ type: "line", text: `/get ${Number(file)}` }));
  item.append(label, get);
  list.append(item);
  $("shared-panel").hidden = false;
}

/** A received file's Open (pictures, text) and Download links, served by the process. */
function fileLinks(links) {
  const actions = document.createElement("span");
  actions.className = "file-links";
  const link = (text, href, extra) => {
    const anchor = document.createElement("a");
    anchor.textContent = text;
    anchor.href = href;
    Object.assign(anchor, extra);
    actions.append(anchor);
  };
  if (typeof links?.open === "string") {
    link("Open", links.open, { target: "_blank", rel: "noopener noreferrer" });
  }
  if (typeof links?.download === "string") link("Download", links.download, { download: "" });
  return actions;
}

function transferRow(key, name, direction) {
  let row = chat.transfers.get(key);
  if (row) return row;
  const item = document.createElement("li");
  item.className = "transfer";
  const label = document.createElement("span");
  label.append(...peer`${direction === "send" ? "Sending" : "Receiving"} ${name}`);
  const bar = document.createElement("progress");
  bar.max = 1;
  bar.value = 0;
  bar.setAttribute("aria-label", `${direction === "send" ? "Sending" : "Receiving"} ${name}`);
  const stateText = document.createElement("span");
  stateText.className = "state";
  item.append(label, bar, stateText);
  $("transfers").append(item);
  $("transfers-panel").hidden = false;
  row = { item, bar, stateText, name, direction, done: false };
  chat.transfers.set(key, row);
  return row;
}

function showProgress(event, total) {
  // A browser upload shows a row before the process starts sending: the send takes it over.
  if (event.direction === "send" && !chat.transfers.has(event.transfer)) {
    const waiting = [...chat.transfers].find(([key, row]) =>
      key.startsWith("upload:") && row.name === event.name && !row.done
    );
    if (waiting) {
      chat.transfers.delete(waiting[0]);
      chat.transfers.set(event.transfer, waiting[1]);
    }
  }
  const row = transferRow(event.transfer, event.name, event.direction);
  row.uploading = false;
  if (row.done) return;
  row.bar.max = Math.max(event.total, 1);
  row.bar.value = event.done;
  const percent = event.total ? Math.floor(event.done / event.total * 100) : 100;
  row.stateText.textContent = ` ${percent}% of ${total}`;
}

function finishTransfer(name, direction, outcome) {
  const open = [...chat.transfers.values()].filter((row) =>
    row.direction === direction && !row.done
  );
  const complete = (row) => row.bar.value >= row.bar.max;
  // A file saved under another name ("a (1).png": one of that name was there) is the one
  // whose bytes have all arrived.
  const row = open.find((row) => row.name === name && complete(row)) ??
    (outcome === "saved" ? open.find(complete) : undefined) ??
    open.find((row) => row.name === name);
  if (!row) return;
  row.done = true;
  if (outcome !== "failed") row.bar.value = row.bar.max;
  row.stateText.textContent = ` ${outcome}`;
  row.item.classList.toggle("failed", outcome === "failed");
}

let uploads = 0;

/**
 * Uploads a file to the p2pchat program, which sends it: one row shows the upload's progress,
 * then the send's. (XHR: fetch reports no upload progress.)
 */
function upload(file) {
  const row = transferRow(`upload:${++uploads}`, file.name, "send");
  row.uploading = true;
  showUploaded(row, 0, file.size);
  // The body streams from disk; the process writes it to a temporary file and sends it.
  const query = `name=${encodeURIComponent(file.name)}&token=${encodeURIComponent(token)}`;
  const request = new XMLHttpRequest();
  request.open("POST", `/upload?${query}`);
  request.upload.addEventListener("progress", (event) => {
    showUploaded(row, event.loaded, event.lengthComputable ? event.total : file.size);
  });
  // The process said why, as a file-failed event; a page cut off from it says so above.
  const failed = () => finishTransfer(file.name, "send", "failed");
  request.addEventListener("load", () => request.status >= 300 && failed());
  request.addEventListener("error", failed);
  request.addEventListener("abort", failed);
  request.send(file);
}

function showUploaded(row, done, total) {
  if (!row.uploading || row.done) return;
  row.bar.max = Math.max(total, 1);
  row.bar.value = done;
  row.stateText.textContent = ` uploading ${total ? Math.floor(done / total * 100) : 100}%`;
}

function uploadAll(files) {
  if (state !== "chat") return;
  for (const file of files) upload(file);
}

$("file-button").addEventListener("click", () => fileInput.click());
fileInput.addEventListener("change", () => {
  uploadAll([...fileInput.files]);
  fileInput.value = "";
});

const chatScreen = $("chat-screen");
let dragDepth = 0;
chatScreen.addEventListener("dragenter", (event) => {
  if (!event.dataTransfer?.types.includes("Files") || state !== "chat") return;
  dragDepth++;
  dropZone.hidden = false;
});
chatScreen.addEventListener("dragleave", () => {
  if (--dragDepth <= 0) {
    dragDepth = 0;
    dropZone.hidden = true;
  }
});
chatScreen.addEventListener("dragover", (event) => {
  if (event.dataTransfer?.types.includes("Files")) event.preventDefault();
});
chatScreen.addEventListener("drop", (event) => {
  event.preventDefault();
  dragDepth = 0;
  dropZone.hidden = true;
  uploadAll([...(event.dataTransfer?.files ?? [])]);
});

// ---- Sending ----

$("send-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const text = message.value;
  if (text.trim() === "") return;
  message.value = "";
  send({ type: "line", text });
});

$("exit-button").addEventListener("click", () => {
  // Asked again by the process if leaving stops the chat for others.
  $("exit-button").disabled = true;
  send({ type: "exit" });
});

updateMode();
openSocket();
