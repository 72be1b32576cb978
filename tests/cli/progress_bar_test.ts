import assert from "node:assert/strict";
import { ProgressBar, progressLine } from "../../lib/cli/progress_bar.ts";

function clock(): { now: () => number; advance: (ms: number) => void } {
  let time = 1_000_000;
  return { now: () => time, advance: (ms) => time += ms };
}

Deno.test("ProgressBar shows percent, bar, sizes, rate and ETA", () => {
  const c = clock();
  const bar = new ProgressBar({ label: "report.pdf", total: 50_000_000, now: c.now });
  c.advance(200);
  bar.update(22_060_000);
  assert.equal(
    bar.update(22_060_000),
    "report.pdf 44 % [#######---------] 22.1 MB/50.0 MB -- B/s ETA --",
  );
  c.advance(300);
  assert.equal(
    bar.update(22_060_000),
    "report.pdf 44 % [#######---------] 22.1 MB/50.0 MB 44.1 MB/s ETA 1s",
  );
});

Deno.test("ProgressBar shows -- until a rate is known", () => {
  const c = clock();
  const bar = new ProgressBar({ label: "a.bin", total: 1000, now: c.now });
  assert.equal(bar.update(0), "a.bin 0 % [----------------] 0 B/1.0 kB -- B/s ETA --");
  c.advance(100);
  assert.equal(bar.update(100), "a.bin 10 % [#---------------] 100 B/1.0 kB -- B/s ETA --");
  c.advance(900);
  assert.equal(bar.update(100), "a.bin 10 % [#---------------] 100 B/1.0 kB 100 B/s ETA 9s");
});

Deno.test("ProgressBar shows ETA -- while stalled from the start", () => {
  const c = clock();
  const bar = new ProgressBar({ label: "x", total: 1000, now: c.now });
  c.advance(5000);
  assert.match(bar.update(0), / 0 B\/s ETA --$/);
});

Deno.test("ProgressBar smooths the rate over a recent window", () => {
  const c = clock();
  const total = 200_000_000;
  const bar = new ProgressBar({ label: "f", total, now: c.now });
  let done = 0;
  // 10 s at 1 MB/s, then 10 s at 10 MB/s, sampled every 100 ms.
  for (let i = 0; i < 100; i++) {
    c.advance(100);
    done += 100_000;
    bar.update(done);
  }
  let line = "";
  for (let i = 0; i < 100; i++) {
    c.advance(100);
    done += 1_000_000;
    line = bar.update(done);
  }
  // Only recent samples count: the rate is the new 10 MB/s, not the 5.5 MB/s average.
  assert.equal(line, "f 55 % [########--------] 110.0 MB/200.0 MB 10.0 MB/s ETA 9s");
  assert.equal(bar.progress.rate, 10_000_000);
});

Deno.test("ProgressBar clamps done into 0..total", () => {
  const c = clock();
  const bar = new ProgressBar({ label: "f", total: 100, now: c.now });
  c.advance(1000);
  assert.equal(bar.update(500), "f 100 % [################] 100 B/100 B 100 B/s ETA 0s");
  assert.match(bar.update(-5), /^f 0 % \[-+\] 0 B\/100 B /);
});

Deno.test("ProgressBar handles an empty file", () => {
  const c = clock();
  const bar = new ProgressBar({ label: "empty", total: 0, now: c.now });
  assert.equal(bar.update(0), "empty 100 % [################] 0 B/0 B -- B/s ETA 0s");
});

Deno.test("progressLine gives up the bar, rate and sizes before it cuts the label", () => {
  const progress = { label: "report.pdf", done: 21_000_000, total: 50_000_000, rate: 7e6 };
  const widths = [80, 60, 50, 40, 30, 20, 12, 6];
  const lines = widths.map((width) => progressLine(progress, width));
  assert.deepEqual(lines, [
    "report.pdf 42 % [######----------] 21.0 MB/50.0 MB 7.0 MB/s ETA 5s",
    "report.pdf 42 % [###-----] 21.0 MB/50.0 MB 7.0 MB/s ETA 5s",
    "report.pdf 42 % 21.0 MB/50.0 MB 7.0 MB/s ETA 5s",
    "report.pdf 42 % 21.0 MB/50.0 MB ETA 5s",
    "report.pdf 42 % ETA 5s",
    "report.pdf 42 %",
    "report… 42 %",
    "… 42 %",
  ]);
  lines.forEach((line, i) => assert.ok(line.length <= widths[i], line));
});
