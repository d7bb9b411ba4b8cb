// The simulator's sandbox, attacked. Each technique is a module whose factory
// tries to get out (reach the simulation process's `process`, write a file,
// read one, start a process, open a connection) when the scenario's `new`
// calls it; what it got is the value of the waker's Box, and the test checks
// that nothing outside changed: no marker file, no connection, no pollution of
// this process. Two techniques are denial of service, which must end as a
// `timeout`. Then the second fence on its own: the simulation process's
// permissions, for a script that runs with no vm around it.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseSequence, Simulator, type SimulationRun } from '../src/simulate';
import { permissionFlag, sandboxCommand } from '../src/simulate/sandbox';

/** Given whatever a technique got hold of: use it, if it is a process. Runs inside the sandbox. */
const PAYLOAD = `
function payload(found: unknown): string {
  const proc = found as any;
  if (!proc || (typeof proc !== 'object' && typeof proc !== 'function')) return 'blocked';
  const hits: string[] = [];
  const tryTo = (what: string, act: () => unknown) => { try { act(); hits.push(what); } catch {} };
  tryTo('process', () => { if (typeof proc.pid !== 'number') throw 0; });
  tryTo('write', () => proc.getBuiltinModule('node:fs').writeFileSync(MARKER + '.fs', 'x'));
  tryTo('read', () => proc.getBuiltinModule('node:fs').readFileSync('/etc/passwd'));
  tryTo('spawn', () => proc.getBuiltinModule('node:child_process').spawnSync('touch', [MARKER + '.spawn']));
  tryTo('net', () => proc.getBuiltinModule('node:net').connect(PORT, '127.0.0.1'));
  tryTo('require', () => proc.mainModule.require('fs').writeFileSync(MARKER + '.require', 'x'));
  tryTo('binding', () => proc.binding('fs'));
  return hits.length ? 'ESCAPED ' + hits.join(' ') : 'blocked';
}
/** The first value \`get\` yields without throwing, among \`values\`. */
function first(values: readonly unknown[], get: (value: any) => unknown): unknown {
  for (const value of values) {
    try {
      const got = get(value);
      if (got) return got;
    } catch {}
  }
  return undefined;
}
const viaConstructor = (value: any) => value.constructor.constructor('return process')();
`;

interface Technique {
  readonly name: string;
  /** The body of `attempt(): unknown`, whose result goes to the payload. */
  readonly attempt: string;
  /** A denial of service: the limits that may stop it from outside (which comes first depends on the machine); by default the run must end with a value of 'blocked…'. */
  readonly stoppedBy?: readonly ('timeout' | 'out-of-memory')[];
}

const TECHNIQUES: readonly Technique[] = [
  { name: 'constructor chain of the global object', attempt: `return (globalThis as any).constructor.constructor('return process')();` },
  {
    name: "constructor chains of the global object's prototypes",
    attempt: `const protos: unknown[] = []; for (let p = Object.getPrototypeOf(globalThis); p; p = Object.getPrototypeOf(p)) protos.push(p); return first(protos, viaConstructor);`,
  },
  {
    name: 'constructor chains of every global',
    attempt: `const values = Reflect.ownKeys(globalThis).map((key) => (globalThis as any)[key]);
      return first(values, viaConstructor) ?? first(values, (v) => v('return process')()) ?? first(values, (v) => Object.getPrototypeOf(v).constructor.constructor('return process')());`,
  },
  {
    name: 'constructor chains of every value the runtime hands out',
    attempt: `const box = Box.new(1); const ptr = Box.intoRaw(box); const raw = new RawWaker(ptr, VTABLE); const waker = Waker.fromRaw(new RawWaker(Box.intoRaw(Box.new(2)), VTABLE));
      const values = [box, ptr, raw, waker, VTABLE, Waker.noop(), currentRuntime(), currentRuntime().trace, currentRuntime().cells(), Poll.pending(), Context.fromWaker(waker)];
      return first(values, viaConstructor) ?? first(values, (v) => Object.getPrototypeOf(v).constructor.constructor('return process')());`,
  },
  {
    name: 'constructor chains of thrown errors (TypeError, RangeError, SyntaxError, a runtime violation)',
    attempt: `const errors: unknown[] = [];
      try { (null as any).x; } catch (e) { errors.push(e); }
      const deep = (): number => deep() + 1; try { deep(); } catch (e) { errors.push(e); }
      try { JSON.parse('{'); } catch (e) { errors.push(e); }
      try { const b = Box.new(1); b.drop(); b.drop(); } catch (e) { errors.push(e); }
      return first(errors, viaConstructor);`,
  },
  {
    name: 'Error.prepareStackTrace: call sites of the frames below',
    attempt: `const grab = (_e: unknown, sites: any[]) => sites;
      try { (Error as any).prepareStackTrace = grab; } catch {}
      try { Object.defineProperty(globalThis, 'Error', { value: { prepareStackTrace: grab } }); } catch {}
      try { (globalThis as any).Error = { prepareStackTrace: grab }; } catch {}
      const sites = new Error('probe').stack as unknown;
      if (!Array.isArray(sites)) return undefined;
      return first(sites.flatMap((s: any) => [s.getThis?.(), s.getFunction?.()]), viaConstructor);`,
  },
  {
    name: 'caller chain: fn.caller up to the frames that called the simulated code',
    attempt: `const callers: unknown[] = [];
      function probe(): void { let f: any = (probe as any).caller; for (let i = 0; f && i < 50; i++) { callers.push(f); try { f = f.caller; } catch { break; } } }
      probe();
      return first(callers, viaConstructor) ?? first(callers, (f) => f.constructor('return process')());`,
  },
  {
    name: 'dynamic import() of node:fs',
    attempt: `const specifier = ['node', 'fs'].join(':');
      const load = (s: string) => import(s);
      load(specifier).then((fs: any) => fs.writeFileSync(MARKER + '.import', 'x'), () => {});
      load('fs').then((fs: any) => fs.writeFileSync(MARKER + '.import2', 'x'), () => {});
      return undefined;`,
  },
  {
    name: 'process, process.binding and require from the global object',
    attempt: `const g = globalThis as any;
      return g.process ?? first([g], (v) => v.process.binding('fs')) ?? first([g.require], (r) => r('fs').writeFileSync(MARKER + '.req', 'x')) ?? first([g.module], (m) => m.require('fs'));`,
  },
  {
    name: 'eval, Function, indirect eval and string timers in the context',
    attempt: `const g = globalThis as any;
      return first([0], () => g.eval('process')) ?? first([0], () => (0, g.eval)('this.process')) ?? first([0], () => new Function('return process')()) ??
        first([0], () => new (Object.getPrototypeOf(async function () {}).constructor)('return process')) ?? first([0], () => g.setTimeout?.('1'));`,
  },
  {
    name: 'WebAssembly compilation',
    attempt: `const empty = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]);
      let compiled = false;
      try { new WebAssembly.Module(empty); compiled = true; } catch {}
      WebAssembly.compile(empty).then(() => { (globalThis as any).wasmCompiled = true; }, () => {});
      return compiled ? { pid: 'wasm compiled' } : undefined;`,
  },
  {
    name: 'timers that outlive the run',
    attempt: `const g = globalThis as any;
      const timers = ['setTimeout', 'setInterval', 'setImmediate', 'queueMicrotask', 'requestIdleCallback', 'process'].filter((name) => typeof g[name] === 'function');
      return timers.length ? { pid: timers.join(' ') } : undefined;`,
  },
  {
    name: 'fetch, WebSocket and other network globals',
    attempt: `const g = globalThis as any;
      for (const name of ['fetch', 'WebSocket', 'XMLHttpRequest', 'EventSource']) if (typeof g[name] === 'function') { try { g.fetch?.('http://127.0.0.1:' + PORT); } catch {} return { pid: name }; }
      return undefined;`,
  },
  {
    name: 'Symbol.species: a constructor the built-ins call back with their own values',
    attempt: `const seen: unknown[] = [];
      class Evil extends Array { static get [Symbol.species](): any { return function (this: unknown, ...args: unknown[]) { seen.push(this, ...args); return []; }; } }
      try { Object.defineProperty(Array, Symbol.species, { get: () => function (...args: unknown[]) { seen.push(...args); return []; } }); } catch {}
      try { Object.defineProperty(Promise, Symbol.species, { get: () => function (executor: unknown) { seen.push(executor); } }); } catch {}
      new Evil(1, 2).map((x) => x);
      [1, 2].map((x) => x);
      Promise.resolve(1).then(() => {});
      return first(seen, viaConstructor);`,
  },
  {
    name: 'Proxy traps on values handed back to the simulator',
    attempt: `const seen: unknown[] = [];
      const trap = { get(target: any, key: PropertyKey, receiver: unknown) { seen.push(receiver); const v = Reflect.get(target, key); return typeof v === 'function' ? v.bind(target) : v; },
        getPrototypeOf(target: any) { seen.push(target); return Reflect.getPrototypeOf(target); } };
      try { Object.defineProperty(JSON, 'stringify', { value: () => new Proxy({}, trap) }); } catch {}
      try { (JSON as any).stringify = () => new Proxy({}, trap); } catch {}
      returned = new Proxy(new RawWaker(Box.intoRaw(Box.new(3)), VTABLE), trap);
      return first(seen, viaConstructor);`,
  },
  {
    name: 'prototype pollution through the built-ins and returned values',
    attempt: `try { (Object.prototype as any).polluted = 'yes'; } catch {}
      try { Object.defineProperty(Object.prototype, 'toJSON', { value: () => 'polluted' }); } catch {}
      try { (Array.prototype as any).push = () => 0; } catch {}
      value = JSON.parse('{"__proto__": {"polluted": "yes"}, "constructor": {"prototype": {"polluted": "yes"}}}');
      return ({} as any).polluted === 'yes' ? { pid: 'Object.prototype polluted' } : undefined;`,
  },
  { name: 'SharedArrayBuffer and Atomics.wait forever (denial of service)', attempt: `Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0); return undefined;`, stoppedBy: ['timeout'] },
  { name: 'an endless chain of promise jobs (denial of service)', attempt: `const spin = (): Promise<void> => Promise.resolve().then(spin); spin(); return undefined;`, stoppedBy: ['timeout', 'out-of-memory'] },
];

function techniqueModule(technique: Technique, marker: string, port: number): string {
  return `import { Box, Context, Poll, RawWaker, RawWakerVTable, Waker, currentRuntime, drop, type Ptr } from 'wakerscope/waker';
const MARKER = ${JSON.stringify(marker)};
const PORT = ${port};
${PAYLOAD}
function release(data: Ptr): void { drop(Box.fromRaw(data)); }
const VTABLE: RawWakerVTable = new RawWakerVTable((data) => new RawWaker(data, VTABLE), release, () => {}, release);
let returned: unknown;
let value: unknown;
function attempt(): unknown {
  ${technique.attempt}
}
export function createRawWaker(): unknown {
  let result: string;
  try { result = payload(attempt()); } catch (error) { result = 'blocked: ' + (error as Error)?.name; }
  void value;
  const waker = new RawWaker(Box.intoRaw(Box.new(result)), VTABLE);
  return returned ?? waker;
}
`;
}

describe('simulate: the sandbox holds against known escapes', function () {
  this.timeout(120_000);
  let dir: string;
  let server: Server;
  let port: number;
  let connections = 0;
  const runs = new Map<string, SimulationRun | Error>();

  before(async () => {
    dir = realpathSync(mkdtempSync(join(tmpdir(), 'wakerscope-escapes-')));
    server = createServer((socket) => {
      connections++;
      socket.destroy();
    });
    await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
    port = (server.address() as { port: number }).port;
    // One simulator per technique: each is its own module.
    for (const [index, technique] of TECHNIQUES.entries()) {
      {
        const module = join(dir, `technique-${index}.ts`);
        writeFileSync(module, techniqueModule(technique, join(dir, `escaped-${index}`), port));
        try {
          const simulator = await Simulator.open(module, 'createRawWaker', { timeLimitMs: technique.stoppedBy ? 1000 : 10_000, processes: 1 });
          try {
            const [run] = await simulator.runAll([{ factory: 'createRawWaker', ops: parseSequence('new; wake 0').ops, detail: true }]);
            runs.set(technique.name, { module, factory: 'createRawWaker', sequence: run.sequence, steps: run.steps ?? [], violations: [], leaks: [], outcome: run.outcome });
          } finally {
            await simulator.close();
          }
        } catch (error) {
          runs.set(technique.name, error as Error);
        }
      }
    }
    // Give anything asynchronous that got out the time to show.
    await new Promise((wait) => setTimeout(wait, 300));
  });

  after(async () => {
    await new Promise((closed) => server.close(closed));
    rmSync(dir, { recursive: true, force: true });
  });

  it(`has at least 15 techniques`, () => {
    assert.ok(TECHNIQUES.length >= 15, `${TECHNIQUES.length} techniques`);
  });

  for (const technique of TECHNIQUES) {
    it(`${technique.name}: gets nothing`, () => {
      const run = runs.get(technique.name);
      assert.ok(run && !(run instanceof Error), `the technique did not run: ${run instanceof Error ? run.message : 'no result'}`);
      if (technique.stoppedBy) {
        assert.ok((technique.stoppedBy as readonly string[]).includes(run.outcome), `outcome ${run.outcome}, expected one of ${technique.stoppedBy.join(', ')}`);
      } else {
        // What the technique got is the one string a Box holds.
        const value = run.steps[0]?.cells.find((cell) => cell.value.startsWith('"'))?.value ?? '';
        assert.match(value, /^"blocked/, `the module got: ${value}`);
      }
    });
  }

  it('nothing outside changed: no file written, no process started, no connection, this process unpolluted', () => {
    assert.deepEqual(readdirSync(dir).filter((name) => name.startsWith('escaped-')), []);
    assert.equal(connections, 0);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.equal(typeof (Object.prototype as unknown as { toJSON?: unknown }).toJSON, 'undefined');
  });
});

describe('simulate: the simulation process on its own (the second fence)', () => {
  it("picks the permission model's flag by Node version", () => {
    assert.equal(permissionFlag('20.20.2'), '--experimental-permission');
    assert.equal(permissionFlag('22.12.0'), '--permission');
    assert.equal(permissionFlag('24.1.0'), '--permission');
    assert.ok(sandboxCommand('/x/worker.js', 64).args.includes(permissionFlag()));
  });

  it('cannot write or read files, start processes or worker threads, or generate code from strings', function () {
    this.timeout(30_000);
    const dir = realpathSync(mkdtempSync(join(tmpdir(), 'wakerscope-fence-')));
    try {
      const script = join(dir, 'probe.js');
      const marker = join(dir, 'written');
      writeFileSync(
        script,
        `'use strict';
        const attempts = {
          write: () => require('node:fs').writeFileSync(${JSON.stringify(marker)}, 'x'),
          read: () => require('node:fs').readFileSync('/etc/passwd'),
          spawn: () => require('node:child_process').spawnSync('true'),
          worker: () => new (require('node:worker_threads').Worker)('1', { eval: true }),
          codeFromStrings: () => new Function('return 1')(),
          inspector: () => new (require('node:inspector').Session)().connect(),
        };
        const results = {};
        for (const [name, attempt] of Object.entries(attempts)) {
          try { attempt(); results[name] = 'allowed'; } catch (error) { results[name] = error.code ?? error.name; }
        }
        console.log(JSON.stringify(results));`,
      );
      const { command, args } = sandboxCommand(script, 64);
      const results = JSON.parse(execFileSync(command, args, { encoding: 'utf8', env: {} })) as Record<string, string>;
      assert.deepEqual(results, {
        write: 'ERR_ACCESS_DENIED',
        read: 'ERR_ACCESS_DENIED',
        spawn: 'ERR_ACCESS_DENIED',
        worker: 'ERR_ACCESS_DENIED',
        codeFromStrings: 'EvalError',
        inspector: 'ERR_ACCESS_DENIED',
      });
      assert.equal(existsSync(marker), false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
