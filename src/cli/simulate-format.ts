// Plain-text renderings of simulation runs and explorations for the terminal.
// Paths print relative to `cwd`.

import { failureReason, formatLocation, isProblemOutcome, type Exploration, type Location, type Outcome, type SimulationRun, type StepResult } from '../simulate/index';
import { ansi, type Ansi } from './ansi';
import { displayPath } from './projects';

export interface TextOptions {
  readonly cwd: string;
  readonly colour: boolean;
}

function where(cwd: string, location: Location | undefined): string {
  return location ? formatLocation({ ...location, file: displayPath(cwd, location.file) }) : '';
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
  const source = run.scenarioFile ? `${displayPath(options.cwd, run.scenarioFile)} — ` : '';
  const out = [`${p.bold(`${source}${run.factory}`)} from ${displayPath(options.cwd, run.module)}`, '', p.dim(line(header))];
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
  if (run.stopped) out.push(p.red(`✖ ${run.stopped}`));
  out.push(`outcome: ${outcomeText(run.outcome, p)}${expectation}`);
  return out.join('\n') + '\n';
}

/** Per outcome, the shortest sequence; with `all`, every sequence after. */
export function formatExplorationText(exploration: Exploration, options: TextOptions): string {
  const p = ansi(options.colour);
  const out = [
    p.bold(`${exploration.factory} from ${displayPath(options.cwd, exploration.module)}`) +
      `: ${exploration.explored} sequences explored to depth ${exploration.depth}`,
  ];
  const reduction = exploration.reduction;
  if (reduction?.kind === 'states') out.push(p.dim(`each of ${reduction.states} distinct states extended once (the same shortest sequences as running every one)`));
  if (reduction?.kind === 'none' && exploration.all === undefined) out.push(`every sequence run: ${reduction.reason}`);
  out.push('');
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

/** One scenario file of a suite: its run, or why it could not run. */
export interface ScenarioResult {
  readonly file: string;
  /** Present when the scenario parsed and its module loaded. */
  readonly run?: SimulationRun;
  /** The outcome is the `expect` (or there is none). */
  readonly passed: boolean;
  /** Why it could not run: every parse error (`file:line:col: reason`), or the module's problem. */
  readonly problems?: readonly string[];
  readonly seconds: number;
}

/** Why a failed run failed, at the scenario line of the step that did it. */
function failureDetail(run: SimulationRun, cwd: string): string | undefined {
  const reason = failureReason(run);
  if (!reason) return undefined;
  return reason.line !== undefined && run.scenarioFile ? `${displayPath(cwd, run.scenarioFile)}:${reason.line}: ${reason.text}` : reason.text;
}

/** One line per scenario (with the reason under a failure), then `N passed, M failed`. */
export function formatSuiteText(results: readonly ScenarioResult[], options: TextOptions): string {
  const p = ansi(options.colour);
  const out: string[] = [];
  for (const result of results) {
    const name = displayPath(options.cwd, result.file);
    if (result.problems) {
      out.push(`${p.red('✖')} ${name}  ${p.red('cannot run')}`);
      for (const problem of result.problems) out.push(`    ${problem}`);
      continue;
    }
    const run = result.run!;
    const expectation = run.expect === undefined ? '' : result.passed ? p.dim(' (as expected)') : ` ${p.red(`(expected ${run.expect})`)}`;
    out.push(`${result.passed ? p.green('✔') : p.red('✖')} ${name}  ${outcomeText(run.outcome, p)}${expectation}`);
    const detail = result.passed ? undefined : failureDetail(run, options.cwd);
    if (detail) out.push(`    ${p.dim(detail)}`);
  }
  const passed = results.filter((result) => result.passed).length;
  out.push('', `${passed} passed, ${results.length - passed} failed`);
  return out.join('\n') + '\n';
}

/** XML 1.0 text: escaped, without the control characters it cannot hold. */
function xml(text: string): string {
  return text
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

/** A JUnit XML report, as CI systems read it: a failure per unmet `expect`, an error per scenario that could not run. */
export function formatSuiteJunit(results: readonly ScenarioResult[], options: Pick<TextOptions, 'cwd'>): string {
  const failures = results.filter((result) => !result.passed && !result.problems).length;
  const errors = results.filter((result) => result.problems).length;
  const seconds = (value: number) => value.toFixed(3);
  const total = seconds(results.reduce((sum, result) => sum + result.seconds, 0));
  const counts = `tests="${results.length}" failures="${failures}" errors="${errors}" time="${total}"`;
  const out = ['<?xml version="1.0" encoding="UTF-8"?>', `<testsuites name="wakerscope simulate" ${counts}>`, `  <testsuite name="wakerscope simulate" ${counts}>`];
  for (const result of results) {
    const name = displayPath(options.cwd, result.file);
    const folder = name.includes('/') ? name.slice(0, name.lastIndexOf('/')) : '.';
    out.push(`    <testcase name="${xml(name)}" classname="${xml(folder)}" file="${xml(name)}" time="${seconds(result.seconds)}">`);
    if (result.problems) {
      out.push(`      <error type="cannot-run" message="${xml(result.problems[0])}">${xml(result.problems.join('\n'))}</error>`);
    } else if (!result.passed) {
      const run = result.run!;
      const detail = failureDetail(run, options.cwd);
      out.push(
        `      <failure type="${xml(run.outcome)}" message="${xml(`outcome ${run.outcome}, expected ${run.expect}`)}">${xml([`sequence: ${run.sequence}`, ...(detail ? [detail] : [])].join('\n'))}</failure>`,
      );
    }
    out.push('    </testcase>');
  }
  out.push('  </testsuite>', '</testsuites>');
  return out.join('\n') + '\n';
}
