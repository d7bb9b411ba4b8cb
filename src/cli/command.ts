// What a subcommand is: a name, a help text and a `run` that returns an exit
// code. `main.ts` dispatches; each subcommand is one module.

export interface Io {
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  readonly stdout: NodeJS.WriteStream | { write(text: string): unknown; isTTY?: boolean };
  readonly stderr: NodeJS.WriteStream | { write(text: string): unknown; isTTY?: boolean };
}

export interface Command {
  readonly name: string;
  /** One line for `wakerscope --help`. */
  readonly summary: string;
  /** The full `wakerscope <name> --help` text. */
  readonly help: string;
  run(args: readonly string[], io: Io): number | Promise<number>;
}

/** Bad usage or input: exit code 2 with this one-line message. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export const EXIT_OK = 0;
export const EXIT_FINDINGS = 1;
export const EXIT_USAGE = 2;

export interface ParsedArgs {
  readonly positionals: string[];
  readonly options: Map<string, string[]>;
  readonly flags: Set<string>;
}

/**
 * A small argv parser: `--name value`, `--name=value`, boolean `--flag`, and
 * `--` ending options. Unknown options are a UsageError naming them.
 */
export function parseArgs(args: readonly string[], spec: { readonly options: readonly string[]; readonly flags: readonly string[] }): ParsedArgs {
  const positionals: string[] = [];
  const options = new Map<string, string[]>();
  const flags = new Set<string>();
  for (let index = 0; index < args.length; index++) {
    const arg = args[index]!;
    if (arg === '--') {
      positionals.push(...args.slice(index + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq >= 0 ? arg.slice(0, eq) : arg;
    if (spec.flags.includes(name)) {
      if (eq >= 0) throw new UsageError(`${name} takes no value`);
      flags.add(name);
      continue;
    }
    if (!spec.options.includes(name)) throw new UsageError(`unknown option '${name}'`);
    let value: string | undefined;
    if (eq >= 0) value = arg.slice(eq + 1);
    else {
      value = args[index + 1];
      if (value === undefined || value.startsWith('--')) throw new UsageError(`${name} needs a value`);
      index++;
    }
    options.set(name, [...(options.get(name) ?? []), value]);
  }
  return { positionals, options, flags };
}

/** The last `--format` given, or the first of `formats` by default; anything else is a UsageError. */
export function formatOption<F extends string>(parsed: ParsedArgs, formats: readonly [F, ...F[]]): F {
  const format = parsed.options.get('--format')?.at(-1) ?? formats[0];
  if (!(formats as readonly string[]).includes(format)) {
    throw new UsageError(`unknown --format '${format}' (expected ${formats.slice(0, -1).join(', ')} or ${formats.at(-1)})`);
  }
  return format as F;
}
