// Whether this tree's analyzer reports exactly what another commit's reports:
// the JSON of every finding (messages, spans, related spans, help, fixes) on
// the generated corpora (realistic and worst case), test/corpus/programs and
// both fixture folders. For speed work, whose findings must not change.
//
//   node bench/same-findings.mjs [--against main] [--files 200 --functions 30]
//
// Exits 1 and prints the first differing finding of each program that differs.
import { join } from 'node:path';
import { folderProgram, loadAnalyzer, loadCommitAnalyzer, option, OUT, REPO } from './common.mjs';
import { generate } from './generate.mjs';

const AGAINST = option('against', 'main');
const FILES = Number(option('files', '200'));
const FUNCTIONS = Number(option('functions', '30'));

const current = loadAnalyzer('same-');
const ts = current.ts;
const other = loadCommitAnalyzer(AGAINST);

const programs = [
  ['generated, realistic', () => current.buildProgram(generate(join(OUT, `same-corpus-${FILES}x${FUNCTIONS}-0.2`), FILES, FUNCTIONS, 0.2)).program],
  ['generated, worst case', () => current.buildProgram(generate(join(OUT, `same-corpus-${FILES}x${FUNCTIONS}-worst`), FILES, FUNCTIONS, undefined)).program],
  ['test/corpus/programs', () => folderProgram(ts, join(REPO, 'test', 'corpus', 'programs'))],
  ['test/fixtures/flow', () => folderProgram(ts, join(REPO, 'test', 'fixtures', 'flow'))],
  ['test/fixtures/vtable', () => folderProgram(ts, join(REPO, 'test', 'fixtures', 'vtable'))],
];

let differs = false;
for (const [label, build] of programs) {
  const program = build();
  // A fresh program for each analyzer, so neither sees the other's checker state first.
  const theirs = other.analyzeProgram(ts, program).map((finding) => JSON.stringify(finding));
  const mine = current.analysis.analyzeProgram(ts, build()).map((finding) => JSON.stringify(finding));
  const first = mine.findIndex((finding, index) => finding !== theirs[index]);
  if (first < 0 && mine.length === theirs.length) {
    console.log(`same      ${label}: ${mine.length} findings`);
    continue;
  }
  differs = true;
  const at = first < 0 ? Math.min(mine.length, theirs.length) : first;
  console.log(`DIFFERS   ${label}: ${theirs.length} findings at ${AGAINST}, ${mine.length} here; first difference, finding ${at}:`);
  console.log(`  ${AGAINST}: ${theirs[at] ?? '(none)'}`);
  console.log(`  here: ${mine[at] ?? '(none)'}`);
}
process.exit(differs ? 1 : 0);
