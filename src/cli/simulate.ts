// `wakerscope simulate PATH... [--format text|json|junit] [--time-limit MS]`: a
// thin adapter over src/simulate. One scenario file: its run step by step.
// Several, a folder or a glob: a test suite, one line per scenario.

import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  DEFAULT_TIME_LIMIT_MS,
  ScenarioSyntaxError,
  SimulationError,
  formatParseError,
  parseScenario,
  scenarioPassed,
  simulateScenario,
  type SimulationRun,
} from '../simulate/index';
import { EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, UsageError, formatOption, parseArgs, type Command, type Io } from './command';
import { wantsColour } from './ansi';
import { formatRunText, formatSuiteJunit, formatSuiteText, type ScenarioResult } from './simulate-format';

// Required, not imported: see projects.ts.
const { globSync, isDynamicPattern } = require('tinyglobby') as typeof import('tinyglobby');

const HELP = `Usage: wakerscope simulate PATH... [options]

Run .wakersim scenarios against the real vtable code, in a sandbox (no file
system, network or process access; a time limit per run and 128 MB).

One scenario file: its run, step by step. Several files, folders (searched
for *.wakersim) or quoted globs ('examples/**/*.wakersim'): a test suite, one
line per scenario, then "N passed, M failed". A scenario passes when its
outcome is its \`expect\` (or it has none). A run stopped by the time limit
has the outcome \`timeout\`, which a scenario can expect.

Options:
  --format text|json|junit  output format (default: text; junit: a JUnit XML
                            report for CI; JSON is described in the README)
  --time-limit <ms>         per run (default: ${DEFAULT_TIME_LIMIT_MS})
  --help                    show this help

Exit codes: 0 every outcome matches its \`expect\`, 1 one differs, 2 bad usage
or input (each problem as file:line:col: reason; in a suite, after the report).
`;

export const simulate: Command = {
  name: 'simulate',
  summary: 'run .wakersim scenarios: one step by step, or many as a test suite',
  help: HELP,
  run: runSimulate,
};

/** Bad input and sandbox stops are usage errors: one line, exit 2. */
export async function asUsageError<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof ScenarioSyntaxError || error instanceof SimulationError) throw new UsageError(error.message);
    throw error;
  }
}

async function runSimulate(args: readonly string[], io: Io): Promise<number> {
  const parsed = parseArgs(args, { options: ['--format', '--time-limit'], flags: [] });
  const format = formatOption(parsed, ['text', 'json', 'junit']);
  if (parsed.positionals.length === 0) throw new UsageError('simulate needs a FILE.wakersim, a folder or a quoted glob (see wakerscope simulate --help)');
  const timeLimitText = parsed.options.get('--time-limit')?.at(-1) ?? String(DEFAULT_TIME_LIMIT_MS);
  if (!/^\d+$/.test(timeLimitText) || Number(timeLimitText) < 1) throw new UsageError(`--time-limit must be a whole number of milliseconds ≥ 1, got '${timeLimitText}'`);
  const timeLimitMs = Number(timeLimitText);
  const files = scenarioFiles(io.cwd, parsed.positionals);
  const single = parsed.positionals.length === 1 && files.length === 1 && files[0] === path.resolve(io.cwd, parsed.positionals[0]) && format !== 'junit';
  if (single) return runOne(files[0], format as 'text' | 'json', timeLimitMs, io);

  const results: ScenarioResult[] = [];
  for (const file of files) results.push(await runScenarioFile(file, timeLimitMs));
  const colour = wantsColour(io);
  if (format === 'junit') io.stdout.write(formatSuiteJunit(results, { cwd: io.cwd }));
  else if (format === 'json') io.stdout.write(JSON.stringify(suiteJson(results), null, 2) + '\n');
  else io.stdout.write(formatSuiteText(results, { cwd: io.cwd, colour }));
  if (results.some((result) => result.problems)) return EXIT_USAGE;
  return results.every((result) => result.passed) ? EXIT_OK : EXIT_FINDINGS;
}

/** One file, as before suites: the whole run, or every parse error on stderr (exit 2). */
async function runOne(file: string, format: 'text' | 'json', timeLimitMs: number, io: Io): Promise<number> {
  const result = await runScenarioFile(file, timeLimitMs);
  if (result.problems) {
    for (const problem of result.problems) io.stderr.write(`wakerscope: error: ${problem}\n`);
    return EXIT_USAGE;
  }
  const run = result.run!;
  io.stdout.write(format === 'json' ? JSON.stringify(run, null, 2) + '\n' : formatRunText(run, { cwd: io.cwd, colour: wantsColour(io) }));
  return result.passed ? EXIT_OK : EXIT_FINDINGS;
}

/** Read, parse and run one scenario; what went wrong becomes `problems`, one line each. */
async function runScenarioFile(file: string, timeLimitMs: number): Promise<ScenarioResult> {
  const started = process.hrtime.bigint();
  const elapsed = () => Number(process.hrtime.bigint() - started) / 1e9;
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    return { file, passed: false, problems: [`${file}: cannot read the scenario (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`], seconds: elapsed() };
  }
  const { scenario, errors } = parseScenario(text, file);
  if (errors.length > 0 || !scenario) return { file, passed: false, problems: errors.map((error) => formatParseError(file, error)), seconds: elapsed() };
  try {
    const run: SimulationRun = await simulateScenario(scenario, { timeLimitMs });
    return { file, run, passed: scenarioPassed(run), seconds: elapsed() };
  } catch (error) {
    if (error instanceof SimulationError) return { file, passed: false, problems: [error.message.split('\n')[0]], seconds: elapsed() };
    throw error;
  }
}

/** Files, folders (every *.wakersim below, outside node_modules and dot folders) and globs, each file once, in order. */
function scenarioFiles(cwd: string, texts: readonly string[]): string[] {
  const files = new Set<string>();
  for (const text of texts) {
    const absolute = path.resolve(cwd, text);
    if (fs.existsSync(absolute)) {
      const found = fs.statSync(absolute).isDirectory() ? scenariosUnder(absolute) : [absolute];
      if (found.length === 0) throw new UsageError(`no .wakersim files in ${text}`);
      for (const file of found) files.add(file);
      continue;
    }
    if (!isDynamicPattern(text)) {
      files.add(absolute); // reading it reports the problem, as for any scenario
      continue;
    }
    const matches = globSync(text, { cwd, absolute: true, onlyFiles: true, ignore: ['**/node_modules/**'] })
      .filter((file) => file.endsWith('.wakersim'))
      .map((file) => path.resolve(file))
      .sort();
    if (matches.length === 0) throw new UsageError(`no .wakersim files match '${text}'`);
    for (const file of matches) files.add(file);
  }
  return [...files];
}

function scenariosUnder(dir: string): string[] {
  const found: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory() && entry.name !== 'node_modules' && !entry.name.startsWith('.')) found.push(...scenariosUnder(full));
    else if (entry.isFile() && entry.name.endsWith('.wakersim')) found.push(full);
  }
  return found;
}

function suiteJson(results: readonly ScenarioResult[]) {
  return {
    passed: results.filter((result) => result.passed).length,
    failed: results.filter((result) => !result.passed).length,
    scenarios: results.map((result) => ({
      file: result.file,
      passed: result.passed,
      ...(result.run ? { outcome: result.run.outcome, ...(result.run.expect ? { expect: result.run.expect } : {}), run: result.run } : {}),
      ...(result.problems ? { problems: result.problems } : {}),
    })),
  };
}
