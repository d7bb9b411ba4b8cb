// The registry through which each user file shows the explorer its top-level
// state. bundle.ts appends to every user file a call
//   registerModuleState(["VTABLE", "myWake", "queue"], { myWake: "function myWake(p) {…}" }, () => ({ VTABLE, myWake, queue }))
// naming its top-level bindings, the source of those bound to a function or
// class literal, and a reader of their current values. Imports are hoisted, so
// this module is evaluated before any user file, and the driver reads the same
// instance (one bundle, one copy).

export interface ModuleState {
  /** Every top-level binding of the file. */
  readonly names: readonly string[];
  /** Name → the function or class literal written as its initialiser. */
  readonly literals: Readonly<Record<string, string>>;
  readonly read: () => Record<string, unknown>;
  /** Why the file's bindings could not be listed; its state is then unknown. */
  readonly unreadable?: string;
}

const modules: ModuleState[] = [];

export function registerModuleState(names: readonly string[], literals: Readonly<Record<string, string>>, read: () => Record<string, unknown>, unreadable?: string): void {
  modules.push({ names, literals, read, ...(unreadable ? { unreadable } : {}) });
}

/** The user files' states, in evaluation order (the same in every run). */
export function moduleStates(): readonly ModuleState[] {
  return modules;
}
