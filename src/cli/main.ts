#!/usr/bin/env node
// `wakerscope <command>`: a dispatcher over subcommand modules. Adding a
// command is one module implementing `Command` and one line in COMMANDS.

import { check } from './check';
import { explore } from './explore';
import { simulate } from './simulate';
import { EXIT_USAGE, UsageError, type Command, type Io } from './command';
import { version } from '../../package.json';

const COMMANDS: readonly Command[] = [check, simulate, explore];

function usage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'Usage: wakerscope <command> [options]',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Options:',
    '  --help     show help (also: wakerscope <command> --help)',
    '  --version  print the version',
    '',
  ].join('\n');
}

export async function main(argv: readonly string[], io: Io): Promise<number> {
  const [name, ...rest] = argv;
  try {
    if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
      io.stdout.write(usage());
      return 0;
    }
    if (name === '--version' || name === '-v') {
      io.stdout.write(`${version}\n`);
      return 0;
    }
    const command = COMMANDS.find((c) => c.name === name);
    if (!command) throw new UsageError(`unknown command '${name}' (commands: ${COMMANDS.map((c) => c.name).join(', ')}; see wakerscope --help)`);
    if (rest.includes('--help') || rest.includes('-h')) {
      io.stdout.write(command.help);
      return 0;
    }
    return await command.run(rest, io);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const known = error instanceof UsageError || (error instanceof Error && error.name === 'ConfigError');
    // One line, always: the reason, not a stack.
    io.stderr.write(`wakerscope: error: ${known ? message : `internal error: ${message}`}`.split('\n')[0] + '\n');
    return EXIT_USAGE;
  }
}

if (require.main === module) {
  main(process.argv.slice(2), { cwd: process.cwd(), env: process.env, stdout: process.stdout, stderr: process.stderr }).then((code) => {
    process.exitCode = code;
  });
}
