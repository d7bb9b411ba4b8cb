// The simulation worker: compiles one bundle, then runs whatever sequences the
// engine sends, each in a NEW vm context where the bundle is evaluated afresh,
// so no module-level or global state carries from one run to the next. A
// context has no require, no process and no code generation from strings (the
// second fence after the bundler's refusal of Node builtins). The engine
// enforces the time limit by terminating us.

import { Session } from 'node:inspector';
import { SourceMap } from 'node:module';
import { isAbsolute, resolve, dirname } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import * as vm from 'node:vm';
import type { Driver, RawRun, RunRequest } from './driver';
import type { Fingerprint } from './fingerprint';
import type { Location, SlotCall, SimulationRun } from './types';

export interface WorkerInput {
  readonly code: string;
  readonly map: string;
  readonly file: string;
  readonly driverFile: string;
  readonly runtimeDir: string;
  readonly factory: string;
  /**
   * Reuse one context for every run, so module state carries over: the old
   * behaviour, kept only for bench/simulate.ts to measure what fresh contexts cost.
   */
  readonly sharedContext?: boolean;
}

export type ToWorker = { readonly type: 'run'; readonly requests: readonly RunRequest[] };

/** A mapped run: locations point at the user's sources; slots carry their definitions. */
export type WorkerRun = Pick<SimulationRun, 'sequence' | 'outcome'> &
  Partial<Pick<SimulationRun, 'steps' | 'violations' | 'leaks'>> & { readonly message?: string; readonly state?: Fingerprint };

export type FromWorker =
  | { readonly type: 'ready' }
  | { readonly type: 'failed'; readonly message: string }
  | { readonly type: 'result'; readonly index: number; readonly run: WorkerRun }
  | { readonly type: 'done' };

// Runs inside the context: safe stand-ins for the globals Node code expects.
const PRELUDE = `(() => {
  const quiet = () => {};
  globalThis.console = { log: quiet, info: quiet, warn: quiet, error: quiet, debug: quiet, trace: quiet };
  const require = function require(name) {
    throw new Error("simulated code cannot require '" + name + "': it has no file system, network or process access");
  };
  require.main = undefined;
  globalThis.require = require;
  globalThis.module = { exports: {} };
  globalThis.exports = globalThis.module.exports;
})();`;

function post(message: FromWorker): void {
  parentPort!.postMessage(message);
}

/** Compiles the bundle once; `load()` evaluates it in a fresh context and returns its driver. */
export function loader(input: WorkerInput): () => Driver {
  // One compiled script serves every context: V8 shares its bytecode between them.
  const prelude = new vm.Script(PRELUDE, { filename: 'wakersim-prelude.js' });
  const bundle = new vm.Script(input.code, { filename: input.file });
  return () => {
    const context = vm.createContext({}, { name: 'wakersim', codeGeneration: { strings: false, wasm: false } });
    prelude.runInContext(context);
    bundle.runInContext(context);
    return (context as { __wakersim: { driver: Driver } }).__wakersim.driver;
  };
}

function start(input: WorkerInput): void {
  let load: () => Driver;
  let first: Driver;
  try {
    load = loader(input);
    first = load();
  } catch (error) {
    post({ type: 'failed', message: `the module threw while loading: ${describe(error)}` });
    return;
  }
  const problem = first.check(input.factory);
  if (problem) return post({ type: 'failed', message: problem });
  const driverForRun = input.sharedContext ? () => first : load;

  const locator = new Locator(input);
  post({ type: 'ready' });
  parentPort!.on('message', (message: ToWorker) => {
    try {
      for (const [index, request] of message.requests.entries()) {
        let driver: Driver;
        try {
          driver = driverForRun();
        } catch (error) {
          // It loaded once, so only nondeterministic module code (Math.random, Date) gets here.
          return post({ type: 'failed', message: `the module threw while loading for run ${index + 1}: ${describe(error)}` });
        }
        const raw = JSON.parse(driver.run(JSON.stringify(request))) as RawRun;
        post({ type: 'result', index, run: locator.mapRun(raw, driver) });
      }
      post({ type: 'done' });
    } catch (error) {
      post({ type: 'failed', message: `the simulation failed: ${describe(error)}` });
    }
  });
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** Maps bundle positions back to the user's files through the bundle's source map. */
class Locator {
  private readonly map: SourceMap;
  private readonly dir: string;
  /** User locations by bundle position (`line:column`), the one key valid in every context. */
  private readonly mapped = new Map<string, Location | undefined>();
  private session?: Session;
  private inspectorMissing = false;
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
      return mapped ? `, ${mapped.file}:${mapped.line}:${mapped.column}` : '';
    });
  }

  mapRun(raw: RawRun, driver: Driver): WorkerRun {
    // Function ids are the driver's, and each run has its own driver (and context).
    const definitions = new Map<number, Location | undefined>();
    const definition = (id: number): Location | undefined => {
      if (!definitions.has(id)) definitions.set(id, this.functionLocation(driver.slotFunctions()[id]));
      return definitions.get(id);
    };
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
    };
  }

  /**
   * Where a slot function is defined, asked of V8 through the inspector
   * ([[FunctionLocation]]): a function object lives in one run's context, so
   * each run asks again, and the answer's bundle position keys the mapping.
   */
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  private functionLocation(fn: Function): Location | undefined {
    if (this.inspectorMissing) return undefined;
    try {
      return this.inspectFunction(fn);
    } catch {
      this.inspectorMissing = true; // no inspector in this Node build: slots go without a definition site
      return undefined;
    }
  }

  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  private inspectFunction(fn: Function): Location | undefined {
    if (!this.session) {
      this.session = new Session();
      this.session.connect();
    }
    const session = this.session;
    const holder = globalThis as { __wakersimProbe?: unknown };
    holder.__wakersimProbe = fn;
    let found: { lineNumber: number; columnNumber: number } | undefined;
    // A session on the worker's own thread answers synchronously.
    session.post('Runtime.evaluate', { expression: 'globalThis.__wakersimProbe' }, (error, evaluated) => {
      const objectId = evaluated?.result.objectId;
      if (error || !objectId) return;
      session.post('Runtime.getProperties', { objectId, ownProperties: true }, (error2, properties) => {
        const internal = properties?.internalProperties?.find((p) => p.name === '[[FunctionLocation]]');
        found = error2 ? undefined : (internal?.value?.value as typeof found);
      });
      session.post('Runtime.releaseObject', { objectId });
    });
    holder.__wakersimProbe = undefined;
    return found && this.mapLocation({ file: this.input.file, line: found.lineNumber + 1, column: found.columnNumber + 1 });
  }
}

if (parentPort && workerData) start(workerData as WorkerInput);
