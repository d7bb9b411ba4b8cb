// The tsserver plugin inside the real tsserver: built with `npm run build`,
// found the way VS Code finds it (`--globalPlugins wakerscope
// --pluginProbeLocations <folder with node_modules/wakerscope>`, here the
// repository), driven over its stdio protocol on throwaway projects.

import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type * as ts from 'typescript';
import { CONFIG_ERROR_CODE, RULES } from '../src/analysis/index';
import { REPO_ROOT, TsServer, applyCodeEdits, locationOf, makeProject } from './tsserver/client';

const PLUGIN_BUNDLE = path.join(REPO_ROOT, 'dist', 'tsserver', 'index.js');
const PLUGIN_PACKAGE = path.join(REPO_ROOT, 'node_modules', 'wakerscope', 'index.js');
const SEED = fs.readFileSync(path.join(REPO_ROOT, 'examples', 'seed-box-waker.ts'), 'utf8');
const CLONE_NO_RETAIN = RULES['vtable-clone-no-retain'].code;

/** Fails with the fix when the bundle is missing or older than a file it bundles (its source map lists them). */
function assertPluginBuilt(): void {
  if (!fs.existsSync(PLUGIN_BUNDLE) || !fs.existsSync(PLUGIN_PACKAGE)) throw new Error('the tsserver plugin is not built: run `npm run build`');
  const built = fs.statSync(PLUGIN_BUNDLE).mtimeMs;
  const { sources } = JSON.parse(fs.readFileSync(`${PLUGIN_BUNDLE}.map`, 'utf8')) as { sources: string[] };
  const bundled = sources.map((source) => path.resolve(path.dirname(PLUGIN_BUNDLE), source));
  const newer = bundled.find((file) => !fs.existsSync(file) || fs.statSync(file).mtimeMs > built);
  if (newer) throw new Error(`dist/tsserver/index.js is older than ${path.relative(REPO_ROOT, newer)}: run \`npm run build\``);
}

function startServer(env?: Record<string, string>): TsServer {
  return TsServer.start({ globalPlugins: ['wakerscope'], pluginProbeLocations: [REPO_ROOT], env });
}

function diagnostics(server: TsServer, file: string): Promise<ts.server.protocol.Diagnostic[]> {
  return server.request<ts.server.protocol.Diagnostic[]>('semanticDiagnosticsSync', { file });
}

function ours(list: readonly ts.server.protocol.Diagnostic[]): ts.server.protocol.Diagnostic[] {
  return list.filter((d) => d.source === 'wakerscope');
}

/**
 * Our diagnostics about the seed's vtable (and a configuration error): the
 * seed's `main` may also draw flow findings, which other tests cover.
 */
function seedBug(list: readonly ts.server.protocol.Diagnostic[]): ts.server.protocol.Diagnostic[] {
  return ours(list).filter((d) => d.code === CLONE_NO_RETAIN || d.code === CONFIG_ERROR_CODE);
}

function quickInfo(server: TsServer, file: string, text: string, offset: number): Promise<ts.server.protocol.QuickInfoResponseBody | undefined> {
  return server.request<ts.server.protocol.QuickInfoResponseBody | undefined>('quickinfo', { file, ...locationOf(text, offset) });
}

/** The offset of the `index`-th occurrence (0-based) of `needle`. */
function offsetOfText(text: string, needle: string, index = 0): number {
  let at = -1;
  for (let i = 0; i <= index; i++) {
    at = text.indexOf(needle, at + 1);
    if (at < 0) throw new Error(`'${needle}' occurs fewer than ${index + 1} times`);
  }
  return at;
}

/** A cloned waker that is never dropped: `clone-without-drop`, with two quick fixes. */
const LEAKY_CLONE = `import { Waker } from 'wakerscope/waker';

export function notify(waker: Waker): void {
  const copy = waker.clone();
  copy.wakeByRef();
  waker.wake();
}
`;
const CLONE_WITHOUT_DROP = RULES['clone-without-drop'].code;

/** A file with one of TypeScript's own errors (2322) next to the seed's vtable bug. */
const SEED_WITH_TS_ERROR = `${SEED}\nexport const notANumber: number = 'text';\n`;

describe('tsserver plugin: in the real tsserver', function () {
  this.timeout(60_000);
  let server: TsServer;
  let dir: string;
  let seedFile: string;
  let notifyFile: string;

  before(async () => {
    assertPluginBuilt();
    dir = makeProject({ 'seed.ts': SEED_WITH_TS_ERROR, 'notify.ts': LEAKY_CLONE });
    seedFile = path.join(dir, 'seed.ts');
    notifyFile = path.join(dir, 'notify.ts');
    server = startServer();
    await server.open(seedFile);
    await server.open(notifyFile);
  });

  after(async () => {
    await server?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('loads the plugin from the probe location, by the tsconfig entry', () => {
    const log = server.log();
    assert.ok(/Loading wakerscope from .*\(resolved to .*node_modules\)/.test(log), `no plugin load in ${server.logFile}`);
    assert.ok(/Plugin validation succeeded/.test(log), `plugin not validated, see ${server.logFile}`);
    assert.ok(!/Failed to load module 'wakerscope'/.test(log), `plugin failed to load, see ${server.logFile}`);
  });

  it("reports the seed's clone bug on myClone, after TypeScript's own diagnostics", async () => {
    const list = await diagnostics(server, seedFile);
    const own = list.filter((d) => d.source !== 'wakerscope');
    assert.deepEqual(own.map((d) => d.code), [2322], 'TypeScript still reports its own error');
    const [finding, ...rest] = seedBug(list);
    assert.equal(rest.length, 0, JSON.stringify(rest));
    assert.equal(finding!.code, CLONE_NO_RETAIN);
    assert.equal(finding!.category, 'error');
    const start = offsetOfText(SEED_WITH_TS_ERROR, 'myClone(rawWaker');
    assert.deepEqual([finding!.start, finding!.end], [locationOf(SEED_WITH_TS_ERROR, start), locationOf(SEED_WITH_TS_ERROR, start + 'myClone'.length)]);
    const [first, second] = finding!.text.split('\n');
    assert.equal(first, '`myClone` takes 0 references, but `myDrop` releases 1: a clone and its original free the data twice (vtable-clone-no-retain)');
    assert.match(second ?? '', /^help: a `Box` has one owner, so `myClone` cannot hand out the same box/);
  });

  it('relates the notes to their spans: the releasing slots and the vtable', async () => {
    const [finding] = seedBug(await diagnostics(server, seedFile));
    const related = (finding!.relatedInformation ?? []).map((r) => {
      const start = r.span!;
      const lineText = SEED_WITH_TS_ERROR.split('\n')[start.start.line - 1]!;
      return `${lineText.slice(start.start.offset - 1, start.end.offset - 1)}: ${r.message}`;
    });
    assert.deepEqual(related, ['myDrop: `myDrop` releases 1 reference', 'myWake: `myWake` releases 1 reference', 'RawWakerVTable: the vtable is built here']);
    assert.ok(finding!.relatedInformation!.every((r) => r.span!.file === seedFile));
  });

  it('shows the clone contract, the effect and the verdict when hovering myClone, keeping TypeScript\'s signature', async () => {
    const info = await quickInfo(server, seedFile, SEED_WITH_TS_ERROR, offsetOfText(SEED_WITH_TS_ERROR, 'myClone(rawWaker') + 2);
    assert.match(info!.displayString, /function myClone\(rawWaker: Ptr\): RawWaker/);
    const doc = String(info!.documentation);
    assert.match(doc, /Called when a Waker is cloned\. Must return a RawWaker that holds its own reference to the data, so each clone can be released independently\./);
    assert.match(doc, /`myClone` takes 0 references\./);
    assert.match(doc, /✗ double free: .*\(vtable-clone-no-retain\)/);
  });

  it('shows the same hover where myClone is passed to new RawWakerVTable', async () => {
    const info = await quickInfo(server, seedFile, SEED_WITH_TS_ERROR, offsetOfText(SEED_WITH_TS_ERROR, 'RawWakerVTable(myClone') + 'RawWakerVTable('.length);
    assert.match(String(info!.documentation), /`clone` slot[\s\S]*✗ double free/);
  });

  it('says what wake() does to ownership and which vtable function it calls', async () => {
    const at = offsetOfText(SEED_WITH_TS_ERROR, 'original.wake()') + 'original.'.length;
    const doc = String((await quickInfo(server, seedFile, SEED_WITH_TS_ERROR, at))!.documentation);
    assert.match(doc, /Consumes `original`: it cannot be used afterwards\./);
    assert.match(doc, /It calls `myWake`, the `wake` of the vtable built at seed\.ts:26\./);
  });

  it('leaves hovers elsewhere to TypeScript alone', async () => {
    const info = await quickInfo(server, seedFile, SEED_WITH_TS_ERROR, offsetOfText(SEED_WITH_TS_ERROR, 'notANumber'));
    assert.match(info!.displayString, /const notANumber: number/);
    assert.doesNotMatch(String(info!.documentation), /Wakerscope/);
  });

  it('declares its codes fixable, with and without a file', async () => {
    const global = await server.request<string[]>('getSupportedCodeFixes', null);
    const forFile = await server.request<string[]>('getSupportedCodeFixes', { file: seedFile });
    for (const codes of [global, forFile]) {
      assert.ok(codes.includes(String(CLONE_NO_RETAIN)), `${CLONE_NO_RETAIN} missing`);
      assert.ok(codes.includes('2322'), "TypeScript's own codes are kept");
    }
  });

  it("answers code fix requests that mix TypeScript's codes and ours", async () => {
    const start = locationOf(LEAKY_CLONE, offsetOfText(LEAKY_CLONE, 'waker.clone()'));
    const fixes = await server.request<ts.server.protocol.CodeFixAction[]>('getCodeFixes', {
      file: notifyFile,
      startLine: start.line,
      startOffset: start.offset,
      endLine: start.line,
      endOffset: start.offset + 'waker.clone()'.length,
      errorCodes: [2322, CLONE_WITHOUT_DROP],
    });
    assert.deepEqual(fixes.map((f) => f.fixName), ['wakerscope:clone-without-drop', 'wakerscope:clone-without-drop', 'wakerscope:clone-without-drop']);
  });

  it('reports a cloned waker that is never dropped, on the clone', async () => {
    const list = await diagnostics(server, notifyFile);
    assert.deepEqual(list.filter((d) => d.source !== 'wakerscope'), []);
    const [finding, ...rest] = ours(list);
    assert.equal(rest.length, 0, JSON.stringify(rest));
    assert.equal(finding!.code, CLONE_WITHOUT_DROP);
    assert.equal(finding!.text.split('\n')[0], '`copy` is never dropped, woken or moved: it leaks (clone-without-drop)');
    assert.match(finding!.text.split('\n')[1] ?? '', /^help: drop `copy` or declare it with `using`$/);
    const start = offsetOfText(LEAKY_CLONE, 'waker.clone()');
    assert.deepEqual(finding!.start, locationOf(LEAKY_CLONE, start));
    assert.deepEqual(finding!.end, locationOf(LEAKY_CLONE, start + 'waker.clone()'.length));
    assert.ok((finding!.relatedInformation ?? []).some((r) => r.message === '`copy` goes out of scope here'));
  });

  it('sends the same findings in the semanticDiag event of geterr, as editors ask', async () => {
    server.notify('geterr', { files: [notifyFile], delay: 0 });
    const event = await server.waitForEvent<ts.server.protocol.DiagnosticEvent>(
      (e) => e.event === 'semanticDiag' && (e as ts.server.protocol.DiagnosticEvent).body?.file === notifyFile,
    );
    assert.deepEqual(ours(event.body!.diagnostics).map((d) => d.code), [CLONE_WITHOUT_DROP]);
  });

  for (const title of ['Declare with `using`', 'Drop at the end of the scope', 'Ignore with `// wakerscope-ignore-next-line clone-without-drop`']) {
    it(`quick fix "${title}" removes the leak and type-checks`, async () => {
      const [finding] = ours(await diagnostics(server, notifyFile));
      const fixes = await server.request<ts.server.protocol.CodeFixAction[]>('getCodeFixes', {
        file: notifyFile,
        startLine: finding!.start.line,
        startOffset: finding!.start.offset,
        endLine: finding!.end.line,
        endOffset: finding!.end.offset,
        errorCodes: [finding!.code],
      });
      assert.deepEqual(fixes.map((f) => f.description), ['Declare with `using`', 'Drop at the end of the scope', 'Ignore with `// wakerscope-ignore-next-line clone-without-drop`']);
      assert.ok(fixes.every((f) => f.fixName === 'wakerscope:clone-without-drop'));
      const fix = fixes.find((f) => f.description === title)!;
      assert.deepEqual(fix.changes.map((c) => c.fileName), [notifyFile]);
      const fixed = applyCodeEdits(LEAKY_CLONE, fix.changes[0]!.textChanges);
      assert.notEqual(fixed, LEAKY_CLONE);
      await server.replaceText(notifyFile, LEAKY_CLONE, fixed);
      try {
        assert.deepEqual((await diagnostics(server, notifyFile)).map((d) => `${d.source ?? 'ts'} ${d.code}: ${d.text}`), []);
      } finally {
        await server.replaceText(notifyFile, fixed, LEAKY_CLONE);
      }
      assert.deepEqual(ours(await diagnostics(server, notifyFile)).map((d) => d.code), [CLONE_WITHOUT_DROP]);
    });
  }

  it('offers "Remove the comment" on a suppression that suppresses nothing, and applying it leaves no finding', async () => {
    const stale = `// wakerscope-ignore-next-line use-after-wake -- stale\n${LEAKY_CLONE.replace('  const copy = waker.clone();\n  copy.wakeByRef();\n', '')}`;
    await server.replaceText(notifyFile, LEAKY_CLONE, stale);
    try {
      const [finding, ...rest] = ours(await diagnostics(server, notifyFile));
      assert.deepEqual(rest, []);
      assert.equal(finding!.code, RULES['unused-suppression'].code);
      const fixes = await server.request<ts.server.protocol.CodeFixAction[]>('getCodeFixes', {
        file: notifyFile,
        startLine: finding!.start.line,
        startOffset: finding!.start.offset,
        endLine: finding!.end.line,
        endOffset: finding!.end.offset,
        errorCodes: [finding!.code],
      });
      const ourFixes = fixes.filter((f) => f.fixName.startsWith('wakerscope:'));
      assert.deepEqual(ourFixes.map((f) => f.description), ['Remove the comment']);
      const fixed = applyCodeEdits(stale, ourFixes[0]!.changes[0]!.textChanges);
      assert.equal(fixed, stale.slice(stale.indexOf('\n') + 1));
      await server.replaceText(notifyFile, stale, fixed);
      assert.deepEqual(ours(await diagnostics(server, notifyFile)), []);
      await server.replaceText(notifyFile, fixed, stale);
    } finally {
      await server.replaceText(notifyFile, stale, LEAKY_CLONE);
    }
  });

  it('updates after an edit: a suppression comment above myClone removes the finding', async () => {
    const edited = SEED_WITH_TS_ERROR.replace('function myClone(', '// wakerscope-ignore-next-line vtable-clone-no-retain\nfunction myClone(');
    await server.replaceText(seedFile, SEED_WITH_TS_ERROR, edited);
    assert.deepEqual(seedBug(await diagnostics(server, seedFile)), []);
    await server.replaceText(seedFile, edited, SEED_WITH_TS_ERROR);
    assert.deepEqual(seedBug(await diagnostics(server, seedFile)).map((d) => d.code), [CLONE_NO_RETAIN]);
  });
});

describe('tsserver plugin: several open files, an edit in one', function () {
  this.timeout(60_000);
  const HELPERS = `import { Waker } from 'wakerscope/waker';
export function release(w: Waker): void {
  w.drop();
}
export function count(n: number): number {
  return n + 1;
}
export function dropTwice(w: Waker): void {
  w.drop();
  w.drop();
}
export declare function consume(w: Waker): void;
`;
  const CALLER = `import { Waker } from 'wakerscope/waker';
import { release } from './helpers';
export function handOff(waker: Waker): void {
  release(waker);
  waker.wakeByRef();
}
export function useConsumed(waker: Waker): void {
  consume(waker);
  waker.wakeByRef();
}
import { consume } from './helpers';
`;
  const BYSTANDER = `import { Waker } from 'wakerscope/waker';
import { count } from './helpers';
export function twice(waker: Waker, n: number): number {
  waker.wake();
  waker.wakeByRef();
  return count(n);
}
`;
  const NAMES = ['helpers.ts', 'caller.ts', 'bystander.ts'];
  let server: TsServer;
  let dir: string;
  const texts = new Map<string, string>();
  const file = (name: string): string => path.join(dir, name);

  /** Our diagnostics of every open file, the edited one first, as an editor asks after an edit: one line each, `line:offset-line:offset message`. */
  async function allFindings(first = 'helpers.ts'): Promise<Record<string, string[]>> {
    const found: Record<string, string[]> = {};
    for (const name of [first, ...NAMES.filter((n) => n !== first)]) {
      found[name] = ours(await diagnostics(server, file(name))).map((d) => `${d.start.line}:${d.start.offset}-${d.end.line}:${d.end.offset} ${d.text.split('\n')[0]}`);
    }
    return found;
  }

  /** Replaces `from` by `to` in one file, as typing does: a small change, which tsserver parses incrementally. */
  async function edit(name: string, from: string, to: string): Promise<Record<string, string[]>> {
    const text = texts.get(name)!;
    const at = text.indexOf(from);
    assert.ok(at >= 0, `${name} has no '${from}'`);
    await server.request('updateOpen', { changedFiles: [{ fileName: file(name), textChanges: [{ start: locationOf(text, at), end: locationOf(text, at + from.length), newText: to }] }] });
    texts.set(name, text.slice(0, at) + to + text.slice(at + from.length));
    return allFindings(name);
  }

  before(async () => {
    assertPluginBuilt();
    dir = makeProject({ 'helpers.ts': HELPERS, 'caller.ts': CALLER, 'bystander.ts': BYSTANDER });
    server = startServer();
    for (const [name, text] of [['helpers.ts', HELPERS], ['caller.ts', CALLER], ['bystander.ts', BYSTANDER]] as const) {
      texts.set(name, text);
      await server.open(file(name));
    }
  });
  after(async () => {
    await server?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  // After an edit that nothing in a file read, the plugin hands back the diagnostics it computed before: they must still be right.
  it("keeps each file's diagnostics right, whether or not it read the edited code", async () => {
    const before = await allFindings();
    assert.match(before['helpers.ts']!.join('\n'), /^10:3-10:4 .*use-after-drop/);
    assert.match(before['caller.ts']!.join('\n'), /^5:3-5:8 .*use-after-drop/);
    assert.match(before['bystander.ts']!.join('\n'), /^5:3-5:8 .*use-after-wake/);

    assert.deepEqual(await edit('helpers.ts', 'return n + 1;', 'return n + 2;'), before);

    const read = await edit('helpers.ts', '  w.drop();\n}\nexport function count', '  w.wake();\n}\nexport function count');
    assert.match(read['caller.ts']!.join('\n'), /^5:3-5:8 .*use-after-wake/);
    assert.deepEqual(read['bystander.ts'], before['bystander.ts']);

    // Comments between declarations: the edited file's findings move with the text, the others' stay.
    const commented = await edit('helpers.ts', 'export function release(', '/** Hands the waker back. */\nexport function release(');
    assert.deepEqual(commented, { ...read, 'helpers.ts': before['helpers.ts']!.map((line) => line.replace(/^10:3-10:4/, '11:3-11:4')) });
    assert.deepEqual(await edit('helpers.ts', '/** Hands the waker back. */\n', ''), read);
    const moved = await edit('bystander.ts', 'export function twice(', '// moved\nexport function twice(');
    assert.deepEqual(moved, { ...read, 'bystander.ts': before['bystander.ts']!.map((line) => line.replace(/^5:3-5:8/, '6:3-6:8')) });

    await edit('helpers.ts', '  w.wake();\n}\nexport function count', '  w.drop();\n}\nexport function count');
    assert.deepEqual((await allFindings())['caller.ts'], before['caller.ts']);
  });

  // A signature edit: the file that names the declaration sees it; the one that imports the module but not it keeps its diagnostics.
  it("keeps each file's diagnostics right after a signature edit in the module they import", async () => {
    const before = await allFindings();
    assert.match(before['caller.ts']!.join('\n'), /^5:3-5:8 .*\(use-after-drop\)\n9:3-9:8 .*\(use-after-move\)$/);
    const unknown = await edit('helpers.ts', 'consume(w: Waker)', 'consume(w: unknown)');
    assert.deepEqual(unknown, { ...before, 'caller.ts': [before['caller.ts']![0]!] });
    assert.deepEqual(await edit('helpers.ts', 'consume(w: unknown)', 'consume(w: Waker)'), before);
  });
});

describe('tsserver plugin: configuration', function () {
  this.timeout(60_000);
  const servers: TsServer[] = [];
  const dirs: string[] = [];

  before(assertPluginBuilt);
  after(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
  });

  async function open(files: Record<string, string>, plugin?: object | null, env?: Record<string, string>): Promise<{ server: TsServer; file: string }> {
    const dir = makeProject(files, plugin);
    dirs.push(dir);
    const server = startServer(env);
    servers.push(server);
    const file = path.join(dir, Object.keys(files)[0]!);
    await server.open(file);
    return { server, file };
  }

  it('takes rule levels from the tsconfig entry: warn makes the finding a warning', async () => {
    const { server, file } = await open({ 'seed.ts': SEED }, { name: 'wakerscope', rules: { 'vtable-clone-no-retain': 'warn' } });
    assert.deepEqual(seedBug(await diagnostics(server, file)).map((d) => [d.code, d.category]), [[CLONE_NO_RETAIN, 'warning']]);
  });

  it('runs as a global plugin in a project without a tsconfig entry', async () => {
    const { server, file } = await open({ 'seed.ts': SEED }, null);
    assert.ok(/Loading global plugin wakerscope/.test(server.log()), `no global plugin load in ${server.logFile}`);
    assert.deepEqual(seedBug(await diagnostics(server, file)).map((d) => d.code), [CLONE_NO_RETAIN]);
  });

  it('reports a bad tsconfig entry as one diagnostic naming the rule, and uses the defaults', async () => {
    const { server, file } = await open({ 'seed.ts': SEED }, { name: 'wakerscope', rules: { 'no-such-rule': 'error' } });
    const list = seedBug(await diagnostics(server, file));
    assert.deepEqual(list.map((d) => d.code), [CONFIG_ERROR_CODE, CLONE_NO_RETAIN]);
    assert.match(list[0]!.text, /tsconfig\.json: unknown rule 'no-such-rule'/);
  });

  it('follows the editor settings sent with configurePlugin, over the tsconfig', async () => {
    const { server, file } = await open({ 'seed.ts': SEED });
    assert.equal(seedBug(await diagnostics(server, file)).length, 1);
    const hoverDoc = async () => String((await quickInfo(server, file, SEED, offsetOfText(SEED, 'myClone(rawWaker')))!.documentation);
    assert.match(await hoverDoc(), /Wakerscope/, 'enabled: our hover text (the control for the disabled check below)');
    await server.request('configurePlugin', { pluginName: 'wakerscope', configuration: { enable: true, rules: { 'vtable-clone-no-retain': 'warn' } } });
    assert.deepEqual(seedBug(await diagnostics(server, file)).map((d) => d.category), ['warning']);
    await server.request('configurePlugin', { pluginName: 'wakerscope', configuration: { enable: false } });
    assert.deepEqual(seedBug(await diagnostics(server, file)), []);
    assert.doesNotMatch(await hoverDoc(), /Wakerscope/, 'disabled: no hover text either');
    await server.request('configurePlugin', { pluginName: 'wakerscope', configuration: { enable: true, rules: {} } });
    assert.deepEqual(seedBug(await diagnostics(server, file)).map((d) => d.category), ['error']);
  });

  it('follows a tsconfig edit after the project reloads, without reporting twice', async () => {
    const { server, file } = await open({ 'seed.ts': SEED });
    assert.deepEqual(seedBug(await diagnostics(server, file)).map((d) => d.category), ['error']);
    const tsconfigPath = path.join(path.dirname(file), 'tsconfig.json');
    const tsconfig = JSON.parse(fs.readFileSync(tsconfigPath, 'utf8'));
    tsconfig.compilerOptions.plugins = [{ name: 'wakerscope', rules: { 'vtable-clone-no-retain': 'warn' } }];
    fs.writeFileSync(tsconfigPath, JSON.stringify(tsconfig));
    server.notify('reloadProjects');
    assert.deepEqual(seedBug(await diagnostics(server, file)).map((d) => d.category), ['warning']);
  });

  it('keeps TypeScript working when the plugin throws, and logs the error', async () => {
    const { server, file } = await open({ 'seed.ts': SEED_WITH_TS_ERROR }, undefined, { WAKERSCOPE_TSSERVER_FAULT: 'analyze,hover' });
    const list = await diagnostics(server, file);
    assert.deepEqual(list.map((d) => d.code), [2322]);
    const hover = await quickInfo(server, file, SEED_WITH_TS_ERROR, offsetOfText(SEED_WITH_TS_ERROR, 'myClone(rawWaker'));
    assert.match(hover!.displayString, /function myClone/);
    const log = server.log();
    assert.ok(/\[wakerscope\] getSemanticDiagnostics failed, TypeScript's own result is returned: Error: injected fault at 'analyze'/.test(log), `no logged failure in ${server.logFile}`);
    assert.ok(/\[wakerscope\] getQuickInfoAtPosition failed.*injected fault at 'hover'/.test(log), `no logged hover failure in ${server.logFile}`);
  });
});

/**
 * TypeScript errors with code fixes of TypeScript's own, beside a finding of
 * ours: `compute` lacks the return type `isolatedDeclarations` wants (9007, a
 * code number inside the range Wakerscope's codes used to share) and calls
 * `helper` without importing it (2304, "Add import from").
 */
const WITH_TS_FIXES = `${LEAKY_CLONE}
export function compute(x: number) {
  return x + helper();
}
`;
const HELPER = 'export function helper(): number {\n  return 1;\n}\n';

describe('tsserver plugin: passes every request through to TypeScript', function () {
  this.timeout(90_000);
  const servers: TsServer[] = [];
  const dirs: string[] = [];

  before(assertPluginBuilt);
  after(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
  });

  async function openProject(withPlugin: boolean): Promise<{ server: TsServer; file: string }> {
    const dir = makeProject({ 'main.ts': WITH_TS_FIXES, 'helper.ts': HELPER }, withPlugin ? { name: 'wakerscope' } : null, { isolatedDeclarations: true, declaration: true });
    dirs.push(dir);
    const server = withPlugin ? startServer() : TsServer.start();
    servers.push(server);
    const file = path.join(dir, 'main.ts');
    await server.open(file);
    await server.open(path.join(dir, 'helper.ts'));
    return { server, file };
  }

  /** For each of TypeScript's diagnostics, TypeScript's fixes at its span: asked for its code alone, and with every code in the file. */
  async function typescriptFixes(server: TsServer, file: string): Promise<string[]> {
    const list = (await diagnostics(server, file)).filter((d) => d.source !== 'wakerscope');
    // What an editor sends for a cursor on several diagnostics; the same list to both servers.
    const allCodes = [...list.map((d) => d.code), CLONE_WITHOUT_DROP];
    const lines: string[] = [];
    for (const diagnostic of list) {
      const span = { file, startLine: diagnostic.start.line, startOffset: diagnostic.start.offset, endLine: diagnostic.end.line, endOffset: diagnostic.end.offset };
      for (const errorCodes of [[diagnostic.code], allCodes]) {
        const fixes = await server.request<ts.server.protocol.CodeFixAction[]>('getCodeFixes', { ...span, errorCodes });
        const theirs = fixes.filter((fix) => !fix.fixName.startsWith('wakerscope:'));
        lines.push(`${diagnostic.code} [${errorCodes.join(',')}]: ${theirs.map((fix) => `${fix.fixName} "${fix.description}" ${JSON.stringify(fix.changes)}`).join(' | ')}`);
      }
    }
    return lines;
  }

  it("offers TypeScript's own code fixes unchanged, with the plugin as without it", async () => {
    const plain = await openProject(false);
    const withPlugin = await openProject(true);
    const codes = (await diagnostics(plain.server, plain.file)).map((d) => d.code).sort();
    assert.deepEqual(codes, [2304, 9007], "the control: TypeScript's own errors in the file");
    const expected = await typescriptFixes(plain.server, plain.file);
    assert.ok(expected.some((line) => /^9007 .*Add return type/.test(line)), `no "Add return type" fix from TypeScript: ${expected.join('\n')}`);
    assert.ok(expected.some((line) => /^2304 .*Add import from/.test(line)), `no "Add import" fix from TypeScript: ${expected.join('\n')}`);
    // The paths differ only by the project folder.
    const normalise = (lines: string[], dir: string) => lines.map((line) => line.split(dir).join('<project>'));
    const actual = await typescriptFixes(withPlugin.server, withPlugin.file);
    assert.deepEqual(normalise(actual, path.dirname(withPlugin.file)), normalise(expected, path.dirname(plain.file)));
    assert.deepEqual(ours(await diagnostics(withPlugin.server, withPlugin.file)).map((d) => d.code), [CLONE_WITHOUT_DROP], 'the plugin adds its finding');
  });
});

describe('tsserver plugin: installed from npm, in any editor', function () {
  this.timeout(60_000);
  let server: TsServer | undefined;
  let dir: string | undefined;

  after(async () => {
    await server?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("loads through the package's main from the tsconfig entry alone, as editors other than VS Code do", async () => {
    assertPluginBuilt();
    dir = makeProject({ 'seed.ts': SEED });
    // The project's node_modules/wakerscope is the package as npm installs it:
    // its package.json, and its dist (a link to this repository's build).
    const installed = path.join(dir, 'node_modules', 'wakerscope');
    fs.mkdirSync(installed, { recursive: true });
    fs.copyFileSync(path.join(REPO_ROOT, 'package.json'), path.join(installed, 'package.json'));
    fs.symlinkSync(path.join(REPO_ROOT, 'dist'), path.join(installed, 'dist'));
    // No --globalPlugins: only the tsconfig's `plugins` entry asks for it. The
    // project folder is where a project-local tsserver probes (its ../../..).
    server = TsServer.start({ pluginProbeLocations: [dir] });
    const file = path.join(dir, 'seed.ts');
    await server.open(file);
    assert.deepEqual(seedBug(await diagnostics(server, file)).map((d) => d.code), [CLONE_NO_RETAIN]);
    // tsserver tries each candidate folder until one loads: only the project's may be tried.
    const attempts = server.log().match(/Loading wakerscope from \S+/g) ?? [];
    assert.deepEqual(attempts, [`Loading wakerscope from ${dir}`], `see ${server.logFile}`);
  });
});
