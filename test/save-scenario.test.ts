// Save as Scenario's file: parsed back by the simulator's parser and run, it
// reproduces the exploration row it came from.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { scenarioFor } from '../src/extension/save-scenario';
import { explore, simulateScenario } from '../src/simulate';
import { parseScenario } from '../src/simulate/parse';

const SEED = path.join(__dirname, '..', 'examples', 'seed-box-waker.ts');

describe('Save as Scenario: the .wakersim written for an exploration row', function () {
  this.timeout(120_000);
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wakerscope-save-scenario-'));
    fs.copyFileSync(SEED, path.join(dir, 'seed-box-waker.ts'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('replays every outcome of the seed exploration, its expect line met', async () => {
    const module = path.join(dir, 'seed-box-waker.ts');
    const exploration = await explore(module, 'createRawWaker', { depth: 3 });
    assert.ok(exploration.outcomes.length >= 2, JSON.stringify(exploration.outcomes));
    for (const row of exploration.outcomes) {
      const saved = scenarioFor(module, 'createRawWaker', row.sequence, row.outcome, fs.existsSync);
      assert.equal(saved.file, path.join(dir, `seed-box-waker-${row.outcome}.wakersim`));
      const { scenario, errors } = parseScenario(saved.text, saved.file);
      assert.deepEqual(errors, []);
      assert.equal(scenario!.expect, row.outcome);
      const run = await simulateScenario(scenario!);
      assert.equal(run.sequence, row.sequence);
      assert.equal(run.outcome, row.outcome, `${saved.file}:\n${saved.text}`);
    }
  });

  it('numbers the file when the name is taken, and writes an outcome that cannot be expected as a comment', () => {
    const module = path.join(dir, 'seed-box-waker.ts');
    const taken = new Set([path.join(dir, 'seed-box-waker-error.wakersim'), path.join(dir, 'seed-box-waker-error-2.wakersim')]);
    const saved = scenarioFor(module, 'createRawWaker', 'new; drop 0', 'error', (file) => taken.has(file));
    assert.equal(saved.file, path.join(dir, 'seed-box-waker-error-3.wakersim'));
    const { scenario, errors } = parseScenario(saved.text, saved.file);
    assert.deepEqual(errors, []);
    assert.equal(scenario!.expect, undefined);
    assert.match(saved.text, /# The run ended in error, which a scenario cannot expect\./);
  });
});
