/**
 * What the security report adds to the synth of the example app, with the
 * guardrails on and aws-cdk-lib's own template validation on, as users run it:
 *
 *   npx ts-node --transpile-only -P test/tsconfig.json test/report/synth-time.bench.ts [runs]
 *
 * Cold: each synth in a new process, as `cdk synth` runs it. Warm: synths in one
 * process after three of each. Prints the medians with and without the report,
 * their ratio, and the report's own time (the plugin's `validate`).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import Module from 'module';
import * as os from 'os';
import * as path from 'path';
import { App, IPolicyValidationPlugin } from 'aws-cdk-lib';
import { SecurityReport } from '../../src/report/security-report';

// The example imports the package by name; here it is this checkout's source.
const resolve = (Module as any)._resolveFilename;
(Module as any)._resolveFilename = function (request: string, ...rest: unknown[]) {
  return resolve.call(this, request === 'cdk-secure-serverless' ? path.join(__dirname, '..', '..', 'src', 'index.ts') : request, ...rest);
};

interface Run {
  readonly synthMs: number;
  readonly reportMs: number;
}

/** One synth of the example app into a new directory, with or without the report. */
function synth(withReport: boolean): Run {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { buildApp } = require('../../examples/orders-service/app') as { buildApp: (app: App) => App };
  const app = buildApp(new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'synth-time-')) }));
  const plugins: IPolicyValidationPlugin[] = (app as any)._policyValidation;
  const report = plugins.find((plugin) => plugin instanceof SecurityReport)!;
  let reportMs = 0;
  if (withReport) {
    const validate = report.validate.bind(report);
    report.validate = (context) => {
      const start = process.hrtime.bigint();
      try {
        return validate(context);
      } finally {
        reportMs = Number(process.hrtime.bigint() - start) / 1e6;
      }
    };
  } else {
    plugins.splice(plugins.indexOf(report), 1);
  }
  const write = process.stderr.write;
  process.stderr.write = () => true;
  const start = process.hrtime.bigint();
  try {
    app.synth();
  } finally {
    process.stderr.write = write;
  }
  return { synthMs: Number(process.hrtime.bigint() - start) / 1e6, reportMs };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function summary(label: string, withReport: readonly Run[], without: readonly Run[]): string {
  const [a, b] = [median(withReport.map((run) => run.synthMs)), median(without.map((run) => run.synthMs))];
  const report = median(withReport.map((run) => run.reportMs));
  return `${label}: synth median ${a.toFixed(0)} ms with the report, ${b.toFixed(0)} ms without (ratio ${(a / b).toFixed(3)}); `
    + `report ${report.toFixed(1)} ms median, ${(100 * report / a).toFixed(1)}% of the synth with it`;
}

const [mode] = process.argv.slice(2);
if (mode === '--one-with' || mode === '--one-without') {
  process.stdout.write(JSON.stringify(synth(mode === '--one-with')));
} else {
  const runs = Number(mode ?? 5);
  const cold = (flag: string): Run => {
    const tsNode = require.resolve('ts-node/dist/bin');
    const tsconfig = path.join(__dirname, '..', 'tsconfig.json');
    const child = spawnSync(process.execPath, [tsNode, '--transpile-only', '-P', tsconfig, __filename, flag], { encoding: 'utf-8', maxBuffer: 64 * 1024 * 1024 });
    if (child.status !== 0) throw new Error(child.stderr);
    return JSON.parse(child.stdout.trim().split('\n').pop()!);
  };
  const coldWith: Run[] = [];
  const coldWithout: Run[] = [];
  for (let i = 0; i < runs; i++) {
    coldWithout.push(cold('--one-without'));
    coldWith.push(cold('--one-with'));
  }
  for (let i = 0; i < 3; i++) [synth(true), synth(false)];
  const warmWith: Run[] = [];
  const warmWithout: Run[] = [];
  for (let i = 0; i < runs; i++) {
    warmWithout.push(synth(false));
    warmWith.push(synth(true));
  }
  // eslint-disable-next-line no-console
  console.log([summary(`cold (${runs} processes each)`, coldWith, coldWithout), summary(`warm (${runs} synths each)`, warmWith, warmWithout)].join('\n'));
}
