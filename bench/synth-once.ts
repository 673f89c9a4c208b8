// One measured synth in a fresh process: builds N units with one variant and profile,
// synthesizes the app and runs the packs of the profile over it, and prints one JSON line.
//
//   synth-once.ts <variant> <units> <profile> <outdir> [units per stack] [repeats]
//
// With repeats > 1 the same app is built again in the same process, one JSON line
// each: the first is cold, as `cdk synth` runs; the rest are warm (JIT compiled,
// aws-cdk-lib's validation engine started), which profiling uses to compare phases.
import * as fs from 'fs';
import * as path from 'path';
import { performance, PerformanceObserver } from 'perf_hooks';
import { App, CloudFormationValidatePlugin, IPolicyValidationPlugin, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks, PCIDSS321Checks, ServerlessChecks } from 'cdk-nag';
import { hardenedUnits } from './hardened';
import { oursUnits } from './ours';
import { plainUnits } from './plain';
import { Phase, PHASES, PhaseTime, Sample } from './sample';
import { ComplianceProfile, SecurityBaseline, ServerlessSecurityChecks } from 'cdk-secure-serverless';

const collections: Array<{ startTime: number; duration: number }> = [];
new PerformanceObserver(list => collections.push(...list.getEntries())).observe({ entryTypes: ['gc'] });

type Clock = { wall: bigint; cpu: NodeJS.CpuUsage };
const clock = (): Clock => ({ wall: process.hrtime.bigint(), cpu: process.cpuUsage() });
let phases = {} as Record<Phase, PhaseTime>;
let mark = clock();

/** Adds the time since `from` (by default the end of the last phase) to `name`. */
function addTime(name: Phase, from: Clock): void {
  const cpu = process.cpuUsage(from.cpu);
  const before = phases[name] ?? { ms: 0, cpuMs: 0 };
  phases[name] = { ms: before.ms + Number(process.hrtime.bigint() - from.wall) / 1e6, cpuMs: before.cpuMs + (cpu.user + cpu.system) / 1000 };
}

/** Closes the phase that began at the last mark. */
function endPhase(name: Phase): void {
  addTime(name, mark);
  mark = clock();
}

/**
 * Splits `app.synth()` at aws-cdk-lib's own steps, which it calls through module exports:
 * what runs before `prepareApp` is the aspects, what runs between it and `validateTemplates`
 * is rendering the templates. Were a step renamed, its time would stay in the next phase.
 */
function around(file: string, exported: string, before: () => void, after: () => void): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const module = require(path.join(path.dirname(require.resolve('aws-cdk-lib/package.json')), file));
  const original = module[exported];
  if (typeof original !== 'function') return;
  module[exported] = function (this: unknown, ...args: unknown[]) {
    before();
    try {
      return original.apply(this, args);
    } finally {
      after();
    }
  };
}
around('core/lib/private/prepare-app.js', 'prepareApp', () => endPhase('aspects'), () => endPhase('prepare'));
around('core/lib/private/synthesis-validation.js', 'validateTemplates', () => endPhase('templates'), () => endPhase('otherValidation'));

/** Times a method of aws-cdk-lib's built-in plugin as its own phase, inside the validation step. */
function builtIn(target: any, method: string, phase: Phase): void {
  const original = target[method];
  if (typeof original !== 'function') return;
  target[method] = function (this: unknown, ...args: unknown[]) {
    const from = clock();
    try {
      return original.apply(this, args);
    } finally {
      addTime(phase, from);
      // Taken out of the step that called it.
      const inner = process.cpuUsage(from.cpu);
      mark = {
        wall: mark.wall + (process.hrtime.bigint() - from.wall),
        cpu: { user: mark.cpu.user + inner.user, system: mark.cpu.system + inner.system },
      };
    }
  };
}
builtIn(CloudFormationValidatePlugin, '_singletonInstance', 'builtInStart');
builtIn(CloudFormationValidatePlugin.prototype, 'validate', 'builtInValidate');

const PACKS = {
  STANDARD: () => [new ServerlessSecurityChecks(), new AwsSolutionsChecks(), new ServerlessChecks()],
  REGULATED: () => [...PACKS.STANDARD(), new HIPAASecurityChecks(), new NIST80053R5Checks(), new PCIDSS321Checks()],
};

function measure(variant: string, units: number, profile: string, outdir: string, unitsPerStack: number): Omit<Sample, 'gcMs'> & { from: number; to: number } {
  const regulated = profile === ComplianceProfile.REGULATED;
  const code = lambda.Code.fromInline('exports.handler = async () => ({ statusCode: 200, body: "ok" })');
  phases = Object.fromEntries(PHASES.map(phase => [phase, { ms: 0, cpuMs: 0 }])) as Record<Phase, PhaseTime>;
  const from = performance.now();
  const started = clock();
  mark = started;

  const app = new App({ outdir });
  for (let first = 0, stackIndex = 0; first < units; first += unitsPerStack, stackIndex++) {
    const stack = new Stack(app, `Bench${stackIndex}`, { env: { account: '111111111111', region: 'eu-west-1' } });
    const count = Math.min(unitsPerStack, units - first);
    if (variant === 'ours') {
      new SecurityBaseline(stack, 'SecurityBaseline', { profile: regulated ? ComplianceProfile.REGULATED : ComplianceProfile.STANDARD });
      oursUnits(stack, count, code);
    } else if (variant === 'hardened') {
      hardenedUnits(stack, count, code, regulated);
    } else {
      plainUnits(stack, count, code);
    }
  }
  endPhase('build');
  const assembly = app.synth();
  // The same packs for every variant; findings are counted, not thrown, so the insecure plain app completes too.
  const packs: Array<IPolicyValidationPlugin & { validateScope(scope: App): { violations: object[] } }> = PACKS[regulated ? 'REGULATED' : 'STANDARD']();
  const findings = packs.reduce((sum, pack) =>
    sum + pack.validateScope(app).violations.reduce((n, v) => n + (v as { violatingResources: unknown[] }).violatingResources.length, 0), 0);
  endPhase('packs');
  const cpu = process.cpuUsage(started.cpu);
  const to = performance.now();

  const templates = assembly.stacks.map(s => Object.keys(s.template.Resources ?? {}).length);
  return {
    variant,
    units,
    profile,
    ms: Number(process.hrtime.bigint() - started.wall) / 1e6,
    cpuMs: (cpu.user + cpu.system) / 1000,
    phases,
    stacks: templates.length,
    resources: templates.reduce((sum, n) => sum + n, 0),
    maxStackResources: Math.max(...templates),
    findings,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
    from,
    to,
  };
}

async function main(): Promise<void> {
  const [variant, units, profile, outdir, unitsPerStack, repeats] = process.argv.slice(2);
  for (let run = 0; run < Number(repeats ?? 1); run++) {
    const dir = path.join(outdir, `run${run}`);
    const { from, to, ...sample } = measure(variant, Number(units), profile, dir, Number(unitsPerStack ?? units));
    fs.rmSync(dir, { recursive: true, force: true });
    // The garbage collector's entries reach the observer only once the event loop turns.
    await new Promise(resolve => setTimeout(resolve, 20));
    const gcMs = collections.filter(c => c.startTime >= from && c.startTime <= to).reduce((sum, c) => sum + c.duration, 0);
    console.log(JSON.stringify({ ...sample, gcMs } satisfies Sample));
  }
}

void main();
