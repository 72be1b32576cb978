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
  socket.addEventListener("close", () => {
    setStatus(
      "Lost contact with the p2pchat program. Is it still running? Reload to retry, " +
        "or open the address it printed.",
    );
    for (const button of document.querySelectorAll("button")) button.disabled = true;
  });
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

function fail(text, field) {
  connectError.textContent = text;
  field?.focus();
}

// ---- Messages from the process ----

const HANDLERS = {
  hello(event) {
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
  },
  chat(payload) {
    const event = payload.event;
    if (typeof event?.type === "string" && Object.hasOwn(LISTS, event.type)) {
      LISTS[event.type](event, payload.sizes ?? []);
    }
    for (const line of payload.lines ?? []) showLine(line);
  },
  ended(event) {
    showLine({ kind: "system", text: [{ peer: event.reason }, " Press Exit to go back."] });
  },
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
  message.disabled = next !== "chat";
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

function showLine(line) {
  const follow = following || nearBottom();
  let classes = Object.hasOwn(LINE_CLASSES, line.kind) ? LINE_CLASSES[line.kind] : "system";
  if (line.self && line.kind === "chat") classes = "msg own";
  else if (line.self) classes += " own";
  const item = document.createElement("li");
  item.className = classes;
  if (line.kind !== "divider") {
    const time = document.createElement("time");
    const date = new Date(line.time ?? Date.now());
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

function clearChat() {
  log.replaceChildren();
  for (const id of ["members", "transfers", "received", "shared"]) $(id).replaceChildren();
  for (const id of ["members-panel", "transfers-panel", "received-panel", "shared-panel"]) {
    $(id).hidden = true;
  }
  $("chat-info").replaceChildren();
}

// ---- What events change besides the log: the title, the lists and the transfer rows ----

const LISTS = {
  welcome(event) {
    chat.you = event.you;
    chat.kind = event.kind;
    chat.count = event.count;
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
    removeMember(event.name);
  },
  crowd(event) {
    chat.count = event.count;
    setMembers(chat.members);
  },
  renamed(event) {
    if (event.from === chat.you) chat.you = event.to;
    setMembers(chat.members.map((name) => name === event.from ? event.to : name));
  },
  members(event) {
    chat.count = event.total;
    setMembers(event.pages <= 1 ? event.names : chat.members);
  },
  progress: (event, sizes) => showProgress(event, sizes[0]),
  file(event, sizes) {
    finishTransfer(event.name, "receive", "saved");
    const item = document.createElement("li");
    const name = document.createElement("strong");
    name.textContent = event.name;
    const path = document.createElement("span");
    path.className = "file-path";
    path.textContent = event.path;
    item.append(name, ...peer` ${sizes[0]} from ${event.from}`, path);
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

function setMembers(names) {
  chat.members = [...names];
  const list = $("members");
  list.replaceChildren(...chat.members.map((name) => {
    const item = document.createElement("li");
    item.textContent = name === chat.you ? `${name} (you)` : name;
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

// ---- Files ----

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
  // A browser upload shows a row before the process starts sending: take it over.
  const upload = chat.transfers.get(`upload:${event.name}`);
  if (event.direction === "send" && upload && !chat.transfers.has(event.transfer)) {
    chat.transfers.delete(`upload:${event.name}`);
    chat.transfers.set(event.transfer, upload);
  }
  const row = transferRow(event.transfer, event.name, event.direction);
  row.bar.max = Math.max(event.total, 1);
  row.bar.value = event.done;
  const percent = event.total ? Math.floor(event.done / event.total * 100) : 100;
  row.stateText.textContent = ` ${percent}% of ${total}`;
}

function finishTransfer(name, direction, outcome) {
  for (const row of chat.transfers.values()) {
    if (row.name === name && row.direction === direction && !row.done) {
      row.done = true;
      if (outcome !== "failed") row.bar.value = row.bar.max;
      row.stateText.textContent = ` ${outcome}`;
      row.item.classList.toggle("failed", outcome === "failed");
      return;
    }
  }
}

async function upload(file) {
  const row = transferRow(`upload:${file.name}`, file.name, "send");
  row.stateText.textContent = " preparing...";
  try {
    // The body streams from disk; the process writes it to a temporary file and sends it.
    const query = `name=${encodeURIComponent(file.name)}&token=${encodeURIComponent(token)}`;
    const response = await fetch(`/upload?${query}`, {
      method: "POST",
      body: file,
    });
    if (!response.ok) throw new Error(await response.text());
  } catch {
    // The process said why, as a file-failed event; a page cut off from it says so above.
    finishTransfer(file.name, "send", "failed");
  }
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
  $("exit-button").disabled = true;
  send({ type: "exit" });
});

updateMode();
openSocket();
