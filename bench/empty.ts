/**
 * An empty program: the start-up baseline (what `deno run` itself costs).
 *
 * @example
 * ```ts ignore
 * // deno run bench/empty.ts
 * ```
 * @module
 */
export {};
