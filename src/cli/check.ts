// `wakerscope check [paths…] [--project tsconfig.json] [--format text|json|sarif] [--rule id=level]`

import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as ts from 'typescript';
import { analyzeProgram, findTsconfig, isUserFile, loadProject, mergeConfig, parseRuleFlag, type RuleId, type RuleLevel } from '../analysis/index';
import { EXIT_FINDINGS, EXIT_OK, UsageError, formatOption, parseArgs, type Command, type Io } from './command';
import { Locator, toJson, toSarif, toText } from './format';
import { version } from '../../package.json';
import { wantsColour } from './ansi';

/** Progress only pays off (and only makes sense) on a terminal with many files. */
const PROGRESS_THRESHOLD = 200;

const HELP = `Usage: wakerscope check [paths…] [options]

Find waker lifecycle bugs. Paths (files or directories, default: the whole
project) select which files of the TypeScript program are reported.

Options:
  --project <tsconfig>     the tsconfig.json (default: nearest above the first path, or the cwd)
  --format text|json|sarif output format (default: text)
  --rule <id>=off|warn|error
                           override a rule's level from the tsconfig (repeatable)
  --help                   show this help

Exit codes: 0 no error-level finding, 1 at least one, 2 bad usage or input.
Rule levels are read from the tsconfig: "plugins": [{ "name": "wakerscope", "rules": { "lost-wakeup": "warn" } }]
`;

export const check: Command = {
  name: 'check',
  summary: 'analyse the project and report waker lifecycle bugs',
  help: HELP,
  run: runCheck,
};

function loadTypeScript(): typeof ts {
  // The user's own TypeScript when installed next to the project, else ours.
  return require('typescript') as typeof ts;
}

function runCheck(args: readonly string[], io: Io): number {
  const parsed = parseArgs(args, { options: ['--project', '-p', '--format', '--rule'], flags: [] });
  const format = formatOption(parsed, ['text', 'json', 'sarif']);
  const overrides: Partial<Record<RuleId, RuleLevel>> = {};
  for (const value of parsed.options.get('--rule') ?? []) {
    const [id, level] = parseRuleFlag(value);
    overrides[id] = level;
  }

  const paths = parsed.positionals.map((p) => path.resolve(io.cwd, p));
  for (const [index, p] of paths.entries()) {
    if (!fs.existsSync(p)) throw new UsageError(`path not found: ${parsed.positionals[index]}`);
  }

  const ts = loadTypeScript();
  const projectFlag = parsed.options.get('--project')?.at(-1) ?? parsed.options.get('-p')?.at(-1);
  const configPath = projectFlag !== undefined ? resolveProject(io.cwd, projectFlag) : findNearestTsconfig(ts, paths[0] ?? io.cwd);
  const namedFiles = paths.filter((p) => fs.statSync(p).isFile()).map(toTsPath);
  const project = loadProject(ts, configPath, namedFiles);
  const config = mergeConfig(project.config, overrides);

  const selected = selectFiles(ts, project.program, paths);
  if (paths.length > 0 && selected.length === 0) {
    throw new UsageError(`no TypeScript files of ${path.relative(io.cwd, configPath) || configPath} under ${parsed.positionals.join(', ')}`);
  }

  const progress = io.stderr.isTTY === true && selected.length >= PROGRESS_THRESHOLD;
  const findings = analyzeProgram(ts, project.program, config, selected, (done, total) => {
    if (progress && (done % 25 === 0 || done === total)) io.stderr.write(`\rwakerscope: checked ${done}/${total} files`);
  });
  if (progress) io.stderr.write('\r\u001b[K');

  const locator = new Locator(project.program, io.cwd);
  if (format === 'json') io.stdout.write(JSON.stringify(toJson(findings, locator), null, 2) + '\n');
  else if (format === 'sarif') io.stdout.write(JSON.stringify(toSarif(findings, locator, version), null, 2) + '\n');
  else {
    const colour = wantsColour(io);
    io.stdout.write(toText(findings, locator, { colour, files: selected.length }));
  }
  return findings.some((f) => f.severity === 'error') ? EXIT_FINDINGS : EXIT_OK;
}

function toTsPath(p: string): string {
  return p.split(path.sep).join('/');
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

/** The user files of the program under `paths` (all of them when no path is given). */
function selectFiles(ts: typeof import('typescript'), program: ts.Program, paths: readonly string[]): string[] {
  const files = program.getSourceFiles().filter((f) => isUserFile(program, f)).map((f) => f.fileName);
  if (paths.length === 0) return files;
  const wanted = paths.map(toTsPath);
  const caseInsensitive = !ts.sys.useCaseSensitiveFileNames;
  const norm = (s: string) => (caseInsensitive ? s.toLowerCase() : s);
  return files.filter((file) => wanted.some((p) => norm(file) === norm(p) || norm(file).startsWith(norm(p.endsWith('/') ? p : p + '/'))));
}
