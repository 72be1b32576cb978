import assert from "node:assert/strict";
import { StatusLine } from "../../lib/cli/status_line.ts";

function clock(): { now: () => number; advance: (ms: number) => void } {
  let time = 1_000_000;
  return { now: () => time, advance: (ms) => time += ms };
}

Deno.test("StatusLine: nothing under way is no line", () => {
  assert.equal(new StatusLine().render(80), undefined);
});

Deno.test("StatusLine: one entry shows its own progress, fitted to the width", () => {
  const c = clock();
  const status = new StatusLine({ now: c.now });
  status.set("send-1", { label: "big.bin", done: 0, total: 1_000_000 });
  c.advance(1000);
  status.set("send-1", { label: "big.bin", done: 400_000, total: 1_000_000 });
  assert.equal(
    status.render(80),
    "big.bin 40 % [######----------] 400.0 kB/1.0 MB 400.0 kB/s ETA 2s",
  );
  assert.equal(status.render(16), "big.bin 40 %");
});

Deno.test("StatusLine: several entries are summed into one line that never outgrows the width", () => {
  const c = clock();
  const status = new StatusLine({ now: c.now });
  for (let i = 1; i <= 20; i++) status.set(`t${i}`, { label: `f${i}.bin`, done: 0, total: 1000 });
  c.advance(1000);
  for (let i = 1; i <= 20; i++) {
    status.set(`t${i}`, { label: `f${i}.bin`, done: i <= 10 ? 1000 : 0, total: 1000 });
  }
  assert.equal(
    status.render(80),
    "20 files, 50 % [########--------] 10.0 kB/20.0 kB 10.0 kB/s ETA 1s",
  );
  for (const width of [80, 40, 20, 14]) {
    assert.ok(status.render(width)!.length <= width, `fits ${width}`);
  }
  assert.equal(status.render(14), "20 files, 50 %");
});

Deno.test("StatusLine: entries are removed by id or by label", () => {
  const status = new StatusLine();
  status.set("a", { label: "a.bin", done: 1, total: 2 });
  status.set("b", { label: "b.bin", done: 1, total: 2 });
  status.set("c", { label: "b.bin", done: 1, total: 2 });
  assert.equal(status.size, 3);
  status.deleteLabelled("b.bin");
  assert.equal(status.size, 1);
  status.delete("a");
  assert.equal(status.render(80), undefined);
});
