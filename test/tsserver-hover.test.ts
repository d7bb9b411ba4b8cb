// The hover text the tsserver plugin shows (src/analysis/hover.ts), on programs
// built in memory: vtable slots with every verdict, and where a waker method's
// vtable function can and cannot be known.

import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import * as ts from 'typescript';
import { SLOT_CONTRACTS, hoverAt } from '../src/analysis/hover';
import { FixtureProgram, REPO_ROOT } from './analysis/fixture-runner';

const ARC_EXAMPLE = join(REPO_ROOT, 'examples', 'arc-waker.ts');
const SCRATCH = join(REPO_ROOT, 'test', 'tsserver', 'hover-scratch.ts');

const HEADER = "import { Arc, Box, RawWaker, RawWakerVTable, Waker, drop, forget, type Ptr } from 'wakerscope/waker';\n";

describe('hover text (src/analysis/hover.ts)', () => {
  let fixtures: FixtureProgram;
  before(() => {
    fixtures = new FixtureProgram([ARC_EXAMPLE, SCRATCH]);
  });

  function hover(fileName: string, text: string | undefined, needle: string, within = 0): string | undefined {
    if (text !== undefined) fixtures.setText(fileName, text);
    const file = fixtures.sourceFile(fileName);
    const at = file.text.indexOf(needle);
    assert.ok(at >= 0, `'${needle}' not found`);
    return hoverAt(ts, fixtures.program, file, at + within)?.text;
  }

  it('every slot contract is two sentences', () => {
    for (const [slot, contract] of Object.entries(SLOT_CONTRACTS)) {
      assert.equal(contract.split(/(?<=\.) /).length, 2, `${slot}: ${contract}`);
    }
  });

  it('a correct Arc clone keeps the contract', () => {
    const text = hover(ARC_EXAMPLE, undefined, 'cloneArc(ptr');
    assert.match(text ?? '', /`clone` slot/);
    assert.match(text ?? '', /`cloneArc` takes 1 reference\./);
    assert.match(text ?? '', /✓ keeps the contract/);
  });

  it('a wakeByRef that releases is a use after free', () => {
    const source = `${HEADER}
function c(p: Ptr): RawWaker { Arc.incrementStrongCount(p); return new RawWaker(p, V); }
function w(p: Ptr): void { drop(Arc.fromRaw<number>(p)); }
function releasing(p: Ptr): void { drop(Arc.fromRaw<number>(p)); }
function d(p: Ptr): void { drop(Arc.fromRaw<number>(p)); }
export const V = new RawWakerVTable(c, w, releasing, d);
`;
    const text = hover(SCRATCH, source, 'releasing, d') ?? '';
    assert.match(text, /`wakeByRef` slot/);
    assert.match(text, /✗ use after free: `releasing` releases 1 reference.*\(vtable-wake-by-ref-releases\)/);
  });

  it('a slot whose effect cannot be computed gets no verdict', () => {
    const source = `${HEADER}
declare function mystery(p: Ptr): RawWaker;
function c(p: Ptr): RawWaker { return mystery(p); }
function w(p: Ptr): void { drop(Arc.fromRaw<number>(p)); }
function r(p: Ptr): void { forget(Arc.fromRaw<number>(p)); }
function d(p: Ptr): void { drop(Arc.fromRaw<number>(p)); }
export const V = new RawWakerVTable(c, w, r, d);
`;
    const text = hover(SCRATCH, source, 'c(p: Ptr)') ?? '';
    assert.match(text, /The effect of `c` on the reference could not be computed\./);
    assert.match(text, /\? no verdict/);
  });

  it('a clone of a fromRaw waker calls the vtable its clone slot returns', () => {
    const source = `${HEADER}
function c(p: Ptr): RawWaker { Arc.incrementStrongCount(p); return new RawWaker(p, OTHER); }
function w(p: Ptr): void { drop(Arc.fromRaw<number>(p)); }
function r(p: Ptr): void { forget(Arc.fromRaw<number>(p)); }
function d(p: Ptr): void { drop(Arc.fromRaw<number>(p)); }
function otherWake(p: Ptr): void { drop(Arc.fromRaw<number>(p)); }
export const V = new RawWakerVTable(c, w, r, d);
export const OTHER = new RawWakerVTable(c, otherWake, r, d);
export function main(): void {
  const first = Waker.fromRaw(new RawWaker(Arc.intoRaw(Arc.new(1)), V));
  const second = first.clone();
  second.wake();
  first.wake();
}
`;
    assert.match(hover(SCRATCH, source, 'second.wake', 'second.'.length) ?? '', /It calls `otherWake`, the `wake` of the vtable built at hover-scratch\.ts:9\./);
    assert.match(hover(SCRATCH, undefined, 'first.wake', 'first.'.length) ?? '', /It calls `w`, the `wake` of the vtable built at hover-scratch\.ts:8\./);
  });

  it('says so when the vtable is not known: a parameter, or a `let` that may be reassigned', () => {
    const source = `${HEADER}
export function consume(waker: Waker): void {
  waker.wakeByRef();
  let later = Waker.fromArc(Arc.new(1));
  later.drop();
}
`;
    const param = hover(SCRATCH, source, 'waker.wakeByRef', 'waker.'.length) ?? '';
    assert.match(param, /Borrows `waker`: it stays usable/);
    assert.match(param, /not known here: Wakerscope cannot tell where `waker` was built/);
    assert.match(hover(SCRATCH, undefined, 'later.drop', 'later.'.length) ?? '', /Consumes `later`[\s\S]*not known here/);
  });

  it('names the library vtable for Waker.fromArc', () => {
    const source = `${HEADER}
export function run(): void {
  const waker = Waker.fromArc(Arc.new(1));
  waker.wake();
}
`;
    assert.match(hover(SCRATCH, source, 'waker.wake', 'waker.'.length) ?? '', /the library's Arc waker vtable/);
  });

  it('has nothing to say about other identifiers, or a same-named method of another type', () => {
    const source = `${HEADER}
class Door { wake(): void {} }
export function run(door: Door, box: Box<number>): void {
  door.wake();
  box.drop();
}
`;
    assert.equal(hover(SCRATCH, source, 'door.wake', 'door.'.length), undefined);
    assert.equal(hover(SCRATCH, undefined, 'box.drop', 'box.'.length), undefined);
    assert.equal(hover(SCRATCH, undefined, 'class Door'), undefined);
  });
});
