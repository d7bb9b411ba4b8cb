// The layering rule from ARCHITECTURE.md, checked on every import in src/.
import { strict as assert } from 'node:assert';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, relative, resolve, dirname } from 'node:path';

const SRC = resolve(__dirname, '..', 'src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : /\.tsx?$/.test(name) ? [path] : [];
  });
}

const IMPORT = /(?:^|\n)\s*(?:import|export)\s(?:[^'";]*?\sfrom\s)?['"]([^'"]+)['"]|\brequire\(\s*['"]([^'"]+)['"]\s*\)|\bimport\(\s*['"]([^'"]+)['"]\s*\)/g;

interface Import {
  readonly file: string;
  readonly specifier: string;
  readonly typeOnly: boolean;
}

function importsOf(file: string): Import[] {
  const text = readFileSync(file, 'utf8');
  const found: Import[] = [];
  for (const match of text.matchAll(IMPORT)) {
    const specifier = match[1] ?? match[2] ?? match[3];
    found.push({ file, specifier, typeOnly: /^\s*(?:import|export)\s+type\s/.test(match[0]) });
  }
  return found;
}

/** The layer (src/ subfolder) an import lands in, or the package name. */
function target(imp: Import): string {
  if (!imp.specifier.startsWith('.')) return imp.specifier;
  const path = relative(SRC, resolve(dirname(imp.file), imp.specifier));
  return path.startsWith('..') ? path : `src/${path.split(/[\\/]/)[0]}`;
}

function layerOf(file: string): string {
  return `src/${relative(SRC, file).split(/[\\/]/)[0]}`;
}

const all = sourceFiles(SRC).flatMap(importsOf);

/** The source file a relative import resolves to (`./x` → `x.ts` or `x/index.ts`), else undefined. */
function resolvedFile(imp: Import): string | undefined {
  if (!imp.specifier.startsWith('.')) return undefined;
  const base = resolve(dirname(imp.file), imp.specifier);
  return [base, `${base}.ts`, `${base}.tsx`, join(base, 'index.ts')].find((path) => existsSync(path) && statSync(path).isFile());
}

/** Every import cycle among `files` (type-only imports count: they tie the modules' meaning together), each as a path `a → b → a`. */
function importCycles(imports: readonly Import[]): string[] {
  const edges = new Map<string, string[]>();
  for (const imp of imports) {
    const to = resolvedFile(imp);
    if (to) edges.set(imp.file, [...(edges.get(imp.file) ?? []), to]);
  }
  const cycles: string[] = [];
  const done = new Set<string>();
  const onStack: string[] = [];
  const visit = (file: string): void => {
    if (done.has(file)) return;
    const at = onStack.indexOf(file);
    if (at >= 0) {
      cycles.push([...onStack.slice(at), file].map((f) => relative(SRC, f)).join(' → '));
      return;
    }
    onStack.push(file);
    for (const next of edges.get(file) ?? []) visit(next);
    onStack.pop();
    done.add(file);
  };
  for (const file of edges.keys()) visit(file);
  return cycles;
}

describe('architecture: who may import what', () => {
  it('finds the imports it checks', () => {
    assert.ok(all.length > 20, `only ${all.length} imports found in src/`);
    assert.ok(all.some((i) => layerOf(i.file) === 'src/waker'));
  });

  it('src/waker imports nothing outside itself', () => {
    const outside = all.filter((i) => layerOf(i.file) === 'src/waker' && target(i) !== 'src/waker');
    assert.deepEqual(outside.map((i) => `${relative(SRC, i.file)} → ${i.specifier}`), []);
  });

  it('src/analysis imports only typescript, and only its types', () => {
    const bad = all.filter((i) => {
      if (layerOf(i.file) !== 'src/analysis') return false;
      const to = target(i);
      if (to === 'src/analysis') return false;
      return !(to === 'typescript' && i.typeOnly);
    });
    assert.deepEqual(bad.map((i) => `${relative(SRC, i.file)} → ${i.specifier}`), []);
  });

  it('nothing outside src/extension imports vscode', () => {
    const bad = all.filter((i) => i.specifier === 'vscode' && layerOf(i.file) !== 'src/extension');
    assert.deepEqual(bad.map((i) => relative(SRC, i.file)), []);
  });

  it('src/webview imports nothing of Node, and of the extension only the panel protocol', () => {
    const bad = all.filter((i) => {
      if (layerOf(i.file) !== 'src/webview') return false;
      const to = target(i);
      if (i.specifier.startsWith('node:') || builtinModules.includes(i.specifier)) return true;
      return to === 'src/extension' && resolve(dirname(i.file), i.specifier) !== join(SRC, 'extension', 'panel-delivery');
    });
    assert.deepEqual(bad.map((i) => `${relative(SRC, i.file)} → ${i.specifier}`), []);
  });

  it('front ends do not reach into each other', () => {
    const frontEnds = ['src/cli', 'src/tsserver', 'src/eslint', 'src/extension'];
    const bad = all.filter((i) => {
      const from = layerOf(i.file);
      const to = target(i);
      return frontEnds.includes(from) && frontEnds.includes(to) && from !== to;
    });
    assert.deepEqual(bad.map((i) => `${relative(SRC, i.file)} → ${i.specifier}`), []);
  });

  it('src/analysis has no import cycles, type-only imports included', () => {
    const analysis = all.filter((i) => layerOf(i.file) === 'src/analysis');
    assert.ok(analysis.some((i) => resolvedFile(i)), 'no relative imports resolved in src/analysis');
    assert.deepEqual(importCycles(analysis), []);
  });

  it('the cycle check sees a cycle', () => {
    const a = join(SRC, 'analysis', 'index.ts');
    const b = join(SRC, 'analysis', 'types.ts');
    assert.deepEqual(importCycles([{ file: a, specifier: './types', typeOnly: false }, { file: b, specifier: './index', typeOnly: true }]), ['analysis/index.ts → analysis/types.ts → analysis/index.ts']);
  });

  it('front ends reach src/analysis through its index only', () => {
    const frontEnds = ['src/cli', 'src/tsserver', 'src/eslint', 'src/extension', 'src/simulate', 'src/webview'];
    const index = join(SRC, 'analysis', 'index.ts');
    const bad = all.filter((i) => frontEnds.includes(layerOf(i.file)) && target(i) === 'src/analysis' && resolvedFile(i) !== index);
    assert.deepEqual(bad.map((i) => `${relative(SRC, i.file)} → ${i.specifier}`), []);
  });
});
