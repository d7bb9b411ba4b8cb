// The vtable rules on fixtures with inline expectations (exact comparison), the
// seed's two vtables, and the per-slot summaries the editor's hover shows.

import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import * as ts from 'typescript';
import { SLOT_NAMES, analyzeFile, analyzeVtables, vtableAt, vtablesInFile, type FileContext } from '../../src/analysis/index';
import { vtableSites } from '../../src/analysis/vtable/index';
import { Runtime, withRuntime } from '../../src/waker/index';
import { FIXTURES_ROOT, FixtureProgram, REPO_ROOT, describeFinding, describeFixtures, fixtureFiles } from './fixture-runner';

const VTABLE_RULES = ['vtable-clone-no-retain', 'vtable-wake-no-release', 'vtable-wake-by-ref-releases', 'vtable-drop-no-release'];

describeFixtures({
  title: 'vtable rules: fixtures',
  folder: join(FIXTURES_ROOT, 'vtable'),
  analyze: analyzeVtables,
  coverage: { rules: VTABLE_RULES, failing: 8, passing: 8 },
});

describe('vtable rules: the seed examples', () => {
  const seedBox = join(REPO_ROOT, 'examples', 'seed-box-waker.ts');
  const arc = join(REPO_ROOT, 'examples', 'arc-waker.ts');
  let fixtures: FixtureProgram;
  before(() => {
    fixtures = new FixtureProgram([seedBox, arc]);
  });

  it("reports the seed's Box vtable: myClone takes 0 references while myDrop releases 1", () => {
    const findings = analyzeVtables(fixtures.context(seedBox));
    assert.deepEqual(
      findings.map((f) => [f.rule, f.severity, f.message]),
      [['vtable-clone-no-retain', 'error', '`myClone` takes 0 references, but `myDrop` releases 1: a clone and its original free the data twice']],
    );
    const file = fixtures.sourceFile(seedBox);
    const [finding] = findings;
    assert.equal(file.text.slice(finding!.span.start, finding!.span.end), 'myClone');
    const related = finding!.related.map((r) => `${file.text.slice(r.start, r.end)}: ${r.message}`);
    assert.deepEqual(related, ['myDrop: `myDrop` releases 1 reference', 'myWake: `myWake` releases 1 reference', 'RawWakerVTable: the vtable is built here']);
    assert.match(finding!.help ?? '', /^a `Box` has one owner/);
  });

  it("finds the seed's Arc vtable clean", () => {
    assert.deepEqual(analyzeVtables(fixtures.context(arc)), []);
  });

  it('summarises each slot for hover', () => {
    const [report] = vtablesInFile(fixtures.context(arc));
    assert.ok(report);
    const slots = Object.values(report.slots).map((s) => `${s.slot} ${s.name}: ${s.effect} (${s.verdict})`);
    assert.deepEqual(slots, [
      'clone cloneArc: takes 1 reference (ok)',
      'wake wakeArc: releases 1 reference (ok)',
      'wakeByRef wakeByRefArc: releases 0 references (ok)',
      'drop dropArc: releases 1 reference (ok)',
    ]);
  });

  it("names each slot's function as its slot report does, for the analysis that reads no report (every vtable fixture)", function () {
    this.timeout(120_000);
    const files = fixtureFiles(join(FIXTURES_ROOT, 'vtable'));
    const program = new FixtureProgram(files);
    let named = 0;
    for (const file of files) {
      for (const report of vtablesInFile(program.context(file))) {
        for (const slot of SLOT_NAMES) {
          assert.equal(report.declarations[slot], report.slots[slot].declaration, `${file}: ${slot}`);
          if (report.declarations[slot]) named++;
        }
      }
    }
    assert.ok(named > files.length, `${named} slot functions in ${files.length} fixtures`);
  });

  it('finds the vtable from a slot function declaration and from inside the constructor call', () => {
    const context = fixtures.context(seedBox);
    const file = context.file;
    const nodeAt = (text: string): ts.Node => {
      const position = file.text.indexOf(text);
      // Not found would mean the whole file, where "no vtable here" holds whatever the code under test does.
      assert.ok(position >= 0, `'${text}' not in ${seedBox}`);
      let node: ts.Node = file;
      for (;;) {
        const child = ts.forEachChild(node, (c) => (c.getStart() <= position && position < c.end ? c : undefined));
        if (!child) return node;
        node = child;
      }
    };
    const fromDeclaration = vtableAt(context, nodeAt('myClone(rawWaker'));
    assert.equal(fromDeclaration?.slots.clone.verdict, 'vtable-clone-no-retain');
    assert.equal(fromDeclaration?.slots.clone.effect, 'takes 0 references');
    assert.match(fromDeclaration?.slots.clone.problem ?? '', /free the data twice/);
    const fromCall = vtableAt(context, nodeAt('myWakeByRef, myDrop)'));
    assert.equal(fromCall?.slots.wakeByRef.verdict, 'ok');
    assert.equal(vtableAt(context, nodeAt('function main')), undefined);
  });
});

describe('vtable rules: robustness', () => {
  it('never throws on truncated and mangled vtable code (syntax errors included)', function () {
    this.timeout(120_000);
    const source = join(FIXTURES_ROOT, 'vtable', 'vtable-wake-no-release', 'fail-some-paths.ts');
    const fixtures = new FixtureProgram([source]);
    const text = fixtures.sourceFile(source).text;
    // Deterministic cuts and splices: every 7th offset truncated, and a brace or paren dropped.
    const variants: string[] = [];
    for (let cut = 0; cut < text.length; cut += Math.ceil(text.length / 40)) {
      variants.push(text.slice(0, cut));
      variants.push(text.slice(0, cut) + text.slice(cut + 1));
      variants.push(text.slice(0, cut) + ') => { forget(' + text.slice(cut));
    }
    let analysed = 0;
    for (const variant of variants) {
      fixtures.setText(source, variant);
      const findings = analyzeVtables(fixtures.context(source));
      for (const finding of findings) assert.ok(finding.span.start <= finding.span.end && finding.span.end <= variant.length);
      analysed++;
    }
    fixtures.setText(source, undefined);
    assert.equal(analysed, variants.length);
  });
});

describe('vtable rules: where the vtables are', () => {
  /** Every `new RawWakerVTable(…)` (or `new ns.RawWakerVTable(…)`) of the library, found by walking every node. */
  const walkedSites = (context: FileContext): ts.NewExpression[] => {
    const sites: ts.NewExpression[] = [];
    const visit = (node: ts.Node): void => {
      if (ts.isNewExpression(node)) {
        const callee = node.expression;
        const name = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.name.text : '';
        if (name === 'RawWakerVTable' && context.library.calleeOf(node) === 'RawWakerVTable') sites.push(node);
      }
      ts.forEachChild(node, visit);
    };
    ts.forEachChild(context.file, visit);
    return sites;
  };
  const positions = (sites: readonly ts.NewExpression[]): number[] => sites.map((site) => site.pos);

  it('finds, from the mentions of the name alone, the vtables a walk of every node finds, in source order', function () {
    this.timeout(120_000);
    const files = fixtureFiles(join(FIXTURES_ROOT, 'vtable'));
    const fixtures = new FixtureProgram(files);
    let found = 0;
    for (const file of files) {
      const context = fixtures.context(file);
      assert.deepEqual(positions(vtableSites(context)), positions(walkedSites(context)), file);
      found += walkedSites(context).length;
    }
    assert.ok(found >= files.length / 2, `${found} vtables in ${files.length} fixtures`);
    // Through a namespace, nested in an array, a class and a function; never in a comment, a string or an import.
    const source = files[0]!;
    fixtures.setText(
      source,
      [
        "import * as task from 'wakerscope/waker';",
        "import { RawWaker, RawWakerVTable, type Ptr } from 'wakerscope/waker';",
        'const noop = (_: Ptr): void => {};',
        'const clone = (data: Ptr): RawWaker => new RawWaker(data, A);',
        '// new RawWakerVTable(clone, noop, noop, noop)',
        "const text = 'new RawWakerVTable(clone, noop, noop, noop)';",
        'export const A: RawWakerVTable = new task.RawWakerVTable(clone, noop, noop, noop);',
        'export const B = [new RawWakerVTable(clone, noop, noop, noop), new RawWakerVTable(clone, noop, noop, noop)];',
        'export class Holder {',
        '  static readonly vtable = new RawWakerVTable(clone, noop, noop, noop);',
        '}',
        'export function make(): RawWakerVTable {',
        '  return new RawWakerVTable(clone, noop, noop, noop);',
        '}',
      ].join('\n'),
    );
    try {
      const context = fixtures.context(source);
      assert.equal(walkedSites(context).length, 5);
      assert.deepEqual(positions(vtableSites(context)), positions(walkedSites(context)));
    } finally {
      fixtures.setText(source, undefined);
    }
  });
});

describe('vtable rules: help that fits the allocation', () => {
  const folder = join(FIXTURES_ROOT, 'vtable');
  const seedBox = join(REPO_ROOT, 'examples', 'seed-box-waker.ts');
  const arcCopy = join(folder, 'vtable-clone-no-retain', 'fail-arc-pointer-copy.ts');
  const handCount = join(folder, 'vtable-clone-no-retain', 'fail-box-hand-count-no-increment.ts');
  const handKept = join(folder, 'vtable-drop-no-release', 'fail-box-hand-count-kept.ts');
  const boxDrop = join(folder, 'vtable-wake-by-ref-releases', 'fail-box.ts');
  let fixtures: FixtureProgram;
  before(() => {
    fixtures = new FixtureProgram([seedBox, arcCopy, handCount, handKept, boxDrop]);
  });
  const helpOf = (fileName: string, rule: string): string => {
    const finding = analyzeVtables(fixtures.context(fileName)).find((f) => f.rule === rule);
    assert.ok(finding, `${fileName}: no ${rule}`);
    return finding.help ?? '';
  };

  it('tells a Box clone to allocate a box of its own, never to count an Arc on a Box pointer', () => {
    const help = helpOf(seedBox, 'vtable-clone-no-retain');
    assert.match(help, /a `Box` has one owner/);
    assert.match(help, /Box\.intoRaw\(Box\.new\(copy\)\)/);
    assert.doesNotMatch(help, /Arc\.incrementStrongCount\(data\)/);
  });

  it('tells an Arc clone to take a count', () => {
    assert.match(helpOf(arcCopy, 'vtable-clone-no-retain'), /^take a new reference in `\w+` before returning the same data: `Arc\.incrementStrongCount\(data\)`/);
  });

  it('tells a hand-kept count to count up in clone', () => {
    assert.equal(
      helpOf(handCount, 'vtable-clone-no-retain'),
      '`dropShared` counts `refs` down before freeing at zero: count it up in `cloneShared` (`box.value.refs++`, then `forget(box)`) before returning the same data',
    );
  });

  it('tells a drop that keeps a hand-kept count to count it down', () => {
    assert.equal(
      helpOf(handKept, 'vtable-drop-no-release'),
      "release the waker's reference in `dropShared`: count `refs` down and free the box at zero, as `wake` does",
    );
  });

  it('names the Box in the release help of a Box vtable', () => {
    assert.match(helpOf(boxDrop, 'vtable-wake-by-ref-releases'), /`forget\(box\)` instead of `drop\(box\)`/);
  });
});

describe('one problem, one finding: a slot that keeps its handle', () => {
  // Every failing fixture of the two "releases too few" rules, analysed whole (flow rules included).
  // The slots some of them import from another file, too: there the vtable is not in sight, its finding is in the other file.
  const files = [
    ...['vtable-wake-no-release', 'vtable-drop-no-release'].flatMap((rule) => fixtureFiles(join(FIXTURES_ROOT, 'vtable', rule)).filter((name) => /[\\/]fail-[^\\/]*$/.test(name))),
    join(FIXTURES_ROOT, 'vtable', 'shared', 'slots.ts'),
  ];
  let fixtures: FixtureProgram;
  before(() => {
    fixtures = new FixtureProgram(files);
  });

  it('is the vtable rule\'s finding, never also a `clone-without-drop` at its `Arc.fromRaw`/`Box.fromRaw`, even with the slot in another file', () => {
    const doubled: string[] = [];
    let explained = 0;
    for (const fileName of files) {
      const file = fixtures.sourceFile(fileName);
      const findings = analyzeFile(ts, fixtures.program, file);
      for (const finding of findings) {
        const text = file.text.slice(finding.span.start, finding.span.end);
        if (finding.rule === 'clone-without-drop' && /^(Arc|Box)\.fromRaw\b/.test(text)) doubled.push(`${fileName}: ${describeFinding(file, finding)}`);
      }
      explained += vtablesInFile(fixtures.context(fileName)).flatMap((report) => report.explainedLeaks).length;
    }
    assert.deepEqual(doubled, []);
    // The fixtures do leave handles alive in slots: the check above had something to look at.
    assert.ok(explained >= 4, `only ${explained} handles explained`);
  });

  it('a handle `wakeByRef` keeps is the reference it borrows: no finding at all, and a run frees nothing twice and leaks nothing', () => {
    const fileName = join(FIXTURES_ROOT, 'vtable', 'vtable-wake-by-ref-releases', 'pass-keeps-handle.ts');
    const program = new FixtureProgram([fileName]);
    const file = program.sourceFile(fileName);
    assert.deepEqual(analyzeFile(ts, program.program, file).map((f) => describeFinding(file, f)), []);
    const runtime = new Runtime({ mode: 'record' });
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    withRuntime(runtime, () => (require(fileName) as { drive(): void }).drive());
    assert.deepEqual(runtime.violations.map((v) => v.message.split('\n')[0]), []);
    assert.deepEqual(runtime.leaks().map((leak) => `${leak.kind} ${leak.address}`), []);
  });

  it('a kept handle in a slot of a vtable built in another file is no finding where the slot is, and a leak again without that vtable', () => {
    const slots = join(FIXTURES_ROOT, 'vtable', 'shared', 'slots.ts');
    const leaksAt = (program: ts.Program): string[] => {
      const file = program.getSourceFile(slots)!;
      return analyzeFile(ts, program, file).filter((f) => f.rule === 'clone-without-drop').map((f) => file.text.slice(f.span.start, f.span.end));
    };
    assert.deepEqual(leaksAt(fixtures.program), []);
    // The slots file alone: no vtable uses `arcWakeKeeps` as its `wake`, so its kept handle is the flow rule's leak.
    assert.deepEqual(leaksAt(new FixtureProgram([slots]).program), ['Arc.fromRaw<Task>(data)']);
  });
});
