// Which files `wakerscope check` reports, and in which project's program.
//
// A tsconfig's references are followed like `tsc -b` does (dependencies
// first), so a solution tsconfig (`files: []` plus `references`) checks every
// referenced project. Each file is owned by the first project that includes
// it and reported once. Only tsconfigs are parsed here; programs are built
// later, and only for projects that own a selected file.

import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as ts from 'typescript';
import { readProject, type ParsedProject } from '../analysis/index';
import { UsageError } from './command';

// Required, not imported: esbuild then bundles tinyglobby's (and fdir's) CommonJS
// build; their ESM build calls createRequire(import.meta.url), undefined in a CJS bundle.
const { globSync, isDynamicPattern } = require('tinyglobby') as typeof import('tinyglobby');

export interface ProjectPlan {
  readonly project: ParsedProject;
  /** Files this project owns that the command reports (absolute, `/`-separated). */
  readonly files: readonly string[];
  /** Files named on the command line that no tsconfig includes: roots of this program too. */
  readonly extraRoots: readonly string[];
}

/** The files a path argument names: itself, or what a quoted glob matches. */
export interface PathArgument {
  readonly text: string;
  /** Absolute, `/`-separated. */
  readonly paths: readonly string[];
  /** A directory: everything under it. */
  readonly directory: boolean;
}

const SOURCE_FILE = /\.(?:[cm]?tsx?|[cm]?jsx?)$/;

export function toTsPath(p: string): string {
  return p.split(path.sep).join('/');
}

/**
 * How the CLI prints a path, in findings, notes and errors alike: relative to
 * `cwd` and `/`-separated, as tsc prints them (`../lib/a.ts` outside it, which
 * the editor's problem matcher resolves against the folder); `file` itself
 * when it is `cwd`.
 */
export function displayPath(cwd: string, file: string): string {
  return toTsPath(path.relative(cwd, file)) || toTsPath(file);
}

/** Resolve path arguments: an existing path is taken literally, else a glob (`'src/**\/*.ts'`) is expanded. */
export function resolvePathArguments(cwd: string, texts: readonly string[]): PathArgument[] {
  return texts.map((text) => {
    const absolute = path.resolve(cwd, text);
    if (fs.existsSync(absolute)) return { text, paths: [toTsPath(absolute)], directory: fs.statSync(absolute).isDirectory() };
    if (!isDynamicPattern(text)) throw new UsageError(`path not found: ${text}`);
    const matches = globSync(text, { cwd, absolute: true, onlyFiles: true, ignore: ['**/node_modules/**'] })
      .filter((file) => SOURCE_FILE.test(file) && !/\.d\.[cm]?ts$/.test(file))
      .map((file) => toTsPath(path.resolve(file)))
      .sort();
    if (matches.length === 0) throw new UsageError(`no TypeScript files match '${text}'`);
    return { text, paths: matches, directory: false };
  });
}

/** Every project reachable from `configPath` through `references`, dependencies first. */
export function projectsFrom(ts: typeof import('typescript'), configPath: string, extraRoots: readonly string[]): ParsedProject[] {
  const ordered: ParsedProject[] = [];
  const visited = new Set<string>();
  const visit = (config: string, isRoot: boolean): void => {
    const key = path.resolve(config).toLowerCase();
    if (visited.has(key)) return;
    visited.add(key);
    const project = readProject(ts, config, isRoot && extraRoots.length > 0);
    for (const reference of project.parsed.projectReferences ?? []) {
      const referenced = ts.resolveProjectReferencePath(reference);
      if (!ts.sys.fileExists(referenced)) throw new UsageError(`${config}: referenced project has no tsconfig: ${referenced}`);
      visit(referenced, false);
    }
    ordered.push(project);
  };
  visit(configPath, true);
  return ordered;
}

/** What a project's own file list contributes: sources, not declarations or dependencies (the library's sources are told apart by their brand, once there is a program). */
function ownFiles(project: ParsedProject): string[] {
  return project.parsed.fileNames.filter((file) => SOURCE_FILE.test(file) && !/\.d\.[cm]?ts$/.test(file) && !/[\\/]node_modules[\\/]/.test(file));
}

/**
 * The plan: per project (dependencies first), the files it owns that the path
 * arguments select and that fall in this shard. `rootConfig`'s project also
 * gets the named files that no tsconfig includes.
 */
export function planCheck(
  ts: typeof import('typescript'),
  rootConfig: string,
  args: readonly PathArgument[],
  shard?: { readonly index: number; readonly count: number },
): { plans: ProjectPlan[]; selected: number } {
  const named = args.filter((a) => !a.directory).flatMap((a) => a.paths);
  const projects = projectsFrom(ts, rootConfig, named);
  const caseInsensitive = !ts.sys.useCaseSensitiveFileNames;
  const norm = (s: string) => (caseInsensitive ? s.toLowerCase() : s);
  const owner = new Map<string, ParsedProject>();
  for (const project of projects) for (const file of ownFiles(project)) if (!owner.has(norm(file))) owner.set(norm(file), project);
  const root = projects.at(-1)!;
  const extraRoots = named.filter((file) => !owner.has(norm(file)) && SOURCE_FILE.test(file));
  for (const file of extraRoots) owner.set(norm(file), root);

  const wanted = args.flatMap((a) => a.paths.map((p) => ({ path: norm(p), directory: a.directory })));
  const isSelected = (file: string) =>
    wanted.length === 0 || wanted.some((w) => norm(file) === w.path || (w.directory && norm(file).startsWith(w.path.endsWith('/') ? w.path : w.path + '/')));
  const files = new Map<string, string>(); // normalised -> spelled
  for (const project of projects) for (const file of ownFiles(project)) if (isSelected(file)) files.set(norm(file), file);
  for (const file of extraRoots) files.set(norm(file), file);

  let chosen = [...files.keys()].sort();
  const selected = chosen.length;
  if (shard) {
    // Contiguous slices of the sorted list: the same files land in the same shard on every machine.
    const from = Math.floor(((shard.index - 1) * chosen.length) / shard.count);
    const to = Math.floor((shard.index * chosen.length) / shard.count);
    chosen = chosen.slice(from, to);
  }
  const plans = projects.map((project) => ({
    project,
    files: chosen.filter((file) => owner.get(file) === project).map((file) => files.get(file)!),
    extraRoots: project === root ? extraRoots : [],
  }));
  return { plans: plans.filter((plan) => plan.files.length > 0), selected };
}

/** A compiler host that parses the default library and dependencies' declarations once for every project's program. */
export function sharedCompilerHost(ts: typeof import('typescript'), overlay: ReadonlyMap<string, string>): (options: ts.CompilerOptions) => ts.CompilerHost {
  const shared = new Map<string, ts.SourceFile>();
  return (options) => {
    const host = ts.createCompilerHost(options, true);
    const getSourceFile = host.getSourceFile.bind(host);
    const readFile = host.readFile.bind(host);
    host.readFile = (fileName) => overlay.get(fileName) ?? readFile(fileName);
    host.getSourceFile = (fileName, languageVersion, onError, shouldCreate) => {
      const text = overlay.get(fileName);
      if (text !== undefined) return ts.createSourceFile(fileName, text, languageVersion, true);
      const declaration = /\.d\.[cm]?ts$/.test(fileName);
      if (!declaration) return getSourceFile(fileName, languageVersion, onError, shouldCreate);
      const key = `${fileName}|${JSON.stringify(languageVersion)}`;
      let file = shared.get(key);
      if (!file) {
        file = getSourceFile(fileName, languageVersion, onError, shouldCreate);
        if (file) shared.set(key, file);
      }
      return file;
    };
    return host;
  };
}
