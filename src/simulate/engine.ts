// Runs scenarios, and the sequences explore.ts chooses: one bundle and one
// worker per module, many runs inside it, each in a fresh vm context (the
// module evaluated anew) with a fresh Runtime. The worker is terminated when a run exceeds the time limit,
// and capped in memory by `resourceLimits`.

import { build } from 'esbuild';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import { BundleError, bundleModule } from './bundle';
import type { RunRequest } from './driver';
import { formatParseError, formatSequence, parseScenario } from './parse';
import type { EventSummary, Location, Scenario, ScenarioOp, SimulationRun, StepResult } from './types';
import type { FromWorker, ToWorker, WorkerInput, WorkerRun } from './worker';

export interface SimulatorOptions {
  /** Per run (and for loading the module); default 2000 ms. */
  readonly timeLimitMs?: number;
  /** The worker's heap limit; default 128 MB. */
  readonly memoryLimitMb?: number;
  /**
   * @internal For bench/simulate.ts only: run every sequence in one context, so
   * module state carries over between runs (the old behaviour), to measure what
   * a fresh context per run costs. Results are then not independent.
   */
  readonly sharedContext?: boolean;
}

/** Why a simulation could not produce a result: a one-line, user-facing reason. */
export class SimulationError extends Error {
  override readonly name: string = 'SimulationError';
}

/** A run the time limit stopped: a scenario's outcome is then `timeout`. */
export class SimulationTimeout extends SimulationError {
  override readonly name = 'SimulationTimeout';
}

export const DEFAULT_TIME_LIMIT_MS = 2000;
export const DEFAULT_MEMORY_LIMIT_MB = 128;
export const DEFAULT_DEPTH = 4;

let workerCode: Promise<string> | undefined;

/** The built worker next to this bundle (dist/), or, running from source, the worker built on the fly. */
async function workerScript(): Promise<{ file: string } | { code: string }> {
  const built = join(__dirname, '..', 'simulate', 'worker.js');
  if (existsSync(built)) return { file: built };
  const source = join(__dirname, 'worker.ts');
  if (!existsSync(source)) throw new Error(`cannot find the simulation worker (${built} or ${source})`);
  workerCode ??= build({ entryPoints: [source], bundle: true, platform: 'node', format: 'cjs', target: 'node20', write: false, logLevel: 'silent' }).then(
    (result) => result.outputFiles[0].text,
  );
  return { code: await workerCode };
}

/** One module, bundled once, loaded into one worker. Close it when done. */
export class Simulator {
  private busy = false;
  private dead?: string;

  private constructor(
    private readonly worker: Worker,
    readonly modulePath: string,
    readonly factory: string,
    private readonly timeLimitMs: number,
    private readonly memoryLimitMb: number,
  ) {}

  static async open(modulePath: string, factory: string, options: SimulatorOptions = {}): Promise<Simulator> {
    const absolute = resolve(modulePath);
    const bundle = await bundleModule(absolute).catch((error: unknown) => {
      throw error instanceof BundleError ? new SimulationError(error.message) : error;
    });
    const input: WorkerInput = { ...bundle, factory, ...(options.sharedContext ? { sharedContext: true } : {}) };
    const memoryLimitMb = options.memoryLimitMb ?? DEFAULT_MEMORY_LIMIT_MB;
    const script = await workerScript();
    const worker = new Worker('file' in script ? script.file : script.code, {
      eval: 'code' in script,
      workerData: input,
      resourceLimits: { maxOldGenerationSizeMb: memoryLimitMb, maxYoungGenerationSizeMb: Math.min(32, memoryLimitMb), stackSizeMb: 4 },
      stdout: true,
      stderr: true,
    });
    // Nothing the worker prints may mix into the CLI's output.
    worker.stdout.resume();
    worker.stderr.resume();
    const simulator = new Simulator(worker, absolute, factory, options.timeLimitMs ?? DEFAULT_TIME_LIMIT_MS, memoryLimitMb);
    await simulator.exchange(undefined, 'loading the module', () => {});
    return simulator;
  }

  /** Run each request in a fresh Runtime, in order. */
  async runAll(requests: readonly RunRequest[], onResult?: (index: number, run: WorkerRun) => void): Promise<WorkerRun[]> {
    if (this.busy) throw new Error('Simulator.runAll: a batch is already running');
    const runs: WorkerRun[] = [];
    await this.exchange({ type: 'run', requests }, (index) => `running \`${formatSequence(requests[index]?.ops ?? [])}\``, (index, run) => {
      runs[index] = run;
      onResult?.(index, run);
    });
    return runs;
  }

  async close(): Promise<void> {
    this.dead ??= 'the simulator was closed';
    await this.worker.terminate();
  }

  /**
   * Send `message` (or nothing, while loading) and collect results until `done`
   * or `ready`; every result restarts the time limit.
   */
  private exchange(message: ToWorker | undefined, doing: string | ((index: number) => string), onResult: (index: number, run: WorkerRun) => void): Promise<void> {
    if (this.dead) return Promise.reject(new SimulationError(this.dead));
    this.busy = true;
    let next = 0;
    const what = () => (typeof doing === 'string' ? doing : doing(next));
    return new Promise<void>((resolvePromise, rejectPromise) => {
      let timer: NodeJS.Timeout | undefined;
      const finish = (error?: Error) => {
        clearTimeout(timer);
        this.worker.off('message', onMessage);
        this.worker.off('error', onError);
        this.worker.off('exit', onExit);
        this.busy = false;
        if (error) {
          this.dead = error.message;
          void this.worker.terminate();
          rejectPromise(error);
        } else {
          resolvePromise();
        }
      };
      const arm = () => {
        clearTimeout(timer);
        timer = setTimeout(() => {
          finish(new SimulationTimeout(`simulation stopped: ${what()} took longer than the ${this.timeLimitMs} ms time limit (an infinite loop in ${this.modulePath}?)`));
        }, this.timeLimitMs);
      };
      const onMessage = (reply: FromWorker) => {
        if (reply.type === 'result') {
          onResult(reply.index, reply.run);
          next = reply.index + 1;
          arm();
        } else if (reply.type === 'failed') {
          finish(new SimulationError(`${this.modulePath}: ${reply.message}`));
        } else {
          finish();
        }
      };
      const onError = (error: Error & { code?: string }) => {
        finish(
          new SimulationError(
            error.code === 'ERR_WORKER_OUT_OF_MEMORY'
              ? `simulation stopped: ${what()} ran out of memory (limit ${this.memoryLimitMb} MB)`
              : `simulation failed while ${what()}: ${error.message}`,
          ),
        );
      };
      const onExit = (code: number) => finish(new SimulationError(`the simulation worker exited (code ${code}) while ${what()}`));
      this.worker.on('message', onMessage);
      this.worker.on('error', onError);
      this.worker.on('exit', onExit);
      arm();
      if (message) this.worker.postMessage(message);
    });
  }
}

/** Run `ops` against `factory` of `modulePath`. */
export function simulateSequence(modulePath: string, factory: string, ops: readonly ScenarioOp[], options: SimulatorOptions = {}): Promise<SimulationRun> {
  return simulateOnce(modulePath, factory, ops, options);
}

/** The scenario's module: its `use` path, resolved against the scenario file's folder. */
export function scenarioModulePath(scenario: Pick<Scenario, 'fileName' | 'module'>): string {
  return resolve(dirname(scenario.fileName), scenario.module);
}

/** Run a parsed scenario; its module path is relative to the scenario file. */
export async function simulateScenario(scenario: Scenario, options: SimulatorOptions = {}): Promise<SimulationRun> {
  const modulePath = scenarioModulePath(scenario);
  if (!existsSync(modulePath)) {
    const at = scenario.moduleLocation ? `${scenario.fileName}:${scenario.moduleLocation.line}:${scenario.moduleLocation.column}` : scenario.fileName;
    throw new SimulationError(`${at}: cannot find the module '${scenario.module}' (${modulePath})`);
  }
  try {
    return await simulateOnce(modulePath, scenario.factory, scenario.ops, options, scenario);
  } catch (error) {
    if (!(error instanceof SimulationTimeout)) throw error;
    // A scenario can expect this: the run's steps are unknown, the stop is its outcome.
    return {
      module: modulePath,
      factory: scenario.factory,
      scenarioFile: scenario.fileName,
      sequence: formatSequence(scenario.ops),
      steps: [],
      violations: [],
      leaks: [],
      outcome: 'timeout',
      stopped: error.message,
      ...(scenario.expect ? { expect: scenario.expect } : {}),
    };
  }
}

/** One detailed run in a simulator of its own. */
async function simulateOnce(modulePath: string, factory: string, ops: readonly ScenarioOp[], options: SimulatorOptions, scenario?: Scenario): Promise<SimulationRun> {
  const simulator = await Simulator.open(modulePath, factory, options);
  try {
    const [run] = await simulator.runAll([{ factory, ops, detail: true }]);
    return completeRun(run, simulator.modulePath, factory, ops, scenario);
  } finally {
    await simulator.close();
  }
}

/** A scenario file that does not parse: `file:line:col: message` for its first error. */
export class ScenarioSyntaxError extends Error {
  override readonly name = 'ScenarioSyntaxError';
}

/** Read and parse a `.wakersim` file; throws `ScenarioSyntaxError` (first error) or a read error. */
export function loadScenario(fileName: string): Scenario {
  let text: string;
  try {
    text = readFileSync(fileName, 'utf8');
  } catch (error) {
    throw new ScenarioSyntaxError(`${fileName}: cannot read the scenario (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  const { scenario, errors } = parseScenario(text, fileName);
  if (errors.length > 0 || !scenario) throw new ScenarioSyntaxError(formatParseError(fileName, errors[0]));
  return scenario;
}

/** Adds what only the engine knows: module, scenario locations, expectation. */
function completeRun(run: WorkerRun, modulePath: string, factory: string, ops: readonly ScenarioOp[], scenario?: Scenario): SimulationRun {
  const scenarioLocation = (step: number): Location | undefined => {
    const line = ops[step - 1]?.line;
    return scenario && line !== undefined ? { file: scenario.fileName, line, column: 1 } : undefined;
  };
  // Operations the scenario itself performed have no user source position: point at the scenario line.
  const locate = (ref: EventSummary): EventSummary => {
    const location = ref.location ?? scenarioLocation(ref.step);
    return location ? { ...ref, location } : ref;
  };
  const steps = (run.steps ?? []).map((step): StepResult => {
    const location = scenarioLocation(step.step);
    return location ? { ...step, location } : step;
  });
  return {
    module: modulePath,
    factory,
    ...(scenario ? { scenarioFile: scenario.fileName } : {}),
    sequence: run.sequence,
    steps,
    violations: (run.violations ?? []).map((v) => ({ ...v, at: locate(v.at), ...(v.earlier ? { earlier: locate(v.earlier) } : {}) })),
    leaks: (run.leaks ?? []).map((leak) => ({ ...leak, allocated: locate(leak.allocated) })),
    outcome: run.outcome,
    ...(scenario?.expect ? { expect: scenario.expect } : {}),
  };
}
