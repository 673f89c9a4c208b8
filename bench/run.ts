// npm run bench: the same app (N units of API route + function + table) built with our
// constructs and with plain aws-cdk-lib L2 constructs, each synthesized and checked by the
// same packs in a fresh process; runs are interleaved and the median is reported.
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

interface Sample {
  readonly variant: 'ours' | 'plain';
  readonly units: number;
  readonly ms: number;
  readonly resources: number;
  readonly maxStackResources: number;
  readonly findings: number;
  readonly maxRssMb: number;
}

const SIZES = [1, 10, 50];
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const STACK_LIMIT = 500;

/** aws-cdk-lib's built-in template validation on (as users run it) or off (`CDK_VALIDATION=false`). */
type Mode = 'builtin-on' | 'builtin-off';

function measure(variant: Sample['variant'], units: number, mode: Mode): Sample {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), `bench-${variant}-`));
  try {
    const output = execFileSync(process.execPath, [
      '-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register',
      path.join(__dirname, 'synth-once.ts'), variant, String(units), outdir,
    ], {
      env: { ...process.env, TS_NODE_PROJECT: path.join(__dirname, '..', 'test', 'tsconfig.json'), CDK_VALIDATION: mode === 'builtin-on' ? 'true' : 'false' },
      encoding: 'utf8',
    });
    return JSON.parse(output.trim().split('\n').pop()!);
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

const MODES: Mode[] = ['builtin-on', 'builtin-off'];
const results = new Map<string, Sample[]>();
const started = Date.now();
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(0)} s`;
const total = MODES.length * SIZES.length * RUNS * 2;
let done = 0;
for (const mode of MODES) {
  for (const units of SIZES) {
    for (let run = 0; run < RUNS; run++) {
      for (const variant of ['ours', 'plain'] as const) {
        const key = `${mode}:${variant}:${units}`;
        const sample = measure(variant, units, mode);
        results.set(key, [...results.get(key) ?? [], sample]);
        // Each measurement is a fresh process of several seconds: show the run is alive.
        process.stderr.write(`[${++done}/${total}] ${mode} ${variant} ${units} units: ${sample.ms.toFixed(0)} ms (${elapsed()} so far)\n`);
      }
    }
  }
}

const row = (variant: Sample['variant'], units: number, mode: Mode = 'builtin-on') => {
  const samples = results.get(`${mode}:${variant}:${units}`)!;
  return { ...samples[0], ms: median(samples.map(s => s.ms)), rss: median(samples.map(s => s.maxRssMb)) };
};

for (const mode of MODES) {
  console.log(`\naws-cdk-lib built-in template validation ${mode === 'builtin-on' ? 'on (as users run it)' : 'off (CDK_VALIDATION=false)'}, median of ${RUNS}:`);
  console.log('units  variant  synth+validate ms  peak RSS MB  resources  findings');
  for (const units of SIZES) {
    for (const variant of ['ours', 'plain'] as const) {
      const r = row(variant, units, mode);
      console.log(`${String(units).padStart(5)}  ${variant.padEnd(7)}  ${r.ms.toFixed(0).padStart(17)}  ${r.rss.toFixed(0).padStart(11)}  ${String(r.resources).padStart(9)}  ${String(r.findings).padStart(8)}`);
    }
  }
  console.log(`synth ratio at 10 units: ${(row('ours', 10, mode).ms / row('plain', 10, mode).ms).toFixed(2)}`);
}

const perUnit = (variant: Sample['variant']) => (row(variant, 10).resources - row(variant, 1).resources) / 9;
const fixed = (variant: Sample['variant']) => row(variant, 1).resources - perUnit(variant);
console.log('');
for (const variant of ['ours', 'plain'] as const) {
  const fit = Math.floor((STACK_LIMIT - fixed(variant)) / perUnit(variant));
  console.log(`${variant}: ${perUnit(variant).toFixed(1)} resources per unit + ${fixed(variant).toFixed(0)} per stack; ${fit} units fit in one stack`);
}
const synthRatio = row('ours', 10).ms / row('plain', 10).ms;
// Resources per unit at 10 units, shared resources included (the stricter reading; the
// marginal cost of one more unit is printed above).
const resourceRatio = (row('ours', 10).resources / 10) / (row('plain', 10).resources / 10);
console.log(`marginal resources per unit: ours/plain = ${(perUnit('ours') / perUnit('plain')).toFixed(2)}`);
console.log(`bench: synth_ratio=${synthRatio.toFixed(2)} resource_ratio=${resourceRatio.toFixed(2)}`);
console.log(`bench: total time ${elapsed()}`);
