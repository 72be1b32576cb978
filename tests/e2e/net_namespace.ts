/**
 * A small LAN for end-to-end tests: network namespaces (one per computer) joined by a bridge,
 * made with `ip` when the tests run as root on Linux (as CI does) and removed afterwards.
 * Multicast stays inside it, so discovery tests never touch the machine's real network.
 *
 * Names carry the test process's id; namespaces left by a run that crashed (its process gone)
 * are removed by the next one.
 *
 * @example
 * ```ts ignore
 * import { NetLab } from "./net_namespace.ts";
 * await using lab = await NetLab.create(["host", "guest"]);
 * await lab.run("guest", ["ping", "-c", "1", lab.address("host")]);
 * ```
 * @module
 */

/** Whether this process can make namespaces: root on Linux, with `ip` installed. */
export const CAN_MAKE_NAMESPACES: boolean = Deno.build.os === "linux" && Deno.uid() === 0;

const PREFIX = "p2pct";

/** Runs `ip ARGS`; throws with its error text when it fails. */
async function ip(...args: string[]): Promise<string> {
  const output = await new Deno.Command("ip", { args, stdout: "piped", stderr: "piped" }).output();
  if (!output.success) {
    throw new Error(`ip ${args.join(" ")}: ${new TextDecoder().decode(output.stderr).trim()}`);
  }
  return new TextDecoder().decode(output.stdout);
}

function alive(pid: number): boolean {
  try {
    Deno.statSync(`/proc/${pid}`);
    return true;
  } catch {
    return false;
  }
}

/** Removes namespaces of earlier runs whose process is gone. */
async function removeLeftovers(): Promise<void> {
  const list = await ip("netns", "list");
  for (const line of list.split("\n")) {
    const name = line.split(" ")[0];
    const match = name.match(new RegExp(`^${PREFIX}(\\d+)-`));
    if (match && !alive(Number(match[1]))) await ip("netns", "delete", name).catch(() => {});
  }
}

let labs = 0;

/** Namespaces on one bridge, each with an address in 10.99.0.0/24. */
export class NetLab implements AsyncDisposable {
  #namespaces = new Map<string, { ns: string; address: string }>();
  #all: string[] = [];

  private constructor() {}

  /** Makes a namespace per name, each with `eth0` on a shared bridge, and loopback up. */
  static async create(names: string[]): Promise<NetLab> {
    await removeLeftovers();
    const lab = new NetLab();
    const id = `${PREFIX}${Deno.pid}-${labs++}`;
    const bridgeNs = `${id}-sw`;
    try {
      await ip("netns", "add", bridgeNs);
      lab.#all.push(bridgeNs);
      await ip("-n", bridgeNs, "link", "add", "br0", "type", "bridge");
      await ip("-n", bridgeNs, "link", "set", "br0", "up");
      for (const [i, name] of names.entries()) {
        const ns = `${id}-${name}`;
        const address = `10.99.0.${i + 1}`;
        await ip("netns", "add", ns);
        lab.#all.push(ns);
        // Made inside the node's namespace, so its name never clashes with the machine's.
        await ip("-n", ns, "link", "add", "eth0", "type", "veth", "peer", "name", `port${i}`);
        await ip("-n", ns, "link", "set", `port${i}`, "netns", bridgeNs);
        await ip("-n", bridgeNs, "link", "set", `port${i}`, "master", "br0");
        await ip("-n", bridgeNs, "link", "set", `port${i}`, "up");
        await ip("-n", ns, "addr", "add", `${address}/24`, "dev", "eth0");
        await ip("-n", ns, "link", "set", "eth0", "up");
        await ip("-n", ns, "link", "set", "lo", "up");
        // Multicast leaves by eth0 even for programs that name no interface.
        await ip("-n", ns, "route", "add", "224.0.0.0/4", "dev", "eth0");
        lab.#namespaces.set(name, { ns, address });
      }
    } catch (error) {
      await lab[Symbol.asyncDispose]();
      throw error;
    }
    return lab;
  }

  /** The namespace of a computer, for `ip netns exec`. */
  ns(name: string): string {
    return this.#get(name).ns;
  }

  /** The address of a computer. */
  address(name: string): string {
    return this.#get(name).address;
  }

  /** Runs a program in a computer's namespace and returns its output. */
  async run(name: string, args: string[]): Promise<Deno.CommandOutput> {
    return await new Deno.Command("ip", {
      args: ["netns", "exec", this.ns(name), ...args],
      stdout: "piped",
      stderr: "piped",
    }).output();
  }

  /** Removes every namespace (their links go with them). */
  async [Symbol.asyncDispose](): Promise<void> {
    for (const ns of this.#all.reverse()) await ip("netns", "delete", ns).catch(() => {});
    this.#all = [];
  }

  #get(name: string): { ns: string; address: string } {
    const node = this.#namespaces.get(name);
    if (!node) throw new Error(`no computer ${name} in this lab`);
    return node;
  }
}
