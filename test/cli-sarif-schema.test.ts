// `check --format sarif` validates against the final SARIF 2.1.0 JSON schema
// (draft 2020-12, the SARIF SDK's copy: see test/sarif/README.md), shipped in
// test/sarif/ since nothing may be downloaded at test time.

import { strict as assert } from 'node:assert';
import { rmSync } from 'node:fs';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import schema from './sarif/sarif-schema-2.1.0.json';
import { bundleCli } from './cli-bundle';
import { BUGGY, CLEAN, CLI_DIR, project, run } from './cli-harness';

const LEAK_WARNING = `import { type WakerRef } from 'wakerscope/waker';

export function bail(source: WakerRef, cancelled: boolean): number {
  const copy = source.clone();
  if (cancelled) {
    return 0;
  }
  copy.drop();
  return 1;
}
`;

describe('SARIF output validates against the SARIF 2.1.0 schema', function () {
  this.timeout(120_000);
  // strictRequired off: the schema's anyOf branches require properties they do not redeclare.
  const ajv = new Ajv2020({ allErrors: true, strictRequired: false });
  addFormats(ajv);
  const validator = ajv.compile(schema);
  // A plain boolean: the type guard would narrow the logs below to the schema's inferred type.
  const validate = (log: unknown): boolean => validator(log);
  const roots: string[] = [];
  before(() => bundleCli(CLI_DIR));
  after(() => roots.forEach((root) => rmSync(root, { recursive: true, force: true })));

  const sarifOf = (files: Record<string, string>) => {
    const root = project(files);
    roots.push(root);
    const result = run(['check', '--format', 'sarif'], root);
    assert.ok(result.status === 0 || result.status === 1, result.stderr);
    return JSON.parse(result.stdout);
  };

  it('errors with related locations, a path-sensitive warning and a parse error', () => {
    const sarif = sarifOf({ 'src/bad.ts': BUGGY, 'src/leak.ts': LEAK_WARNING, 'src/broken.ts': 'export function ( {\n' });
    const ok = validate(sarif);
    assert.ok(ok, ajv.errorsText(validator.errors, { separator: '\n' }));
    const results = sarif.runs[0].results as Array<{ ruleId: string; level: string }>;
    assert.deepEqual(results.map((r) => [r.ruleId, r.level]).sort(), [['clone-without-drop', 'warning'], ['parse-error', 'error'], ['vtable-clone-no-retain', 'error']]);
  });

  it('a clean run, and the schema is strict enough to fail a broken log', () => {
    const clean = sarifOf({ 'src/clean.ts': CLEAN });
    assert.ok(validate(clean), ajv.errorsText(validator.errors));
    assert.equal(clean.runs[0].results.length, 0);
    // A control: the validator rejects what GitHub would reject.
    const broken = structuredClone(clean);
    broken.runs[0].results = [{ ruleId: 'x', level: 'fatal', message: {} }];
    assert.equal(validate(broken), false);
    // The final schema's formats are checked: a GUID that is not one fails.
    const badGuid = structuredClone(clean);
    badGuid.runs[0].tool.driver.guid = 'not-a-guid';
    assert.equal(validate(badGuid), false);
    assert.match(ajv.errorsText(validator.errors), /must match format "uuid"/);
  });
});
