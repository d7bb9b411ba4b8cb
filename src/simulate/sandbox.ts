// How a simulation process is started: Node's permission model with nothing
// granted but reading its own script. The bundle arrives over IPC, so the
// process reads no other file; it may not write any, start processes or
// worker threads, load addons, or use the inspector. Code generation from
// strings is off for the whole process (not just inside the vm context), and
// `--expose-gc` lets it tell leaked cells from reachable ones. The environment
// is empty, so NODE_OPTIONS cannot add permissions.
//
// Not covered by the permission model on Node 20 and 22: the network. That
// fence is the vm context (worker.ts, prelude.ts): nothing of the process's
// realm is reachable from the simulated code.

import { build } from 'esbuild';
import { existsSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** `--permission` from Node 22 on; Node 20 spells it `--experimental-permission`. */
export function permissionFlag(version: string = process.versions.node): string {
  return Number(version.split('.')[0]) >= 22 ? '--permission' : '--experimental-permission';
}

/** The command line of a simulation process running `script`. */
export function sandboxCommand(script: string, memoryLimitMb: number): { command: string; args: string[] } {
  return {
    command: process.execPath,
    args: [
      permissionFlag(),
      `--allow-fs-read=${script}`,
      '--disallow-code-generation-from-strings',
      '--expose-gc',
      // Optimized code can hold on to objects of the run it was optimized in,
      // so a leaked cell would look reachable; runs are short enough that the
      // optimizing tiers gain nothing measurable here (bench/simulate.ts).
      '--no-opt',
      '--no-maglev',
      `--max-old-space-size=${memoryLimitMb}`,
      '--disable-warning=ExperimentalWarning',
      script,
    ],
  };
}

let builtScript: Promise<string> | undefined;

/**
 * The simulation process's script: the built one next to this bundle (dist/),
 * or, running from source, the worker built once into a temporary folder that
 * goes when this process exits.
 */
export function simulationScript(): Promise<string> {
  const built = join(__dirname, '..', 'simulate', 'worker.js');
  if (existsSync(built)) return Promise.resolve(realpathSync(built));
  const source = join(__dirname, 'worker.ts');
  if (!existsSync(source)) return Promise.reject(new Error(`cannot find the simulation worker (${built} or ${source})`));
  builtScript ??= build({ entryPoints: [source], bundle: true, platform: 'node', format: 'cjs', target: 'node20', write: false, logLevel: 'silent' }).then((result) => {
    const dir = realpathSync(mkdtempSync(join(tmpdir(), 'wakerscope-worker-')));
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'worker.js');
    writeFileSync(file, result.outputFiles[0].text);
    return file;
  });
  return builtScript;
}
