// Runs scenarios and explorations. A `Simulator` is one bundled module and a
// small pool of sandboxed simulation processes (sandbox.ts, worker.ts), sized
// to the machine: a batch of runs is split into chunks that the processes run
// in parallel, many runs per process, each run from a fresh module instance.
// Results come back in request order whatever process ran them.
//
// Limits are enforced from out here: a process that reports no progress for
// the time limit is killed, and the run it was on is a `timeout`; one that
// exceeds its heap (`--max-old-space-size`) dies, and its run is an
// `out-of-memory`. Either way a fresh process takes the rest of the batch.

import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, resolve } from 'node:path';
import { BundleError, bundleModule } from './bundle';
import type { RunRequest } from './driver';
import { formatParseError, formatSequence, parseScenario } from './parse';
import { sandboxCommand, simulationScript } from './sandbox';
import { formatLocation, type EventSummary, type Location, type Scenario, type ScenarioOp, type SimulationRun, type StepResult } from './types';
import type { FromWorker, ToWorker, WorkerInput, WorkerRun } from './worker';

export interface SimulatorOptions {
  /** Per run (and for loading the module); default 2000 ms. */
  readonly timeLimitMs?: number;
  /** Each simulation process's heap limit; default 128 MB. */
  readonly memoryLimitMb?: number;
  /** How many simulation processes a batch may use; default `os.availableParallelism()`. */
  readonly processes?: number;
}

/** Why a simulation could not produce a result: a one-line, user-facing reason. */
export class SimulationError extends Error {
  override readonly name: string = 'SimulationError';
}

export const DEFAULT_TIME_LIMIT_MS = 2000;
export const DEFAULT_MEMORY_LIMIT_MB = 128;
export const DEFAULT_DEPTH = 4;

/** At most this many runs per message: small enough to spread a batch over the pool, large enough that messages cost little. */
const MAX_CHUNK = 500;
/** How long Node itself may take to start a simulation process. */
const BOOT_LIMIT_MS = 30_000;
/** The tail of a process's stderr kept to explain a crash. */
const STDERR_TAIL = 4096;

type Stop = { readonly outcome: 'timeout' | 'out-of-memory'; readonly index: number; readonly message: string };

/** One sandboxed simulation process with the module loaded. */
class SimulationProcess {
  private stderr = '';
  /** Runs the process has started: it writes one byte to stdout as it starts each. */
  private started = 0;
  /** Runs of the chunks before the current one. */
  private finished = 0;
  private exited?: { code: number | null; signal: NodeJS.Signals | null };
  private readonly exitWaiters: (() => void)[] = [];

  private constructor(private readonly child: ChildProcess) {
    child.stdout!.on('data', (bytes: Buffer) => {
      this.started += bytes.length;
    });
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (text: string) => {
      this.stderr = (this.stderr + text).slice(-STDERR_TAIL);
    });
    // `close`, not `exit`: every byte of its output has been read by then.
    child.on('close', (code, signal) => {
      this.exited = { code, signal };
      for (const wake of this.exitWaiters.splice(0)) wake();
    });
    // A dead process's channel errors too; its exit is what counts.
    child.on('error', () => {});
  }

  static async start(input: WorkerInput, script: string, limits: Required<Pick<SimulatorOptions, 'timeLimitMs' | 'memoryLimitMb'>>): Promise<SimulationProcess> {
    const { command, args } = sandboxCommand(script, limits.memoryLimitMb);
    // No environment, so NODE_OPTIONS cannot hand the process permissions; in
    // VS Code's extension host execPath is Electron, which must act as Node.
    const env = process.versions.electron ? { ELECTRON_RUN_AS_NODE: '1' } : {};
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe', 'ipc'], env, serialization: 'json' });
    const started = new SimulationProcess(child);
    // Node's own start-up is not the module's time: on a loaded machine it alone can exceed a short limit.
    const booted = await started.exchange(undefined, BOOT_LIMIT_MS, () => {});
    if (booted.type !== 'ready') {
      started.kill();
      throw new SimulationError(booted.type === 'failed' ? booted.message : `the simulation process did not start within ${BOOT_LIMIT_MS / 1000} s`);
    }
    const reply = await started.exchange({ type: 'load', input }, limits.timeLimitMs, () => {});
    if (reply.type === 'failed') {
      started.kill();
      throw new SimulationError(reply.message);
    }
    if (reply.type === 'stopped') {
      throw new SimulationError(
        reply.outcome === 'timeout'
          ? `simulation stopped: loading the module took longer than the ${limits.timeLimitMs} ms time limit`
          : `simulation stopped: loading the module ran out of memory (limit ${limits.memoryLimitMb} MB)`,
      );
    }
    return started;
  }

  /**
   * Run `indexes` of `requests`; every result goes to `onResult`. Resolves when
   * all are done, or with the run at which the process was stopped (it is dead then).
   */
  async runChunk(
    requests: readonly RunRequest[],
    indexes: readonly number[],
    timeLimitMs: number,
    onResult: (index: number, run: WorkerRun) => void,
  ): Promise<{ readonly type: 'done' } | { readonly type: 'failed'; readonly message: string } | { readonly type: 'stopped'; readonly outcome: Stop['outcome']; readonly index: number }> {
    const message: ToWorker = { type: 'run', runs: indexes.map((index) => [index, requests[index]] as const) };
    const reply = await this.exchange(message, timeLimitMs, (progress) => {
      for (const [index, run] of progress.runs) onResult(index, run);
    });
    if (reply.type === 'stopped') {
      // The run it was on when it died is the last it started.
      const stuck = Math.min(Math.max(this.started - this.finished - 1, 0), indexes.length - 1);
      return { type: 'stopped', outcome: reply.outcome, index: indexes[stuck] };
    }
    this.finished += indexes.length;
    return reply.type === 'failed' ? reply : { type: 'done' };
  }

  /** Send `message` (or nothing: wait); collect progress until the reply. No progress for `timeLimitMs` kills the process. */
  private exchange(
    message: ToWorker | undefined,
    timeLimitMs: number,
    onProgress: (progress: Extract<FromWorker, { type: 'results' }>) => void,
  ): Promise<{ readonly type: 'ready' | 'done' } | { readonly type: 'failed'; readonly message: string } | { readonly type: 'stopped'; readonly outcome: Stop['outcome'] }> {
    return new Promise((settle) => {
      let timer: NodeJS.Timeout | undefined;
      let timedOut = false;
      const finish = (reply: Parameters<typeof settle>[0]) => {
        clearTimeout(timer);
        this.child.off('message', onMessage);
        const index = this.exitWaiters.indexOf(onExit);
        if (index >= 0) this.exitWaiters.splice(index, 1);
        settle(reply);
      };
      const arm = () => {
        clearTimeout(timer);
        timer = setTimeout(() => {
          timedOut = true;
          this.kill();
        }, timeLimitMs);
      };
      const onMessage = (reply: FromWorker) => {
        if (reply.type === 'results') {
          onProgress(reply);
          arm();
        } else {
          finish(reply.type === 'booted' ? { type: 'ready' } : reply);
        }
      };
      const onExit = () => {
        if (timedOut) return finish({ type: 'stopped', outcome: 'timeout' });
        if (/heap out of memory|Reached heap limit/.test(this.stderr)) return finish({ type: 'stopped', outcome: 'out-of-memory' });
        const last = this.stderr.trim().split('\n').at(-1);
        const how = this.exited?.signal ? `signal ${this.exited.signal}` : `code ${this.exited?.code}`;
        finish({ type: 'failed', message: `the simulation process exited (${how})${last ? `: ${last}` : ''}` });
      };
      if (this.exited) return onExit();
      this.child.on('message', onMessage);
      this.exitWaiters.push(onExit);
      arm();
      if (message) this.child.send(message);
    });
  }

  kill(): void {
    if (!this.exited) this.child.kill('SIGKILL');
  }

  /** Resolves once the process has exited. */
  async close(): Promise<void> {
    if (this.exited) return;
    const gone = new Promise<void>((wake) => this.exitWaiters.push(wake));
    this.kill();
    await gone;
  }
}

/** One module, bundled once, run in a pool of sandboxed processes. Close it when done. */
export class Simulator {
  private busy = false;
  private dead?: string;
  private readonly idle: SimulationProcess[] = [];
  private readonly all = new Set<SimulationProcess>();

  private constructor(
    private readonly input: WorkerInput,
    private readonly script: string,
    readonly modulePath: string,
    readonly factory: string,
    private readonly limits: Required<SimulatorOptions>,
  ) {}

  static async open(modulePath: string, factory: string, options: SimulatorOptions = {}): Promise<Simulator> {
    const absolute = resolve(modulePath);
    const bundle = await bundleModule(absolute).catch((error: unknown) => {
      throw error instanceof BundleError ? new SimulationError(error.message) : error;
    });
    const limits: Required<SimulatorOptions> = {
      timeLimitMs: options.timeLimitMs ?? DEFAULT_TIME_LIMIT_MS,
      memoryLimitMb: options.memoryLimitMb ?? DEFAULT_MEMORY_LIMIT_MB,
      processes: Math.max(1, options.processes ?? availableParallelism()),
    };
    const simulator = new Simulator({ ...bundle, factory }, await simulationScript(), absolute, factory, limits);
    simulator.idle.push(await simulator.startProcess());
    return simulator;
  }

  /**
   * Run each request from a fresh module instance and runtime. Results arrive
   * at `onResult` in request order, whichever process ran them; a run stopped
   * by a limit has the outcome `timeout` or `out-of-memory`.
   */
  async runAll(requests: readonly RunRequest[], onResult?: (index: number, run: WorkerRun) => void): Promise<WorkerRun[]> {
    if (this.busy) throw new Error('Simulator.runAll: a batch is already running');
    if (this.dead) throw new SimulationError(this.dead);
    this.busy = true;
    const runs: WorkerRun[] = new Array<WorkerRun>(requests.length);
    let delivered = 0;
    const deliver = (index: number, run: WorkerRun) => {
      runs[index] = run;
      for (; delivered < requests.length && runs[delivered]; delivered++) onResult?.(delivered, runs[delivered]);
    };
    const chunkSize = Math.max(1, Math.min(MAX_CHUNK, Math.ceil(requests.length / (this.limits.processes * 4))));
    const chunks: number[][] = [];
    for (let first = 0; first < requests.length; first += chunkSize) {
      chunks.push(Array.from({ length: Math.min(chunkSize, requests.length - first) }, (_, offset) => first + offset));
    }
    try {
      const lanes = Math.min(this.limits.processes, chunks.length);
      const settled = await Promise.allSettled(
        Array.from({ length: lanes }, () =>
          this.drain(chunks, requests, deliver).catch((error: unknown) => {
            chunks.length = 0; // the other lanes finish their chunk and stop
            throw error;
          }),
        ),
      );
      const failed = settled.find((lane): lane is PromiseRejectedResult => lane.status === 'rejected');
      if (failed) {
        this.dead = failed.reason instanceof Error ? failed.reason.message : String(failed.reason);
        await this.closeProcesses();
        throw failed.reason;
      }
    } finally {
      this.busy = false;
    }
    return runs;
  }

  async close(): Promise<void> {
    this.dead ??= 'the simulator was closed';
    await this.closeProcesses();
  }

  /** One lane of a batch: take chunks until none are left, replacing the process when a limit kills it. */
  private async drain(chunks: number[][], requests: readonly RunRequest[], deliver: (index: number, run: WorkerRun) => void): Promise<void> {
    let simulation = this.idle.pop() ?? (await this.startProcess());
    for (let chunk = chunks.shift(); chunk; chunk = chunks.shift()) {
      const done = new Set<number>();
      const reply = await simulation.runChunk(requests, chunk, this.limits.timeLimitMs, (index, run) => {
        done.add(index);
        deliver(index, run);
      });
      if (reply.type === 'failed') throw new SimulationError(`${this.modulePath}: ${reply.message}`);
      if (reply.type === 'stopped') {
        this.all.delete(simulation);
        const doing = `running \`${formatSequence(requests[reply.index].ops)}\``;
        const stopped =
          reply.outcome === 'timeout'
            ? `simulation stopped: ${doing} took longer than the ${this.limits.timeLimitMs} ms time limit (an infinite loop in ${this.modulePath}?)`
            : `simulation stopped: ${doing} ran out of memory (limit ${this.limits.memoryLimitMb} MB)`;
        done.add(reply.index);
        deliver(reply.index, { sequence: formatSequence(requests[reply.index].ops), outcome: reply.outcome, message: stopped, stopped });
        // What the killed process had not reported yet, a fresh one runs.
        const rest = chunk.filter((index) => !done.has(index));
        if (rest.length) chunks.unshift(rest);
        simulation = await this.startProcess();
      }
    }
    this.idle.push(simulation);
  }

  private async startProcess(): Promise<SimulationProcess> {
    const simulation = await SimulationProcess.start(this.input, this.script, this.limits).catch((error: unknown) => {
      throw error instanceof SimulationError ? new SimulationError(`${this.modulePath}: ${error.message}`) : error;
    });
    if (this.dead) {
      // Closed (an exploration cancelled) while it started.
      await simulation.close();
      throw new SimulationError(this.dead);
    }
    this.all.add(simulation);
    return simulation;
  }

  private async closeProcesses(): Promise<void> {
    const processes = [...this.all];
    this.all.clear();
    this.idle.length = 0;
    await Promise.all(processes.map((process) => process.close()));
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
    const at = scenario.moduleLocation ? formatLocation({ file: scenario.fileName, ...scenario.moduleLocation }) : scenario.fileName;
    throw new SimulationError(`${at}: cannot find the module '${scenario.module}' (${modulePath})`);
  }
  // A run a limit stopped comes back with the outcome `timeout` / `out-of-memory`, which a scenario can expect.
  return simulateOnce(modulePath, scenario.factory, scenario.ops, options, scenario);
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
    ...(run.reachable?.length ? { reachable: run.reachable.map((cell) => ({ ...cell, allocated: locate(cell.allocated) })) } : {}),
    outcome: run.outcome,
    ...(run.stopped ? { stopped: run.stopped } : {}),
    ...(scenario?.expect ? { expect: scenario.expect } : {}),
  };
}
