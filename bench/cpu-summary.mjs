// The hottest functions of a V8 .cpuprofile (from `node --cpu-prof`), by self time and by total time.
//
//   node bench/cpu-summary.mjs file.cpuprofile [--top 30] [--filter text] [--under analyzeProgram]
//
// `--under name` counts only samples taken inside a function of that name (e.g. the analysis alone).
import { readFileSync } from 'node:fs';

const [file] = process.argv.slice(2).filter((a, i, all) => !a.startsWith('--') && !all[i - 1]?.startsWith('--'));
if (!file) {
  console.error('usage: node bench/cpu-summary.mjs file.cpuprofile [--top 30] [--filter text]');
  process.exit(2);
}
const option = (name, fallback) => {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? process.argv[index + 1] : fallback;
};
const TOP = Number(option('top', '30'));
const FILTER = option('filter', '');
const UNDER = option('under', '');

const profile = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const parent = new Map();
for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
const selfSamples = new Map();
for (const id of profile.samples) selfSamples.set(id, (selfSamples.get(id) ?? 0) + 1);
const interval = (profile.endTime - profile.startTime) / profile.samples.length / 1000; // ms per sample

const label = (node) => {
  const { functionName, url, lineNumber } = node.callFrame;
  return `${functionName || '(anonymous)'} ${url.split('/').slice(-2).join('/')}:${lineNumber + 1}`;
};
const self = new Map();
const total = new Map();
const isUnder = (id) => {
  for (let at = id; at !== undefined; at = parent.get(at)) if (byId.get(at).callFrame.functionName === UNDER) return true;
  return false;
};
let counted = 0;
for (const [id, samples] of selfSamples) {
  if (UNDER && !isUnder(id)) continue;
  counted += samples;
  const node = byId.get(id);
  self.set(label(node), (self.get(label(node)) ?? 0) + samples);
  // Total: every distinct function on the stack gets the sample once.
  const seen = new Set();
  for (let at = id; at !== undefined; at = parent.get(at)) {
    const name = label(byId.get(at));
    if (seen.has(name)) continue;
    seen.add(name);
    total.set(name, (total.get(name) ?? 0) + samples);
  }
}
const print = (title, map) => {
  console.log(`\n${title}`);
  [...map].filter(([name]) => name.includes(FILTER)).sort((a, b) => b[1] - a[1]).slice(0, TOP)
    .forEach(([name, samples]) => console.log(`${(samples * interval).toFixed(0).padStart(8)} ms  ${name}`));
};
console.log(`${counted} samples${UNDER ? ` under ${UNDER}` : ''}, ${(counted * interval).toFixed(0)} ms`);
print('self time', self);
print('total time', total);
