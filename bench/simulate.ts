// Simulation speed, side by side in one run of this script:
//
// 1. `explore --all` of the seed's Box vtable at each depth, wall clock of the
//    whole exploration (bundling, process start, every run), three ways,
//    alternating which goes first: the simulator at commit BASELINE (a worker
//    thread; a fresh vm context and a fresh evaluation of the bundle per run),
//    extracted with `git archive` into bench/out/ and loaded from there; today's
//    process pool running every sequence (`exploreEverySequenceRun`, what
//    `--all` did before it shared runs, and what a module whose state the
//    explorer cannot read still gets); and `--all` as it is (one run per
//    distinct state and operation). The listings of the last two must be
//    identical, and the baseline's outcome counts must agree.
// 2. Shortest-per-outcome mode (breadth first over distinct states) at depths
//    8 and 12, the issue's second target (depth 8 under 10 s).
// 3. What the process sandbox costs: the same batch of runs (depth 5) in this
//    process, in the sandbox's own vm set-up but without a process around it
//    (`Sandbox`: fresh module per run, globals reset), against the same through
//    one sandboxed process and through the default pool.
//
// Run: npx tsx bench/simulate.ts [--depths 5,6] [--baseline-depths 5,6] [--reps 3]

import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import * as vm from 'node:vm';
import { enumerateSequences, explore, exploreEverySequenceRun, Simulator, type Exploration } from '../src/simulate';
import { bundleModule } from '../src/simulate/bundle';
import { PRELUDE } from '../src/simulate/prelude';
import { Sandbox } from '../src/simulate/worker';

const ROOT = resolve(__dirname, '..');
const BASELINE = '4763cf5';
const SEED = join(ROOT, 'examples', 'seed-box-waker.ts');
const FACTORY = 'createRawWaker';

function option(name: string, fallback: string): string {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? process.argv[index + 1] : fallback;
}
const DEPTHS = option('depths', '5,6').split(',').map(Number);
const BASELINE_DEPTHS = new Set(option('baseline-depths', '5,6').split(',').map(Number));
const REPS = Number(option('reps', '3'));

type Explore = (module: string, factory: string, options: { depth: number; all: boolean; timeLimitMs: number }) => Promise<Exploration>;

/** The baseline's `explore`, from its sources extracted under bench/out/ (with its package.json, so it bundles its own runtime and driver). */
async function baselineExplore(): Promise<Explore> {
  const dir = join(ROOT, 'bench', 'out', `simulate-baseline-${BASELINE}`);
  if (!existsSync(join(dir, 'src', 'simulate', 'engine.ts'))) {
    mkdirSync(dir, { recursive: true });
    const archive = execFileSync('git', ['-C', ROOT, 'archive', BASELINE, 'src', 'package.json']);
    execFileSync('tar', ['-x', '-C', dir], { input: archive });
  }
  const engine = (await import(join(dir, 'src', 'simulate', 'engine.ts'))) as { explore: Explore };
  return engine.explore;
}

function counts(exploration: Exploration): string {
  const byOutcome = new Map<string, number>();
  for (const { outcome } of exploration.all ?? []) byOutcome.set(outcome, (byOutcome.get(outcome) ?? 0) + 1);
  return [...byOutcome].sort().map(([outcome, n]) => `${outcome} ${n}`).join(', ');
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function timed<T>(body: () => Promise<T>): Promise<[number, T]> {
  const started = performance.now();
  const value = await body();
  return [performance.now() - started, value];
}

async function explorations(): Promise<void> {
  const runners = {
    before: await baselineExplore(),
    every: ((module, factory, options) => exploreEverySequenceRun(module, factory, options)) as Explore,
    now: ((module, factory, options) => explore(module, factory, options)) as Explore,
  };
  type Which = keyof typeof runners;
  console.log(`| depth | sequences | ${BASELINE} (worker, fresh context per run) | every sequence run (process pool) | now (--all, runs shared) | ${BASELINE} / now | every / now | agreement |`);
  console.log('|---|---|---|---|---|---|---|---|');
  for (const depth of DEPTHS) {
    const withBaseline = BASELINE_DEPTHS.has(depth);
    const times: Record<Which, number[]> = { before: [], every: [], now: [] };
    const results: Partial<Record<Which, Exploration>> = {};
    for (let rep = 0; rep < REPS; rep++) {
      const order: Which[] = (['before', 'every', 'now'] as const).filter((which) => which !== 'before' || withBaseline);
      if (rep % 2) order.reverse();
      for (const which of order) {
        const [ms, exploration] = await timed(() => runners[which](SEED, FACTORY, { depth, all: true, timeLimitMs: 60_000 }));
        times[which].push(ms);
        results[which] = exploration;
      }
    }
    const seconds = (which: Which) => (times[which].length ? `${(median(times[which]) / 1000).toFixed(2)} s` : 'not run');
    const ratio = (which: Which) => (times[which].length ? `${(median(times[which]) / median(times.now)).toFixed(1)}×` : '');
    const listing = (exploration?: Exploration) => JSON.stringify(exploration?.all);
    const agreement = [
      listing(results.every) === listing(results.now) ? 'listing identical to every sequence run' : 'LISTING DIFFERS',
      withBaseline ? (counts(results.before!) === counts(results.now!) ? `counts as ${BASELINE}` : `COUNTS DIFFER from ${BASELINE}: ${counts(results.before!)}`) : '',
    ].filter(Boolean);
    console.log(
      `| ${depth} | ${enumerateSequences(depth).length} | ${seconds('before')} | ${seconds('every')} | ${seconds('now')} | ${ratio('before')} | ${ratio('every')} | ${agreement.join('; ')} (${counts(results.now!)}) |`,
    );
  }
}

async function shortestPerOutcome(): Promise<void> {
  console.log(`\nShortest sequence per outcome, breadth first over distinct states (median of ${REPS}):\n`);
  console.log('| depth | time | runs | distinct states | outcomes |');
  console.log('|---|---|---|---|---|');
  for (const depth of [8, 12]) {
    const times: number[] = [];
    let result: Exploration | undefined;
    for (let rep = 0; rep < REPS; rep++) {
      const [ms, exploration] = await timed(() => explore(SEED, FACTORY, { depth, timeLimitMs: 60_000 }));
      times.push(ms);
      result = exploration;
    }
    const states = result?.reduction?.kind === 'states' ? result.reduction.states : 'none';
    console.log(`| ${depth} | ${(median(times) / 1000).toFixed(2)} s | ${result!.explored} | ${states} | ${result!.outcomes.map((o) => `${o.outcome} (${o.length})`).join(', ')} |`);
  }
}

/** Microseconds per run of the depth-5 batch in this process, in the sandbox's vm set-up without a process. */
async function inProcess(requests: readonly string[]): Promise<number> {
  const bundle = await bundleModule(SEED);
  const sandbox = new Sandbox(new vm.Script(PRELUDE), new vm.Script(bundle.code, { filename: bundle.file }));
  const once = (request: string) => {
    sandbox.prelude.reset();
    sandbox.load().run(request);
    sandbox.drain();
    sandbox.prelude.reset();
  };
  for (const request of requests.slice(0, 500)) once(request);
  const started = performance.now();
  for (const request of requests) once(request);
  return ((performance.now() - started) * 1000) / requests.length;
}

/** Microseconds per run of the same batch through a simulator with `processes` sandboxed processes (started before the clock). */
async function throughProcesses(requests: readonly string[], processes: number): Promise<number> {
  const simulator = await Simulator.open(SEED, FACTORY, { processes, timeLimitMs: 60_000 });
  try {
    const parsed = requests.map((request) => JSON.parse(request) as Parameters<Simulator['runAll']>[0][number]);
    await simulator.runAll(parsed.slice(0, 500 * processes)); // start the pool and warm it
    const started = performance.now();
    await simulator.runAll(parsed);
    return ((performance.now() - started) * 1000) / requests.length;
  } finally {
    await simulator.close();
  }
}

async function sandboxCost(): Promise<void> {
  const requests = enumerateSequences(5).map((ops) => JSON.stringify({ factory: FACTORY, ops, detail: false }));
  const rows: [string, number[]][] = [
    ['in this process, no sandbox process (vm isolation only)', []],
    ['one sandboxed process', []],
    [`the pool (${availableParallelism()} processes)`, []],
  ];
  for (let rep = 0; rep < REPS; rep++) {
    rows[0][1].push(await inProcess(requests));
    rows[1][1].push(await throughProcesses(requests, 1));
    rows[2][1].push(await throughProcesses(requests, availableParallelism()));
  }
  const base = median(rows[0][1]);
  console.log(`\nPer run, the ${requests.length} runs of depth 5 (median of ${REPS}):\n`);
  console.log('| how | per run | vs in process |');
  console.log('|---|---|---|');
  for (const [how, values] of rows) console.log(`| ${how} | ${median(values).toFixed(0)} µs | ${(median(values) / base).toFixed(2)}× |`);
}

async function main(): Promise<void> {
  console.log(`Node ${process.version}, ${cpus().length} CPUs (${cpus()[0]?.model ?? 'unknown'}), load average ${loadavg().map((n) => n.toFixed(1)).join(' ')}, median of ${REPS}\n`);
  await explorations();
  await shortestPerOutcome();
  await sandboxCost();
  console.log(`\nload average at the end: ${loadavg().map((n) => n.toFixed(1)).join(' ')}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
