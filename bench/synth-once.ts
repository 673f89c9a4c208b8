// One measured synth in a fresh process: builds N units with one variant, synthesizes
// the app and runs the same packs over it, and prints one JSON line.
import { App, IPolicyValidationPlugin, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { oursUnits } from './ours';
import { plainUnits } from './plain';
import { ServerlessSecurityChecks } from 'cdk-secure-serverless';

/** Units per stack, so large N stays under CloudFormation's 500-resource limit for both variants. */
export const UNITS_PER_STACK = 10;

const [variant, unitsArg, outdir] = process.argv.slice(2);
const units = Number(unitsArg);
const code = lambda.Code.fromInline('exports.handler = async () => ({ statusCode: 200, body: "ok" })');

const start = process.hrtime.bigint();
const app = new App({ outdir });
for (let first = 0, stackIndex = 0; first < units; first += UNITS_PER_STACK, stackIndex++) {
  const stack = new Stack(app, `Bench${stackIndex}`, { env: { account: '111111111111', region: 'eu-west-1' } });
  const count = Math.min(UNITS_PER_STACK, units - first);
  if (variant === 'ours') oursUnits(stack, count, code);
  else plainUnits(stack, count, code);
}
const assembly = app.synth();
// The same packs for both; findings are counted, not thrown, so the insecure plain app completes too.
const packs: Array<IPolicyValidationPlugin & { validateScope(scope: App): { violations: object[] } }> = [
  new ServerlessSecurityChecks(), new AwsSolutionsChecks(), new ServerlessChecks(),
];
const findings = packs.reduce((sum, pack) =>
  sum + pack.validateScope(app).violations.reduce((n, v) => n + (v as { violatingResources: unknown[] }).violatingResources.length, 0), 0);
const ms = Number(process.hrtime.bigint() - start) / 1e6;

const resources = assembly.stacks.reduce((sum, s) => sum + Object.keys(s.template.Resources ?? {}).length, 0);
const maxStackResources = Math.max(...assembly.stacks.map(s => Object.keys(s.template.Resources ?? {}).length));
console.log(JSON.stringify({ variant, units, ms, resources, maxStackResources, findings, maxRssMb: process.resourceUsage().maxRSS / 1024 }));
