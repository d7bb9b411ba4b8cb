// The dataflow lattice: a may-set of facts per tracked place, joined by union.
//
// Facts are interned (one object per kind, label and site range), so sets are
// sorted arrays compared by identity, and a join that adds nothing returns its
// left operand unchanged (`solve` detects convergence by identity).

import type * as ts from 'typescript';

export interface Fact<Kind extends string = string> {
  readonly id: number;
  readonly kind: Kind;
  /** Where the value was created, or where the event happened. */
  readonly site: ts.Node;
  readonly label?: string;
}

/** A may-set of facts, sorted by id. */
export type Facts<Kind extends string = string> = readonly Fact<Kind>[];

/** Interns facts: the same kind, label and site range give the same object (`fact` runs for every operation of every pass). */
export class FactTable {
  /** Facts by their site's start. */
  private readonly factsAt = new Map<number, Fact[]>();
  private factCount = 0;

  fact<Kind extends string>(kind: Kind, site: ts.Node, label?: string): Fact<Kind> {
    const list = this.factsAt.get(site.pos);
    if (list) {
      for (let i = 0; i < list.length; i++) {
        const fact = list[i];
        if (fact.kind === kind && fact.site.end === site.end && fact.site.kind === site.kind && (fact.label ?? '') === (label ?? '')) return fact as Fact<Kind>;
      }
    }
    const fact: Fact<Kind> = label === undefined ? { id: this.factCount++, kind, site } : { id: this.factCount++, kind, site, label };
    // Most positions hold one fact: a list made with it is one element long, where a push onto `[]` makes room for 17.
    if (list) list.push(fact);
    else this.factsAt.set(site.pos, [fact]);
    return fact;
  }
}

/** Sorts by id and drops duplicates, in place: every caller hands it a list it has just made. */
export function sortFacts<Kind extends string>(facts: Fact<Kind>[]): Facts<Kind> {
  // By insertion: a list is a few facts long, where `Array.prototype.sort` copies it into a work array, and `filter` made another.
  for (let i = 1; i < facts.length; i++) {
    const fact = facts[i];
    let j = i - 1;
    for (; j >= 0 && facts[j].id > fact.id; j--) facts[j + 1] = facts[j];
    facts[j + 1] = fact;
  }
  let kept = Math.min(facts.length, 1);
  for (let i = 1; i < facts.length; i++) if (facts[i] !== facts[kept - 1]) facts[kept++] = facts[i];
  facts.length = kept;
  return facts;
}

/** The union of two sets; `a` itself when `b` adds nothing. */
export function joinFacts<Kind extends string>(a: Facts<Kind>, b: Facts<Kind>): Facts<Kind> {
  if (a === b || b.length === 0) return a;
  if (a.length === 0) return b;
  const merged: Fact<Kind>[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (j >= b.length || (i < a.length && a[i].id < b[j].id)) merged.push(a[i++]);
    else if (i >= a.length || b[j].id < a[i].id) merged.push(b[j++]);
    else {
      merged.push(a[i++]);
      j++;
    }
  }
  return merged.length === a.length ? a : merged;
}

export function sameFacts(a: Facts, b: Facts): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Facts per place (index = the place's number): joined place by place; `a` itself when `b` adds nothing. */
export function joinFactLists<Kind extends string>(a: readonly Facts<Kind>[], b: readonly Facts<Kind>[]): readonly Facts<Kind>[] {
  let result: Facts<Kind>[] | undefined;
  for (let i = 0; i < a.length; i++) {
    const joined = joinFacts(a[i], b[i]);
    if (joined !== a[i]) {
      result ??= a.slice();
      result[i] = joined;
    }
  }
  return result ?? a;
}

export function sameFactLists(a: readonly Facts[], b: readonly Facts[]): boolean {
  for (let i = 0; i < a.length; i++) if (!sameFacts(a[i], b[i])) return false;
  return true;
}
