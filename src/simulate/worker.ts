// Strict: a stack frame of ours must never hand the simulated code its function
// or receiver (`CallSite.getFunction()`, `fn.caller` work on sloppy frames only).
'use strict';

// The simulation process: a child of the engine, started under Node's
// permission model (no writes, no child processes, no workers, reads of its own
// script only: see sandbox.ts). It receives one bundle over IPC, then runs
// whatever sequences the engine sends.
//
// Isolation between runs is cheap and complete:
// - the bundle (user module + runtime + driver) is compiled once per context as
//   a FACTORY function: each run calls it, so each run gets fresh module-level
//   state (a new closure, a new heap);
// - the context's built-ins are frozen before any user code runs (prelude.ts),
//   and its global object is put back after every run; a run that leaves
//   something the reset cannot undo (a non-configurable global) gets the next
//   run a brand-new context;
// - the context has no timers, and its promise jobs are drained after each run,
//   so nothing from one run executes during the next.
//
// Nothing of this process's realm is reachable from the context: the context
// is created on a null-prototype object, everything in it is built inside it,
// and only strings cross in either direction. The engine enforces the time
// limit by killing us; `--max-old-space-size` caps memory.

import { writeSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { isAbsolute, resolve, dirname } from 'node:path';
import * as vm from 'node:vm';
import type { Driver, RawRun, RunRequest } from './driver';
import type { Fingerprint } from './fingerprint';
import { PRELUDE, type Prelude } from './prelude';
import { formatLocation, type Location, type SlotCall, type SimulationRun } from './types';

export interface WorkerInput {
  readonly code: string;
  readonly map: string;
  readonly file: string;
  readonly driverFile: string;
  readonly runtimeDir: string;
  readonly factory: string;
}

/** A mapped run: locations point at the user's sources; slots carry their definitions. */
export type WorkerRun = Pick<SimulationRun, 'sequence' | 'outcome'> &
  Partial<Pick<SimulationRun, 'steps' | 'violations' | 'leaks' | 'reachable' | 'stopped'>> & { readonly message?: string; readonly state?: Fingerprint };

export type ToWorker =
  | { readonly type: 'load'; readonly input: WorkerInput }
  | { readonly type: 'run'; readonly runs: readonly (readonly [index: number, request: RunRequest])[] };

export type FromWorker =
  | { readonly type: 'booted' }
  | { readonly type: 'ready' }
  | { readonly type: 'failed'; readonly message: string }
  | { readonly type: 'results'; readonly runs: readonly (readonly [index: number, run: WorkerRun])[] }
  | { readonly type: 'done' };

/** Results go back at least this often, so the engine's per-run time limit sees progress. */
const FLUSH_EVERY_MS = 20;
/**
 * Runs whose live cells wait for one garbage collection to tell `leak` from
 * `reachable`: each keeps its module instance alive until then, so this bounds
 * memory; one collection per batch keeps its cost per run small.
 */
const RUNS_PER_COLLECTION = 200;

declare const gc: (() => void) | undefined;

/** One vm context with the prelude run and the bundle compiled as a factory. */
export class Sandbox {
  readonly prelude: Prelude;
  private readonly context: vm.Context;
  private readonly makeDriver: () => Driver;

  constructor(preludeScript: vm.Script, bundleScript: vm.Script) {
    // A null-prototype object: looking up `constructor` (or anything else) on
    // the context's global must not fall through to this process's Object.prototype.
    this.context = vm.createContext(Object.create(null), {
      name: 'wakersim',
      codeGeneration: { strings: false, wasm: false },
      microtaskMode: 'afterEvaluate',
    });
    this.prelude = preludeScript.runInContext(this.context) as Prelude;
    this.makeDriver = bundleScript.runInContext(this.context) as () => Driver;
  }

  /** A fresh module instance: the module's top level evaluated anew. */
  load(): Driver {
    return this.makeDriver();
  }

  /** Run the context's pending promise jobs (its own queue runs only after an evaluation). */
  drain(): void {
    DRAIN.runInContext(this.context);
  }
}

const DRAIN = new vm.Script('undefined', { filename: 'wakersim-drain.js' });

interface PendingRun {
  readonly index: number;
  readonly driver: Driver;
  /** Globals the reset removed: module state the run kept there stays alive until the collection. */
  readonly kept: unknown;
}

class Runner {
  private readonly preludeScript = new vm.Script(PRELUDE, { filename: 'wakersim-prelude.js' });
  private readonly bundleScript: vm.Script;
  private sandbox: Sandbox;
  private readonly locator: Locator;

  constructor(private readonly input: WorkerInput) {
    // One compiled script serves every context: V8 shares its bytecode between them.
    this.bundleScript = new vm.Script(input.code, { filename: input.file });
    this.sandbox = new Sandbox(this.preludeScript, this.bundleScript);
    this.locator = new Locator(input);
  }

  /** Load the module once; a problem with it (it throws, no such factory) as one line. */
  check(): string | undefined {
    let driver: Driver;
    try {
      driver = this.sandbox.load();
    } catch (error) {
      return `the module threw while loading: ${describe(error)}`;
    }
    const problem = driver.check(this.input.factory);
    this.reset();
    return typeof problem === 'string' ? problem : undefined;
  }

  async runBatch(runs: readonly (readonly [number, RunRequest])[]): Promise<void> {
    let results: (readonly [number, WorkerRun])[] = [];
    let flushed = performance.now();
    let pending: PendingRun[] = [];
    const flush = () => {
      send({ type: 'results', runs: results });
      results = [];
      flushed = performance.now();
    };
    const settle = async () => {
      if (!pending.length) return;
      await collectGarbage();
      for (const run of pending) results.push([run.index, this.locator.mapRun(parseRun(run.driver.settle()), run.driver)]);
      pending = [];
      // A finalizer of a run may have run while we waited: undone before the next run.
      this.reset();
    };
    // Whatever ran since the last batch (a finalizer, a promise job) is undone first;
    // between runs, each run's own reset leaves the context clean.
    this.reset();
    for (const [index, request] of runs) {
      // One byte per run started: when a limit kills us, the engine knows which run it stopped.
      writeSync(1, '.');
      let driver: Driver;
      try {
        driver = this.sandbox.load();
      } catch (error) {
        // It loaded once, so only nondeterministic module code (Math.random, Date) gets here.
        return send({ type: 'failed', message: `the module threw while loading for run ${index + 1}: ${describe(error)}` });
      }
      const raw = parseRun(driver.run(JSON.stringify(request)));
      this.sandbox.drain();
      const kept = this.reset();
      if (raw.pending) pending.push({ index, driver, kept });
      else results.push([index, this.locator.mapRun(raw, driver)]);
      if (pending.length >= RUNS_PER_COLLECTION) await settle();
      if (performance.now() - flushed >= FLUSH_EVERY_MS) flush();
    }
    await settle();
    flush();
    send({ type: 'done' });
  }

  /** Put the context's globals back; a context the reset cannot restore is replaced. */
  private reset(): unknown {
    const kept = this.sandbox.prelude.reset();
    if (kept === false) this.sandbox = new Sandbox(this.preludeScript, this.bundleScript);
    return kept;
  }
}

/** A full collection in a later task, once no job keeps the runs' WeakRef targets alive. */
async function collectGarbage(): Promise<void> {
  await new Promise((resolvePromise) => setImmediate(resolvePromise));
  if (typeof gc !== 'function') throw new Error('the simulation process needs --expose-gc');
  gc();
}

/** The driver's answer, which must be a string: anything else is a module that replaced the context's JSON. */
function parseRun(text: unknown): RawRun & { readonly pending?: boolean } {
  if (typeof text !== 'string') throw new Error('the simulated module tampered with the simulator (a run returned no JSON text)');
  return JSON.parse(text) as RawRun;
}

function send(message: FromWorker): void {
  process.send!(message);
}

/** `Name: message` of something the context threw (its getters run in the context, with nothing of ours). */
function describe(error: unknown): string {
  if (error !== null && (typeof error === 'object' || typeof error === 'function')) {
    const { name, message } = error as { name?: unknown; message?: unknown };
    if (typeof message === 'string') return `${typeof name === 'string' ? name : 'Error'}: ${message}`;
    return 'a thrown object';
  }
  return String(error);
}

/** Maps bundle positions back to the user's files through the bundle's source map. */
class Locator {
  private readonly map: SourceMap;
  private readonly dir: string;
  /** User locations by bundle position (`line:column`), the one key valid in every context. */
  private readonly mapped = new Map<string, Location | undefined>();
  /** Where each function's source text starts in the bundle, by that text. */
  private readonly definitions = new Map<string, Location | undefined>();
  private lineStarts?: number[];
  private readonly positionPattern: RegExp;

  constructor(private readonly input: WorkerInput) {
    this.map = new SourceMap(JSON.parse(input.map));
    this.dir = dirname(input.file);
    this.positionPattern = new RegExp(`, ${input.file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:(\\d+):(\\d+)`, 'g');
  }

  /** The user's location for a bundle position, or undefined for driver, runtime or unmapped code. */
  mapLocation(location: Location | undefined): Location | undefined {
    if (!location || location.file !== this.input.file) return undefined;
    const key = `${location.line}:${location.column}`;
    if (!this.mapped.has(key)) this.mapped.set(key, this.lookUp(location));
    return this.mapped.get(key);
  }

  private lookUp(location: Location): Location | undefined {
    const entry = this.map.findEntry(location.line - 1, location.column - 1) as { originalSource?: string; originalLine?: number; originalColumn?: number };
    if (!entry.originalSource) return undefined;
    const source = entry.originalSource.replace(/^file:\/\//, '');
    const file = isAbsolute(source) ? source : resolve(this.dir, source);
    if (file === this.input.driverFile || file.startsWith(this.input.runtimeDir)) return undefined;
    return { file, line: entry.originalLine! + 1, column: entry.originalColumn! + 1 };
  }

  /** Rewrite the runtime's `, bundle.js:L:C` suffixes in a message to user positions, or drop them. */
  mapText(text: string): string {
    return text.replace(this.positionPattern, (_, line: string, column: string) => {
      const mapped = this.mapLocation({ file: this.input.file, line: Number(line), column: Number(column) });
      return mapped ? `, ${formatLocation(mapped)}` : '';
    });
  }

  mapRun(raw: RawRun, driver: Driver): WorkerRun {
    const definition = (id: number): Location | undefined => this.functionLocation(driver.functionSource(id));
    const mapRef = <T extends { location?: Location }>(ref: T): T => {
      const { location, ...rest } = ref;
      const mapped = this.mapLocation(location);
      return (mapped ? { ...rest, location: mapped } : rest) as T;
    };
    return {
      sequence: raw.sequence,
      outcome: raw.outcome,
      ...(raw.message ? { message: raw.message } : {}),
      ...(raw.state ? { state: raw.state } : {}),
      ...(raw.steps
        ? {
            steps: raw.steps.map((step) => ({
              ...step,
              slots: step.slots.map(({ functionId, ...slot }): SlotCall => {
                const location = functionId === undefined ? undefined : definition(functionId);
                return location ? { ...slot, location } : slot;
              }),
              events: step.events.map((event) => mapRef({ ...event, text: this.mapText(event.text) })),
            })),
          }
        : {}),
      ...(raw.violations
        ? { violations: raw.violations.map((v) => ({ ...v, message: this.mapText(v.message), at: mapRef(v.at), ...(v.earlier ? { earlier: mapRef(v.earlier) } : {}) })) }
        : {}),
      ...(raw.leaks ? { leaks: raw.leaks.map((leak) => ({ ...leak, allocated: mapRef(leak.allocated) })) } : {}),
      ...(raw.reachable ? { reachable: raw.reachable.map((cell) => ({ ...cell, allocated: mapRef(cell.allocated) })) } : {}),
    };
  }

  /**
   * Where a slot function is defined: its source text (Function.prototype.toString
   * is the exact slice of the bundle that defines it) found in the bundle, at its
   * name when it has one. The inspector, which could say so directly, is not
   * available under the permission model.
   */
  private functionLocation(source: unknown): Location | undefined {
    if (typeof source !== 'string' || source.length === 0) return undefined;
    if (!this.definitions.has(source)) this.definitions.set(source, this.findDefinition(source));
    return this.definitions.get(source);
  }

  private findDefinition(source: string): Location | undefined {
    const start = this.input.code.indexOf(source);
    if (start < 0) return undefined;
    // `function myWake(` is located at its name, as V8 locates a function.
    const keyword = /^(?:async\s+)?function\s*\*?\s*/.exec(source);
    const offset = start + (keyword ? keyword[0].length : 0);
    this.lineStarts ??= [...this.input.code.matchAll(/\n/g)].map((match) => match.index + 1);
    let line = 0;
    for (let low = 0, high = this.lineStarts.length - 1; low <= high; ) {
      const middle = (low + high) >> 1;
      if (this.lineStarts[middle] <= offset) {
        line = middle + 1;
        low = middle + 1;
      } else {
        high = middle - 1;
      }
    }
    const column = offset - (line === 0 ? 0 : this.lineStarts[line - 1]);
    return this.mapLocation({ file: this.input.file, line: line + 1, column: column + 1 });
  }
}

function start(): void {
  let runner: Runner | undefined;
  // One message at a time: a batch that awaits a collection must finish before the next starts.
  let queue = Promise.resolve();
  process.on('message', (message: ToWorker) => {
    queue = queue.then(async () => {
      try {
        if (message.type === 'load') {
          runner = new Runner(message.input);
          const problem = runner.check();
          send(problem ? { type: 'failed', message: problem } : { type: 'ready' });
        } else {
          await runner!.runBatch(message.runs);
        }
      } catch (error) {
        send({ type: 'failed', message: `the simulation failed: ${describe(error)}` });
      }
    });
  });
  process.on('disconnect', () => process.exit(0));
  send({ type: 'booted' });
}

if (process.send) start();
