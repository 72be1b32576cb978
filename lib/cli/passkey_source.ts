/**
 * Where the passkey comes from: never the command line if it can be helped.
 *
 * @example
 * ```ts ignore
 * import { hostPasskey } from "./passkey_source.ts";
 * const passkey = hostPasskey({ open: false }); // P2PCHAT_PASSKEY, else a fresh one
 * ```
 * @module
 */

import { generatePasskey, normalizePasskey, passkeyWeakness } from "../secure/passkey.ts";
import { FatalError } from "./fatal_error.ts";
import { UsageError } from "./usage.ts";

/** The environment variable that carries the passkey. */
export const PASSKEY_ENV = "P2PCHAT_PASSKEY";

/** What connect's hidden prompt asks. */
export const PASSKEY_QUESTION = "Passkey (shown by the host): ";

/** What decides the passkey. */
export interface PasskeyOptions {
  /** `--open`: no passkey. */
  open: boolean;
}

/** What to do about a weak passkey, for the side that chose it and the side that was given it. */
const WEAK_HINT = {
  host: `Leave ${PASSKEY_ENV} unset and p2pchat makes one, or choose a longer ` +
    "one: a number and three words, or 24 characters or more (no runs such as abc or 111).",
  client: "Use the passkey the host shows (hosts make ones like 7-orbit-lemon-cradle).",
};

function fromEnv(side: "host" | "client"): string | undefined {
  const raw = Deno.env.get(PASSKEY_ENV) || undefined;
  if (raw === undefined) return undefined;
  const passkey = normalizePasskey(raw);
  if (passkey === "") {
    throw new UsageError(
      "the passkey is empty",
      `Set ${PASSKEY_ENV} to the passkey shown by the host.`,
    );
  }
  const weak = passkeyWeakness(passkey);
  if (weak) throw new UsageError(weak.charAt(0).toLowerCase() + weak.slice(1), WEAK_HINT[side]);
  return passkey;
}

/**
 * The host's passkey: none with --open, else from the environment, else a fresh one. One too
 * weak to survive online guessing is refused (a {@linkcode UsageError} saying what to do).
 */
export function hostPasskey(options: PasskeyOptions): string | null {
  const given = givenHostPasskey(options);
  return given === undefined ? generatePasskey() : given;
}

/**
 * The passkey given to a host: `null` with --open, the environment's or the flag's, or
 * `undefined` when none is given (a hub then uses the one kept in its data folder).
 */
export function givenHostPasskey(options: PasskeyOptions): string | null | undefined {
  if (options.open) return null;
  return fromEnv("host");
}

/**
 * The connecting side's passkey: none with --open, else from the environment or the flag
 * (one too weak to be a host's is refused before connecting), else `ask`: the front door asks
 * at the terminal once the address answered. Where nobody can type it (stdin not a terminal)
 * a missing passkey is a {@linkcode FatalError} before anything happens.
 */
export function clientPasskey(
  options: PasskeyOptions,
  ask: () => Promise<string | undefined>,
): string | null | (() => Promise<string | undefined>) {
  if (options.open) return null;
  const given = fromEnv("client");
  if (given !== undefined) return given;
  if (!Deno.stdin.isTerminal()) {
    throw new FatalError(
      `No passkey: set ${PASSKEY_ENV} to the passkey the host shows (or use --open if the host does).`,
    );
  }
  return ask;
}
