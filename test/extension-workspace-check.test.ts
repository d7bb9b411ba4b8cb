// The whole-workspace check's pure half: finding the project's CLI, reading its
// JSON, and the `$wakerscope` problem matcher of package.json, each on the built
// CLI's real output in a throwaway project that installs wakerscope (a link to
// this repository, as `npm link` would make it).
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { findingsOfCheck, projectCli } from '../src/extension/cli-check';

const ROOT = path.join(__dirname, '..');
const SEED = fs.readFileSync(path.join(ROOT, 'examples', 'seed-box-waker.ts'), 'utf8');
const LEAK = "import type { WakerRef } from 'wakerscope/waker';\nexport function notify(waker: WakerRef): void {\n  const copy = waker.clone();\n  copy.wakeByRef();\n}\n";
const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));

describe('Check Workspace and the wakerscope task: the CLI they run, its output read back', function () {
  this.timeout(120_000);
  let project: string;

  before(() => {
    if (!fs.existsSync(path.join(ROOT, 'dist', 'cli', 'main.js'))) throw new Error('the CLI is not built: run `npm run build`');
    project = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'wakerscope-workspace-check-')));
    fs.mkdirSync(path.join(project, 'src', 'nested'), { recursive: true });
    fs.writeFileSync(path.join(project, 'tsconfig.json'), JSON.stringify({ compilerOptions: { target: 'ES2022', lib: ['ES2022', 'ESNext.Disposable'], module: 'preserve', moduleResolution: 'bundler', strict: true, noEmit: true, skipLibCheck: true, types: [] }, include: ['src'] }));
    fs.writeFileSync(path.join(project, 'src', 'seed.ts'), SEED);
    fs.writeFileSync(path.join(project, 'src', 'nested', 'leak.ts'), LEAK);
    fs.mkdirSync(path.join(project, 'node_modules'));
    fs.symlinkSync(ROOT, path.join(project, 'node_modules', 'wakerscope'), 'dir');
  });
  after(() => fs.rmSync(project, { recursive: true, force: true }));

  it("finds the CLI of the project's installed wakerscope package, and none where it is not installed", () => {
    // Through the link, to the package's `bin`.
    assert.equal(projectCli(project), fs.realpathSync(path.join(project, 'node_modules', 'wakerscope', 'dist', 'cli', 'main.js')));
    assert.equal(projectCli(os.tmpdir()), undefined);
  });

  it('reads `check --format json` back with absolute paths, every finding of every file', () => {
    const run = spawnSync(process.execPath, [projectCli(project)!, 'check', '--format', 'json'], { cwd: project, encoding: 'utf8' });
    assert.equal(run.status, 1, run.stderr);
    const findings = findingsOfCheck(run.stdout, project);
    assert.deepEqual(
      findings.map((f) => `${path.relative(project, f.file)}:${f.line}:${f.column}-${f.endLine}:${f.endColumn} ${f.severity} ${f.rule}`).sort(),
      ['src/nested/leak.ts:3:16-3:29 error clone-without-drop', 'src/seed.ts:12:10-12:17 error vtable-clone-no-retain'],
    );
    assert.ok(findings.every((f) => f.related.every((r) => path.isAbsolute(r.file))));
    assert.throws(() => findingsOfCheck('wakerscope: error: no tsconfig.json found', project), /printed no JSON: wakerscope: error: no tsconfig\.json found/);
  });

  it('the $wakerscope problem matcher reads every finding of the text format, and only the findings', () => {
    const [matcher] = manifest.contributes.problemMatchers as { name: string; pattern: { regexp: string; file: number; line: number; column: number; severity: number; message: number; code: number } }[];
    assert.equal(matcher!.name, 'wakerscope');
    const pattern = new RegExp(matcher!.pattern.regexp);
    const text = spawnSync(process.execPath, [projectCli(project)!, 'check'], { cwd: project, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } }).stdout;
    const matched = text.split('\n').flatMap((line) => {
      const m = pattern.exec(line);
      if (!m) return [];
      const p = matcher!.pattern;
      return [`${m[p.file]}:${m[p.line]}:${m[p.column]} ${m[p.severity]} ${m[p.code]}: ${m[p.message]}`];
    });
    const json = findingsOfCheck(spawnSync(process.execPath, [projectCli(project)!, 'check', '--format', 'json'], { cwd: project, encoding: 'utf8' }).stdout, project);
    assert.deepEqual(matched.sort(), json.map((f) => `${path.relative(project, f.file)}:${f.line}:${f.column} ${f.severity} ${f.rule}: ${f.message}`).sort(), text);
  });
});
