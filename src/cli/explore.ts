// `wakerscope explore MODULE.ts --create FACTORY [--depth N] [--all] [--format text|json]`

import * as path from 'node:path';
import { DEFAULT_DEPTH, explore as exploreModule, isProblemOutcome } from '../simulate/index';
import { EXIT_FINDINGS, EXIT_OK, UsageError, formatOption, parseArgs, type Command, type Io } from './command';
import { asUsageError } from './simulate';
import { wantsColour } from './ansi';
import { formatExplorationText } from './simulate-format';

const MAX_DEPTH = 6;

const HELP = `Usage: wakerscope explore MODULE.ts --create FACTORY [options]

Run every sequence of clone / wake / wake_by_ref / drop on live wakers, from
one \`new\` (a waker from FACTORY), and show per outcome the shortest sequence
that reaches it, in scenario notation (new; clone 0; wake 0; drop 1).

Options:
  --create <name>      the exported factory returning a RawWaker or a Waker (required)
  --depth <n>          operations after \`new\`, 0–${MAX_DEPTH} (default: ${DEFAULT_DEPTH})
  --all                list every explored sequence with its outcome
  --format text|json   output format (default: text; JSON is described in the README)
  --help               show this help

Exit codes: 0 no violation or exception is reachable, 1 one is, 2 bad usage or input.
`;

export const explore: Command = {
  name: 'explore',
  summary: 'run every waker operation sequence up to a depth and report the shortest per outcome',
  help: HELP,
  run: runExplore,
};

async function runExplore(args: readonly string[], io: Io): Promise<number> {
  const parsed = parseArgs(args, { options: ['--create', '--depth', '--format'], flags: ['--all'] });
  const format = formatOption(parsed, ['text', 'json']);
  if (parsed.positionals.length !== 1) throw new UsageError('explore needs exactly one MODULE.ts (see wakerscope explore --help)');
  const factory = parsed.options.get('--create')?.at(-1);
  if (!factory) throw new UsageError('explore needs --create FACTORY, the exported function that makes the waker');
  const depthText = parsed.options.get('--depth')?.at(-1) ?? String(DEFAULT_DEPTH);
  const depth = Number(depthText);
  // Sequences grow about tenfold per level: depth 6 is 54 641 runs, 7 would be over half a million.
  if (!/^\d+$/.test(depthText) || depth > MAX_DEPTH) throw new UsageError(`--depth must be a whole number from 0 to ${MAX_DEPTH}, got '${depthText}'`);
  const modulePath = path.resolve(io.cwd, parsed.positionals[0]);
  const exploration = await asUsageError(() => exploreModule(modulePath, factory, { depth, all: parsed.flags.has('--all') }));
  io.stdout.write(
    format === 'json' ? JSON.stringify(exploration, null, 2) + '\n' : formatExplorationText(exploration, { cwd: io.cwd, colour: wantsColour(io) }),
  );
  const problem = exploration.outcomes.some((o) => isProblemOutcome(o.outcome));
  return problem ? EXIT_FINDINGS : EXIT_OK;
}
