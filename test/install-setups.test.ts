// The library is recognised by identity, not by path: the whole rule-fixture
// corpus (test/fixtures/flow and test/fixtures/vtable) is checked by the built
// CLI in four temporary projects that get `wakerscope/waker` four ways, and the
// JSON findings must be the same bytes in every one:
//   - installed by copy: the `npm pack` tarball unpacked into node_modules;
//   - installed with `npm install file:<folder>` from an unpacked package not
//     named `wakerscope`: npm links it (as `npm link`, pnpm and workspaces do,
//     and TypeScript resolves it to the real path) and runs its scripts;
//   - mapped with `paths` to this repository's src/waker/index.ts (the source run);
//   - imported from this repository's source by relative paths;
//   - installed with npm from the tarball into a project on the oldest
//     TypeScript the package's peer range allows, checked by the installed CLI
//     (which analyses with the project's own TypeScript).
// Each project also has a user file in its own `src/waker/` folder, which is user code.

import { strict as assert } from 'node:assert';
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { bundleCli } from './cli-bundle';
import { packTarball, REPO, unpackTarball } from './package-tarball';

const FIXTURES = join(REPO, 'test', 'fixtures');
const CORPUS = ['flow', 'vtable'];
const SOURCE = join(REPO, 'src', 'waker');
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/** The lowest TypeScript the package claims to support: `>=5.4.0 <6` gives `5.4`. */
function oldestTypeScript(): string {
  const range = (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { peerDependencies: Record<string, string> }).peerDependencies.typescript!;
  const lowest = /^>=\s*(\d+)\.(\d+)\.\d+\b/.exec(range);
  if (!lowest) throw new Error(`peerDependencies.typescript is ${range}: expected a \`>=x.y.z\` lower bound`);
  return `${lowest[1]}.${lowest[2]}`;
}

/** An import of the library in a fixture: by name, or by a relative path into src/waker (`'../../../src/waker/arc'`). */
const LIBRARY_IMPORT = /(from\s+)'(?:wakerscope\/waker|(?:\.\.\/)+src\/waker\/(\w+))'/g;

/** A user's own folder named src/waker, with a leak the analyzer must report. */
const USER_WAKER_FOLDER = `import { Waker } from 'wakerscope/waker';

export function notify(waiter: Waker): void {
  const copy = waiter.clone();
  waiter.wake();
}
`;

interface Setup {
  readonly name: string;
  /** Where `wakerscope/waker` points from the tsconfig, when it is mapped. */
  readonly paths?: Record<string, string[]>;
  /** The specifier a fixture file uses for the library module `module` (`index`, `arc`, …). */
  specifier(file: string, module: string): string;
  install(project: string): void;
  /** The CLI that checks the project, when not this repository's bundle. */
  readonly cli?: (project: string) => string;
}

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : /\.ts$/.test(name) ? [path] : [];
  });
}

/** Copies the fixture corpus and the user's `src/waker/` file into `project`, with library imports spelled as `setup` wants. */
function writeProject(project: string, setup: Setup): void {
  const copy = (target: string, text: string) => {
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, text.replace(LIBRARY_IMPORT, (_match, from: string, module?: string) => `${from}'${setup.specifier(target, module ?? 'index')}'`));
  };
  for (const folder of CORPUS) {
    for (const file of files(join(FIXTURES, folder))) copy(join(project, 'fixtures', relative(FIXTURES, file)), readFileSync(file, 'utf8'));
  }
  copy(join(project, 'src', 'waker', 'queue.ts'), USER_WAKER_FOLDER);
  const compilerOptions = {
    target: 'ES2022',
    lib: ['ES2022', 'ESNext.Disposable', 'DOM'],
    module: 'preserve',
    moduleResolution: 'bundler',
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: [],
    ...(setup.paths ? { paths: setup.paths } : {}),
  };
  writeFileSync(join(project, 'tsconfig.json'), JSON.stringify({ compilerOptions, include: ['fixtures', 'src'] }, null, 2));
  setup.install(project);
}

describe('the library is recognised by identity, however it is installed', function () {
  this.timeout(240_000);
  const work = mkdtempSync(join(tmpdir(), 'wakerscope-install-'));
  const outputs = new Map<string, string>();
  let cli: string;
  let checkout: string;
  let tarball: string;

  const byName = (_file: string, _module: string) => 'wakerscope/waker';
  const setups: Setup[] = [
    {
      name: 'mapped with paths to src/waker/index.ts',
      paths: { 'wakerscope/waker': [join(SOURCE, 'index.ts')] },
      specifier: byName,
      install: () => {},
    },
    {
      name: 'installed by copy from the npm tarball',
      specifier: byName,
      install: (project) => unpackTarball(tarball, join(project, 'node_modules', 'wakerscope')),
    },
    {
      name: 'linked by `npm install file:` from a folder not named wakerscope',
      specifier: byName,
      install: (project) => {
        // With npm itself: it links the folder and runs the package's lifecycle scripts there (a `prepare` that rebuilt once failed here).
        writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'linked-checkout-project', private: true }));
        execFileSync(NPM, ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', `file:${checkout}`], { cwd: project, stdio: ['ignore', 'pipe', 'pipe'] });
        assert.ok(lstatSync(join(project, 'node_modules', 'wakerscope')).isSymbolicLink(), 'npm linked the folder');
      },
    },
    {
      name: 'imported from source by relative paths',
      specifier: (file, module) => {
        const path = relative(dirname(file), join(SOURCE, module)).split('\\').join('/');
        return path.startsWith('.') ? path : `./${path}`;
      },
      install: () => {},
    },
    {
      name: `installed with npm on TypeScript ${oldestTypeScript()}, the oldest the peer range allows`,
      specifier: byName,
      install: (project) => {
        writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'old-typescript-project', private: true }));
        const dependencies = [tarball, `typescript@~${oldestTypeScript()}.0`];
        execFileSync(NPM, ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', ...dependencies], { cwd: project, stdio: ['ignore', 'pipe', 'pipe'] });
        const installed = (JSON.parse(readFileSync(join(project, 'node_modules', 'typescript', 'package.json'), 'utf8')) as { version: string }).version;
        assert.ok(installed.startsWith(`${oldestTypeScript()}.`), `typescript ${installed} installed`);
      },
      cli: (project) => join(project, 'node_modules', 'wakerscope', 'dist', 'cli', 'main.js'),
    },
  ];

  before(() => {
    // Bundled inside the repository so that typescript and esbuild resolve from its node_modules.
    cli = bundleCli(join(REPO, 'node_modules', '.cache', 'wakerscope-install-test'));
    tarball = packTarball(join(work, 'pack')).file;
    checkout = unpackTarball(tarball, join(work, 'checkouts', 'waker-lib'));
    for (const [index, setup] of setups.entries()) {
      const project = join(work, `project-${index}`);
      writeProject(project, setup);
      const result = spawnSync(process.execPath, [setup.cli?.(project) ?? cli, 'check', '--format', 'json'], { cwd: project, encoding: 'utf8' });
      assert.ok(result.status === 0 || result.status === 1, `${setup.name}: exit ${result.status}\n${result.stderr}`);
      assert.equal(result.stderr, '', setup.name);
      outputs.set(setup.name, result.stdout);
    }
  });

  after(() => rmSync(work, { recursive: true, force: true }));

  it('finds, from source, every rule the corpus exercises, in its failing fixtures', () => {
    const findings = JSON.parse(outputs.get(setups[0]!.name)!) as { file: string; rule: string }[];
    const failing = files(join(FIXTURES, 'flow'))
      .map((file) => relative(FIXTURES, file))
      .concat(files(join(FIXTURES, 'vtable')).map((file) => relative(FIXTURES, file)))
      .map((file) => file.split('\\').join('/'))
      .filter((file) => /(?:^|[./])fail-/.test(file));
    const rule = (file: string) => (file.startsWith('flow/') ? file.slice('flow/'.length).split('.')[0]! : file.split('/')[1]!);
    const silent = failing.filter((file) => !findings.some((f) => f.file === `fixtures/${file}` && f.rule === rule(file)));
    assert.deepEqual(silent, [], 'failing fixtures without a finding of their rule');
    assert.ok(failing.some((file) => rule(file) === 'lost-wakeup'));
  });

  it("analyses a user's own src/waker folder as user code", () => {
    const findings = JSON.parse(outputs.get(setups[0]!.name)!) as { file: string; rule: string; line: number }[];
    assert.deepEqual(
      findings.filter((f) => f.file === 'src/waker/queue.ts').map((f) => [f.rule, f.line]),
      [['clone-without-drop', 4]],
    );
  });

  for (const setup of setups.slice(1)) {
    it(`gives the source run's JSON findings byte for byte when ${setup.name}`, () => {
      assert.equal(outputs.get(setup.name), outputs.get(setups[0]!.name));
    });
  }
});
