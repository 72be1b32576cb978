// The page of `p2pchat ui`. It talks to the local p2pchat process over a WebSocket; that
// process holds the encrypted connection. Everything from peers is put on the page with
// textContent, never parsed as HTML, and in an element of its own that isolates its
// direction (<bdi>, or unicode-bidi: isolate in style.css), so a right-to-left override in a
// name or a line cannot reorder the words around it.

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
  const port = Number(portInput.value.trim());
  if (!/^\d+$/.test(portInput.value.trim()) || port > 65535) {
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
  client: (event) => showClientEvent(event.event),
  own(event) {
    if (event.to !== undefined) {
      addLine("msg private own", {
        time: event.time,
        from: `you -> ${event.to}`,
        self: true,
        text: event.text,
      });
    } else if (event.me) {
      addLine("msg own", { time: event.time, text: `* ${chat.you} ${event.text}` });
    } else addLine("msg own", { time: event.time, from: chat.you, text: event.text });
  },
  secured(event) {
    if (event.authenticated) {
      return system([
        ...peer`Passkey accepted: the connection with ${event.peer}`,
        " is encrypted and authenticated.",
      ]);
    }
    if (event.safetyChanged === undefined) {
      return system([
        ...peer`Encrypted, but ${event.peer} is NOT authenticated (open mode). `,
        ...peer`Safety code: ${event.safety} - check that the other screen shows the same.`,
      ]);
    }
    // A reconnect in open mode: a man in the middle could have stepped in.
    const line = peer`New connection to ${event.peer}, NOT authenticated (open mode). `;
    if (event.safetyChanged) {
      line.push(...peer`The safety code CHANGED: now ${event.safety}`);
      if (event.previousSafety) line.push(...peer` (was ${event.previousSafety})`);
      line.push(" - check that the other screen shows the new code.");
    } else {
      line.push(...peer`The safety code is the same as before: ${event.safety}`);
      line.push(" - check the other screen.");
    }
    system(line, "safety-line");
  },
  reconnecting(event) {
    const delay = Math.round(event.delayMs / 100) / 10;
    system(peer`Connection lost (${event.reason}), retrying in ${delay} s`);
  },
  reconnected: () => system("Reconnected."),
  system: (event) => system(event.text),
  error: (event) => system(event.message, "error-line"),
  ended(event) {
    system(peer`${event.reason} Press Exit to go back.`);
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

function addLine(classes, parts) {
  const follow = following || nearBottom();
  const item = document.createElement("li");
  item.className = classes;
  if (parts.time) {
    const time = document.createElement("time");
    const date = new Date(parts.time);
    time.dateTime = date.toISOString();
    time.textContent = parts.history && date.toDateString() !== new Date().toDateString()
      ? `${date.toLocaleDateString()} ${clock(date)}`
      : clock(date);
    item.append(time);
  }
  if (parts.from !== undefined) {
    const from = document.createElement("span");
    from.className = `from ${parts.self ? "name-self" : nameClass(parts.from)}`;
    from.textContent = parts.from;
    item.append(from);
  }
  const text = document.createElement("span");
  text.className = "text";
  if (Array.isArray(parts.text)) text.append(...parts.text);
  else text.textContent = parts.text;
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

function system(text, extra = "") {
  addLine(`system ${extra}`, { time: new Date().toISOString(), text });
}

function divider(text) {
  addLine("system divider", { text });
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

// ---- Room events, as the terminal shows them ----

const CLIENT = {
  welcome(event) {
    chat.you = event.you;
    chat.kind = event.kind;
    chat.historyLeft = event.history;
    chat.count = event.count;
    setMembers(event.members);
    const others = event.members.filter((name) => name !== event.you);
    if (event.kind === "hub") {
      system(peer`${event.resumed ? "Back in" : "Joined"} the hub as ${event.you}.`);
    } else if (others.length) system(peer`Chatting with ${others.join(", ")}.`);
    else system("Waiting for someone to connect...");
    if (chat.address) {
      $("chat-title").replaceChildren(
        ...(event.kind === "hub"
          ? peer`Hub at ${chat.address}`
          : peer`Chat with ${others.join(", ")} at ${chat.address}`),
      );
    }
    if (!event.resumed) system("Type /help for commands. Drop files here to send them.");
    if (event.history > 0) divider("Earlier messages");
  },
  message(event) {
    const own = event.from === chat.you;
    const classes = ["msg", event.history ? "history" : own ? "own" : "peer"];
    if (event.me) {
      addLine(classes.join(" "), {
        time: event.time,
        history: event.history,
        text: peer`* ${event.from} ${event.text}`,
      });
    } else {
      addLine(classes.join(" "), {
        time: event.time,
        history: event.history,
        from: event.from,
        text: event.text,
      });
    }
    if (event.history && --chat.historyLeft === 0) divider("End of earlier messages");
  },
  private(event) {
    const label = event.from === chat.you ? `you -> ${event.to}` : `${event.from} -> you`;
    addLine("msg private", { time: event.time, from: label, text: event.text });
  },
  joined(event) {
    chat.count = event.count;
    addMember(event.name);
    system(
      event.remote !== undefined
        ? peer`${event.name} connected from ${event.remote}.`
        : peer`${event.name} joined. (Connected: ${event.count})`,
    );
  },
  left(event) {
    chat.count = event.count;
    removeMember(event.name);
    const reason = event.reason ? peer` (${event.reason})` : [];
    system(
      chat.kind === "direct"
        ? [...peer`${event.name} has left the chat.`, ...reason]
        : [...peer`${event.name} left`, ...reason, `. (Connected: ${event.count})`],
    );
  },
  crowd(event) {
    chat.count = event.count;
    setMembers(chat.members);
    const parts = [];
    if (event.joined) parts.push(`${event.joined} more joined`);
    if (event.left) parts.push(`${event.left} more left`);
    system(`${parts.join(", ")}. (Connected: ${event.count})`);
  },
  renamed(event) {
    if (event.from === chat.you) chat.you = event.to;
    setMembers(chat.members.map((name) => name === event.from ? event.to : name));
    system(peer`${event.from} is now known as ${event.to}.`);
  },
  members(event) {
    chat.count = event.total;
    if (event.pages <= 1) {
      setMembers(event.names);
      return system(peer`Connected: ${event.names.join(", ")} (${event.total})`);
    }
    setMembers(chat.members); // for the count
    const more = event.page < event.pages ? `; /who ${event.page + 1} for more` : "";
    system([
      ...peer`Connected (page ${event.page} of ${event.pages}): ${event.names.join(", ")} `,
      `(${event.total} in all${more})`,
    ]);
  },
  notice: (event) => system(peer`${event.text}`, event.error ? "error-line" : ""),
  "file-incoming"(event) {
    system(peer`Incoming file ${event.name} (${formatBytes(event.bytes)}) from ${event.from}...`);
  },
  progress: (event) => showProgress(event),
  file(event) {
    finishTransfer(event.name, "receive", "saved");
    system(peer`File saved to ${event.path} (${formatBytes(event.bytes)}, SHA-256 verified)`);
    const item = document.createElement("li");
    const name = document.createElement("strong");
    name.textContent = event.name;
    const path = document.createElement("span");
    path.className = "file-path";
    path.textContent = event.path;
    item.append(name, ...peer` ${formatBytes(event.bytes)} from ${event.from}`, path);
    $("received").append(item);
    $("received-panel").hidden = false;
  },
  "file-sent"(event) {
    finishTransfer(event.name, "send", "sent");
    const to = event.to ? peer` to ${event.to}` : [];
    system([
      ...peer`Sent file ${event.name} (${formatBytes(event.bytes)})`,
      ...to,
      ", hash verified",
    ]);
  },
  "file-failed"(event) {
    finishTransfer(event.name, event.direction, "failed");
    const verb = event.direction === "send" ? "Sending" : "Receiving";
    system(peer`${verb} ${event.name} failed: ${event.reason}`, "error-line");
  },
  shared(event) {
    system(
      peer`${event.from} shared ${event.name} (${formatBytes(event.bytes)}): /get ${event.file}`,
    );
    addShared(event.file, event.name, event.bytes, event.from);
  },
  "file-list"(event) {
    if (event.files.length === 0) return system("No shared files yet.");
    const older = event.page < event.pages ? `; /files ${event.page + 1} for older` : "";
    system(
      event.pages <= 1
        ? `Shared files (${event.total}):`
        : `Shared files, newest first (page ${event.page} of ${event.pages}, ` +
          `${event.total} in all${older}):`,
    );
    for (const file of event.files) {
      system(peer`  /get ${file.file}  ${file.name} (${formatBytes(file.size)}) from ${file.from}`);
      addShared(file.file, file.name, file.size, file.from);
    }
  },
  closed(event) {
    system(
      chat.kind === "direct"
        ? "Peer disconnected."
        : event.reason
        ? peer`Disconnected: ${event.reason}`
        : "Disconnected.",
    );
  },
};

function showClientEvent(event) {
  if (typeof event?.type === "string" && Object.hasOwn(CLIENT, event.type)) {
    CLIENT[event.type](event);
  }
}

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

function addShared(file, name, bytes, from) {
  const list = $("shared");
  if (list.querySelector(`[data-file="${Number(file)}"]`)) return;
  const item = document.createElement("li");
  item.dataset.file = String(Number(file));
  const label = document.createElement("span");
  label.append(...peer`${name} (${formatBytes(bytes)}) from ${from}`);
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

function showProgress(event) {
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
  row.stateText.textContent = ` ${percent}% of ${formatBytes(event.total)}`;
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
  } catch (error) {
    finishTransfer(file.name, "send", "failed");
    system(peer`Sending ${file.name} failed: ${error.message}`, "error-line");
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

function formatBytes(n) {
  if (n < 1000) return `${n} B`;
  const units = ["kB", "MB", "GB", "TB"];
  let value = n / 1000;
  let unit = 0;
  while (value >= 999.95 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

updateMode();
openSocket();
