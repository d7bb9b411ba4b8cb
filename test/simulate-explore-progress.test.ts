// Exploration progress and cancellation, as the editor's progress notification
// uses them: one report per run out of the total known so far (every sequence up front with --all), and an
// abort that stops the worker mid-run.
import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { enumerateSequences, ExplorationCancelled, explore } from '../src/simulate';

const SEED = join(__dirname, '..', 'examples', 'seed-box-waker.ts');

describe('explore: progress and cancellation', function () {
  this.timeout(120_000);

  it('reports every run done, out of the total known so far (level by level, breadth first)', async () => {
    const reports: [number, number][] = [];
    const exploration = await explore(SEED, 'createRawWaker', { depth: 3, onProgress: (done, total) => reports.push([done, total]) });
    assert.equal(reports.length, exploration.explored);
    assert.deepEqual(reports.at(-1), [exploration.explored, exploration.explored]);
    assert.ok(reports.every(([done, total], i) => done === i + 1 && done <= total && (i === 0 || total >= reports[i - 1][1])));
  });

  it('counts every sequence up front when every sequence runs', async () => {
    const reports: [number, number][] = [];
    await explore(SEED, 'createRawWaker', { depth: 3, all: true, onProgress: (done, total) => reports.push([done, total]) });
    const total = enumerateSequences(3).length;
    assert.equal(reports.length, total);
    assert.ok(reports.every(([done, t], i) => done === i + 1 && t === total));
  });

  it('stops when aborted: rejects with ExplorationCancelled before running every sequence', async () => {
    const controller = new AbortController();
    let done = 0;
    const total = enumerateSequences(5).length;
    const run = explore(SEED, 'createRawWaker', {
      depth: 5,
      signal: controller.signal,
      onProgress: (n) => {
        done = n;
        if (n === 20) controller.abort();
      },
    });
    await assert.rejects(run, ExplorationCancelled);
    assert.ok(done >= 20 && done < total, `${done} of ${total} sequences ran`);
  });

  it('does not start when the signal is already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(explore(SEED, 'createRawWaker', { depth: 2, signal: controller.signal }), ExplorationCancelled);
  });
});
