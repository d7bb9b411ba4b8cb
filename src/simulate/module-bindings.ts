// What bundle.ts appends to each user file so the explorer can read the file's
// top-level state (module-state.ts): its top-level bindings, read from the
// syntax tree of the file as esbuild prints it (parsed with acorn), and the
// source text of those bound to a function or class literal, so the driver can
// check that the value it finds is still that literal and not, say, a closure
// an IIFE made. Nothing of the file is evaluated here.

import { parse, type AnyNode, type Identifier, type Literal, type Pattern, type Program } from 'acorn';
import { transform, type Loader } from 'esbuild';

/**
 * How bundle.ts compiles user code, and so how this file reads it: a literal's text here must be its text in the
 * bundle. `keepNames`: bundling renames a user's class that shares a name with one of the runtime's (`Task` becomes
 * `Task2`), and messages and the panel show `constructor.name`; a class then carries `static { __name(this, "Task") }`.
 */
export const USER_CODE_OPTIONS = { target: 'es2022', keepNames: true } as const;

/** Names esbuild's output declares for itself, not the user's. */
const ESBUILD_HELPER = /^__[A-Za-z]+$/;

export interface ModuleBindings {
  readonly names: readonly string[];
  /** Name → the function or class literal it is bound to, as source text. */
  readonly literals: Readonly<Record<string, string>>;
}

export type ModuleBindingsResult = ModuleBindings | { readonly unreadable: string };

/** The file's top-level bindings, or a reason they cannot be listed. */
export async function moduleBindings(source: string, loader: Loader, file: string): Promise<ModuleBindingsResult> {
  let code: string;
  let program: Program;
  try {
    // ESM keeps the bodies as the bundle prints them (`Box.new`, not CommonJS's `import_waker.Box.new`),
    // so a literal's text here is its text in the bundle, up to renaming.
    code = (await transform(source, { ...USER_CODE_OPTIONS, loader, format: 'esm', sourcefile: file, logLevel: 'silent' })).code;
    program = parse(code, { ecmaVersion: 'latest', sourceType: 'module' });
  } catch {
    return { unreadable: `${file} did not transform` };
  }
  const identifiers = new Set(source.match(/[A-Za-z_$][\w$]*/g) ?? []);
  const names = new Set<string>();
  const literals = new Map<string, string>();
  const text = (node: AnyNode) => code.slice(node.start, node.end);
  const defaultExpression = { unreadable: `${file} has an \`export default\` of an expression, whose value has no name to read` };
  for (const item of program.body) {
    // esbuild prints `export default { … }` as `var x_default = { … }; export { x_default as default }`, a name the file does not have.
    if (item.type === 'ExportNamedDeclaration' && item.specifiers.some((s) => exportedName(s.exported) === 'default' && !identifiers.has(exportedName(s.local)))) return defaultExpression;
    // `import` bindings are another file's state; `export { a }` and `export * from` bind nothing.
    if (item.type === 'ImportDeclaration' || item.type === 'ExportAllDeclaration') continue;
    const statement = item.type === 'ExportNamedDeclaration' ? item.declaration : item.type === 'ExportDefaultDeclaration' ? item.declaration : item;
    if (!statement) continue;
    if (statement.type === 'FunctionDeclaration' || statement.type === 'ClassDeclaration') {
      // `export default function () {}` binds no name.
      if (statement.id) {
        names.add(statement.id.name);
        literals.set(statement.id.name, text(statement));
      }
    } else if (item.type === 'ExportDefaultDeclaration') {
      return defaultExpression;
    } else if (statement.type === 'VariableDeclaration') {
      for (const declarator of statement.declarations) {
        for (const name of patternNames(declarator.id)) names.add(name);
        const init = declarator.init && withoutKeptName(declarator.init);
        if (declarator.id.type === 'Identifier' && init && (init.type === 'FunctionExpression' || init.type === 'ArrowFunctionExpression' || init.type === 'ClassExpression')) {
          literals.set(declarator.id.name, text(init));
        }
      }
    } else {
      // `var`s inside top-level blocks, loops and `try` are the module's too.
      for (const name of nestedVars(statement)) names.add(name);
    }
  }
  const own = [...names].filter((name) => identifiers.has(name) && !ESBUILD_HELPER.test(name)).sort();
  return { names: own, literals: Object.fromEntries(own.flatMap((name) => (literals.has(name) ? [[name, literals.get(name)!]] : []))) };
}

/** `f` of `__name(f, "f")`, the wrapper `keepNames` puts around a function or class bound to a name (the value is `f`). */
function withoutKeptName(node: AnyNode): AnyNode {
  return node.type === 'CallExpression' && node.callee.type === 'Identifier' && node.callee.name === '__name' && node.arguments[0]?.type !== 'SpreadElement' ? node.arguments[0] : node;
}

/** `a` of `export { a }` and of `export { x as "a" }`. */
function exportedName(name: Identifier | Literal): string {
  return name.type === 'Identifier' ? name.name : String(name.value);
}

/** The names a binding pattern declares: `a` in `a`, `{ a, b: [c, ...d] = e }`. */
function patternNames(pattern: Pattern): string[] {
  switch (pattern.type) {
    case 'Identifier':
      return [pattern.name];
    case 'ObjectPattern':
      return pattern.properties.flatMap((property) => patternNames(property.type === 'RestElement' ? property.argument : property.value));
    case 'ArrayPattern':
      return pattern.elements.flatMap((element) => (element ? patternNames(element) : []));
    case 'RestElement':
      return patternNames(pattern.argument);
    case 'AssignmentPattern':
      return patternNames(pattern.left);
    case 'MemberExpression':
      return [];
  }
}

/** `var` declarations nested in a top-level statement, not inside a function or class (whose own scopes they belong to). */
function nestedVars(node: AnyNode): string[] {
  const found: string[] = [];
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) return value.forEach(visit);
    if (value === null || typeof value !== 'object' || typeof (value as { type?: unknown }).type !== 'string') return;
    const child = value as AnyNode;
    if (/Function|Class/.test(child.type)) return;
    if (child.type === 'VariableDeclaration' && child.kind === 'var') for (const declarator of child.declarations) found.push(...patternNames(declarator.id));
    for (const [key, property] of Object.entries(child)) if (key !== 'type') visit(property);
  };
  visit(node);
  return found;
}

/** The statement appended to a user file: registers its state reader with the driver's registry. */
export function registration(bindings: ModuleBindingsResult, registryFile: string): string {
  const call =
    'unreadable' in bindings
      ? `__wakersimRegisterModuleState([], {}, () => ({}), ${JSON.stringify(bindings.unreadable)});`
      : `__wakersimRegisterModuleState(${JSON.stringify(bindings.names)}, ${JSON.stringify(bindings.literals)}, () => ({ ${bindings.names.join(', ')} }));`;
  return `\n;import { registerModuleState as __wakersimRegisterModuleState } from ${JSON.stringify(registryFile)};\n${call}\n`;
}
