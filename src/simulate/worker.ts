// The simulation worker: evaluates one bundle in a vm context that has no
// require, no process and no code generation from strings (the second fence
// after the bundler's refusal of Node builtins), then runs whatever sequences
// the engine sends. The engine enforces the time limit by terminating us.

import { Session } from 'node:inspector';
import { SourceMap } from 'node:module';
import { isAbsolute, resolve, dirname } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import * as vm from 'node:vm';
import type { Driver, RawRun, RunRequest } from './driver';
import type { Location, SlotCall, SimulationRun } from './types';

export interface WorkerInput {
  readonly code: string;
  readonly map: string;
  readonly file: string;
  readonly driverFile: string;
  readonly runtimeDir: string;
  readonly factory: string;
}

export type ToWorker = { readonly type: 'run'; readonly requests: readonly RunRequest[] };

/** A mapped run: locations point at the user's sources; slots carry their definitions. */
export type WorkerRun = Pick<SimulationRun, 'sequence' | 'outcome'> & Partial<Pick<SimulationRun, 'steps' | 'violations' | 'leaks'>> & { readonly message?: string };

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

function start(input: WorkerInput): void {
  const context = vm.createContext({}, { name: 'wakersim', codeGeneration: { strings: false, wasm: false } });
  let driver: Driver;
  try {
    vm.runInContext(PRELUDE, context);
    new vm.Script(input.code, { filename: input.file }).runInContext(context);
    driver = (context as { __wakersim: { driver: Driver } }).__wakersim.driver;
  } catch (error) {
    post({ type: 'failed', message: `the module threw while loading: ${describe(error)}` });
    return;
  }
  const problem = driver.check(input.factory);
  if (problem) return post({ type: 'failed', message: problem });

  const locator = new Locator(input);
  post({ type: 'ready' });
  parentPort!.on('message', (message: ToWorker) => {
    try {
      message.requests.forEach((request, index) => {
        const raw = JSON.parse(driver.run(JSON.stringify(request))) as RawRun;
        post({ type: 'result', index, run: locator.mapRun(raw, driver) });
      });
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
  private readonly functionLocations = new Map<number, Location | undefined>();
  private session?: Session;
  private readonly positionPattern: RegExp;

  constructor(private readonly input: WorkerInput) {
    this.map = new SourceMap(JSON.parse(input.map));
    this.dir = dirname(input.file);
    this.positionPattern = new RegExp(`, ${input.file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:(\\d+):(\\d+)`, 'g');
  }

  /** The user's location for a bundle position, or undefined for driver, runtime or unmapped code. */
  mapLocation(location: Location | undefined): Location | undefined {
    if (!location || location.file !== this.input.file) return undefined;
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
    const mapRef = <T extends { location?: Location }>(ref: T): T => {
      const { location, ...rest } = ref;
      const mapped = this.mapLocation(location);
      return (mapped ? { ...rest, location: mapped } : rest) as T;
    };
    return {
      sequence: raw.sequence,
      outcome: raw.outcome,
      ...(raw.message ? { message: raw.message } : {}),
      ...(raw.steps
        ? {
            steps: raw.steps.map((step) => ({
              ...step,
              slots: step.slots.map(({ functionId, ...slot }): SlotCall => {
                const location = functionId === undefined ? undefined : this.functionLocation(functionId, driver);
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

  /** Where a slot function is defined, asked of V8 through the inspector ([[FunctionLocation]]). */
  private functionLocation(id: number, driver: Driver): Location | undefined {
    if (this.functionLocations.has(id)) return this.functionLocations.get(id);
    let location: Location | undefined;
    try {
      location = this.inspectFunction(driver.slotFunctions()[id]);
    } catch {
      location = undefined; // no inspector in this Node build: slots go without a definition site
    }
    this.functionLocations.set(id, location);
    return location;
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
