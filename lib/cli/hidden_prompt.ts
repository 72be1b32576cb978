/**
 * Asks for a secret at the terminal showing a star per character, so the secret never shows
 * on screen, in the shell history or in `ps`.
 *
 * @example
 * ```ts ignore
 * import { promptHidden } from "./hidden_prompt.ts";
 * const passkey = await promptHidden("Passkey: ");
 * ```
 * @module
 */

const encoder = new TextEncoder();

/**
 * Reads one line from the terminal showing `*` for each character typed (the secret itself is
 * never shown); `undefined` on Ctrl-C or end of input.
 */
export async function promptHidden(question: string): Promise<string | undefined> {
  // On stderr, so `--json` output on stdout stays pure JSON.
  await Deno.stderr.write(encoder.encode(question));
  Deno.stdin.setRaw(true);
  const bytes: number[] = [];
  const buffer = new Uint8Array(64);
  try {
    while (true) {
      const n = await Deno.stdin.read(buffer);
      if (n === null) return undefined;
      for (const byte of buffer.subarray(0, n)) {
        if (byte === 3 || byte === 4) return undefined; // Ctrl-C, Ctrl-D
        if (byte === 13 || byte === 10) return new TextDecoder().decode(new Uint8Array(bytes));
        if (byte === 127 || byte === 8) {
          if (bytes.length === 0) continue;
          // Remove one whole character: UTF-8 continuation bytes are 10xxxxxx.
          while (bytes.length && (bytes.pop()! & 0xc0) === 0x80);
          await Deno.stderr.write(encoder.encode("\b \b"));
        } else if (byte >= 32) {
          bytes.push(byte);
          // One star per character: at its first byte.
          if ((byte & 0xc0) !== 0x80) await Deno.stderr.write(encoder.encode("*"));
        }
      }
    }
  } finally {
    Deno.stdin.setRaw(false);
    await Deno.stderr.write(encoder.encode("\n"));
  }
}
