// One measured synth in a fresh process: builds N units with one variant and profile,
// synthesizes the app and runs the packs of the profile over it, and prints one JSON line.
import { App, IPolicyValidationPlugin, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks, PCIDSS321Checks, ServerlessChecks } from 'cdk-nag';
import { hardenedUnits } from './hardened';
import { oursUnits } from './ours';
import { plainUnits } from './plain';
import { ComplianceProfile, SecurityBaseline, ServerlessSecurityChecks } from 'cdk-secure-serverless';

/** Units per stack, so large N stays under CloudFormation's 500-resource limit for every variant. */
export const UNITS_PER_STACK = 10;

const [variant, unitsArg, profileArg, outdir] = process.argv.slice(2);
const units = Number(unitsArg);
const regulated = profileArg === ComplianceProfile.REGULATED;
const code = lambda.Code.fromInline('exports.handler = async () => ({ statusCode: 200, body: "ok" })');

const start = process.hrtime.bigint();
const app = new App({ outdir });
for (let first = 0, stackIndex = 0; first < units; first += UNITS_PER_STACK, stackIndex++) {
  const stack = new Stack(app, `Bench${stackIndex}`, { env: { account: '111111111111', region: 'eu-west-1' } });
  const count = Math.min(UNITS_PER_STACK, units - first);
  if (variant === 'ours') {
    new SecurityBaseline(stack, 'SecurityBaseline', { profile: regulated ? ComplianceProfile.REGULATED : ComplianceProfile.STANDARD });
    oursUnits(stack, count, code);
  } else if (variant === 'hardened') {
    hardenedUnits(stack, count, code, regulated);
  } else {
    plainUnits(stack, count, code);
  }
}
const assembly = app.synth();
// The same packs for every variant; findings are counted, not thrown, so the insecure plain app completes too.
const packs: Array<IPolicyValidationPlugin & { validateScope(scope: App): { violations: object[] } }> = [
  new ServerlessSecurityChecks(), new AwsSolutionsChecks(), new ServerlessChecks(),
  ...regulated ? [new HIPAASecurityChecks(), new NIST80053R5Checks(), new PCIDSS321Checks()] : [],
];
const findings = packs.reduce((sum, pack) =>
  sum + pack.validateScope(app).violations.reduce((n, v) => n + (v as { violatingResources: unknown[] }).violatingResources.length, 0), 0);
const ms = Number(process.hrtime.bigint() - start) / 1e6;

const resources = assembly.stacks.reduce((sum, s) => sum + Object.keys(s.template.Resources ?? {}).length, 0);
const maxStackResources = Math.max(...assembly.stacks.map(s => Object.keys(s.template.Resources ?? {}).length));
const maxRssMb = process.resourceUsage().maxRSS / 1024;
console.log(JSON.stringify({ variant, units, profile: profileArg, ms, resources, maxStackResources, findings, maxRssMb }));
