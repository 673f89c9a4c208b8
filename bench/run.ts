// npm run bench: the same app (N units of API route + function + table) built with our
// constructs, with plain aws-cdk-lib L2 constructs as most apps write them, and hardened
// by hand in plain aws-cdk-lib to the same checks; each synthesized and checked by the
// packs of its profile in a fresh process; runs are interleaved and the median is reported.
// It rewrites the figures of the README's cost section, between the bench markers.
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

type Variant = 'ours' | 'hardened' | 'plain';
type Profile = 'STANDARD' | 'REGULATED';

interface Sample {
  readonly units: number;
  readonly ms: number;
  readonly resources: number;
  readonly maxStackResources: number;
  readonly findings: number;
  readonly maxRssMb: number;
}

const SIZES = [1, 10, 40];
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const STACK_LIMIT = 500;
const README = path.join(__dirname, '..', 'README.md');
const START_MARKER = '<!-- bench:start -->';
const END_MARKER = '<!-- bench:end -->';

/** Plain is the insecure twin: it has no profile, and is measured under the STANDARD packs. */
const CONFIGS: ReadonlyArray<{ variant: Variant; profile: Profile }> = [
  { variant: 'ours', profile: 'STANDARD' },
  { variant: 'hardened', profile: 'STANDARD' },
  { variant: 'plain', profile: 'STANDARD' },
  { variant: 'ours', profile: 'REGULATED' },
  { variant: 'hardened', profile: 'REGULATED' },
];

function measure(variant: Variant, units: number, profile: Profile): Sample {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), `bench-${variant}-`));
  try {
    const output = execFileSync(process.execPath, [
      '-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register',
      path.join(__dirname, 'synth-once.ts'), variant, String(units), profile, outdir,
    ], {
      // aws-cdk-lib's built-in template validation stays on, as users run it.
      env: { ...process.env, TS_NODE_PROJECT: path.join(__dirname, '..', 'test', 'tsconfig.json'), CDK_VALIDATION: 'true' },
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

const started = Date.now();
const total = SIZES.length * RUNS * CONFIGS.length;
const results = new Map<string, Sample[]>();
let done = 0;
for (const units of SIZES) {
  for (let run = 0; run < RUNS; run++) {
    for (const { variant, profile } of CONFIGS) {
      const sample = measure(variant, units, profile);
      const key = `${variant}:${profile}:${units}`;
      results.set(key, [...results.get(key) ?? [], sample]);
      done++;
      console.log(`[${done}/${total}] ${variant} ${profile} ${units} units, run ${run + 1}: ${sample.ms.toFixed(0)} ms, ${sample.resources} resources, ${sample.findings} findings`);
    }
  }
}

const row = (variant: Variant, profile: Profile, units: number): Sample => {
  const samples = results.get(`${variant}:${profile}:${units}`)!;
  return { ...samples[0], ms: median(samples.map(s => s.ms)), maxRssMb: median(samples.map(s => s.maxRssMb)) };
};

/** Resources one more unit adds to its stack, and what the stack holds besides its units. */
function perStack(variant: Variant, profile: Profile): { perUnit: number; fixed: number; fit: number } {
  const perUnit = (row(variant, profile, 10).maxStackResources - row(variant, profile, 1).maxStackResources) / 9;
  const fixed = row(variant, profile, 1).maxStackResources - perUnit;
  return { perUnit, fixed, fit: Math.floor((STACK_LIMIT - fixed) / perUnit) };
}

const lines: string[] = [
  `| Variant | Profile | ${SIZES.map(n => `${n} unit${n === 1 ? '' : 's'}: ms / resources / findings`).join(' | ')} | Per unit + shared per stack | Units in one stack |`,
  `| --- | --- | ${SIZES.map(() => '---').join(' | ')} | --- | --- |`,
];
for (const { variant, profile } of CONFIGS) {
  const cells = SIZES.map(units => {
    const r = row(variant, profile, units);
    return `${Math.round(r.ms).toLocaleString('en-US')} / ${r.resources} / ${r.findings}`;
  });
  const { perUnit, fixed, fit } = perStack(variant, profile);
  lines.push(`| ${variant} | ${variant === 'plain' ? '-' : profile} | ${cells.join(' | ')} | ${perUnit.toFixed(0)} + ${fixed.toFixed(0)} | ${fit} |`);
}

const ratio = (a: Variant, b: Variant, field: 'ms' | 'resources', profile: Profile = 'STANDARD') =>
  row(a, profile, 10)[field] / row(b, profile, 10)[field];
const seconds = ((Date.now() - started) / 1000).toFixed(0);
const summary = [
  `- At 10 units, STANDARD: synth + validation ${ratio('ours', 'hardened', 'ms').toFixed(2)}x the hand-hardened twin and ` +
    `${ratio('ours', 'plain', 'ms').toFixed(2)}x plain; resources ${ratio('ours', 'hardened', 'resources').toFixed(2)}x hardened and ` +
    `${ratio('ours', 'plain', 'resources').toFixed(2)}x plain. REGULATED: ${ratio('ours', 'hardened', 'ms', 'REGULATED').toFixed(2)}x ` +
    `and ${ratio('ours', 'hardened', 'resources', 'REGULATED').toFixed(2)}x hardened.`,
  `- Peak memory at 10 units: ours ${row('ours', 'STANDARD', 10).maxRssMb.toFixed(0)} MB, hardened ${row('hardened', 'STANDARD', 10).maxRssMb.toFixed(0)} MB, ` +
    `plain ${row('plain', 'STANDARD', 10).maxRssMb.toFixed(0)} MB.`,
];
const last = `bench: synth_ratio=${ratio('ours', 'plain', 'ms').toFixed(2)} resource_ratio=${ratio('ours', 'plain', 'resources').toFixed(2)} ` +
  `hardened_synth_ratio=${ratio('ours', 'hardened', 'ms').toFixed(2)} hardened_resource_ratio=${ratio('ours', 'hardened', 'resources').toFixed(2)} ` +
  `units_per_stack=${perStack('ours', 'STANDARD').fit}/${perStack('ours', 'REGULATED').fit}`;

const block = [
  `Median of ${RUNS} interleaved run${RUNS === 1 ? '' : 's'} (${seconds} s in all), aws-cdk-lib's built-in template validation on:`,
  '',
  ...lines,
  '',
  ...summary,
  `- The bench's last line: \`${last}\`.`,
].join('\n');

const readme = fs.readFileSync(README, 'utf8');
const start = readme.indexOf(START_MARKER);
const end = readme.indexOf(END_MARKER);
if (start < 0 || end < start) throw new Error(`README.md has no ${START_MARKER} ... ${END_MARKER} section to rewrite`);
fs.writeFileSync(README, `${readme.slice(0, start + START_MARKER.length)}\n${block}\n${readme.slice(end)}`);

console.log('');
console.log(lines.join('\n'));
console.log(summary.join('\n'));
console.log(`README.md cost section rewritten; ${done} synths in ${seconds} s`);
console.log(last);
