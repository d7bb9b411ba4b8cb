// The CLI as scripts/build.mjs bundles it (cli/main.js with simulate/worker.js
// beside it, where the simulator looks for its worker), built into a folder of
// the caller's choosing so a concurrent `npm run build` emptying dist/ cannot
// pull it from under a test. typescript still resolves from node_modules.
import { join, resolve } from 'node:path';
import { buildSync } from 'esbuild';
import { NODE_BUNDLE } from '../scripts/esbuild-node.mjs';

const REPO = resolve(__dirname, '..');

/** Bundles the CLI and its worker into `outdir`; returns the CLI's path, `<outdir>/cli/main.js`. */
export function bundleCli(outdir: string): string {
  buildSync({
    entryPoints: { 'cli/main': join(REPO, 'src/cli/main.ts'), 'simulate/worker': join(REPO, 'src/simulate/worker.ts') },
    ...NODE_BUNDLE,
    outdir,
    sourcemap: true,
  });
  return join(outdir, 'cli', 'main.js');
}
