// Every open file analysed again after an edit in one of them, as the tsserver
// plugin does (one IncrementalAnalyzer for all open files; tsserver keeps the
// SourceFile of every file it did not change): this tree's analyzer side by
// side with a baseline commit's, in one process, on the same programs.
//
//   node bench/open-files.mjs [--baseline c6f17ea] [--files 10 --functions 60 --waker-share 0.2] [--reps 9]
//
// Each round edits the first file (in a function body, in a class property's
// initializer, in a comment outside every body, or by adding a declaration), builds the next program from the
// last one, type-checks every file (tsserver's diagnostics) and analyses each
// once with each side's plain analyzeFile, untimed (the checker's lazy work,
// and both bundles equally warm), then lets each side's IncrementalAnalyzer
// analyse every file, the sides in alternating order, on one V8 thread. Prints, per kind of
// edit, the median CPU time of analysing all files, the ratio, and the median
// time of each file other than the edited one (what a reused open file costs).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { corpusOptions, cpu, loadAnalyzer, loadCommitAnalyzer, median, option, OUT } from './common.mjs';
import { generate } from './generate.mjs';

// On one V8 thread, so each side pays for its own garbage collection (see compare.mjs).
if (!process.execArgv.includes('--single-threaded')) {
  const run = spawnSync(process.execPath, ['--single-threaded', ...process.execArgv, fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exit(run.status ?? 1);
}

const BASELINE = option('baseline', 'c6f17ea');
const { wakerShare: WAKER_SHARE } = corpusOptions();
const FILES = Number(option('files', '10'));
const FUNCTIONS = Number(option('functions', '60'));
const REPS = Number(option('reps', '9'));

const current = loadAnalyzer('open-files-');
const ts = current.ts;
const sides = [
  { label: BASELINE, analysis: loadCommitAnalyzer(BASELINE) },
  { label: 'this tree', analysis: current.analysis },
];

const dir = generate(join(OUT, `open-files-${FILES}x${FUNCTIONS}-${WAKER_SHARE ?? 'worst'}`), FILES, FUNCTIONS, WAKER_SHARE);
const config = ts.getParsedCommandLineOfConfigFile(join(dir, 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => { throw new Error(ts.flattenDiagnosticMessageText(d.messageText, ' ')); } });
const rootNames = config.fileNames.sort();
const edited = rootNames[0];

// A host that keeps every SourceFile it parsed until its text changes, as tsserver does.
const texts = new Map(rootNames.map((name) => [name, readFileSync(name, 'utf8')]));
const parsed = new Map();
const base = ts.createCompilerHost(config.options, true);
const host = {
  ...base,
  getSourceFile: (fileName, languageVersion) => {
    const text = texts.get(fileName) ?? base.readFile(fileName);
    if (text === undefined) return undefined;
    const known = parsed.get(fileName);
    if (known && known.text === text) return known;
    const file = ts.createSourceFile(fileName, text, languageVersion, true);
    parsed.set(fileName, file);
    return file;
  },
  readFile: (fileName) => texts.get(fileName) ?? base.readFile(fileName),
};
let program = ts.createProgram({ rootNames, options: config.options, host });

/** The edits, each a function of the round: the text of `edited` after it. */
const EDITS = {
  // A statement at the start of a function body (a different one each round).
  body: (text, round) => {
    const bodies = [...text.matchAll(/\): (?:void|number|boolean|string|RawWaker|Poll<[^>\n]*>) \{\n/g)];
    const at = bodies[round % bodies.length];
    const offset = at.index + at[0].length;
    return text.slice(0, offset) + `  void ${round};\n` + text.slice(offset);
  },
  // A class property's initializer (`n = 0` in every generated file's `Task`): the property's type stays `number`.
  property: (text, round) => text.replace(/\n  n = \d+;/, `\n  n = ${round};`),
  // A comment outside every body: the skeleton's text changes, no declaration does.
  comment: (text, round) => text.replace(/\nexport class Task \{/, `\n// edit ${round}\nexport class Task {`),
  // A new exported declaration: what the file declares changes.
  declaration: (text, round) => `${text}\nexport const edit${round}: number = ${round};\n`,
};

function analyseAll(analyzer) {
  let total = 0;
  let findings = 0;
  let others = 0;
  for (const name of rootNames) {
    const [ms, result] = cpu(() => analyzer.analyzeFile(program, program.getSourceFile(name)));
    total += ms;
    if (name !== edited) others += ms;
    findings += result.length;
  }
  return { ms: total, otherMs: others / (rootNames.length - 1), findings };
}

const analyzers = sides.map((side) => new side.analysis.IncrementalAnalyzer(ts));
const results = Object.fromEntries(Object.keys(EDITS).map((kind) => [kind, sides.map(() => [])]));
let round = 0;
// Warm the JIT and every analyzer's state (two rounds of each edit), then measure.
for (let rep = -2; rep < REPS; rep++) {
  for (const [kind, edit] of Object.entries(EDITS)) {
    round++;
    texts.set(edited, edit(texts.get(edited), round));
    program = ts.createProgram({ rootNames, options: config.options, host, oldProgram: program });
    for (const name of rootNames) program.getSemanticDiagnostics(program.getSourceFile(name));
    // The checker's lazy work the rules ask for, done before either side is timed (as after the plugin's first request).
    for (const side of sides) for (const name of rootNames) side.analysis.analyzeFile(ts, program, program.getSourceFile(name));
    // Alternate which side goes first for each kind of edit: the first one may pay for the checker's lazy work.
    const order = rep % 2 === 0 ? [0, 1] : [1, 0];
    const measured = [];
    for (const index of order) measured[index] = analyseAll(analyzers[index]);
    if (measured[0].findings !== measured[1].findings) throw new Error(`${kind} edit ${round}: ${measured[0].findings} findings against ${measured[1].findings}`);
    if (rep >= 0) measured.forEach((m, index) => results[kind][index].push(m));
  }
}

const mix = WAKER_SHARE === undefined ? 'worst case' : `${WAKER_SHARE * 100}% waker functions`;
const lines = readFileSync(edited, 'utf8').split('\n').length;
console.log(`${FILES} open files (generated, ${FUNCTIONS} functions each, ${mix}, ~${lines} lines), one edited; CPU time of analysing all of them again, median of ${REPS}; baseline ${BASELINE}; node ${process.version}, typescript ${ts.version}\n`);
console.log('| edit in one file | baseline | this tree | ratio | each other file: baseline | this tree |');
console.log('|---|---|---|---|---|---|');
for (const [kind, [base, mine]] of Object.entries(results)) {
  const b = median(base.map((m) => m.ms));
  const m = median(mine.map((m) => m.ms));
  const other = (rows) => median(rows.map((row) => row.otherMs)).toFixed(2);
  console.log(`| ${kind} | ${b.toFixed(1)} ms | ${m.toFixed(1)} ms | ${(m / b).toFixed(2)} | ${other(base)} ms | ${other(mine)} ms |`);
}
