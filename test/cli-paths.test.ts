// How the CLI names places: one path form (displayPath) and one
// `file:line:column` form (formatLocation) for findings, simulation output,
// notes and errors alike.
import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { displayPath } from '../src/cli/projects';
import { formatLocation } from '../src/simulate/index';

describe('CLI paths and places', () => {
  const cwd = path.resolve('/work/project');

  it('prints a path relative to the working directory, /-separated, ../ outside it', () => {
    assert.equal(displayPath(cwd, path.join(cwd, 'src', 'nested', 'leak.ts')), 'src/nested/leak.ts');
    assert.equal(displayPath(cwd, path.resolve('/work/lib/a.ts')), '../lib/a.ts');
    // The directory itself is not the empty string.
    assert.equal(displayPath(cwd, cwd), cwd.split(path.sep).join('/'));
  });

  it('names a place file:line:column', () => {
    assert.equal(formatLocation({ file: 'src/a.ts', line: 3, column: 16 }), 'src/a.ts:3:16');
  });
});
