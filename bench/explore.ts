// Shortest-per-outcome exploration, side by side: today's plain enumeration
// (every sequence run) against the breadth-first search over distinct states,
// in one process, on the seed Box vtable and the Arc example. Both answers must
// agree (the script exits 1 if they do not). Plain enumeration runs only to
// depth 6 (54,641 sequences; depth 8 would be about 10 million): at deeper
// levels its row gives the sequence count it would have to run.
// Times are wall clock, including bundling and starting the worker, as a user
// waits for them.
//
// Run: npx tsx bench/explore.ts [reps] [depths]   (default 1 rep; depths 4,6,8,12)

import { join, resolve } from 'node:path';
import { explore, type Exploration } from '../src/simulate';

const ROOT = resolve(__dirname, '..');
const REPS = Number(process.argv[2] ?? 1);
const DEPTHS = (process.argv[3] ?? '4,6,8,12').split(',').map(Number);
const PLAIN_LIMIT = 6;
const CASES = [
  { name: 'seed Box vtable', module: join(ROOT, 'examples', 'seed-box-waker.ts'), factory: 'createRawWaker' },
  { name: 'Arc example', module: join(ROOT, 'examples', 'arc-waker.ts'), factory: 'createWaker' },
];

if (!Number.isInteger(REPS) || REPS < 1 || DEPTHS.some((depth) => !Number.isInteger(depth) || depth < 0 || depth > 12)) {
  console.error(`bench/explore.ts: usage: npx tsx bench/explore.ts [reps ≥ 1] [depths 0–12, comma-separated], got '${process.argv.slice(2).join(' ')}'`);
  process.exit(2);
}

/** How many sequences plain enumeration runs to `depth`, counted by live-handle count instead of listed. */
function plainCount(depth: number): number {
  let byLive = new Map<number, number>([[1, 1]]);
  let total = 1;
  for (let length = 1; length <= depth; length++) {
    const next = new Map<number, number>();
    const add = (live: number, count: number) => next.set(live, (next.get(live) ?? 0) + count);
    // On each live handle: clone adds one, wake_by_ref keeps it, wake and drop consume it.
    for (const [live, count] of byLive) {
      add(live + 1, count * live);
      add(live, count * live);
      add(live - 1, count * live * 2);
    }
    byLive = next;
    for (const count of next.values()) total += count;
  }
  return total;
}

async function timed(run: () => Promise<Exploration>): Promise<{ ms: number; exploration: Exploration }> {
  const started = process.hrtime.bigint();
  const exploration = await run();
  return { ms: Number(process.hrtime.bigint() - started) / 1e6, exploration };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function summary(exploration: Exploration): string {
  return exploration.outcomes.map((o) => `${o.outcome} ${o.length}`).join(', ');
}

async function main(): Promise<void> {
  console.log(`Node ${process.version}, median of ${REPS}; wall clock per exploration, bundling included\n`);
  console.log('| module | depth | plain: runs | plain: time | states: runs | states: time | plain / states | shortest per outcome |');
  console.log('|---|---|---|---|---|---|---|---|');
  let disagreements = 0;
  for (const { name, module, factory } of CASES) {
    await explore(module, factory, { depth: 1 }); // warm esbuild and the worker build
    for (const depth of DEPTHS) {
      const plainTimes: number[] = [];
      const reducedTimes: number[] = [];
      let plain: Exploration | undefined;
      let reduced: Exploration | undefined;
      for (let rep = 0; rep < REPS; rep++) {
        // Alternate the order so drift on the shared machine hits both alike.
        const order = rep % 2 ? ['states', 'plain'] : ['plain', 'states'];
        for (const mode of order) {
          if (mode === 'plain' && depth <= PLAIN_LIMIT) {
            const result = await timed(() => explore(module, factory, { depth, all: true, timeLimitMs: 60_000 }));
            plainTimes.push(result.ms);
            plain = result.exploration;
          } else if (mode === 'states') {
            const result = await timed(() => explore(module, factory, { depth, timeLimitMs: 60_000 }));
            reducedTimes.push(result.ms);
            reduced = result.exploration;
          }
        }
      }
      const agree = !plain || JSON.stringify(plain.outcomes) === JSON.stringify(reduced!.outcomes);
      if (!agree) disagreements++;
      const plainMs = plainTimes.length ? median(plainTimes) : undefined;
      const reducedMs = median(reducedTimes);
      console.log(
        `| ${name} | ${depth} | ${plain ? plain.explored : `${plainCount(depth).toLocaleString('en')} (not run)`} | ${plainMs === undefined ? '–' : `${(plainMs / 1000).toFixed(1)} s`} | ${reduced!.explored} | ${(reducedMs / 1000).toFixed(1)} s | ${plainMs === undefined ? '–' : `${(plainMs / reducedMs).toFixed(1)}×`} | ${summary(reduced!)}${agree ? '' : ` — DIFFERS from plain: ${summary(plain!)}`} |`,
      );
    }
  }
  if (disagreements) {
    console.error(`\n${disagreements} disagreement(s) between plain enumeration and state reduction`);
    process.exit(1);
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
