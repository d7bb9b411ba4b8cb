// What bundle.ts appends to each user file so the explorer can read the file's
// top-level state (module-state.ts): its top-level bindings, found by asking
// V8 which `var`s a never-run copy of the file hoists, and the source text of
// those bound to a function or class literal, so the driver can check that the
// value it finds is still that literal and not, say, a closure an IIFE made.

import { transform, type Loader } from 'esbuild';
import * as vm from 'node:vm';

/** Names esbuild's output declares for itself, not the user's. */
const ESBUILD_HELPER = /^__[A-Za-z]+$/;
/** A top-level statement that binds a name: `function f(`, `class C`, `var x = …`. */
const DECLARATION = /^(?:(?:async )?function\*? ?([\w$]+)|class ([\w$]+)|(?:var|let|const) ([\w$]+) = )/;

export interface ModuleBindings {
  readonly names: readonly string[];
  /** Name → the function or class literal it is bound to, as source text. */
  readonly literals: Readonly<Record<string, string>>;
}

export type ModuleBindingsResult = ModuleBindings | { readonly unreadable: string };

/**
 * The file's top-level bindings, or a reason they cannot be listed. esbuild's
 * printer starts each top-level statement at column 0 (closing lines with `}`
 * or `)`), which is what splitting into statements relies on; a name that
 * splitting misses is still found by V8, and a literal it misreads only fails
 * the driver's comparison, which costs the state reduction, never exactness.
 */
export async function moduleBindings(source: string, loader: Loader, file: string): Promise<ModuleBindingsResult> {
  if (/^\s*export\s+default\s+(?!(?:async\s+)?function\b|class\b)/m.test(source)) {
    return { unreadable: `${file} has an \`export default\` of an expression, whose value has no name to read` };
  }
  let code: string;
  try {
    // ESM keeps the bodies as the bundle prints them (`Box.new`, not CommonJS's `import_waker.Box.new`).
    code = (await transform(source, { loader, format: 'esm', target: 'es2022', sourcefile: file, logLevel: 'silent' })).code;
  } catch {
    return { unreadable: `${file} did not transform` };
  }
  const statements = topLevelStatements(code)
    .filter((statement) => !/^(?:import\b|export\s*[{*])/.test(statement))
    .map((statement) => statement.replace(/^export (?:default )?/, ''));
  // `let`, `const` and `class` would stay inside the block; as `var`s they hoist out of it.
  const hoistable = statements.map((statement) => statement.replace(/^(?:let|const) /, 'var ').replace(/^class ([\w$]+)/, 'var $1 = class $1')).join('\n');
  const names = new Set<string>();
  try {
    // This runs in the calling process (the CLI, VS Code's extension host), not
    // in the sandbox: give the context nothing of this realm. A null-prototype
    // global cuts the `globalThis.constructor.constructor('return process')`
    // chain, should a statement escape the `if (false)` below.
    const scratch = vm.createContext(Object.create(null), { codeGeneration: { strings: false, wasm: false } });
    const before = new Set(vm.runInContext('Object.keys(globalThis)', scratch) as string[]);
    new vm.Script(`if (false) {\n${hoistable}\n}`).runInContext(scratch, { timeout: 1000 });
    for (const name of vm.runInContext('Object.keys(globalThis)', scratch) as string[]) if (!before.has(name)) names.add(name);
  } catch {
    return { unreadable: `${file}: its top-level bindings could not be listed` };
  }
  const literals: Record<string, string> = {};
  for (const statement of statements) {
    const match = DECLARATION.exec(statement);
    if (!match) continue;
    // Strict code keeps a function declared in a block inside it: V8 alone would miss it.
    if (match[1]) names.add(match[1]);
    const name = match[1] ?? match[2] ?? match[3];
    literals[name] = match[3] ? statement.slice(match[0].length).replace(/;$/, '') : statement.replace(/;$/, '');
  }
  const identifiers = new Set(source.match(/[A-Za-z_$][\w$]*/g) ?? []);
  const own = [...names].filter((name) => identifiers.has(name) && !ESBUILD_HELPER.test(name)).sort();
  const ownLiterals: Record<string, string> = {};
  for (const name of own) if (literals[name] !== undefined && /^(?:async\s+)?(?:function\b|class\b|\(|[\w$]+\s*=>)/.test(literals[name])) ownLiterals[name] = literals[name];
  return { names: own, literals: ownLiterals };
}

/**
 * esbuild's output split into top-level statements: a statement starts on a
 * line that begins outside any bracket, string, template or comment. Regular
 * expression literals are not recognised; a bracket in one can only merge
 * statements, which makes their text differ from any function's and so costs
 * trust, never exactness.
 */
function topLevelStatements(code: string): string[] {
  const statements: string[] = [];
  let depth = 0;
  /** Open templates, each with the bracket depth of its current `${`. */
  const templates: number[] = [];
  let quote: '"' | "'" | '`' | undefined;
  let start = 0;
  for (let i = 0; i < code.length; i++) {
    const char = code[i];
    if (quote) {
      if (char === '\\') i++;
      else if (char === quote && quote !== '`') quote = undefined;
      else if (quote === '`' && char === '`') quote = undefined;
      else if (quote === '`' && char === '$' && code[i + 1] === '{') {
        templates.push(depth);
        depth++;
        quote = undefined;
        i++;
      }
      continue;
    }
    if (char === '/' && code[i + 1] === '/') {
      const end = code.indexOf('\n', i);
      i = end < 0 ? code.length : end - 1;
    } else if (char === '/' && code[i + 1] === '*') {
      const end = code.indexOf('*/', i + 2);
      i = end < 0 ? code.length : end + 1;
    } else if (char === '"' || char === "'" || char === '`') {
      quote = char;
    } else if (char === '{' || char === '(' || char === '[') {
      depth++;
    } else if (char === '}' || char === ')' || char === ']') {
      depth--;
      if (char === '}' && templates.length > 0 && templates[templates.length - 1] === depth) {
        templates.pop();
        quote = '`';
      }
    } else if (char === '\n' && depth === 0 && !quote && /[^\s})\]]/.test(code[i + 1] ?? '')) {
      statements.push(code.slice(start, i).trimEnd());
      start = i + 1;
    }
  }
  statements.push(code.slice(start).trimEnd());
  return statements.filter((statement) => statement !== '');
}

/** The statement appended to a user file: registers its state reader with the driver's registry. */
export function registration(bindings: ModuleBindingsResult, registryFile: string): string {
  const call =
    'unreadable' in bindings
      ? `__wakersimRegisterModuleState([], {}, () => ({}), ${JSON.stringify(bindings.unreadable)});`
      : `__wakersimRegisterModuleState(${JSON.stringify(bindings.names)}, ${JSON.stringify(bindings.literals)}, () => ({ ${bindings.names.join(', ')} }));`;
  return `\n;import { registerModuleState as __wakersimRegisterModuleState } from ${JSON.stringify(registryFile)};\n${call}\n`;
}
