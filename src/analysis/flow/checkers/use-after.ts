// use-after-wake, use-after-drop, use-after-move: a tracked binding's value is
// read on a path where it was woken, dropped or moved. One checker for the
// three rules, as they are one question (which consumption came first); the
// rule is named by the decisive fact.

import type * as ts from 'typescript';
import { RULES, useAfterDrop, useAfterMove, useAfterWake } from '../../rules/index';
import type { RuleId } from '../../types';
import type { TrackedBinding } from '../discovery';
import type { FlowChecker, FlowEngine, OwnershipFact, OwnershipFactKind, WorkingState } from '../engine';
import { useAfterWakeFixes } from '../fixes';
import { sortFacts } from '../lattice';
import { conditionOf, describeCondition, LATER_ITERATION, pathSuffix, SOME_PATHS } from '../paths';
import { closingBrace } from '../positions';
import { packedMap } from '../../arrays';
import { kindTest } from '../../syntax';
import { sharedText, sharedTexts } from '../../texts';

const isLoop = kindTest((k) => [k.WhileStatement, k.DoStatement, k.ForStatement, k.ForOfStatement, k.ForInStatement]);

/** A consumption's label with what it went through: "`w` woken here (inside `finish`)". */
const withLabel = sharedTexts((consumed: string, label: string | undefined) => (label ? `${consumed} (${label})` : consumed));

const BAD: ReadonlySet<OwnershipFactKind> = new Set(['woken', 'dropped', 'moved']);

interface Misuse {
  readonly binding: TrackedBinding;
  /** The woken, dropped and moved facts at the use. */
  readonly bad: readonly OwnershipFact[];
  /** Every fact at the use was bad, in every copy of it that was reached. */
  readonly everyPath: boolean;
}

export class UseAfterChecker implements FlowChecker {
  // Made on first use: most units report nothing (speed).
  /** Uses seen, in the reporting pass, on a path where the value was not consumed (a copy of a `finally` body). */
  private cleanUses: Set<ts.Node> | undefined;
  /** `using` bindings whose value was moved before the end of their scope: where, and where the scope ended. */
  private movedUsings: Map<TrackedBinding, { readonly moves: OwnershipFact[]; readonly points: ts.Node[]; everyPath: boolean }> | undefined;
  /** Misuses by use, over every copy of it; reported in `finish`. */
  private misuses: Map<ts.Node, Misuse> | undefined;

  constructor(private readonly engine: FlowEngine) {}

  reset(): void {
    this.cleanUses = undefined;
    this.movedUsings = undefined;
    this.misuses = undefined;
  }

  /** A use of `binding` at `use`: reported when some path has woken, dropped or moved it. */
  onUse(binding: TrackedBinding, use: ts.Node, state: WorkingState): void {
    const engine = this.engine;
    const facts = state.bindings[binding.index];
    // One report per chain of misuses: later uses stay quiet (but a loop's own use is not "later").
    if (facts.length === 0 || facts.some((f) => f.kind === 'reported' && f.site !== use)) return;
    const bad = facts.filter((f) => BAD.has(f.kind));
    if (bad.length === 0) {
      if (engine.reporting) (this.cleanUses ??= new Set()).add(use);
      return;
    }
    state.bindings[binding.index] = sortFacts([...facts, engine.fact('reported', use)]);
    if (!engine.reporting) return;
    const everyPath = facts.every((f) => BAD.has(f.kind) || f.kind === 'reported');
    const seen = this.misuses?.get(use);
    // Every copy must agree for an error; the first copy's facts name the cause.
    (this.misuses ??= new Map()).set(use, seen ? { binding: seen.binding, bad: seen.bad, everyPath: seen.everyPath && everyPath } : { binding, bad, everyPath });
  }

  /**
   * A `using` binding leaving its scope is dropped there by `Symbol.dispose`,
   * which does not know about moves: if its value was moved (stored, passed as
   * owned, returned), that drop is a use after move.
   */
  onLeave(binding: TrackedBinding, at: ts.Node, state: WorkingState): void {
    const engine = this.engine;
    if (!binding.using || !engine.reporting) return;
    const facts = state.bindings[binding.index].filter((f) => f.kind !== 'reported');
    const moved = facts.filter((f) => f.kind === 'moved');
    if (moved.length === 0) return;
    const seen = this.movedUsings?.get(binding);
    const everyPath = facts.every((f) => f.kind === 'moved');
    if (seen) {
      seen.everyPath &&= everyPath;
      for (const fact of moved) if (!seen.moves.includes(fact)) seen.moves.push(fact);
      if (!seen.points.includes(at)) seen.points.push(at);
    } else {
      (this.movedUsings ??= new Map()).set(binding, { moves: [...moved], points: [at], everyPath });
    }
  }

  finish(): void {
    // Guarded, not `?? []`: an iterator over an empty array per unit is garbage too (finish runs for every unit with dataflow).
    if (this.movedUsings) for (const [binding, { moves, points, everyPath }] of this.movedUsings) this.reportMovedUsing(binding, moves, points, everyPath);
    if (this.misuses) for (const [use, misuse] of this.misuses) this.report(use, misuse);
  }

  private reportMovedUsing(binding: TrackedBinding, moves: readonly OwnershipFact[], points: readonly ts.Node[], everyPath: boolean): void {
    const engine = this.engine;
    const ts = engine.ts;
    const name = binding.name;
    const path = everyPath ? '' : pathSuffix(this.pathOf(moves[0].site, points[0]));
    engine.report({
      rule: 'use-after-move',
      severity: everyPath ? 'error' : 'warning',
      message: useAfterMove.messages.usingDropsMoved(name, path),
      span: engine.span(binding.declaration.name),
      related: [
        ...packedMap(moves, (f) => engine.related(f.site, f.label === undefined ? 'value moved here' : sharedText(f.label))),
        ...packedMap(points, (point) => engine.related(point.kind === ts.SyntaxKind.Block ? closingBrace(ts, point as ts.Block) : point, useAfterMove.messages.usingDropsHere(name))),
      ],
      help: useAfterMove.messages.usingHelp(name),
      fixes: [],
    });
  }

  /**
   * A `finally` body is analysed once per way into it; a use there that one
   * copy sees consumed and another does not is a misuse on some paths only
   * (`try { f(); w.wake(); } finally { w.drop(); }`, when `f` throws).
   */
  private report(use: ts.Node, { binding, bad, everyPath: everyPathInEachCopy }: Misuse): void {
    const engine = this.engine;
    const everyPath = everyPathInEachCopy && !this.cleanUses?.has(use);
    const rule: RuleId = bad.some((f) => f.kind === 'woken') ? 'use-after-wake' : bad.some((f) => f.kind === 'dropped') ? 'use-after-drop' : 'use-after-move';
    const decisive = bad.find((f) => (rule === 'use-after-wake' ? f.kind === 'woken' : rule === 'use-after-drop' ? f.kind === 'dropped' : true)) ?? bad[0];
    const path = everyPath ? '' : pathSuffix(this.pathOf(decisive.site, use));
    const related = packedMap(bad, (f) =>
      engine.related(
        f.site,
        f.kind === 'moved'
          ? f.label === undefined ? useAfterMove.messages.movedHere() : sharedText(f.label)
          : withLabel((f.kind === 'woken' ? useAfterWake : useAfterDrop).messages.consumedHere(binding.name), f.label),
      ));
    const effect = engine.effects.known(use);
    // Only a drop after a drop is a second drop; a `wake()` after one needs the value kept instead.
    const secondDrop = rule === 'use-after-drop' && effect?.kind === 'consume' && effect.how === 'dropped';
    const help =
      rule === 'use-after-wake'
        ? useAfterWake.messages.help()
        : rule === 'use-after-drop'
          ? secondDrop
            ? useAfterDrop.messages.secondDropHelp()
            : useAfterDrop.messages.help()
          : binding.kind === 'raw'
            ? useAfterMove.messages.rawWakerHelp()
            : useAfterMove.messages.help();
    engine.report({
      rule,
      severity: everyPath ? 'error' : 'warning',
      message: RULES[rule].messages.use(binding.name, path),
      span: engine.span(use),
      related,
      help,
      // Woken through what it shares (`first.wake()` when `second` reads the same field): the fix belongs to that other code.
      fixes: rule === 'use-after-wake' && !bad.some((f) => f.kind === 'woken' && f.label) ? useAfterWakeFixes(engine.ts, engine.context.file, packedMap(bad.filter((f) => f.kind === 'woken'), (f) => f.site)) : [],
    });
  }

  private pathOf(site: ts.Node, use: ts.Node): string {
    const ts = this.engine.ts;
    const condition = conditionOf(ts, this.engine.context.file, site, use, this.engine.root);
    if (condition) return describeCondition(condition);
    if (use.pos <= site.pos && this.insideLoopWith(site, use)) return LATER_ITERATION;
    return SOME_PATHS;
  }

  private insideLoopWith(site: ts.Node, use: ts.Node): boolean {
    const ts = this.engine.ts;
    for (let node = site.parent; node && node !== this.engine.root; node = node.parent) {
      if (isLoop(ts, node) && use.pos >= node.pos && use.end <= node.end) return true;
    }
    return false;
  }
}
