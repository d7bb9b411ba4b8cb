// `check --cache` against the built CLI: a cached run reports exactly what an
// uncached one does, reuses a fresh file's reports, and re-analyses a file
// when it, a file it imports, or the configuration changes.

import { strict as assert } from 'node:assert';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundleCli } from './cli-bundle';
import { CLI_DIR, project, run } from './cli-harness';

const RETAIN = `import { Arc, type Ptr } from 'wakerscope/waker';

export function retain(data: Ptr): void {
  Arc.incrementStrongCount(data);
}
`;
// The vtable's clone takes its reference through retain(), in another file.
const VTABLE = `import { Arc, RawWaker, RawWakerVTable, drop, type Ptr } from 'wakerscope/waker';
import { retain } from './retain';

function cloneArc(data: Ptr): RawWaker {
  retain(data);
  return new RawWaker(data, VTABLE);
}

export const VTABLE: RawWakerVTable = new RawWakerVTable(cloneArc, (d) => drop(Arc.fromRaw(d)), () => {}, (d) => Arc.decrementStrongCount(d));
`;

interface CacheData {
  entries: Record<string, { reports: Array<{ message: string }> }>;
}

describe('wakerscope check --cache (built CLI)', function () {
  this.timeout(120_000);
  let root: string;
  before(() => {
    bundleCli(CLI_DIR);
    root = project({ 'src/retain.ts': RETAIN, 'src/vtable.ts': VTABLE, 'src/other.ts': 'export const answer = 42;\n' });
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  const json = (args: string[]) => {
    const result = run(['check', '--format', 'json', ...args], root);
    assert.ok(result.status === 0 || result.status === 1, result.stderr);
    return result.stdout;
  };
  const cacheFile = () => join(root, '.wakerscopecache');
  /** Replaces the cached reports of `file` with one marked report, so a run that reuses them shows it. */
  const poison = (file: string) => {
    const data = JSON.parse(readFileSync(cacheFile(), 'utf8')) as CacheData;
    const entry = Object.entries(data.entries).find(([name]) => name.endsWith(file));
    assert.ok(entry, `${file} is cached`);
    entry[1].reports = [{ rule: 'lost-wakeup', severity: 'warning', message: 'from the cache', at: { file, line: 1, column: 1, endLine: 1, endColumn: 1 }, related: [], within: '<top level>' } as never];
    writeFileSync(cacheFile(), JSON.stringify(data));
  };

  it('a cached run equals an uncached one, and reuses unchanged files', () => {
    const uncached = json([]);
    assert.equal(json(['--cache']), uncached, 'cold');
    assert.ok(existsSync(cacheFile()));
    assert.equal(json(['--cache']), uncached, 'warm');
    writeFileSync(join(root, 'src', 'vtable.ts'), VTABLE + '\n');
    json(['--cache']);
    // A fresh file's reports come from the cache: marked ones show up.
    poison('src/other.ts');
    assert.match(json(['--cache']), /from the cache/);
    assert.doesNotMatch(json([]), /from the cache/);
  });

  it('editing an imported file re-analyses its importers; a cached run still equals an uncached one', () => {
    rmSync(cacheFile());
    json(['--cache']);
    poison('src/vtable.ts');
    // retain() no longer takes a reference: the vtable in the other file now clones without retaining.
    writeFileSync(join(root, 'src', 'retain.ts'), RETAIN.replace('  Arc.incrementStrongCount(data);', '  void data;'));
    const uncached = json([]);
    assert.match(uncached, /vtable-clone-no-retain/);
    assert.equal(json(['--cache']), uncached);
    writeFileSync(join(root, 'src', 'retain.ts'), RETAIN);
    assert.equal(json(['--cache']), json([]));
  });

  it('a configuration change (a --rule level) re-analyses; --cache-location moves the cache; a corrupt cache starts over', () => {
    rmSync(cacheFile());
    writeFileSync(join(root, 'src', 'retain.ts'), RETAIN.replace('  Arc.incrementStrongCount(data);', '  void data;'));
    json(['--cache']);
    poison('src/vtable.ts');
    const warned = json(['--cache', '--rule', 'vtable-clone-no-retain=warn']);
    assert.equal(warned, json(['--rule', 'vtable-clone-no-retain=warn']));
    assert.match(warned, /"severity": "warning"/);
    const elsewhere = join(root, 'cache-dir');
    assert.equal(json(['--cache', '--cache-location', 'cache-dir/results.json']), json([]));
    assert.ok(existsSync(join(elsewhere, 'results.json')));
    writeFileSync(cacheFile(), '{ not json');
    assert.equal(json(['--cache']), json([]));
    const bad = run(['check', '--cache-location', 'x'], root);
    assert.equal(bad.status, 2);
    assert.equal(bad.stderr, 'wakerscope: error: --cache-location needs --cache\n');
  });
});
