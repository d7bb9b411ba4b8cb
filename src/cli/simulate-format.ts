// Plain-text renderings of simulation runs and explorations for the terminal.
// Paths print relative to `cwd`.

import { relative, sep } from 'node:path';
import { isProblemOutcome, type Exploration, type Location, type Outcome, type SimulationRun, type StepResult } from '../simulate/index';
import { ansi, type Ansi } from './ansi';

export interface TextOptions {
  readonly cwd: string;
  readonly colour: boolean;
}

function pathFrom(cwd: string, file: string): string {
  const rel = relative(cwd, file);
  return (rel.startsWith('..') ? file : rel).split(sep).join('/');
}

function where(cwd: string, location: Location | undefined): string {
  return location ? `${pathFrom(cwd, location.file)}:${location.line}:${location.column}` : '';
}

function outcomeText(outcome: Outcome, p: Ansi): string {
  return isProblemOutcome(outcome) ? p.red(p.bold(outcome)) : outcome === 'leak' ? p.yellow(outcome) : outcome === 'reachable' ? p.dim(outcome) : p.green(outcome);
}

function stepColumns(step: StepResult): [string, string, string, string, string] {
  const slots = step.slots.map((s) => `${s.slot} → ${s.function}`).join(', ');
  const handles = step.handles.map((h) => `#${h.id} ${h.state}`).join('  ');
  const cells = step.cells.map((c) => `${c.kind === 'box' ? 'Box' : 'Arc'} ${c.address} ${c.kind === 'arc' ? `count ${c.count} ` : ''}${c.state}`).join(', ');
  return [String(step.step), step.text, slots, handles, cells];
}

/** A numbered table of steps and states, violations under the step that raised them. */
export function formatRunText(run: SimulationRun, options: TextOptions): string {
  const p = ansi(options.colour);
  const header: [string, string, string, string, string] = ['step', 'operation', 'vtable slot', 'wakers after', 'heap after'];
  const rows = run.steps.map(stepColumns);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cols: readonly string[]) =>
    cols
      .map((col, i) => (i === 0 ? col.padStart(widths[i]) : col.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  const source = run.scenarioFile ? `${pathFrom(options.cwd, run.scenarioFile)} — ` : '';
  const out = [`${p.bold(`${source}${run.factory}`)} from ${pathFrom(options.cwd, run.module)}`, '', p.dim(line(header))];
  run.steps.forEach((step, index) => {
    out.push(line(rows[index]));
    const indent = ' '.repeat(widths[0] + 2);
    if (step.error) out.push(`${indent}${p.red(`✖ error: ${step.error}`)}`);
    for (const v of step.violations.map((i) => run.violations[i])) {
      out.push(`${indent}${p.red(`✖ ${v.kind}: ${v.summary}`)}`);
      const places = [v.earlier?.location && `${where(options.cwd, v.earlier.location)} (step ${v.earlier.step})`, v.at.location && `${where(options.cwd, v.at.location)} (step ${v.at.step})`];
      const located = places.filter(Boolean);
      if (located.length) out.push(`${indent}  ${p.dim(located.join(', '))}`);
    }
  });
  out.push('');
  const cell = (leak: SimulationRun['leaks'][number]) =>
    `${leak.kind === 'box' ? 'Box' : 'Arc'} ${leak.address} (count ${leak.count}) allocated at step ${leak.allocated.step}${leak.allocated.location ? `, ${where(options.cwd, leak.allocated.location)}` : ''}`;
  for (const leak of run.leaks) out.push(p.yellow(`leak: ${cell(leak)}`));
  for (const held of run.reachable ?? []) out.push(p.dim(`reachable: ${cell(held)}, still held by the module's state`));
  if (run.stopped) out.push(p.red(run.stopped));
  const expectation = run.expect
    ? run.expect === run.outcome
      ? ` ${p.green(`(as expected)`)}`
      : ` ${p.red(`(expected ${run.expect})`)}`
    : '';
  out.push(`outcome: ${outcomeText(run.outcome, p)}${expectation}`);
  return out.join('\n') + '\n';
}

/** Per outcome, the shortest sequence; with `all`, every sequence after. */
export function formatExplorationText(exploration: Exploration, options: TextOptions): string {
  const p = ansi(options.colour);
  const out = [
    p.bold(`${exploration.factory} from ${pathFrom(options.cwd, exploration.module)}`) +
      `: ${exploration.explored} sequences explored to depth ${exploration.depth}`,
    '',
  ];
  const width = Math.max('outcome'.length, ...exploration.outcomes.map((o) => o.outcome.length));
  out.push(p.dim(`${'outcome'.padEnd(width)}  steps  shortest sequence`));
  for (const o of exploration.outcomes) {
    out.push(`${outcomeText(o.outcome, p)}${' '.repeat(width - o.outcome.length)}  ${String(o.length).padStart(5)}  ${o.sequence}`);
    if (o.message && isProblemOutcome(o.outcome)) out.push(`${' '.repeat(width + 9)}${p.dim(o.message)}`);
  }
  if (exploration.all) {
    out.push('', p.dim('every sequence:'));
    const allWidth = Math.max(...exploration.all.map((s) => s.outcome.length));
    for (const s of exploration.all) out.push(`${outcomeText(s.outcome, p)}${' '.repeat(allWidth - s.outcome.length)}  ${s.sequence}`);
  }
  return out.join('\n') + '\n';
}
