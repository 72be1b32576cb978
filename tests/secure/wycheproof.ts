/**
 * Wycheproof's test vectors (C2SP/wycheproof, Apache-2.0: `testdata/wycheproof/LICENSE`),
 * copied unchanged into `testdata/wycheproof/` so the repository tests itself without the
 * network. A missing or unreadable file fails the test that asked for it, never skips it.
 *
 * @example
 * ```ts ignore
 * import { wycheproof } from "./wycheproof.ts";
 * const { testGroups } = await wycheproof("hmac_sha256_test.json");
 * ```
 * @module
 */

/** One case: hex fields by name, and Wycheproof's verdict. */
export interface WycheproofCase {
  tcId: number;
  comment: string;
  result: "valid" | "invalid" | "acceptable";
  [field: string]: unknown;
}

/** A file of cases, in groups sharing parameters (key, nonce and tag sizes in bits). */
export interface WycheproofFile {
  algorithm: string;
  numberOfTests: number;
  testGroups: { ivSize?: number; keySize?: number; tagSize?: number; tests: WycheproofCase[] }[];
}

/** Reads `testdata/wycheproof/NAME`. */
export async function wycheproof(name: string): Promise<WycheproofFile> {
  const url = new URL(`./testdata/wycheproof/${name}`, import.meta.url);
  const file = JSON.parse(await Deno.readTextFile(url)) as WycheproofFile;
  const count = file.testGroups.reduce((sum, group) => sum + group.tests.length, 0);
  if (count !== file.numberOfTests) {
    throw new Error(`${name}: ${count} of ${file.numberOfTests} cases`);
  }
  return file;
}

/** Bytes of a hex string. */
export function hex(text: unknown): Uint8Array {
  if (typeof text !== "string" || text.length % 2) throw new Error(`not hex: ${text}`);
  return Uint8Array.from(text.match(/../g) ?? [], (pair) => parseInt(pair, 16));
}

/** A hex string of bytes. */
export function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
}
