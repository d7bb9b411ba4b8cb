// `wakerscope simulate FILE.wakersim [--format text|json]`: a thin adapter over src/simulate.

import * as path from 'node:path';
import { ScenarioSyntaxError, SimulationError, loadScenario, simulateScenario, type SimulationRun } from '../simulate/index';
import { EXIT_FINDINGS, EXIT_OK, UsageError, formatOption, parseArgs, type Command, type Io } from './command';
import { wantsColour } from './ansi';
import { formatRunText } from './simulate-format';

const HELP = `Usage: wakerscope simulate FILE.wakersim [options]

Run a scenario against the real vtable code, step by step, in a sandbox
(no file system, network or process access; 2 s and 128 MB limits).

Options:
  --format text|json   output format (default: text; JSON is described in the README)
  --help               show this help

Exit codes: 0 the outcome matches \`expect\` (or there is no \`expect\`),
1 it differs, 2 bad usage or input (file:line:col: reason).
`;

export const simulate: Command = {
  name: 'simulate',
  summary: 'run a .wakersim scenario step by step and show every waker and heap cell',
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
  const parsed = parseArgs(args, { options: ['--format'], flags: [] });
  const format = formatOption(parsed, ['text', 'json']);
  if (parsed.positionals.length !== 1) throw new UsageError('simulate needs exactly one FILE.wakersim (see wakerscope simulate --help)');
  const file = path.resolve(io.cwd, parsed.positionals[0]);
  const run: SimulationRun = await asUsageError(() => simulateScenario(loadScenario(file)));
  io.stdout.write(format === 'json' ? JSON.stringify(run, null, 2) + '\n' : formatRunText(run, { cwd: io.cwd, colour: wantsColour(io) }));
  return run.expect === undefined || run.expect === run.outcome ? EXIT_OK : EXIT_FINDINGS;
}
