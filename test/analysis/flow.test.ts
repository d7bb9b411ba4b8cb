// The flow rules against their fixtures (test/fixtures/flow): exact findings,
// quick fixes that type-check, and coverage of every rule both ways.
import { join } from 'node:path';
import { analyzeFlow } from '../../src/analysis/flow/index';
import { describeFixtures, FIXTURES_ROOT } from './fixture-runner';

// Surface analyzer exceptions instead of the production safety net that skips a function.
process.env.WAKERSCOPE_STRICT = '1';

describeFixtures({
  title: 'flow rules: fixtures',
  folder: join(FIXTURES_ROOT, 'flow'),
  analyze: analyzeFlow,
  checkFixes: true,
  coverage: { rules: ['use-after-wake', 'use-after-drop', 'use-after-move', 'clone-without-drop', 'lost-wakeup'], failing: 8, passing: 8 },
});
