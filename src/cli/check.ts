// `wakerscope check [paths…] [options]`: plan the projects and files, analyse
// them project by project, and print the reports.

import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as ts from 'typescript';
import { analyzeProgram, findTsconfig, isUserFile, mergeConfig, parseRuleFlag, programImportsLibrary, type RuleId, type RuleLevel } from '../analysis/index';
import { EXIT_FINDINGS, EXIT_OK, UsageError, formatOption, parseArgs, type Command, type Io } from './command';
import { FORMATS, toGithub, toJson, toSarif, toText, type Format } from './format';
import { planCheck, resolvePathArguments, sharedCompilerHost, toTsPath, type ProjectPlan } from './projects';
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
}

function checkOptions(args: readonly string[]): CheckOptions & { readonly positionals: string[]; readonly project?: string } {
  const parsed = parseArgs(args, {
    options: ['--project', '-p', '--format', '--rule', '--max-warnings', '--output-file', '-o', '--shard'],
    flags: ['--quiet'],
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
  return {
    positionals: parsed.positionals,
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
    throw new UsageError(`no TypeScript files of ${path.relative(io.cwd, configPath) || configPath} under ${options.positionals.join(', ')}`);
  }

  const files = plans.reduce((sum, plan) => sum + plan.files.length, 0);
  const progress = io.stderr.isTTY === true && files >= PROGRESS_THRESHOLD;
  let done = 0;
  const { reports: all, checked, importsLibrary } = checkPlans(ts, plans, options, io.cwd, () => {
    done++;
    if (progress && (done % 25 === 0 || done === files)) io.stderr.write(`\rwakerscope: checked ${done}/${files} files`);
  });
  if (progress) io.stderr.write('\r\u001b[K');

  const reports = options.quiet ? all.filter((r) => r.severity === 'error') : all;
  const toFile = options.outputFile !== undefined;
  let output = render(reports, options.format, { cwd: io.cwd, colour: !toFile && wantsColour(io), files: checked });
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

/** Each project's program in turn (one at a time, so peak memory is one project's), its planned files reported. */
function checkPlans(ts: typeof import('typescript'), plans: readonly ProjectPlan[], options: CheckOptions, cwd: string, onFile: () => void): { reports: Report[]; checked: number; importsLibrary: boolean } {
  const hostFor = sharedCompilerHost(ts, new Map());
  const reports: Report[] = [];
  let importsLibrary = false;
  let checked = 0;
  for (const plan of plans) {
    const { parsed } = plan.project;
    const known = new Set(parsed.fileNames.map((f) => f.toLowerCase()));
    const rootNames = [...parsed.fileNames, ...plan.extraRoots.filter((f) => !known.has(f.toLowerCase()))];
    const program = ts.createProgram({ rootNames, options: parsed.options, projectReferences: parsed.projectReferences, host: hostFor(parsed.options) });
    importsLibrary ||= programImportsLibrary(program);
    const locator = new Locator(ts, program, cwd);
    const parsable: string[] = [];
    for (const file of plan.files) {
      const source = program.getSourceFile(file);
      // The library's own sources (this repository's src/waker) are known only now, by their brand.
      if (source && !isUserFile(program, source)) continue;
      checked++;
      const syntaxError = source && program.getSyntacticDiagnostics(source).find((d) => d.start !== undefined);
      if (syntaxError) {
        reports.push(locator.parseError(syntaxError as ts.Diagnostic & { file: ts.SourceFile; start: number }));
        onFile();
      } else parsable.push(file);
    }
    const config = mergeConfig(plan.project.config, options.overrides);
    reports.push(...analyzeProgram(ts, program, config, parsable, onFile).map((finding) => locator.report(finding)));
  }
  return { reports: sortReports(reports), checked, importsLibrary };
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
