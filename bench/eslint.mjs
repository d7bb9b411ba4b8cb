// ESLint with the wakerscope plugin against `wakerscope check`, on the same
// synthetic corpus (bench/generate.mjs), each as a process, wall time:
//   - `wakerscope check -p corpus`
//   - `eslint` with typescript-eslint's parser + projectService and no rules:
//     what typed linting costs before any rule runs
//   - the same plus `wakerscope.configs.recommended`
// It prints the ratios and checks both front ends report the same findings.
//
//   node bench/eslint.mjs [--files 200 --functions 30 --reps 3]
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { bundle, corpusOptions, median, OUT, REPO } from './common.mjs';
import { generate } from './generate.mjs';

const ESLINT = join(REPO, 'node_modules', 'eslint', 'bin', 'eslint.js');
const { files: FILES, functions: FUNCTIONS, reps: REPS } = corpusOptions();

const CLI = bundle('cli/main.ts', 'cli');
bundle('eslint/index.ts', 'eslint-plugin'); // the configs below import it as ./eslint-plugin.cjs

// Two flat configs beside the corpus (ESLint ignores files outside its config's folder).
const parserConfig = `{
  files: ['**/*.ts'],
  languageOptions: { parser: tseslint.parser, parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
}`;
const configs = {
  parserOnly: join(OUT, 'eslint-parser-only.config.mjs'),
  plugin: join(OUT, 'eslint-wakerscope.config.mjs'),
};
writeFileSync(configs.parserOnly, `import tseslint from 'typescript-eslint';\nexport default [${parserConfig}];\n`);
writeFileSync(configs.plugin, `import tseslint from 'typescript-eslint';\nimport wakerscope from './eslint-plugin.cjs';\nexport default [${parserConfig}, wakerscope.configs.recommended];\n`);

function timeProcess(args, okCodes) {
  const start = performance.now();
  const result = spawnSync(process.execPath, args, { cwd: OUT, encoding: 'utf8', maxBuffer: 1 << 28 });
  const ms = performance.now() - start;
  if (!okCodes.includes(result.status)) throw new Error(`${args.join(' ')} exited ${result.status}: ${(result.stderr || result.stdout).split('\n')[0]}`);
  return { ms, stdout: result.stdout };
}

const dir = generate(join(OUT, 'corpus-eslint'), FILES, FUNCTIONS);
const eslintArgs = (config) => [ESLINT, '--config', config, '--format', 'json', '--no-warn-ignored', join(dir, 'src')];
const runs = [];
let checkFindings = [];
let eslintFindings = [];
for (let rep = 0; rep < REPS; rep++) {
  const check = timeProcess([CLI, 'check', '-p', dir, '--format', 'json'], [0, 1]);
  const parserOnly = timeProcess(eslintArgs(configs.parserOnly), [0]);
  const plugin = timeProcess(eslintArgs(configs.plugin), [0, 1]);
  runs.push({ checkMs: check.ms, parserOnlyMs: parserOnly.ms, pluginMs: plugin.ms });
  checkFindings = JSON.parse(check.stdout).map((f) => `${f.file}:${f.line}:${f.column} ${f.rule}`);
  eslintFindings = JSON.parse(plugin.stdout).flatMap((result) =>
    result.messages.map((m) => `${resolve(result.filePath).slice(REPO.length + 1)}:${m.line}:${m.column} ${m.ruleId?.replace(/^wakerscope\//, '')}`),
  );
  console.error(`run ${rep + 1}/${REPS}`);
}

// Same corpus, same analyzer: both must report the same findings at the same places.
const key = (list) => [...list].map((f) => f.replace(/^.*?(src[\\/]module)/, '$1')).sort();
const same = JSON.stringify(key(checkFindings)) === JSON.stringify(key(eslintFindings));
if (!same) {
  const a = new Set(key(checkFindings));
  const b = new Set(key(eslintFindings));
  console.error('findings differ:', { onlyCheck: [...a].filter((x) => !b.has(x)).slice(0, 5), onlyEslint: [...b].filter((x) => !a.has(x)).slice(0, 5) });
  process.exitCode = 1;
}

const pick = (k) => median(runs.map((r) => r[k]));
const fmt = (ms) => `${(ms / 1000).toFixed(2)} s`;
const check = pick('checkMs');
const parserOnly = pick('parserOnlyMs');
const plugin = pick('pluginMs');
console.log(`corpus: ${FILES} files × ${FUNCTIONS} functions; median of ${REPS} run(s); node ${process.version}\n`);
console.log('| wakerscope check | eslint, typed parser only | eslint + wakerscope recommended | eslint+plugin / check | plugin cost over typed parsing | findings (check / eslint) |');
console.log('|---|---|---|---|---|---|');
console.log(
  `| ${fmt(check)} | ${fmt(parserOnly)} | ${fmt(plugin)} | ${(plugin / check).toFixed(2)}× | +${(((plugin - parserOnly) / parserOnly) * 100).toFixed(0)}% | ${checkFindings.length} / ${eslintFindings.length}${same ? ', identical' : ', DIFFERENT'} |`,
);
