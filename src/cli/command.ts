// What a subcommand is: a name, a help text and a `run` that returns an exit
// code. `main.ts` dispatches; each subcommand is one module.

import { parseArgs as nodeParseArgs } from 'node:util';

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
 * Node's `util.parseArgs` over a spec of spelled names (`--project`, `-p`,
 * `--all`): `--name value`, `--name=value`, boolean flags, and `--` ending
 * options. Its errors become one-line UsageErrors naming the option.
 */
export function parseArgs(args: readonly string[], spec: { readonly options: readonly string[]; readonly flags: readonly string[] }): ParsedArgs {
  const key = (name: string) => name.replace(/^--?/, '');
  const options: Record<string, { type: 'string' | 'boolean'; multiple: true }> = {};
  // A one-letter key is matched by `-x` (Node looks a short option up as a key when no option declares it).
  for (const name of spec.options) options[key(name)] = { type: 'string', multiple: true };
  for (const name of spec.flags) options[key(name)] = { type: 'boolean', multiple: true };
  let parsed: ReturnType<typeof nodeParseArgs>;
  try {
    parsed = nodeParseArgs({ args: [...args], options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(argumentErrorMessage(error));
  }
  const spelled = (k: string) => [...spec.options, ...spec.flags].find((name) => key(name) === k)!;
  const values = new Map<string, string[]>();
  const flags = new Set<string>();
  for (const [k, value] of Object.entries(parsed.values)) {
    if (spec.flags.includes(spelled(k))) flags.add(spelled(k));
    else values.set(spelled(k), value as string[]);
  }
  return { positionals: parsed.positionals, options: values, flags };
}

/** Node's multi-line, `--o <value>`-style messages as one line in the user's spelling. */
function argumentErrorMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: string }).code;
  const named = /'(-{1,2}[^' <]+)/.exec(message)?.[1] ?? '';
  const name = /^--.$/.test(named) ? named.slice(1) : named;
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return `unknown option '${name}'`;
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') return /does not take an argument/.test(message) ? `${name} takes no value` : `${name} needs a value`;
  if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') return `unexpected argument ${message.split("'")[1] ?? ''}`.trim();
  return message.split('\n')[0]!;
}

/** The last `--format` given, or the first of `formats` by default; anything else is a UsageError. */
export function formatOption<F extends string>(parsed: ParsedArgs, formats: readonly [F, ...F[]]): F {
  const format = parsed.options.get('--format')?.at(-1) ?? formats[0];
  if (!(formats as readonly string[]).includes(format)) {
    throw new UsageError(`unknown --format '${format}' (expected ${formats.slice(0, -1).join(', ')} or ${formats.at(-1)})`);
  }
  return format as F;
}
