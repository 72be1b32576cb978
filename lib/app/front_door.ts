/**
 * The front door: how anyone takes part in a chat, whatever the face (the terminal, a program
 * reading JSON, the browser). Dialling and joining (asking again for a wrong passkey or a
 * taken name where the face can ask), staying connected to a hub, hosting a direct chat or a
 * hub, the host's console, announcing on the LAN: here once, with the defaults of
 * {@linkcode DEFAULTS}.
 *
 * @example
 * ```ts ignore
 * import { connectChat } from "./front_door.ts";
 * const chat = await connectChat(
 *   { host: "192.168.1.12", port: 5050, name: "bob", receiveDir: "received_files", passkey },
 *   { onEvent: (event) => console.log(event) },
 * );
 * chat.run("hi");
 * ```
 * @module
 */

import { DataFolder } from "../room/data_folder.ts";
import { FileStore } from "../room/file_store.ts";
import { keptPasskey, KeptPasskeyError } from "../room/kept_passkey.ts";
import { Listeners } from "../room/listeners.ts";
import { isValidName, notAllowedName, numberedName } from "../room/member_name.ts";
import { isNameRefusal } from "../room/name_registry.ts";
import { stayConnected } from "../room/reconnector.ts";
import {
  type AcceptMode,
  type ClientEvent,
  RefusedError,
  RoomClient,
} from "../room/room_client.ts";

export { ACCEPT_MODES, type AcceptMode } from "../room/room_client.ts";
import { type HostEvent, RoomHost } from "../room/room_host.ts";
import { generatePasskey, normalizePasskey, passkeyWeakness } from "../secure/passkey.ts";
import { dial, DialError } from "../session/dial.ts";
import { lanAddresses } from "../session/lan_addresses.ts";
import type { NetSession } from "../session/net_session.ts";
import { describeNetworkError } from "../session/network_error.ts";
import { probePort } from "../session/port_probe.ts";
import { Chat, type ChatHooks } from "./chat.ts";
import { ChatError } from "./chat_error.ts";
import type { ChatEvent, DoorEvent } from "./chat_event.ts";
import { DEFAULTS } from "./defaults.ts";
import { type HostKind, hostVisibility } from "./host_visibility.ts";
import { HostAnnouncement } from "./host_announcement.ts";
import { HostConsole } from "./host_console.ts";
import { Hub } from "./hub.ts";

/** Tries of a passkey at a terminal, as ssh gives. */
export const PASSKEY_TRIES = 3;

/** How to join a listening peer or a hub. */
export interface ConnectPlan {
  host: string;
  port: number;
  name: string;
  receiveDir: string;
  /** What happens to files offered in a direct chat; `all` by default. */
  accept?: AcceptMode;
  /**
   * Normalized passkey, `null` for open mode, or how to ask for it: asked once the address
   * answered as p2pchat (and asked again through `hooks.ask.passkey` after a wrong one).
   */
  passkey: string | null | (() => Promise<string | undefined>);
  /**
   * The name is a default one (not chosen): when taken, `NAME-2`, `NAME-3` ... is tried
   * instead of asking, and said.
   */
  numberIfTaken?: boolean;
}

/** The highest number tried after a taken default name (`NAME-9`). */
const MAX_NAME_NUMBER = 9;

/** How to host: where to listen, with which passkey, and how to announce. */
export interface HostPlan {
  /** Address to listen on (default every network). */
  host?: string;
  port: number;
  /** Normalized passkey, `null` for open mode, or unset for a fresh one. */
  passkey?: string | null;
  /** What scans show. */
  label: string;
  /** `false`: not announced on the LAN. */
  announce: boolean;
}

/** How to host a direct chat and take part in it. */
export interface ListenPlan extends HostPlan {
  name: string;
  receiveDir: string;
  /** What happens to offered files; `all` by default. */
  accept?: AcceptMode;
}

/** How to host a hub. */
export interface HubPlan extends HostPlan {
  dataDir: string;
  /**
   * Keep the passkey in the data folder (`serve`): with `passkey` unset, the kept one is used
   * (made and kept at the first start; `renew` makes and keeps a new one). A passkey given
   * is used as it is and not kept.
   */
  keepPasskey?: { renew: boolean };
  /** Lines replayed to newcomers. */
  history?: number;
  /** Lines a second per member; 0 turns flood control off. */
  rate?: number;
  maxClients?: number;
  maxFileBytes?: number;
  maxStorageBytes?: number;
}

/** How to host a hub and take part in it (the browser's "Host a hub"). */
export interface HubChatPlan extends HubPlan {
  name: string;
  receiveDir: string;
}

/** A new feed of events, the face's listener first. */
function feedFor(onEvent: ((event: ChatEvent) => void) | undefined): Listeners<ChatEvent> {
  const feed = new Listeners<ChatEvent>();
  if (onEvent) feed.subscribe(onEvent);
  return feed;
}

function checkName(name: string): void {
  if (!isValidName(name)) {
    throw new ChatError("A name is 1-16 of the letters A-Z a-z, digits 0-9 and _ . -");
  }
}

const message = (error: unknown) => error instanceof Error ? error.message : String(error);

/**
 * Dials, asking for the passkey again after a wrong one while tries are left and the face can
 * ask (each try is one guess the host counts).
 */
async function dialAsking(
  plan: ConnectPlan,
  feed: Listeners<ChatEvent>,
  hooks: ChatHooks,
): Promise<{ session: NetSession; passkey: string | null }> {
  let passkey = typeof plan.passkey === "function"
    ? await firstTypedPasskey(plan.passkey)
    : plan.passkey;
  for (let tries = 1;; tries++) {
    try {
      return { session: await dial(plan.host, plan.port, passkey), passkey };
    } catch (error) {
      const wrong = error instanceof DialError &&
        (error.handshake?.code === "wrong-passkey" ||
          (passkey !== null && passkeyWeakness(passkey) !== undefined));
      const ask = hooks.ask?.passkey;
      if (!wrong || !ask || tries >= PASSKEY_TRIES || passkey === null) {
        throw new ChatError(message(error));
      }
      feed.emit({
        type: "retry",
        ask: "passkey",
        reason: message(error),
        triesLeft: PASSKEY_TRIES - tries,
      });
      passkey = await typedPasskey(ask);
    }
  }
}

/**
 * The passkey first typed at a face's prompt: one too weak to be any host's is refused before
 * it costs a guess (what it says to do: the host shows the passkey).
 */
async function firstTypedPasskey(ask: () => Promise<string | undefined>): Promise<string> {
  const passkey = await typedPasskey(ask);
  const weak = passkeyWeakness(passkey);
  if (weak) {
    throw new ChatError(
      `${weak}. Use the passkey the host shows (hosts make ones like 7-orbit-lemon-cradle).`,
    );
  }
  return passkey;
}

/** The passkey typed at a face's prompt, normalized; none given ends the connecting. */
async function typedPasskey(ask: () => Promise<string | undefined>): Promise<string> {
  const typed = normalizePasskey((await ask()) ?? "");
  if (!typed) throw new ChatError("No passkey given.");
  return typed;
}

function securedEvent(session: NetSession): DoorEvent {
  return {
    type: "secured",
    peer: session.remote,
    authenticated: session.keys.authenticated,
    safety: session.keys.safety,
  };
}

/** Asks for another name until a usable one (or none) is typed. */
async function askName(
  ask: () => Promise<string | undefined>,
  feed: Listeners<ChatEvent>,
): Promise<string | undefined> {
  while (true) {
    const name = (await ask())?.trim();
    if (!name) return undefined;
    if (isValidName(name)) return name;
    feed.emit({
      type: "retry",
      ask: "name",
      reason: notAllowedName(name),
    });
  }
}

/**
 * Joins a listening peer or a hub; in a hub a dropped connection is dialled again by itself.
 * Throws {@linkcode ChatError} when it cannot (after asking again, where the face can ask).
 */
export async function connectChat(plan: ConnectPlan, hooks: ChatHooks = {}): Promise<Chat> {
  checkName(plan.name);
  const feed = feedFor(hooks.onEvent);
  feed.emit({ type: "connecting", host: plan.host, port: plan.port });
  // The address is tried before anyone types a passkey, and a failure says what to check.
  try {
    await probePort(plan.host, plan.port, { open: plan.passkey === null });
  } catch (error) {
    throw new ChatError(message(error));
  }
  let { session, passkey } = await dialAsking(plan, feed, hooks);
  feed.emit({ type: "connected-to", host: plan.host, port: plan.port });
  feed.emit(securedEvent(session));
  let name = plan.name;
  let number = 1;
  let client: RoomClient;
  while (true) {
    client = new RoomClient({ name, files: new FileStore(plan.receiveDir), accept: plan.accept });
    const unsubscribe = client.subscribe((event) => feed.emit(event));
    try {
      await client.join(session);
      break;
    } catch (error) {
      unsubscribe();
      await session.close();
      const ask = hooks.ask?.name;
      const nameRefused = error instanceof RefusedError && isNameRefusal(error.message);
      if (nameRefused && plan.numberIfTaken && number < MAX_NAME_NUMBER) {
        // A default name someone else has too (root, pi, student): the next number, quietly.
        name = numberedName(plan.name, ++number);
      } else {
        if (!(nameRefused && ask)) throw new ChatError(message(error));
        feed.emit({ type: "retry", ask: "name", reason: error.message });
        const next = await askName(ask, feed);
        if (next === undefined) throw new ChatError(message(error));
        name = next;
      }
      try {
        session = await dial(plan.host, plan.port, passkey);
      } catch (error) {
        throw new ChatError(message(error));
      }
      // A new connection: in open mode its safety code is compared again.
      feed.emit(securedEvent(session));
    }
  }
  const joined = client;
  if (number > 1 && name === numberedName(plan.name, number)) {
    feed.emit({ type: "name-numbered", taken: plan.name, name });
  }
  // A hub restarted with a new passkey: say so, keep what is queued, ask for the new one.
  const redial = async () => {
    try {
      return await dial(plan.host, plan.port, passkey);
    } catch (error) {
      if (!(error instanceof DialError && error.handshake?.code === "wrong-passkey")) throw error;
      const ask = hooks.ask?.passkey;
      feed.emit({ type: "passkey-changed", queued: joined.unacknowledged, asking: !!ask });
      const lost = (why: string) => {
        const queued = joined.unacknowledged;
        return new ChatError(
          queued ? `${why} (${queued === 1 ? "1 line" : `${queued} lines`} not delivered)` : why,
        );
      };
      if (!ask) throw lost(`The ${joined.kind === "hub" ? "hub" : "host"}'s passkey changed`);
      try {
        const next = await dialAsking({ ...plan, passkey: ask }, feed, hooks);
        passkey = next.passkey;
        return next.session;
      } catch (error) {
        throw lost(message(error));
      }
    }
  };
  const finished = stayConnected(joined, redial, {
    onEvent: (event) => feed.emit(event),
    // Open mode: each reconnect shows its new safety code against the one shown before.
    safety: session.keys.authenticated ? undefined : session.keys.safety,
    // A wrong passkey or mode will not fix itself by retrying (nor a new passkey not given).
    isFatal: (error) =>
      error instanceof ChatError || (error instanceof DialError && error.handshake !== undefined),
  }).then(async (fatal) => ({ fatal, reason: await joined.ended() }));
  return new Chat({ feed, client: joined, finished, hooks });
}

/** The passkey a host uses: the one given, none (open mode), a kept one, or a fresh one. */
function hostPasskey(plan: HostPlan | HubPlan): {
  passkey: string | null;
  kept?: { dir: string; given: boolean };
} {
  const keep = "keepPasskey" in plan && plan.keepPasskey
    ? { dir: plan.dataDir, renew: plan.keepPasskey.renew }
    : undefined;
  if (plan.passkey === undefined || plan.passkey === "") {
    if (!keep) return { passkey: generatePasskey() };
    try {
      const { passkey } = keptPasskey(DataFolder.open(keep.dir), { renew: keep.renew });
      return { passkey, kept: { dir: keep.dir, given: false } };
    } catch (error) {
      if (error instanceof KeptPasskeyError) throw new ChatError(error.message);
      throw new ChatError(`Could not open the data folder ${keep.dir}: ${message(error)}`);
    }
  }
  const weak = plan.passkey === null ? undefined : passkeyWeakness(plan.passkey);
  if (weak) throw new ChatError(`${weak}.`);
  const kept = keep && plan.passkey !== null ? { dir: keep.dir, given: true } : undefined;
  return { passkey: plan.passkey, ...(kept ? { kept } : {}) };
}

/** Opens a TCP listener, or throws {@linkcode ChatError} in plain words. */
function listenOn(plan: HostPlan): Deno.Listener {
  const host = plan.host ?? DEFAULTS.listenHost;
  try {
    return Deno.listen({ hostname: host, port: plan.port });
  } catch (error) {
    throw new ChatError(`Could not listen on ${host}:${plan.port}: ${describeNetworkError(error)}`);
  }
}

/**
 * What a host shows once it listens: where, how others reach it, and the passkey; `served`:
 * a hub with the host's console and no member of its own (`serve`).
 */
function listeningEvent(
  listener: Deno.Listener,
  { passkey, kept }: ReturnType<typeof hostPasskey>,
  hub: boolean,
  served = false,
): DoorEvent {
  const address = listener.addr as Deno.NetAddr;
  return {
    type: "listening",
    host: address.hostname,
    port: address.port,
    // Listening on every network: list them, so the other person knows what to type.
    addresses: address.hostname === "0.0.0.0" ? lanAddresses() : [],
    passkey,
    hub,
    ...(kept ? { kept } : {}),
    ...(served ? { served: true as const } : {}),
  };
}

/** What a host does before its room exists: listen, passkey, console and announcement. */
function prepareHost(
  plan: HostPlan,
  kind: "direct" | "hub",
  feed: Listeners<ChatEvent>,
  hostKind: HostKind,
) {
  const chosen = hostPasskey(plan);
  const passkey = chosen.passkey;
  const listener = listenOn(plan);
  const announcement = new HostAnnouncement(
    { label: plan.label, announce: plan.announce, kind, passkey },
    (event) => feed.emit(event),
  );
  const shown = hostVisibility(hostKind);
  const onEvent = (event: HostEvent) => {
    const visible = shown(event);
    if (visible) feed.emit(visible);
    announcement.hostEvent(event);
  };
  return { chosen, passkey, listener, announcement, onEvent };
}

/** Hosts a direct chat and takes part; after each peer it waits for the next one. */
export async function listenChat(plan: ListenPlan, hooks: ChatHooks = {}): Promise<Chat> {
  checkName(plan.name);
  const feed = feedFor(hooks.onEvent);
  const { chosen, passkey, listener, announcement, onEvent } = prepareHost(
    plan,
    "direct",
    feed,
    "direct",
  );
  const port = (listener.addr as Deno.NetAddr).port;
  feed.emit(listeningEvent(listener, chosen, false));
  const host = await RoomHost.direct({
    listener,
    passkey,
    name: plan.name,
    receiveDir: plan.receiveDir,
    accept: plan.accept,
    onEvent,
    onClientEvent: (event: ClientEvent) => {
      feed.emit(event);
      if (event.type === "left") feed.emit({ type: "waiting", port });
    },
  });
  await announcement.start(listener);
  return hostedChat(feed, host, announcement, hooks, (client) => `${client.name} ended the chat.`);
}

/** The chat of a host that takes part: it ends when the person leaves, closing the room. */
function hostedChat(
  feed: Listeners<ChatEvent>,
  host: RoomHost,
  announcement: HostAnnouncement,
  hooks: ChatHooks,
  goodbye: (client: RoomClient) => string,
): Chat {
  const client = host.client!;
  return new Chat({
    feed,
    client,
    host,
    announcement,
    finished: client.ended().then((reason) => ({ reason })),
    goodbye: () => goodbye(client),
    hooks,
  });
}

/** Opens the hub's room, or throws {@linkcode ChatError} when its data folder cannot be used. */
async function openHub(
  plan: HubPlan,
  listener: Deno.Listener,
  passkey: string | null,
  onEvent: (event: HostEvent) => void,
  member?: { name: string; receiveDir: string; onClientEvent: (event: ClientEvent) => void },
): Promise<RoomHost> {
  try {
    return await RoomHost.hub({
      listener,
      passkey,
      dataDir: plan.dataDir,
      historyLimit: plan.history ?? DEFAULTS.history,
      rate: plan.rate ?? DEFAULTS.rate,
      maxClients: plan.maxClients ?? DEFAULTS.maxClients,
      maxFileBytes: plan.maxFileBytes,
      maxStorageBytes: plan.maxStorageBytes,
      onEvent,
      member,
    });
  } catch (error) {
    listener.close();
    throw new ChatError(`Could not open the data folder ${plan.dataDir}: ${message(error)}`);
  }
}

/** Hosts a hub without taking part (`serve`); `signals` stops it on SIGINT/SIGTERM. */
export async function serveHub(
  plan: HubPlan,
  hooks: { onEvent?: (event: ChatEvent) => void; signals?: boolean } = {},
): Promise<Hub> {
  const feed = feedFor(hooks.onEvent);
  const { chosen, passkey, listener, announcement, onEvent } = prepareHost(
    plan,
    "hub",
    feed,
    "hub-log",
  );
  const host = await openHub(plan, listener, passkey, onEvent);
  const console = new HostConsole({
    room: host.room,
    passkey,
    show: (event) => feed.emit({ type: "console", event }),
  });
  feed.emit(listeningEvent(listener, chosen, true, true));
  await announcement.start(listener);
  return new Hub({ feed, host, announcement, console, signals: hooks.signals });
}

/** Hosts a hub and takes part in it (the browser's "Host a hub"). */
export async function hubChat(plan: HubChatPlan, hooks: ChatHooks = {}): Promise<Chat> {
  checkName(plan.name);
  const feed = feedFor(hooks.onEvent);
  const { chosen, passkey, listener, announcement, onEvent } = prepareHost(
    plan,
    "hub",
    feed,
    "hub-member",
  );
  feed.emit(listeningEvent(listener, chosen, true));
  const host = await openHub(plan, listener, passkey, onEvent, {
    name: plan.name,
    receiveDir: plan.receiveDir,
    onClientEvent: (event) => feed.emit(event),
  });
  await announcement.start(listener);
  return hostedChat(feed, host, announcement, hooks, () => "The hub is stopping.");
}
