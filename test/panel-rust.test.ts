// The panel's Rust column: each simulated step as the `std::task::Waker` call it
// stands for, on the seed scenario's real run.
import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { loadScenario, simulateScenario } from '../src/simulate';
import { rustSlot, rustStatement } from '../src/webview/rust';

describe('panel: the Rust each step stands for', function () {
  this.timeout(60_000);

  it('names every step of the seed run as Rust, and each slot it reaches as RawWakerVTable::<slot> → function', async () => {
    const run = await simulateScenario(loadScenario(join(__dirname, '..', 'examples', 'seed-box-waker.wakersim')));
    assert.equal(run.sequence, 'new; clone 0; wake 0; wake_by_ref 1; drop 1');
    assert.deepEqual(
      run.steps.map((step) => [rustStatement(step, run.factory), ...step.slots.map((slot) => `${rustSlot(slot.slot)} → ${slot.function}`)].join('  ')),
      [
        'let w0 = createRawWaker();',
        'let w1 = w0.clone();  RawWakerVTable::clone → myClone',
        'w0.wake();  RawWakerVTable::wake → myWake',
        'w1.wake_by_ref();  RawWakerVTable::wake_by_ref → myWakeByRef',
        'drop(w1);  RawWakerVTable::drop → myDrop',
      ],
    );
  });

  it('numbers variables by scenario handle, whichever handle is used', () => {
    assert.equal(rustStatement({ operation: 'clone', handle: 2, created: 5 }, 'f'), 'let w5 = w2.clone();');
    assert.equal(rustStatement({ operation: 'drop', handle: 3 }, 'f'), 'drop(w3);');
    assert.equal(rustSlot('wakeByRef'), 'RawWakerVTable::wake_by_ref');
  });
});
