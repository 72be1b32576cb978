import fc from "fast-check";
import { FUZZ_TARGETS } from "./fuzz_targets.ts";

// A short budget of every target with the other tests; `deno task fuzz` runs a million inputs.
for (const target of FUZZ_TARGETS) {
  Deno.test(`fuzz ${target.name}: ${target.claim}`, async () => {
    await fc.assert(target.property(), { numRuns: target.shortRuns });
  });
}
