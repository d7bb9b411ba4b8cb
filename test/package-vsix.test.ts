// scripts/package-vsix.mjs's platform choice: one .vsix per VS Code target
// (the e2e suite packages and installs this machine's). A target it cannot
// serve fails at once, in one line, before anything is staged or fetched.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { REPO } from './package-tarball';

describe('package-vsix --target', () => {
  it('refuses an unknown target in one line that lists the known ones', () => {
    const result = spawnSync(process.execPath, [join(REPO, 'scripts', 'package-vsix.mjs'), '--target', 'plan9-x64'], { cwd: REPO, encoding: 'utf8' });
    assert.equal(result.status, 1);
    assert.match(result.stderr, /^package-vsix: --target plan9-x64: not one of linux-x64, [^\n]*darwin-arm64[^\n]*win32-x64[^\n]*\n$/);
    assert.equal(result.stdout, '');
  });
});
