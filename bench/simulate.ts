// What a fresh vm context per simulated run costs. Every run of an exploration
// evaluates the user's module anew in a new context (so module state cannot
// carry from one run to the next); the old engine ran them all in one context.
// For the seed Box vtable and the Arc example, at depth 4 and 5, this times the
// same batch of runs in both modes (the shared mode is a bench-only option),
// alternating which goes first, and prints the medians and fresh / shared;
// then where a fresh run's time goes, measured in this process.
// Bundling and starting the worker are outside the timing: both modes pay them
// once per exploration.
//
// Run: npx tsx bench/simulate.ts [reps]   (default 5)

import { join, resolve } from 'node:path';
import * as vm from 'node:vm';
import { enumerateSequences, Simulator } from '../src/simulate';
import { bundleModule } from '../src/simulate/bundle';
import { loader } from '../src/simulate/worker';

const ROOT = resolve(__dirname, '..');
const REPS = Number(process.argv[2] ?? 5);
const CASES = [
  { name: 'seed Box vtable', module: join(ROOT, 'examples', 'seed-box-waker.ts'), factory: 'createRawWaker' },
  { name: 'Arc example', module: join(ROOT, 'examples', 'arc-waker.ts'), factory: 'createWaker' },
];
const DEPTHS = [4, 5];

if (!Number.isInteger(REPS) || REPS < 1) {
  console.error(`bench/simulate.ts: reps must be a whole number ≥ 1, got '${process.argv[2]}'`);
  process.exit(2);
}

/** Milliseconds for one batch of every sequence to `depth`, outcomes only (as `explore` runs them). */
async function timeBatch(module: string, factory: string, depth: number, sharedContext: boolean): Promise<{ ms: number; outcomes: string }> {
  const simulator = await Simulator.open(module, factory, { sharedContext, timeLimitMs: 60_000 });
  try {
    const requests = enumerateSequences(depth).map((ops) => ({ factory, ops, detail: false }));
    const started = process.hrtime.bigint();
    const runs = await simulator.runAll(requests);
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    const counts = new Map<string, number>();
    for (const run of runs) counts.set(run.outcome, (counts.get(run.outcome) ?? 0) + 1);
    return { ms, outcomes: [...counts].map(([outcome, n]) => `${outcome} ${n}`).join(', ') };
  } finally {
    await simulator.close();
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Mean microseconds of `body(i)` over `count` calls, after 200 to warm up. */
function microseconds(count: number, body: (i: number) => void): number {
  for (let i = 0; i < 200; i++) body(i % count);
  const started = process.hrtime.bigint();
  for (let i = 0; i < count; i++) body(i);
  return Number(process.hrtime.bigint() - started) / 1e3 / count;
}

/** Where a fresh run's time goes, in this process with the worker's own loader (seed, depth 5). */
async function breakdown(): Promise<void> {
  const { module, factory } = CASES[0];
  const load = loader({ ...(await bundleModule(module)), factory });
  const requests = enumerateSequences(5).map((ops) => JSON.stringify({ factory, ops, detail: false }));
  const shared = load();
  const parts = {
    'vm.createContext alone': microseconds(requests.length, () => vm.createContext({}, { name: 'wakersim', codeGeneration: { strings: false, wasm: false } })),
    'a fresh context with the bundle evaluated': microseconds(requests.length, () => load()),
    'a run in the shared context': microseconds(requests.length, (i) => shared.run(requests[i])),
    'a fresh context, bundle and run': microseconds(requests.length, (i) => load().run(requests[i])),
  };
  console.log(`\nIn this process (no worker, no messages), ${CASES[0].name} at depth 5, per run:`);
  for (const [part, us] of Object.entries(parts)) console.log(`  ${part}: ${us.toFixed(0)} µs`);
}

async function main(): Promise<void> {
  console.log(`Node ${process.version}, median of ${REPS}; times are the batch of runs alone (wall clock)\n`);
  console.log('| module | depth | runs | shared context | fresh context | fresh / shared | per run (fresh − shared) | outcomes (fresh; shared when different) |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const { name, module, factory } of CASES) {
    for (const depth of DEPTHS) {
      const shared: number[] = [];
      const fresh: number[] = [];
      let outcomes = '';
      let sharedOutcomes = '';
      await timeBatch(module, factory, depth, false); // warm esbuild and the worker build
      for (let rep = 0; rep < REPS; rep++) {
        // Alternate the order so drift on the shared machine hits both modes alike.
        const order = rep % 2 ? [true, false] : [false, true];
        for (const sharedContext of order) {
          const result = await timeBatch(module, factory, depth, sharedContext);
          (sharedContext ? shared : fresh).push(result.ms);
          if (!sharedContext) outcomes = result.outcomes;
          else sharedOutcomes = result.outcomes;
        }
      }
      const runs = enumerateSequences(depth).length;
      const [sharedMs, freshMs] = [median(shared), median(fresh)];
      const perRunUs = ((freshMs - sharedMs) / runs) * 1000;
      console.log(
        `| ${name} | ${depth} | ${runs} | ${sharedMs.toFixed(0)} ms | ${freshMs.toFixed(0)} ms | ${(freshMs / sharedMs).toFixed(2)}× | ${perRunUs.toFixed(0)} µs | ${outcomes}${sharedOutcomes === outcomes ? '' : ` (shared context: ${sharedOutcomes})`} |`,
      );
    }
  }
  await breakdown();
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
