// use-after-wake, use-after-drop, use-after-move: a tracked binding's value is
// read on a path where it was woken, dropped or moved. One checker for the
// three rules, as they are one question (which consumption came first); the
// rule is named by the decisive fact.

import type * as ts from 'typescript';
import type { RuleId } from '../../types';
import type { TrackedBinding } from '../discovery';
import type { FlowChecker, FlowEngine, OwnershipFact, OwnershipFactKind, WorkingState } from '../engine';
import { useAfterWakeFixes } from '../fixes';
import { sortFacts } from '../lattice';
import { conditionOf, describeCondition, LATER_ITERATION, SOME_PATHS } from '../paths';

const BAD: ReadonlySet<OwnershipFactKind> = new Set(['woken', 'dropped', 'moved']);

interface Misuse {
  readonly binding: TrackedBinding;
  /** The woken, dropped and moved facts at the use. */
  readonly bad: readonly OwnershipFact[];
  /** Every fact at the use was bad, in every copy of it that was reached. */
  readonly everyPath: boolean;
}

export class UseAfterChecker implements FlowChecker {
  /** Uses seen, in the reporting pass, on a path where the value was not consumed (a copy of a `finally` body). */
  private readonly cleanUses = new Set<ts.Node>();
  /** Misuses by use, over every copy of it; reported in `finish`. */
  private readonly misuses = new Map<ts.Node, Misuse>();

  constructor(private readonly engine: FlowEngine) {}

  /** A use of `binding` at `use`: reported when some path has woken, dropped or moved it. */
  onUse(binding: TrackedBinding, use: ts.Node, state: WorkingState): void {
    const engine = this.engine;
    const facts = state.bindings[binding.index];
    // One report per chain of misuses: later uses stay quiet (but a loop's own use is not "later").
    if (facts.length === 0 || facts.some((f) => f.kind === 'reported' && f.site !== use)) return;
    const bad = facts.filter((f) => BAD.has(f.kind));
    if (bad.length === 0) {
      if (engine.reporting) this.cleanUses.add(use);
      return;
    }
    state.bindings[binding.index] = sortFacts([...facts, engine.fact('reported', use)]);
    if (!engine.reporting) return;
    const everyPath = facts.every((f) => BAD.has(f.kind) || f.kind === 'reported');
    const seen = this.misuses.get(use);
    // Every copy must agree for an error; the first copy's facts name the cause.
    this.misuses.set(use, seen ? { ...seen, everyPath: seen.everyPath && everyPath } : { binding, bad, everyPath });
  }

  finish(): void {
    for (const [use, misuse] of this.misuses) this.report(use, misuse);
  }

  /**
   * A `finally` body is analysed once per way into it; a use there that one
   * copy sees consumed and another does not is a misuse on some paths only
   * (`try { f(); w.wake(); } finally { w.drop(); }`, when `f` throws).
   */
  private report(use: ts.Node, { binding, bad, everyPath: everyPathInEachCopy }: Misuse): void {
    const engine = this.engine;
    const everyPath = everyPathInEachCopy && !this.cleanUses.has(use);
    const rule: RuleId = bad.some((f) => f.kind === 'woken') ? 'use-after-wake' : bad.some((f) => f.kind === 'dropped') ? 'use-after-drop' : 'use-after-move';
    const decisive = bad.find((f) => (rule === 'use-after-wake' ? f.kind === 'woken' : rule === 'use-after-drop' ? f.kind === 'dropped' : true)) ?? bad[0];
    const what = rule === 'use-after-wake' ? 'woken' : rule === 'use-after-drop' ? 'dropped' : 'moved';
    const path = everyPath ? '' : ` ${this.pathOf(decisive.site, use)}`;
    const related = bad.map((f) =>
      engine.related(f.site, f.kind === 'moved' ? f.label ?? 'value moved here' : `\`${binding.name}\` ${f.kind === 'woken' ? 'woken' : 'dropped'} here`),
    );
    const secondDrop = rule === 'use-after-drop' && engine.effects.known(use)?.kind === 'consume';
    const help =
      rule === 'use-after-wake'
        ? 'use `wakeByRef()` if the waker is needed afterwards'
        : rule === 'use-after-drop'
          ? secondDrop
            ? 'remove the second drop: each owned value is released exactly once'
            : 'clone the value before dropping it if it is needed afterwards'
          : binding.kind === 'raw'
            ? 'a `RawWaker` becomes a `Waker` once; clone that waker instead'
            : 'clone the value before moving it if it is needed afterwards';
    engine.report({
      rule,
      severity: everyPath ? 'error' : 'warning',
      message: `use of \`${binding.name}\` after it was ${what}${path}`,
      span: engine.span(use),
      related,
      help,
      fixes: rule === 'use-after-wake' ? useAfterWakeFixes(engine.ts, engine.context.file, bad.filter((f) => f.kind === 'woken').map((f) => f.site)) : [],
    });
  }

  private pathOf(site: ts.Node, use: ts.Node): string {
    const ts = this.engine.ts;
    const condition = conditionOf(ts, site, use, this.engine.root);
    if (condition) return describeCondition(condition);
    if (use.pos <= site.pos && this.insideLoopWith(site, use)) return LATER_ITERATION;
    return SOME_PATHS;
  }

  private insideLoopWith(site: ts.Node, use: ts.Node): boolean {
    const ts = this.engine.ts;
    for (let node = site.parent; node && node !== this.engine.root; node = node.parent) {
      if ((ts.isWhileStatement(node) || ts.isDoStatement(node) || ts.isForStatement(node) || ts.isForOfStatement(node) || ts.isForInStatement(node)) && use.pos >= node.pos && use.end <= node.end) return true;
    }
    return false;
  }
}
