// `--cache`, ESLint-style: a file's reports are reused when nothing they depend
// on changed. The key of an entry is
//   - the file's content hash,
//   - the content hash of every file it imports, transitively (resolved as
//     TypeScript resolves them; a dependency's own imports are followed unless
//     it is in node_modules, whose content hash is still part of the key),
//   - the project's key: wakerscope's version, the working directory (reports
//     hold relative paths), the compiler options, the rule levels, and the
//     project's file list (a new file can change what an import resolves to).
// What is deliberately not in it: global declarations in files the entry does
// not import. Change those and run without --cache (or delete the cache file).
// A project whose every planned file is fresh is not even built into a program.

import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { AnalyzerConfig, ParsedProject } from '../analysis/index';
import { writeFileAtomic } from './fix';
import type { Report } from './report';

/** What a check found for one file. */
export interface FileResult {
  readonly reports: readonly Report[];
  /** Whether its program imported wakerscope/waker (all files fresh means the same program). */
  readonly importsLibrary: boolean;
  /** The library's own source, known by its brand: not checked. */
  readonly librarySource: boolean;
}

interface Entry extends FileResult {
  readonly project: string;
  readonly hash: string;
  /** Every transitive dependency's content hash, by absolute file name. */
  readonly dependencies: Readonly<Record<string, string>>;
}

interface CacheData {
  readonly version: string;
  readonly entries: Record<string, Entry>;
}

/** A hand-edited or foreign cache entry is a miss, never a crash. */
function isEntry(value: unknown): value is Entry {
  const entry = value as Entry | undefined;
  return (
    typeof entry === 'object' && entry !== null && typeof entry.project === 'string' && typeof entry.hash === 'string' &&
    typeof entry.dependencies === 'object' && entry.dependencies !== null && Array.isArray(entry.reports) &&
    typeof entry.importsLibrary === 'boolean' && typeof entry.librarySource === 'boolean' &&
    entry.reports.every((r) => typeof r?.message === 'string' && typeof r.rule === 'string' && typeof r.at?.file === 'string' && Array.isArray(r.related))
  );
}

export const DEFAULT_CACHE_FILE = '.wakerscopecache';

const sha = (text: string | Buffer) => createHash('sha256').update(text).digest('hex');

export class ResultCache {
  private readonly entries: Record<string, Entry>;
  private readonly hashes = new Map<string, string | undefined>();
  private readonly imports = new Map<string, readonly string[]>();
  private changed = false;

  private constructor(
    readonly location: string,
    private readonly version: string,
    data: CacheData | undefined,
  ) {
    this.entries = data && data.version === version ? { ...data.entries } : {};
  }

  /** The cache at `location` (a file, or a directory to hold `.wakerscopecache`); unreadable or foreign data starts empty. */
  static open(location: string, version: string): ResultCache {
    const file = fs.existsSync(location) && fs.statSync(location).isDirectory() ? path.join(location, DEFAULT_CACHE_FILE) : location;
    let data: CacheData | undefined;
    try {
      const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as CacheData;
      if (parsed && typeof parsed.version === 'string' && parsed.entries && typeof parsed.entries === 'object') data = parsed;
    } catch {
      data = undefined; // missing or corrupt: a cold run rebuilds it
    }
    return new ResultCache(file, version, data);
  }

  projectKey(project: ParsedProject, config: AnalyzerConfig, cwd: string): string {
    const { options, fileNames, projectReferences } = project.parsed;
    return sha(JSON.stringify([this.version, cwd, project.configPath, options, config, [...fileNames].sort(), (projectReferences ?? []).map((r) => r.path)]));
  }

  /** The cached reports of `file`, if its content, its dependencies' and the project key are unchanged. */
  lookup(file: string, projectKey: string): FileResult | undefined {
    const entry = this.entries[file];
    if (!isEntry(entry) || entry.project !== projectKey || entry.hash !== this.hash(file)) return undefined;
    for (const [dependency, hash] of Object.entries(entry.dependencies)) if (this.hash(dependency) !== hash) return undefined;
    return entry;
  }

  store(ts: typeof import('typescript'), file: string, projectKey: string, options: import('typescript').CompilerOptions, found: FileResult): void {
    const hash = this.hash(file);
    if (hash === undefined) return;
    const dependencies: Record<string, string> = {};
    for (const dependency of this.dependencyClosure(ts, file, options)) {
      const dependencyHash = this.hash(dependency);
      if (dependencyHash !== undefined) dependencies[dependency] = dependencyHash;
    }
    this.entries[file] = { project: projectKey, hash, dependencies, ...found };
    this.changed = true;
  }

  /** Write the cache back if anything changed (atomically: a reader never sees half a file). */
  save(): void {
    if (!this.changed) return;
    const text = JSON.stringify({ version: this.version, entries: this.entries } satisfies CacheData);
    fs.mkdirSync(path.dirname(this.location), { recursive: true });
    writeFileAtomic(this.location, text);
  }

  private hash(file: string): string | undefined {
    if (!this.hashes.has(file)) {
      let hash: string | undefined;
      try {
        hash = sha(fs.readFileSync(file));
      } catch {
        hash = undefined; // gone or unreadable: never fresh
      }
      this.hashes.set(file, hash);
    }
    return this.hashes.get(file);
  }

  /** The files `file` imports, transitively; node_modules files are included but not followed. */
  private dependencyClosure(ts: typeof import('typescript'), file: string, options: import('typescript').CompilerOptions): string[] {
    const seen = new Set<string>([file]);
    const queue = [file];
    while (queue.length > 0) {
      const current = queue.pop()!;
      for (const dependency of this.directImports(ts, current, options)) {
        if (seen.has(dependency)) continue;
        seen.add(dependency);
        if (!/[\\/]node_modules[\\/]/.test(dependency)) queue.push(dependency);
      }
    }
    seen.delete(file);
    return [...seen].sort();
  }

  private directImports(ts: typeof import('typescript'), file: string, options: import('typescript').CompilerOptions): readonly string[] {
    const key = `${file}\n${JSON.stringify(options)}`;
    let found = this.imports.get(key);
    if (!found) {
      let text = '';
      try {
        text = fs.readFileSync(file, 'utf8');
      } catch {
        text = '';
      }
      const info = ts.preProcessFile(text, true, true);
      const resolved = info.importedFiles.map((imported) => ts.resolveModuleName(imported.fileName, file, options, ts.sys).resolvedModule?.resolvedFileName);
      const referenced = info.referencedFiles.map((reference) => path.resolve(path.dirname(file), reference.fileName).split(path.sep).join('/'));
      found = [...resolved, ...referenced].filter((name): name is string => name !== undefined && fs.existsSync(name));
      this.imports.set(key, found);
    }
    return found;
  }
}
