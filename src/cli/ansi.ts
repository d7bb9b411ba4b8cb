// Terminal colour for every command, decided as Node's own tty.getColorDepth
// does: FORCE_COLOR wins (`0`/`false` off, anything else on), then a
// non-empty NO_COLOR turns it off, else colour when stdout is a terminal.

import type { Io } from './command';

export interface Ansi {
  readonly red: (s: string) => string;
  readonly green: (s: string) => string;
  readonly yellow: (s: string) => string;
  readonly cyan: (s: string) => string;
  readonly dim: (s: string) => string;
  readonly bold: (s: string) => string;
}

export function wantsColour(io: Pick<Io, 'stdout' | 'env'>): boolean {
  const force = io.env.FORCE_COLOR;
  if (force !== undefined) return force !== '0' && force.toLowerCase() !== 'false';
  return io.stdout.isTTY === true && !io.env.NO_COLOR;
}

export function ansi(enabled: boolean): Ansi {
  const wrap = (open: number, close: number) => (s: string) => (enabled ? `\u001b[${open}m${s}\u001b[${close}m` : s);
  return { red: wrap(31, 39), green: wrap(32, 39), yellow: wrap(33, 39), cyan: wrap(36, 39), dim: wrap(2, 22), bold: wrap(1, 22) };
}
