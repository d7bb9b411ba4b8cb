// The npm tarball as `npm pack` makes it from the current build, for tests that
// install the package as users do. `--ignore-scripts`: `prepack` would rebuild
// (and first empty) dist/ under other tests' feet.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const REPO = resolve(__dirname, '..');

const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/** The files of the built package that must exist before packing. */
const BUILT = ['dist/waker/index.js', 'dist/waker/index.d.ts', 'dist/cli/main.js', 'dist/eslint/index.js', 'dist/eslint/index.d.ts'];

export interface PackedFile {
  readonly path: string;
  readonly size: number;
}

export interface Tarball {
  /** Absolute path of the .tgz. */
  readonly file: string;
  /** Paths inside the package, as `npm pack --json` lists them. */
  readonly files: readonly PackedFile[];
}

/** Packs the repository into `destination` (created when missing). */
export function packTarball(destination: string): Tarball {
  const missing = BUILT.filter((built) => !existsSync(join(REPO, built)));
  if (missing.length > 0) throw new Error(`${missing.join(', ')} missing: run \`npm run build\` first`);
  mkdirSync(destination, { recursive: true });
  const output = execFileSync(NPM, ['pack', '--ignore-scripts', '--json', '--pack-destination', destination], { cwd: REPO, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const [packed] = JSON.parse(output) as { filename: string; files: PackedFile[] }[];
  return { file: join(destination, packed!.filename), files: packed!.files };
}

/** Unpacks a tarball into `folder` (its `package/` prefix removed), as `npm install <tgz>` copies it. */
export function unpackTarball(tarball: string, folder: string): string {
  mkdirSync(folder, { recursive: true });
  execFileSync('tar', ['-xzf', tarball, '-C', folder, '--strip-components=1']);
  return folder;
}
