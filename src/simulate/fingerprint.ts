// The fingerprint of what a run leaves behind, for the explorer's state
// reduction (explore.ts). It runs inside the run's context, bundled into the
// driver. Two prefixes with equal fingerprints behave alike under every
// continuation, so the explorer extends only the first of them.
//
// Why that holds: a continuation can only act on
// - the scenario's live wakers: their state, data pointer and vtable;
// - the heap: every cell's address, kind, count, state and value;
// - the module's state: every top-level binding of every user file (read
//   through module-state.ts), and whatever the module put on `globalThis`;
// - whether a step has thrown (a later violation still outranks `error`).
// Values are written out deeply, numbering shared and cyclic objects in the
// order first met, so equal strings mean equal object graphs. Addresses are
// written as they are, not renamed: a module may key a table by address
// (test/fixtures/simulate/module-state.ts), and the runtime never reuses one.
// Functions are named, not written out: a built-in by its global name, one of
// the library's by its export, one of the user's by the top-level binding whose
// literal it is (checked against the literal's source text at load time).
//
// Whatever cannot be written out makes the fingerprint `opaque`, and the
// explorer falls back to plain enumeration: a closure made inside a function
// (its captured locals are invisible), a bound function, instances of classes
// with `#private` fields (Box, Arc, RawWaker and Waker handles included),
// exotic objects (WeakMap, Promise, Date, …), and changes to built-in objects.

import type { Runtime } from 'wakerscope/waker';
import * as library from 'wakerscope/waker';
import { moduleStates } from './module-state';

export type Fingerprint = { readonly key: string } | { readonly opaque: string };

/** The driver's scenario handles, indexed by handle number; read while each was live. */
export interface ScenarioHandles {
  readonly wakers: readonly (library.Waker | undefined)[];
  readonly addresses: readonly string[];
  readonly vtables: readonly unknown[];
}

class Opaque extends Error {}

/** The prelude's stand-ins and the bundle's own global: not module state. */
// `gc`: V8 installs it, non-configurable, in every context of the simulation
// process (started with --expose-gc for the leak check); it is not the module's.
const NOT_MODULE_STATE = new Set(['console', 'require', 'gc', '__wakersim', '__wakersimUnreadable']);
/** Written as the start of a function or class that is not a method. */
const NOT_A_METHOD = /^(?:async\s+)?(?:function\b|class\b|\(|[\w$]+\s*=>)/;
/** Own properties every function has, fixed by its source. */
const FUNCTION_BASICS = new Set<PropertyKey>(['length', 'name', 'arguments', 'caller']);

type Snapshot = { readonly target: object; readonly name: string; readonly entries: readonly (readonly [PropertyKey, unknown])[] };

/** Made once per context, before the run, from the state at load. */
export class Fingerprinter {
  /** Built-ins, the library's functions and the user's trusted functions, by a name stable across contexts. */
  private readonly named = new Map<unknown, string>();
  private readonly builtins: Snapshot[] = [];
  private unreadable?: string;

  constructor() {
    // The global object is named, not written out: its enumerable properties are module state, its others checked as built-ins.
    this.named.set(globalThis, 'globalThis');
    this.builtins.push({ target: globalThis, name: 'globalThis', entries: hiddenGlobals() });
    for (const name of Object.getOwnPropertyNames(globalThis)) {
      const descriptor = Object.getOwnPropertyDescriptor(globalThis, name)!;
      // Script `var`s and assignments are enumerable; the built-ins are not.
      if (descriptor.enumerable || !('value' in descriptor)) continue;
      const value: unknown = descriptor.value;
      if (!isObject(value)) continue;
      this.builtin(value, name);
      const prototype = (value as { prototype?: unknown }).prototype;
      if (isObject(prototype)) this.builtin(prototype, `${name}.prototype`);
    }
    for (const [name, value] of Object.entries(library)) {
      if (typeof value === 'function') this.trustClass(value, `waker.${name}`, /*methodsOnly*/ false);
    }
    moduleStates().forEach((module, index) => {
      if (module.unreadable) {
        this.unreadable ??= module.unreadable;
        return;
      }
      const values = module.read();
      for (const [name, literal] of Object.entries(module.literals)) {
        const value = values[name];
        if (typeof value === 'function' && shape(Function.prototype.toString.call(value)) === shape(literal)) {
          this.trustClass(value, `${index}:${name}`, /*methodsOnly*/ true);
        }
      }
    });
  }

  private builtin(target: object, name: string): void {
    if (this.named.has(target)) return;
    this.named.set(target, name);
    // A frozen built-in cannot change; reading every property of every built-in costs more than a run.
    if (Object.isFrozen(target)) return;
    this.builtins.push({ target, name, entries: Reflect.ownKeys(target).map((key) => [key, Object.getOwnPropertyDescriptor(target, key)?.value] as const) });
  }

  /**
   * Trust `fn`, and the functions on it and its prototype. From user code only
   * methods (`run() {…}`), which only a class or object literal can make; an
   * arrow or function stored there could be any closure.
   */
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  private trustClass(fn: Function, name: string, methodsOnly: boolean): void {
    this.named.set(fn, name);
    const prototype = (fn as { prototype?: unknown }).prototype;
    for (const [holder, prefix] of [[fn, name], ...(isObject(prototype) ? [[prototype, `${name}.prototype`] as const] : [])] as const) {
      for (const key of Reflect.ownKeys(holder)) {
        const descriptor = Object.getOwnPropertyDescriptor(holder, key)!;
        for (const [member, kind] of [[descriptor.value, ''], [descriptor.get, 'get '], [descriptor.set, 'set ']] as const) {
          if (typeof member !== 'function' || member === fn || this.named.has(member)) continue;
          if (methodsOnly && NOT_A_METHOD.test(Function.prototype.toString.call(member))) continue;
          this.named.set(member, `${prefix}.${kind}${String(key)}`);
        }
      }
    }
  }

  /** The state after a run: the scenario's live handles (in creation order, so renamed), the heap, the module. */
  fingerprint(runtime: Runtime, liveHandles: readonly number[], scenario: ScenarioHandles, threw: boolean): Fingerprint {
    try {
      if (this.unreadable) throw new Opaque(this.unreadable);
      const unreadableFile = (globalThis as { __wakersimUnreadable?: unknown }).__wakersimUnreadable;
      if (typeof unreadableFile === 'string') throw new Opaque(unreadableFile);
      this.checkBuiltins();
      const cells = runtime.cells();
      // Every pointer is a cell's: with no cell there is no pointer to recognise.
      const writer = new Writer(this.named, cells[0] ? (Object.getPrototypeOf(cells[0].ptr) as object) : undefined);
      const modules = moduleStates().map((module) => {
        const values = module.read();
        return module.names.map((name) => `${name}=${writer.value(values[name])}`).join(',');
      });
      const globals = Object.keys(globalThis)
        .filter((name) => !NOT_MODULE_STATE.has(name))
        .sort()
        .map((name) => `${name}=${writer.value((globalThis as Record<string, unknown>)[name])}`);
      const handles = liveHandles.map((handle) => {
        const waker = scenario.wakers[handle];
        if (!waker) return 'missing';
        const state = runtime.handles()[waker.handleId].state;
        return state === 'live' ? `live@${scenario.addresses[handle]}:${writer.value(scenario.vtables[handle])}` : state;
      });
      const heap = cells.map((cell) => `${cell.address}:${cell.kind}:${cell.count}:${cell.state}:${writer.value(cell.value)}`);
      return { key: [threw ? 'threw' : 'clean', handles.join(','), heap.join(','), modules.join(';'), globals.join(',')].join('|') };
    } catch (error) {
      if (error instanceof Opaque) return { opaque: error.message };
      throw error;
    }
  }

  private checkBuiltins(): void {
    for (const { target, name, entries } of this.builtins) {
      const keys = target === globalThis ? hiddenGlobals().map(([key]) => key) : Reflect.ownKeys(target);
      if (keys.length !== entries.length || entries.some(([key, value]) => !Object.is(Object.getOwnPropertyDescriptor(target, key)?.value, value))) {
        throw new Opaque(`the module changes the built-in \`${name}\``);
      }
    }
  }
}

/** Writes values out; one per fingerprint, so object numbering starts afresh. */
class Writer {
  private readonly seen = new Map<object, number>();

  constructor(
    private readonly named: ReadonlyMap<unknown, string>,
    private readonly pointerPrototype: object | undefined,
  ) {}

  value(value: unknown): string {
    switch (typeof value) {
      case 'undefined':
        return 'u';
      case 'boolean':
        return value ? 't' : 'f';
      case 'number':
        return Object.is(value, -0) ? 'n-0' : `n${value}`;
      case 'bigint':
        return `b${value}`;
      case 'string':
        return JSON.stringify(value);
      case 'symbol': {
        const registered = Symbol.keyFor(value);
        if (registered !== undefined) return `s${JSON.stringify(registered)}`;
        const builtin = Object.getOwnPropertyNames(Symbol).find((key) => (Symbol as unknown as Record<string, unknown>)[key] === value);
        if (builtin) return `S${builtin}`;
        throw new Opaque(`the module keeps a symbol (${value.description ?? ''}) whose identity cannot be written out`);
      }
    }
    if (value === null) return 'null';
    const object = value as object;
    const name = this.named.get(object);
    if (name !== undefined && typeof object !== 'function') return `B${name}`;
    const earlier = this.seen.get(object);
    if (earlier !== undefined) return `#${earlier}`;
    this.seen.set(object, this.seen.size);
    if (typeof object === 'function') {
      if (name === undefined) throw new Opaque(`the module keeps ${describeFunction(object)}, a closure or bound function whose captured values cannot be read`);
      // Built-ins are checked by the snapshot; the library's hold no user state.
      if (!/^\d+:/.test(name)) return `F${name}`;
      return `F${name}${this.properties(object, FUNCTION_BASICS)}`;
    }
    if (this.pointerPrototype && Object.getPrototypeOf(object) === this.pointerPrototype) return `p${(object as { address: number }).address}`;
    return this.object(object);
  }

  private object(object: object): string {
    const prototype = Object.getPrototypeOf(object) as object | null;
    const privateClass = privateStateClass(prototype);
    if (privateClass) throw new Opaque(`the module keeps ${privateClass === 'object' ? 'an object' : `a ${privateClass}`} whose private fields cannot be read`);
    if (object instanceof Map) {
      const entries: string[] = [];
      Map.prototype.forEach.call(object, (entry: unknown, key: unknown) => entries.push(`${this.value(key)}>${this.value(entry)}`));
      return `M${this.value(prototype)}[${entries.join(',')}]${this.properties(object)}`;
    }
    if (object instanceof Set) {
      const entries: string[] = [];
      Set.prototype.forEach.call(object, (entry: unknown) => entries.push(this.value(entry)));
      return `T${this.value(prototype)}[${entries.join(',')}]${this.properties(object)}`;
    }
    const tag = Object.prototype.toString.call(object).slice(8, -1);
    if (tag !== 'Object' && tag !== 'Array') throw new Opaque(`the module keeps a ${tag}, whose contents cannot be read`);
    return `O${this.value(prototype)}${Object.isExtensible(object) ? '' : '!'}${this.properties(object)}`;
  }

  private properties(object: object, skipped?: ReadonlySet<PropertyKey>): string {
    const parts: string[] = [];
    for (const key of Reflect.ownKeys(object)) {
      if (skipped?.has(key)) continue;
      const descriptor = Object.getOwnPropertyDescriptor(object, key)!;
      const label = typeof key === 'symbol' ? `[${this.value(key)}]` : JSON.stringify(key);
      const flags = `${descriptor.writable === false ? 'r' : ''}${descriptor.enumerable ? 'e' : ''}${descriptor.configurable ? 'c' : ''}`;
      parts.push('value' in descriptor ? `${label}${flags}:${this.value(descriptor.value)}` : `${label}${flags}:${this.value(descriptor.get)}/${this.value(descriptor.set)}`);
    }
    return `{${parts.join(',')}}`;
  }
}

/** The name of a class on the prototype chain whose source declares `#private` members: its instances hold state no reflection shows. */
function privateStateClass(prototype: object | null): string | undefined {
  for (let at = prototype; at && at !== Object.prototype; at = Object.getPrototypeOf(at) as object | null) {
    const constructor = Object.getOwnPropertyDescriptor(at, 'constructor')?.value as unknown;
    if (typeof constructor !== 'function') continue;
    if (/(?:^|[^\w$'"`])#[A-Za-z_$]/.test(Function.prototype.toString.call(constructor))) return (constructor as { name?: string }).name || 'object';
  }
  return undefined;
}

/** The global object's non-enumerable properties: the built-ins, and anything defined hidden. */
function hiddenGlobals(): (readonly [PropertyKey, unknown])[] {
  return Reflect.ownKeys(globalThis).flatMap((key) => {
    const descriptor = Object.getOwnPropertyDescriptor(globalThis, key)!;
    return descriptor.enumerable ? [] : [[key, descriptor.value] as const];
  });
}

function isObject(value: unknown): value is object {
  return (typeof value === 'object' && value !== null) || typeof value === 'function';
}

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
function describeFunction(fn: Function): string {
  return typeof fn.name === 'string' && fn.name ? `\`${fn.name}\`` : 'an anonymous function';
}

/** Source text up to renaming: the bundle may rename what the file's own transform did not (`count` → `count2`). */
function shape(source: string): string {
  return source
    .replace(/\/\/[^\n]*|\/\*[\s\S]*?\*\//g, '')
    .replace(/^(class|(?:async\s+)?function\*?)\s+[\w$]+/, '$1')
    .replace(/[A-Za-z_$][\w$]*/g, '_')
    .replace(/\s+/g, ' ')
    .trim();
}
