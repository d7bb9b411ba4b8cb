// Bundles the user's module, the driver and ONE copy of the waker runtime into
// a single script for the worker's vm context. `wakerscope/waker` and relative
// imports of this repository's src/waker land on the same files, so the
// driver's `Runtime` and the user's `Box` share one heap.

import { build, type Loader, type Message, type Plugin } from 'esbuild';
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import { dirname, extname, join, resolve, sep } from 'node:path';
import { USER_CODE_OPTIONS, moduleBindings, registration } from './module-bindings';
import { formatLocation } from './types';

export interface ModuleBundle {
  /** The script, evaluated as if it lived at `file` (stack traces name it). */
  readonly code: string;
  /** Its source map (JSON); `sources` are relative to `dirname(file)`. */
  readonly map: string;
  readonly file: string;
  /** The driver's source, whose positions are not the user's. */
  readonly driverFile: string;
  /** The runtime's folder, whose positions are the library's, not the user's. */
  readonly runtimeDir: string;
}

/** A problem with the user's module, phrased for a one-line CLI error. */
export class BundleError extends Error {
  override readonly name = 'BundleError';
}

/** The folder holding this package's package.json (src/simulate → root, dist/cli → root). */
function packageRoot(): string {
  let dir = __dirname;
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'wakerscope') return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`cannot find the wakerscope package root above ${__dirname}`);
    dir = parent;
  }
}

const BUILTIN = new RegExp(`^(?:node:.*|(?:${builtinModules.map((name) => name.replace(/[/\\^$*+?.()|[\]{}]/g, '\\$&')).join('|')})(?:/.*)?)$`);

function noSystemAccessMessage(specifier: string): string {
  return `scenario module imports '${specifier}': simulated code has no file system, network or process access`;
}

const LOADERS: Readonly<Record<string, Loader>> = { '.ts': 'ts', '.mts': 'ts', '.cts': 'ts', '.tsx': 'tsx', '.js': 'js', '.mjs': 'js', '.cjs': 'js', '.jsx': 'jsx' };
/** A file written as CommonJS: an appended `import` would turn it into a module and break its `module.exports`. */
const COMMONJS = /\bmodule\.exports\b|\bexports\.[\w$]+\s*=|\brequire\s*\(/;

function plugin(runtimeEntry: string, ownDirs: readonly string[], registryFile: string): Plugin {
  return {
    name: 'wakersim',
    setup(build) {
      build.onResolve({ filter: /^wakerscope\/waker$/ }, () => ({ path: runtimeEntry }));
      build.onResolve({ filter: BUILTIN }, (args) => ({ errors: [{ text: noSystemAccessMessage(args.path) }] }));
      // Each user file shows the explorer its top-level state (module-state.ts).
      build.onLoad({ filter: /\.[cm]?[jt]sx?$/ }, async (args) => {
        if (ownDirs.some((dir) => args.path.startsWith(dir))) return undefined;
        const loader = LOADERS[extname(args.path)];
        if (!loader) return undefined;
        const source = await readFile(args.path, 'utf8');
        if (COMMONJS.test(source)) {
          const reason = `${args.path} is CommonJS, whose top-level state the explorer cannot list`;
          return { contents: `${source}\n;globalThis.__wakersimUnreadable ??= ${JSON.stringify(reason)};\n`, loader };
        }
        return { contents: source + registration(await moduleBindings(source, loader, args.path), registryFile), loader };
      });
    },
  };
}

function formatMessage(message: Message): string {
  // esbuild's columns are 0-based.
  const where = message.location ? `${formatLocation({ ...message.location, column: message.location.column + 1 })}: ` : '';
  return `${where}${message.text}`;
}

/** Bundle `modulePath` (absolute) with the driver; throws `BundleError` with a one-line reason. */
export async function bundleModule(modulePath: string): Promise<ModuleBundle> {
  if (!existsSync(modulePath)) throw new BundleError(`cannot find the module ${modulePath}`);
  const root = packageRoot();
  const runtimeDir = join(root, 'src', 'waker');
  const runtimeEntry = join(runtimeDir, 'index.ts');
  const driverFile = join(root, 'src', 'simulate', 'driver.ts');
  if (!existsSync(runtimeEntry) || !existsSync(driverFile)) throw new Error(`the simulator needs ${runtimeEntry} and ${driverFile}`);
  const file = join(dirname(modulePath), '__wakersim_bundle__.js');
  const entry = [
    `import * as user from ${JSON.stringify(modulePath)};`,
    `import { createDriver } from ${JSON.stringify(driverFile)};`,
    `export const driver = createDriver(user);`,
  ].join('\n');
  try {
    const result = await build({
      stdin: { contents: entry, resolveDir: dirname(modulePath), sourcefile: '__wakersim_entry__.js', loader: 'js' },
      outfile: file,
      write: false,
      bundle: true,
      platform: 'neutral',
      mainFields: ['module', 'main'],
      format: 'iife',
      globalName: '__wakersim',
      // The script's value is a factory: each call evaluates the module anew (fresh module state).
      banner: { js: '(function wakersimModule() {' },
      footer: { js: 'return __wakersim.driver;\n})' },
      ...USER_CODE_OPTIONS,
      sourcemap: 'external',
      absWorkingDir: dirname(modulePath),
      plugins: [plugin(runtimeEntry, [runtimeDir + sep, dirname(driverFile) + sep], join(root, 'src', 'simulate', 'module-state.ts'))],
      logLevel: 'silent',
    });
    const code = result.outputFiles.find((out) => out.path.endsWith('.js'))!.text;
    const map = result.outputFiles.find((out) => out.path.endsWith('.map'))!.text;
    return { code, map, file, driverFile: resolve(driverFile), runtimeDir: resolve(runtimeDir) };
  } catch (error) {
    const errors = (error as { errors?: Message[] }).errors;
    if (!errors?.length) throw error;
    throw new BundleError(formatMessage(errors[0]));
  }
}
