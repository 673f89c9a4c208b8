// npm run bench: the same app (N units of API route + function + table) built with our
// constructs, with plain aws-cdk-lib L2 constructs as most apps write them, and hardened
// by hand in plain aws-cdk-lib to the same checks; each synthesized and checked by the
// packs of its profile in a fresh process, runs interleaved, medians reported. Then the
// comparison at scale: 40 units in one stack, REGULATED, in interleaved pairs against the
// hand-hardened twin, and an app of 200 units over 5 stacks.
// It rewrites the figures of the README's cost section, between the bench markers.
//
// Environment: BENCH_RUNS (runs per cell of the table, default 3), BENCH_PAIRS (pairs at
// 40 units, default 7), BENCH_SCALE_RUNS (runs of the 200-unit app per variant, default 3).
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Phase, PHASE_DESCRIPTIONS, PHASES, Sample } from './sample';

type Variant = 'ours' | 'hardened' | 'plain';
type Profile = 'STANDARD' | 'REGULATED';

const SIZES = [1, 10, 40];
const RUNS = positive('BENCH_RUNS', 3);
const PAIRS = positive('BENCH_PAIRS', 7);
const SCALE_RUNS = positive('BENCH_SCALE_RUNS', 3);
/** The comparison at scale: units in one stack, and the large app's units and stacks. */
const SCALE_UNITS = 40;
const APP_UNITS = 200;
const APP_STACKS = 5;
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

function positive(name: string, fallback: number): number {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer, got ${process.env[name]}`);
  return value;
}

/** One synth in a fresh process, as `cdk synth` runs it. */
function measure(variant: Variant, units: number, profile: Profile, unitsPerStack = units): Sample {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), `bench-${variant}-`));
  try {
    const output = execFileSync(process.execPath, [
      '-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register',
      path.join(__dirname, 'synth-once.ts'), variant, String(units), profile, outdir, String(unitsPerStack),
    ], {
      // aws-cdk-lib's built-in template validation stays on, as users run it.
      env: { ...process.env, TS_NODE_PROJECT: path.join(__dirname, '..', 'test', 'tsconfig.json'), CDK_VALIDATION: 'true' },
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    return JSON.parse(output.trim().split('\n').pop()!);
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

const seconds = (ms: number) => (ms / 1000).toFixed(1);
const cpuSeconds = (ms: number) => (ms / 1000).toFixed(2);
const started = Date.now();
let done = 0;
const total = SIZES.length * RUNS * CONFIGS.length + 2 * PAIRS + 2 * SCALE_RUNS;
function log(label: string, sample: Sample): void {
  done++;
  console.log(`[${done}/${total}] ${label}: ${seconds(sample.ms)} s wall, ${seconds(sample.cpuMs)} s CPU, ` +
    `${sample.maxRssMb.toFixed(0)} MB peak, ${sample.resources} resources in ${sample.stacks} stacks, ${sample.findings} findings`);
}

// 1. The table: every variant at each size, all units in one stack.
const results = new Map<string, Sample[]>();
for (const units of SIZES) {
  for (let run = 0; run < RUNS; run++) {
    for (const { variant, profile } of CONFIGS) {
      const sample = measure(variant, units, profile);
      const key = `${variant}:${profile}:${units}`;
      results.set(key, [...results.get(key) ?? [], sample]);
      log(`${variant} ${profile} ${units} units, run ${run + 1}`, sample);
    }
  }
}

/** Medians of a cell's samples; counts are the same in every run. */
function summary(samples: Sample[]): Sample {
  return {
    ...samples[0],
    ms: median(samples.map(s => s.ms)),
    cpuMs: median(samples.map(s => s.cpuMs)),
    gcMs: median(samples.map(s => s.gcMs)),
    maxRssMb: median(samples.map(s => s.maxRssMb)),
    phases: Object.fromEntries(PHASES.map(phase => [phase, {
      ms: median(samples.map(s => s.phases[phase].ms)),
      cpuMs: median(samples.map(s => s.phases[phase].cpuMs)),
    }])) as Record<Phase, Sample['phases'][Phase]>,
  };
}
const row = (variant: Variant, profile: Profile, units: number): Sample => summary(results.get(`${variant}:${profile}:${units}`)!);

// 2. At scale: interleaved pairs at 40 units in one stack, REGULATED, the order alternating.
const pairs: Array<{ ours: Sample; hardened: Sample }> = [];
for (let pair = 0; pair < PAIRS; pair++) {
  const order: Variant[] = pair % 2 === 0 ? ['ours', 'hardened'] : ['hardened', 'ours'];
  const samples = {} as Record<Variant, Sample>;
  for (const variant of order) {
    samples[variant] = measure(variant, SCALE_UNITS, 'REGULATED');
    log(`pair ${pair + 1}: ${variant} REGULATED ${SCALE_UNITS} units`, samples[variant]);
  }
  pairs.push({ ours: samples.ours, hardened: samples.hardened });
}
const wallRatios = pairs.map(p => p.ours.ms / p.hardened.ms);
const cpuRatios = pairs.map(p => p.ours.cpuMs / p.hardened.cpuMs);
const ratio40 = median(wallRatios);

// 3. The large app: 200 units over 5 stacks, REGULATED, ours and the twin interleaved.
const scale: Record<'ours' | 'hardened', Sample[]> = { ours: [], hardened: [] };
for (let run = 0; run < SCALE_RUNS; run++) {
  for (const variant of run % 2 === 0 ? ['ours', 'hardened'] as const : ['hardened', 'ours'] as const) {
    const sample = measure(variant, APP_UNITS, 'REGULATED', APP_UNITS / APP_STACKS);
    scale[variant].push(sample);
    log(`${variant} REGULATED ${APP_UNITS} units over ${APP_STACKS} stacks, run ${run + 1}`, sample);
  }
}
const app200 = { ours: summary(scale.ours), hardened: summary(scale.hardened) };

/** Resources one more unit adds to its stack, and what the stack holds besides its units. */
function perStack(variant: Variant, profile: Profile): { perUnit: number; fixed: number; fit: number } {
  const perUnit = (row(variant, profile, 10).maxStackResources - row(variant, profile, 1).maxStackResources) / 9;
  const fixed = row(variant, profile, 1).maxStackResources - perUnit;
  return { perUnit, fixed, fit: Math.floor((STACK_LIMIT - fixed) / perUnit) };
}

const cell = (r: Sample) => `${seconds(r.ms)} (${seconds(r.cpuMs)}) / ${r.resources} / ${r.findings}`;
const table: string[] = [
  `| Variant | Profile | ${SIZES.map(n => `${n} unit${n === 1 ? '' : 's'}`).join(' | ')} | Per unit + shared per stack | Units in one stack |`,
  `| --- | --- | ${SIZES.map(() => '---').join(' | ')} | --- | --- |`,
];
for (const { variant, profile } of CONFIGS) {
  const { perUnit, fixed, fit } = perStack(variant, profile);
  table.push(`| ${variant} | ${variant === 'plain' ? '-' : profile} | ${SIZES.map(units => cell(row(variant, profile, units))).join(' | ')} | ` +
    `${perUnit.toFixed(0)} + ${fixed.toFixed(0)} | ${fit} |`);
}

const pairOurs = summary(pairs.map(p => p.ours));
const pairTwin = summary(pairs.map(p => p.hardened));
const phaseTable: string[] = [
  '| Phase (CPU s, medians) | ours | hand-hardened | ratio | what it is |',
  '| --- | --- | --- | --- | --- |',
  ...PHASES.map(phase => {
    const ours = pairOurs.phases[phase].cpuMs;
    const twin = pairTwin.phases[phase].cpuMs;
    return `| ${phase} | ${cpuSeconds(ours)} | ${cpuSeconds(twin)} | ${twin > 0 ? (ours / twin).toFixed(2) : '-'} | ${PHASE_DESCRIPTIONS[phase]} |`;
  }),
  `| all | ${cpuSeconds(pairOurs.cpuMs)} | ${cpuSeconds(pairTwin.cpuMs)} | ${(pairOurs.cpuMs / pairTwin.cpuMs).toFixed(2)} | ` +
    `of which the main thread paused for garbage collection ${seconds(pairOurs.gcMs)} s and ${seconds(pairTwin.gcMs)} s (wall) |`,
];

const ratio = (a: Variant, b: Variant, field: 'ms' | 'resources', profile: Profile = 'STANDARD') =>
  row(a, profile, 10)[field] / row(b, profile, 10)[field];
const range = (values: number[]) => `${Math.min(...values).toFixed(2)} to ${Math.max(...values).toFixed(2)}`;
const elapsed = (Date.now() - started) / 1000;
const notes = [
  `- At 10 units, STANDARD: synth + validation ${ratio('ours', 'hardened', 'ms').toFixed(2)}x the hand-hardened twin and ` +
    `${ratio('ours', 'plain', 'ms').toFixed(2)}x plain; resources ${ratio('ours', 'hardened', 'resources').toFixed(2)}x hardened and ` +
    `${ratio('ours', 'plain', 'resources').toFixed(2)}x plain. REGULATED: ${ratio('ours', 'hardened', 'ms', 'REGULATED').toFixed(2)}x ` +
    `and ${ratio('ours', 'hardened', 'resources', 'REGULATED').toFixed(2)}x hardened.`,
  `- At ${SCALE_UNITS} units in one stack, REGULATED, ${PAIRS} interleaved pairs: synth + validation ${ratio40.toFixed(2)}x the hand-hardened twin ` +
    `(median of the pairs' wall-time ratios; range ${range(wallRatios)}); CPU time ${median(cpuRatios).toFixed(2)}x (range ${range(cpuRatios)}). ` +
    `Ours ${seconds(pairOurs.ms)} s wall, ${seconds(pairOurs.cpuMs)} s CPU, ${pairOurs.maxRssMb.toFixed(0)} MB peak, ${pairOurs.resources} resources; ` +
    `the twin ${seconds(pairTwin.ms)} s wall, ${seconds(pairTwin.cpuMs)} s CPU, ${pairTwin.maxRssMb.toFixed(0)} MB peak, ${pairTwin.resources} resources.`,
  `- ${APP_UNITS} units over ${APP_STACKS} stacks, REGULATED, median of ${SCALE_RUNS}: ours ${seconds(app200.ours.ms)} s wall, ` +
    `${seconds(app200.ours.cpuMs)} s CPU, ${app200.ours.maxRssMb.toFixed(0)} MB peak, ${app200.ours.resources} resources in ${app200.ours.stacks} stacks; ` +
    `the twin ${seconds(app200.hardened.ms)} s wall, ${seconds(app200.hardened.cpuMs)} s CPU, ${app200.hardened.maxRssMb.toFixed(0)} MB peak, ` +
    `${app200.hardened.resources} resources (${(app200.ours.ms / app200.hardened.ms).toFixed(2)}x).`,
];
const last = `bench: synth_ratio=${ratio('ours', 'plain', 'ms').toFixed(2)} resource_ratio=${ratio('ours', 'plain', 'resources').toFixed(2)} ` +
  `hardened_synth_ratio=${ratio('ours', 'hardened', 'ms').toFixed(2)} hardened_resource_ratio=${ratio('ours', 'hardened', 'resources').toFixed(2)} ` +
  `units_per_stack=${perStack('ours', 'STANDARD').fit}/${perStack('ours', 'REGULATED').fit} ` +
  `hardened_synth_ratio_40=${ratio40.toFixed(2)} synth_s_200=${seconds(app200.ours.ms)}`;

const block = [
  `\`BENCH_RUNS=${RUNS} BENCH_PAIRS=${PAIRS} BENCH_SCALE_RUNS=${SCALE_RUNS} npm run bench\`: ${done} synths, ${(elapsed / 60).toFixed(0)} minutes in all, ` +
    'aws-cdk-lib\'s built-in template validation on. Each cell: median seconds of wall time (CPU time) / resources / findings, all units in one stack:',
  '',
  ...table,
  '',
  ...notes,
  '',
  `Where the time goes at ${SCALE_UNITS} units, REGULATED (medians of the pairs, CPU seconds of every thread of the process):`,
  '',
  ...phaseTable,
  '',
  `The bench's last line: \`${last}\`.`,
].join('\n');

const readme = fs.readFileSync(README, 'utf8');
const start = readme.indexOf(START_MARKER);
const end = readme.indexOf(END_MARKER);
if (start < 0 || end < start) throw new Error(`README.md has no ${START_MARKER} ... ${END_MARKER} section to rewrite`);
fs.writeFileSync(README, `${readme.slice(0, start + START_MARKER.length)}\n${block}\n${readme.slice(end)}`);

console.log('');
console.log(table.join('\n'));
console.log('');
console.log(notes.join('\n'));
console.log('');
console.log(phaseTable.join('\n'));
console.log(`README.md cost section rewritten; ${done} synths in ${(elapsed / 60).toFixed(1)} minutes`);
console.log(last);
