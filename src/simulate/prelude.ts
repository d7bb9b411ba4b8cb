// The first code every simulation context runs, before the bundle. It is a
// function of its own (stringified into the context, so it can reach nothing of
// the simulation process) that makes the context's shared state safe to share
// between runs:
// - stand-ins for what Node code expects (`console` that prints nothing,
//   `require` that explains why it cannot), and `Symbol.dispose` /
//   `Symbol.asyncDispose`, which Node defines in its main realm only: without
//   them the runtime's `[Symbol.dispose]` and the user's `using` disagree;
// - every built-in reachable from the global object is frozen (prototypes,
//   constructors, namespaces such as `JSON` and `Math`), and the global
//   bindings themselves made read-only, so no run can change what a later run
//   sees; a frozen prototype would make `obj.toString = f` throw (the
//   "override mistake"), so the few names code assigns that way become
//   accessors that define the property on the object assigned to, as SES does;
// - `reset()`, called between runs, deletes the globals a run added.
//
// `Error.stackTraceLimit` stays writable (the runtime sets it to take one stack
// frame) and is put back by `reset()`.

export interface Prelude {
  /**
   * Put the global object back as the prelude left it. Returns the values it
   * removed (module state a run kept in a global, kept alive until the run's
   * leak check), or `false` when it cannot: the context must then be replaced.
   */
  reset(): unknown;
}

function prelude(): Prelude {
  'use strict';
  const { defineProperty, freeze, getOwnPropertyDescriptor, getPrototypeOf, isExtensible, preventExtensions } = Object;
  const { ownKeys, deleteProperty, setPrototypeOf } = Reflect;
  const global = globalThis as Record<PropertyKey, unknown>;
  const hidden = (value: unknown) => ({ value, writable: true, enumerable: false, configurable: true });

  const quiet = () => {};
  defineProperty(global, 'console', hidden({ log: quiet, info: quiet, warn: quiet, error: quiet, debug: quiet, trace: quiet, dir: quiet, table: quiet }));
  const require = function require(name: unknown): never {
    throw new Error(`simulated code cannot require '${String(name)}': it has no file system, network or process access`);
  };
  defineProperty(global, 'require', hidden(require));
  const module = { exports: {} };
  defineProperty(global, 'module', hidden(module));
  defineProperty(global, 'exports', hidden(module.exports));
  for (const name of ['dispose', 'asyncDispose'] as const) {
    if (typeof Symbol[name] !== 'symbol') defineProperty(Symbol, name, { value: Symbol(`Symbol.${name}`) });
  }

  // Everything reachable from the global object, plus intrinsics only reachable from syntax.
  const found = new Set<object>();
  const pending: unknown[] = [];
  for (const key of ownKeys(global)) {
    const descriptor = getOwnPropertyDescriptor(global, key)!;
    pending.push(descriptor.value, descriptor.get, descriptor.set);
  }
  for (let proto = getPrototypeOf(global); proto; proto = getPrototypeOf(proto)) pending.push(proto);
  pending.push(
    function* () {},
    async function () {},
    async function* () {},
    (function* () {})(),
    (async function* () {})(),
    [][Symbol.iterator](),
    new Map()[Symbol.iterator](),
    new Set()[Symbol.iterator](),
    ''[Symbol.iterator](),
    /x/[Symbol.matchAll](''),
  );
  while (pending.length) {
    const value = pending.pop();
    if (value === null || (typeof value !== 'object' && typeof value !== 'function') || value === global || found.has(value)) continue;
    found.add(value);
    for (const key of ownKeys(value)) {
      const descriptor = getOwnPropertyDescriptor(value, key)!;
      pending.push(descriptor.value, descriptor.get, descriptor.set);
    }
    pending.push(getPrototypeOf(value));
  }

  const OVERRIDABLE = ['constructor', 'toString', 'valueOf', 'toLocaleString', 'toJSON', 'name', 'message'];
  const makeOverridable = (proto: object, key: string) => {
    const descriptor = getOwnPropertyDescriptor(proto, key);
    if (!descriptor || !('value' in descriptor) || !descriptor.writable || !descriptor.configurable) return;
    const value: unknown = descriptor.value;
    defineProperty(proto, key, {
      get: freeze(function get() {
        return value;
      }),
      set: freeze(function set(this: object, replacement: unknown) {
        if (this === proto) throw new TypeError(`Cannot assign to read only property '${key}' of a built-in object`);
        defineProperty(this, key, { value: replacement, writable: true, enumerable: true, configurable: true });
      }),
      enumerable: descriptor.enumerable,
      configurable: false,
    });
  };
  for (const value of found) {
    if (value === Error) {
      // Read-only except stackTraceLimit; not extensible, so no `Error.prepareStackTrace`.
      for (const key of ownKeys(Error)) {
        if (key !== 'stackTraceLimit') defineProperty(Error, key, { writable: false, configurable: false });
      }
      defineProperty(Error, 'stackTraceLimit', { configurable: false });
      preventExtensions(Error);
      continue;
    }
    if (typeof value === 'object') for (const key of OVERRIDABLE) makeOverridable(value, key);
    freeze(value);
  }
  const stackTraceLimit = Error.stackTraceLimit;

  // The global bindings are the built-ins' own: read-only, like `undefined` is.
  for (const key of ownKeys(global)) {
    const descriptor = getOwnPropertyDescriptor(global, key)!;
    // Whole descriptors: the context's global hands definitions on to its backing object as given.
    if (descriptor.configurable) defineProperty(global, key, { ...descriptor, ...('value' in descriptor ? { writable: false } : {}), configurable: false });
  }
  const builtins = new Set(ownKeys(global));
  const globalProto = getPrototypeOf(global);

  return freeze({
    reset(): unknown {
      Error.stackTraceLimit = stackTraceLimit;
      if (!isExtensible(global)) return false;
      if (getPrototypeOf(global) !== globalProto && !setPrototypeOf(global, globalProto)) return false;
      const keys = ownKeys(global);
      // The built-in bindings cannot be deleted, so the same count means nothing was added.
      if (keys.length === builtins.size) return undefined;
      const removed: unknown[] = [];
      for (const key of keys) {
        if (builtins.has(key)) continue;
        const descriptor = getOwnPropertyDescriptor(global, key)!;
        removed.push(descriptor.value, descriptor.get, descriptor.set);
        if (!deleteProperty(global, key)) return false;
      }
      return removed;
    },
  });
}

/**
 * The prelude as a script: its value is the context's `Prelude`. Run from
 * source, tsx wraps functions in a `__name(fn, "name")` helper of the module's;
 * inside the context the helper is a no-op of its own.
 */
export const PRELUDE = `((__name) => (${prelude.toString()})())((fn) => fn)`;
