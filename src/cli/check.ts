// `wakerscope check [paths…] [options]`: plan the projects and files, analyse
// them project by project, and print the reports.

import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as ts from 'typescript';
import { Library, analyzeFile, findTsconfig, isUserFile, mergeConfig, parseRuleFlag, programImportsLibrary, type AnalyzerConfig, type Finding, type Fix, type RuleId, type RuleLevel } from '../analysis/index';
import { DEFAULT_CACHE_FILE, ResultCache } from './cache';
import { fixText, unattendedFix, writeFileAtomic } from './fix';
import { EXIT_FINDINGS, EXIT_OK, UsageError, formatOption, parseArgs, type Command, type Io } from './command';
import { FORMATS, toGithub, toJson, toSarif, toText, type Format } from './format';
import { displayPath, planCheck, resolvePathArguments, sharedCompilerHost, toTsPath, type ProjectPlan } from './projects';
import { Locator, sortReports, type Report } from './report';
import { version } from '../../package.json';
import { wantsColour } from './ansi';

export const NO_LIBRARY = 'no file in this program imports wakerscope/waker';

/** Progress only pays off (and only makes sense) on a terminal with many files. */
const PROGRESS_THRESHOLD = 200;

const HELP = `Usage: wakerscope check [paths…] [options]

Find waker lifecycle bugs. Paths (files, directories or quoted globs such as
'src/**/*.ts'; default: the whole project) select which files are reported.
A tsconfig's references are checked too, like tsc -b: on a solution tsconfig
(files: [] plus references) every referenced project is checked.

Options:
  -p, --project <tsconfig>   the tsconfig.json (default: nearest above the first path, or the cwd)
  --format <format>          text, json, sarif or github (Actions annotations); default: text
  -o, --output-file <file>   write the report to a file instead of stdout
  --rule <id>=off|warn|error override a rule's level from the tsconfig (repeatable)
  --quiet                    report errors only (warnings are neither shown nor counted)
  --max-warnings <n>         exit 1 when there are more than n warnings
  --shard <i>/<n>            check only the i-th of n deterministic slices of the files
  --fix                      apply the safe quick fixes, then report what remains
  --fix-dry-run              the same, without writing the files
  --cache                    reuse the reports of files whose content, imports and configuration
                             are unchanged since the last --cache run
  --cache-location <path>    the cache file, or a directory for it (default: ./.wakerscopecache)
  --help                     show this help

Exit codes: 0 no error and no more warnings than --max-warnings, 1 otherwise,
2 bad usage or input (one line on stderr).
Colour: on a terminal; NO_COLOR turns it off, FORCE_COLOR (0 or 1) decides outright.
Rule levels are read from the tsconfig: "plugins": [{ "name": "wakerscope", "rules": { "lost-wakeup": "warn" } }]
`;

export const check: Command = {
  name: 'check',
  summary: 'analyse the project and report waker lifecycle bugs',
  help: HELP,
  run: runCheck,
};

/**
 * The project's own TypeScript, resolved from `start` as `tsc` would be (a peer
 * dependency, like typescript-eslint's), so the analysis sees the types the
 * project's compiler sees; else the one installed beside wakerscope.
 */
function loadTypeScript(start: string): typeof ts {
  for (const paths of [[start], undefined]) {
    try {
      return require(require.resolve('typescript', paths && { paths })) as typeof ts;
    } catch {
      // Not installed there: try the next place.
    }
  }
  throw new UsageError('typescript is not installed: wakerscope needs it as a peer dependency (npm install --save-dev typescript)');
}

interface CheckOptions {
  readonly format: Format;
  readonly overrides: Partial<Record<RuleId, RuleLevel>>;
  readonly quiet: boolean;
  readonly maxWarnings?: number;
  readonly outputFile?: string;
  readonly shard?: { readonly index: number; readonly count: number };
  readonly fix?: 'write' | 'dry-run';
  /** The cache file or directory, when --cache is on. */
  readonly cache?: string;
}

function checkOptions(args: readonly string[]): CheckOptions & { readonly positionals: string[]; readonly project?: string } {
  const parsed = parseArgs(args, {
    options: ['--project', '-p', '--format', '--rule', '--max-warnings', '--output-file', '-o', '--shard', '--cache-location'],
    flags: ['--quiet', '--fix', '--fix-dry-run', '--cache'],
  });
  const last = (...names: string[]) => names.flatMap((name) => parsed.options.get(name) ?? []).at(-1);
  const overrides: Partial<Record<RuleId, RuleLevel>> = {};
  for (const value of parsed.options.get('--rule') ?? []) {
    const [id, level] = parseRuleFlag(value);
    overrides[id] = level;
  }
  const maxWarnings = last('--max-warnings');
  if (maxWarnings !== undefined && !/^\d+$/.test(maxWarnings)) throw new UsageError(`--max-warnings must be a whole number, got '${maxWarnings}'`);
  const shardText = last('--shard');
  let shard: CheckOptions['shard'];
  if (shardText !== undefined) {
    const match = /^(\d+)\/(\d+)$/.exec(shardText);
    const [index, count] = match ? [Number(match[1]), Number(match[2])] : [0, 0];
    if (!match || count < 1 || index < 1 || index > count) throw new UsageError(`--shard must be i/n with 1 ≤ i ≤ n, got '${shardText}'`);
    shard = { index, count };
  }
  if (parsed.flags.has('--fix') && parsed.flags.has('--fix-dry-run')) throw new UsageError('--fix and --fix-dry-run exclude each other');
  const fix = parsed.flags.has('--fix') ? 'write' : parsed.flags.has('--fix-dry-run') ? 'dry-run' : undefined;
  const cacheLocation = last('--cache-location');
  if (cacheLocation !== undefined && !parsed.flags.has('--cache')) throw new UsageError('--cache-location needs --cache');
  return {
    positionals: parsed.positionals,
    ...(fix ? { fix } : {}),
    ...(parsed.flags.has('--cache') ? { cache: cacheLocation ?? DEFAULT_CACHE_FILE } : {}),
    project: last('--project', '-p'),
    format: formatOption(parsed, FORMATS),
    overrides,
    quiet: parsed.flags.has('--quiet'),
    ...(maxWarnings !== undefined ? { maxWarnings: Number(maxWarnings) } : {}),
    ...(last('--output-file', '-o') !== undefined ? { outputFile: last('--output-file', '-o') } : {}),
    ...(shard ? { shard } : {}),
  };
}

function runCheck(args: readonly string[], io: Io): number {
  const options = checkOptions(args);
  const pathArgs = resolvePathArguments(io.cwd, options.positionals);
  const ts = loadTypeScript(options.project !== undefined ? path.resolve(io.cwd, options.project) : (pathArgs[0]?.paths[0] ?? io.cwd));
  const configPath = options.project !== undefined ? resolveProject(io.cwd, options.project) : findNearestTsconfig(ts, pathArgs[0]?.paths[0] ?? io.cwd);
  const { plans, selected } = planCheck(ts, configPath, pathArgs, options.shard);
  if (pathArgs.length > 0 && selected === 0) {
    throw new UsageError(`no TypeScript files of ${displayPath(io.cwd, configPath)} under ${options.positionals.join(', ')}`);
  }

  const files = plans.reduce((sum, plan) => sum + plan.files.length, 0);
  const progress = io.stderr.isTTY === true && files >= PROGRESS_THRESHOLD;
  let done = 0;
  const checked = checkPlans(ts, plans, options, io.cwd, () => {
    done++;
    if (progress && (done % 25 === 0 || done === files)) io.stderr.write(`\rwakerscope: checked ${done}/${files} files`);
  });
  if (progress) io.stderr.write('\r\u001b[K');
  const all = checked.reports;
  const importsLibrary = checked.importsLibrary;
  for (const note of new Set(checked.notes)) io.stderr.write(`wakerscope: ${note}\n`);
  for (const [file, count] of checked.fixed) {
    const relative = displayPath(io.cwd, file);
    if (options.fix === 'write') writeFixed(file, checked.fixedTexts.get(file)!, relative);
    io.stderr.write(`wakerscope: ${options.fix === 'write' ? 'fixed' : 'would fix'} ${relative} (${count} ${count === 1 ? 'fix' : 'fixes'})\n`);
  }

  const reports = options.quiet ? all.filter((r) => r.severity === 'error') : all;
  const toFile = options.outputFile !== undefined;
  let output = render(reports, options.format, { cwd: io.cwd, colour: !toFile && wantsColour(io), files: checked.checked });
  // Nothing to find is not the same as nothing found: never say "no problems" then.
  if (!importsLibrary) {
    if (options.format === 'text' && reports.length === 0) output = `${NO_LIBRARY}\n`;
    else io.stderr.write(`wakerscope: ${NO_LIBRARY}\n`);
  }
  if (toFile) writeOutput(path.resolve(io.cwd, options.outputFile!), output, options.outputFile!);
  else io.stdout.write(output);

  const warnings = reports.filter((r) => r.severity === 'warning').length;
  if (options.maxWarnings !== undefined && warnings > options.maxWarnings) {
    io.stderr.write(`wakerscope: too many warnings (${warnings}, --max-warnings is ${options.maxWarnings})\n`);
    return EXIT_FINDINGS;
  }
  return reports.some((r) => r.severity === 'error') ? EXIT_FINDINGS : EXIT_OK;
}

/** Fix passes per project: each re-analyses, and fixes that conflicted with an earlier one get another chance. */
const MAX_FIX_PASSES = 10;

interface CheckResult {
  readonly reports: Report[];
  /** Per file (absolute), how many fixes were applied; the fixed texts are in `fixedTexts`. */
  readonly fixed: Map<string, number>;
  readonly fixedTexts: Map<string, string>;
  /** One line each: a fix not applied, and why. */
  readonly notes: string[];
  /** Files checked: the planned ones less the library's own sources. */
  checked: number;
  importsLibrary: boolean;
}

interface Analysis {
  readonly program: ts.Program;
  /** Planned files that turned out to be the library's own sources (known by their brand): not checked. */
  readonly librarySources: readonly string[];
  /** Per planned file, its parse error or its findings. */
  readonly byFile: Map<string, { readonly parseError?: Report; readonly findings: readonly Finding[] }>;
}

/** Analyse `files` of `program`: a file that does not parse gets one parse-error report instead of an analysis. */
function analyse(ts: typeof import('typescript'), program: ts.Program, files: readonly string[], config: AnalyzerConfig, locator: Locator): Analysis {
  const library = new Library(ts, program);
  const byFile: Analysis['byFile'] = new Map();
  const librarySources: string[] = [];
  for (const file of files) {
    const source = program.getSourceFile(file);
    if (!source) throw new UsageError(`cannot read ${displayPath(locator.cwd, file)} (${readError(file)})`);
    if (!isUserFile(program, source)) {
      librarySources.push(file);
      continue;
    }
    const syntax = program.getSyntacticDiagnostics(source).find((d) => d.start !== undefined);
    if (syntax) byFile.set(file, { parseError: locator.parseError(syntax as ts.Diagnostic & { file: ts.SourceFile; start: number }), findings: [] });
    else byFile.set(file, { findings: analyzeFile(ts, program, source, config, library) });
  }
  return { program, byFile, librarySources };
}

/**
 * Each project's program in turn (one at a time, so peak memory is about one
 * project's), its planned files reported: from the cache when fresh, else
 * analysed, and with --fix, fixed and re-analysed.
 */
function checkPlans(ts: typeof import('typescript'), plans: readonly ProjectPlan[], options: CheckOptions, cwd: string, onFile: () => void): CheckResult {
  const overlay = new Map<string, string>();
  const hostFor = sharedCompilerHost(ts, overlay);
  // A fix run rewrites what the cache would key on: it always analyses.
  const cache = options.cache !== undefined && !options.fix ? ResultCache.open(path.resolve(cwd, options.cache), version) : undefined;
  const result: CheckResult = { reports: [], fixed: new Map(), fixedTexts: overlay, notes: [], checked: 0, importsLibrary: false };
  for (const plan of plans) {
    const config = mergeConfig(plan.project.config, options.overrides);
    const { parsed } = plan.project;
    const projectKey = cache?.projectKey(plan.project, config, cwd) ?? '';
    const stale: string[] = [];
    for (const file of plan.files) {
      const cached = cache?.lookup(file, projectKey);
      if (cached) {
        result.reports.push(...cached.reports);
        result.importsLibrary ||= cached.importsLibrary;
        if (!cached.librarySource) result.checked++;
        onFile();
      } else stale.push(file);
    }
    if (stale.length === 0) continue;

    const known = new Set(parsed.fileNames.map((f) => f.toLowerCase()));
    const rootNames = [...parsed.fileNames, ...plan.extraRoots.filter((f) => !known.has(f.toLowerCase()))];
    let program: ts.Program | undefined;
    const build = (): ts.Program =>
      (program = ts.createProgram({ rootNames, options: parsed.options, projectReferences: parsed.projectReferences, host: hostFor(parsed.options), oldProgram: program }));
    let locator = new Locator(ts, build(), cwd);
    const importsLibrary = programImportsLibrary(program!);
    result.importsLibrary ||= importsLibrary;
    let analysis = analyse(ts, program!, stale, config, locator);
    stale.forEach(() => onFile());
    for (let pass = 0; options.fix && pass < MAX_FIX_PASSES; pass++) {
      if (!fixPass(ts, analysis, overlay, result, locator)) break;
      locator = new Locator(ts, build(), cwd);
      analysis = analyse(ts, program!, stale, config, locator);
    }
    for (const [file, { parseError, findings }] of analysis.byFile) {
      const reports = parseError ? [parseError] : findings.map((finding) => locator.report(finding));
      result.reports.push(...reports);
      result.checked++;
      cache?.store(ts, file, projectKey, parsed.options, { reports, importsLibrary, librarySource: false });
    }
    for (const file of analysis.librarySources) cache?.store(ts, file, projectKey, parsed.options, { reports: [], importsLibrary, librarySource: true });
  }
  cache?.save();
  sortReports(result.reports);
  return result;
}

/** One round of safe fixes over every analysed file; returns whether any file changed. */
function fixPass(ts: typeof import('typescript'), analysis: Analysis, overlay: Map<string, string>, result: CheckResult, locator: Locator): boolean {
  let changed = false;
  for (const [file, { findings }] of analysis.byFile) {
    const fixes = findings.map(unattendedFix).filter((fix): fix is Fix => fix !== undefined);
    if (fixes.length === 0) continue;
    const fixed = fixText(ts, file, analysis.program.getSourceFile(file)!.text, fixes);
    for (const { fix, error } of fixed.rejected) result.notes.push(`${displayPath(locator.cwd, file)}: fix '${fix.title}' not applied: it would leave a syntax error at ${error}`);
    if (fixed.applied.length === 0) continue;
    overlay.set(file, fixed.text);
    result.fixed.set(file, (result.fixed.get(file) ?? 0) + fixed.applied.length);
    changed = true;
  }
  return changed;
}

/** Why TypeScript could not read `file`: the error code Node gives. */
function readError(file: string): string {
  try {
    fs.readFileSync(file);
    return 'unreadable';
  } catch (error) {
    return (error as NodeJS.ErrnoException).code ?? 'unreadable';
  }
}

function render(reports: readonly Report[], format: Format, options: { cwd: string; colour: boolean; files: number }): string {
  switch (format) {
    case 'json':
      return JSON.stringify(toJson(reports), null, 2) + '\n';
    case 'sarif':
      return JSON.stringify(toSarif(reports, { cwd: options.cwd, version }), null, 2) + '\n';
    case 'github':
      return toGithub(reports);
    case 'text':
      return toText(reports, options);
  }
}

function writeFixed(file: string, text: string, relative: string): void {
  try {
    writeFileAtomic(file, text);
  } catch (error) {
    throw new UsageError(`--fix: cannot write ${relative} (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
}

function writeOutput(file: string, text: string, spelled: string): void {
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
  } catch (error) {
    throw new UsageError(`--output-file ${spelled}: cannot write (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
}

function resolveProject(cwd: string, value: string): string {
  const resolved = path.resolve(cwd, value);
  if (!fs.existsSync(resolved)) throw new UsageError(`--project ${value}: no such file or directory`);
  const file = fs.statSync(resolved).isDirectory() ? path.join(resolved, 'tsconfig.json') : resolved;
  if (!fs.existsSync(file)) throw new UsageError(`--project ${value}: no tsconfig.json in that directory`);
  return toTsPath(file);
}

function findNearestTsconfig(ts: typeof import('typescript'), start: string): string {
  const directory = fs.existsSync(start) && fs.statSync(start).isFile() ? path.dirname(start) : start;
  const found = findTsconfig(ts, toTsPath(directory));
  if (!found) throw new UsageError(`no tsconfig.json found in ${directory} or above it (pass --project)`);
  return found;
}
