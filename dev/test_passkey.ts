/**
 * The passkey every end-to-end test and benchmark peer uses, given to the p2pchat processes
 * they start through `P2PCHAT_PASSKEY`: one constant, so a change to the passkey rules is one
 * change here.
 *
 * @example
 * ```ts
 * import { PASSKEY } from "./test_passkey.ts";
 * console.log(PASSKEY.split("-").length); // 4
 * ```
 * @module
 */

/** The passkey both sides use in the tests and the benchmark. */
export const PASSKEY = "1-silver-canyon-maple";
