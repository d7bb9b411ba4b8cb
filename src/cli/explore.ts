// `wakerscope explore MODULE.ts --create FACTORY [--depth N] [--all] [--format text|json]`

import * as path from 'node:path';
import { DEFAULT_DEPTH, MAX_DEPTH, MAX_PLAIN_DEPTH, explore as exploreModule, isProblemOutcome, type ExploreProgress } from '../simulate/index';
import { EXIT_FINDINGS, EXIT_OK, UsageError, formatOption, parseArgs, type Command, type Io } from './command';
import { asUsageError } from './simulate';
import { wantsColour } from './ansi';
import { formatExplorationText } from './simulate-format';

const HELP = `Usage: wakerscope explore MODULE.ts --create FACTORY [options]

Run every sequence of clone / wake / wake_by_ref / drop on live wakers, from
one \`new\` (a waker from FACTORY), and show per outcome the shortest sequence
that reaches it, in scenario notation (new; clone 0; wake 0; drop 1).

Sequences that reach the same state (heap, live wakers, the module's
top-level state) are extended once, breadth first, which finds the same
shortest sequences as running them all. A module whose state the explorer
cannot read (a closure's locals, #private fields) runs every sequence, and
the output says why. On a terminal, progress goes to stderr.

Options:
  --create <name>      the exported factory returning a RawWaker or a Waker (required)
  --depth <n>          operations after \`new\`, 0–${MAX_DEPTH} (default: ${DEFAULT_DEPTH}); 0–${MAX_PLAIN_DEPTH} when
                       every sequence runs (--all, or state the explorer cannot read)
  --all                run and list every sequence with its outcome
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
  const all = parsed.flags.has('--all');
  if (!/^\d+$/.test(depthText) || depth > MAX_DEPTH) throw new UsageError(`--depth must be a whole number from 0 to ${MAX_DEPTH}, got '${depthText}'`);
  if (all && depth > MAX_PLAIN_DEPTH) {
    throw new UsageError(
      `--all lists every sequence, so --depth goes to ${MAX_PLAIN_DEPTH} with it: each level has about ten times as many (depth ${MAX_PLAIN_DEPTH + 1} would be over half a million); without --all, --depth goes to ${MAX_DEPTH}`,
    );
  }
  const modulePath = path.resolve(io.cwd, parsed.positionals[0]);
  const progress = io.stderr.isTTY ? progressLine(io.stderr) : undefined;
  const exploration = await asUsageError(() => exploreModule(modulePath, factory, { depth, all, ...(progress ? { onLevel: progress.show } : {}) })).finally(
    () => progress?.clear(),
  );
  io.stdout.write(
    format === 'json' ? JSON.stringify(exploration, null, 2) + '\n' : formatExplorationText(exploration, { cwd: io.cwd, colour: wantsColour(io) }),
  );
  const problem = exploration.outcomes.some((o) => isProblemOutcome(o.outcome));
  return problem ? EXIT_FINDINGS : EXIT_OK;
}

/** One line on a terminal, rewritten after each level and erased at the end. */
function progressLine(stderr: Io['stderr']): { show(progress: ExploreProgress): void; clear(): void } {
  let shown = false;
  return {
    show(progress) {
      stderr.write(`\r\x1b[2Kexploring: depth ${progress.length} of ${progress.depth}, ${progress.explored} sequences run, ${progress.states} distinct states`);
      shown = true;
    },
    clear() {
      if (shown) stderr.write('\r\x1b[2K');
    },
  };
}
