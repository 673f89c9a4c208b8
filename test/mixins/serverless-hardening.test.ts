import { App, Mixins, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { plainOrdersApp, PlainOrdersApp, STATEFUL_TYPES } from './plain-app';
import { controlTowerFindingId } from '../../src/core/finding-ids';
import { ComplianceProfile } from '../../src/core/profile';
import { BucketHardening } from '../../src/mixins/bucket-hardening';
import { ServerlessHardening } from '../../src/mixins/serverless-hardening';
import { renderMarkdown } from '../../src/report/markdown';
import { buildReport } from '../../src/report/report-builder';
import { BucketReplication } from '../../src/storage/bucket-options';
import { cfnLintApps, formatLintFindings, LintFinding } from '../compliance/cfn-lint';
import { Finding, findingsFor, formatFindings } from '../compliance/harness';
import { PROFILES } from '../compliance/runners';
import { CODE, ENV, HANDLER, prefixListContext, statementsOf } from '../core/fixtures';
import { currentFlagSet } from '../feature-flags';

/** Findings per pack, e.g. `{ AwsSolutions: 25 }`. */
function perPack(findings: readonly Finding[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const finding of findings) counts[finding.source] = (counts[finding.source] ?? 0) + 1;
  return counts;
}

/**
 * The plain app, hardened with one line as the README shows, and the decisions
 * the mixins leave to its author, each named by a finding whose message gives
 * the fix: the worker's `grantRead` on the upload bucket (wildcard actions and
 * object ARNs), the partner key's rotation, the uploads' Object Lock and, in
 * REGULATED, their replication (a typed waiver, listed in the report).
 */
function hardenedOrdersApp(profile: ComplianceProfile): PlainOrdersApp {
  const plain = plainOrdersApp();
  if (profile === ComplianceProfile.REGULATED) {
    Mixins.of(plain.uploads).apply(new BucketHardening({
      profile, replication: BucketReplication.waiver('proofs of payment are re-sent by the customer if lost; a second region would add cost for nothing'),
    }));
  }
  Mixins.of(plain.app).apply(new ServerlessHardening({ profile }));
  Validations.of(plain.worker.role!).acknowledge(
    ...['Action::s3:GetBucket*', 'Action::s3:GetObject*', 'Action::s3:List*', 'Resource::<Uploads4F6EB0FD.Arn>/*'].map((finding) => ({
      id: `AwsSolutions-IAM5[${finding}]`,
      reason: 'the worker reads any upload: aws-cdk-lib\'s grantRead, reviewed by the team',
    })));
  Validations.of(plain.secret).acknowledge(
    ...['AwsSolutions-SMG4', 'HIPAA.Security-SecretsManagerRotationEnabled', 'NIST.800.53.R5-SecretsManagerRotationEnabled'].map((id) => ({
      id, reason: 'the partner issues and rotates this API key; we store the value they send',
    })));
  Validations.of(plain.uploads).acknowledge({
    id: controlTowerFindingId('CT.S3.PR.9'), reason: 'proofs are deleted once the order is paid: write-once retention would keep them against the retention policy',
  });
  return plain;
}

// Built and validated once for both describes: the plain app and the hardened one, in each profile.
const before = new Map<ComplianceProfile, Finding[]>();
const after = new Map<ComplianceProfile, Finding[]>();
const hardened = new Map<ComplianceProfile, PlainOrdersApp>();
let plain: PlainOrdersApp;
let lint: LintFinding[];

beforeAll(() => {
  plain = plainOrdersApp();
  for (const profile of PROFILES) hardened.set(profile, hardenedOrdersApp(profile));
  for (const profile of PROFILES) {
    const plainApp = profile === ComplianceProfile.STANDARD ? plain.app : plainOrdersApp().app;
    const [plainFindings, hardenedFindings] = findingsFor([plainApp, hardened.get(profile)!.app], { profile });
    before.set(profile, plainFindings);
    after.set(profile, hardenedFindings);
    process.stdout.write(`${profile}: before ${JSON.stringify(perPack(plainFindings))}, after ${JSON.stringify(perPack(hardenedFindings))}\n`);
  }
  lint = cfnLintApps(new Map(PROFILES.map((profile) => [`hardened (${profile})`, hardened.get(profile)!.app] as const)));
}, 300_000);

describe('ServerlessHardening on a plain orders service', () => {
  test('the plain app fails every pack before', () => {
    // Under a new project's flags aws-cdk-lib gives each of the 4 functions an unencrypted log group
    // in the template (useCdkManagedLogGroup), which the log-group controls judge.
    const expected = currentFlagSet() === 'recommended'
      ? { standard: { ServerlessSecurity: 16, AwsSolutions: 24, Serverless: 24, ControlTower: 28 }, regulated: { 'HIPAA.Security': 38, 'NIST.800.53.R5': 38, 'PCI.DSS.321': 26 } }
      : { standard: { ServerlessSecurity: 16, AwsSolutions: 25, Serverless: 24, ControlTower: 24 }, regulated: { 'HIPAA.Security': 34, 'NIST.800.53.R5': 34, 'PCI.DSS.321': 22 } };
    expect(perPack(before.get(ComplianceProfile.STANDARD)!)).toEqual(expected.standard);
    expect(perPack(before.get(ComplianceProfile.REGULATED)!)).toEqual(expect.objectContaining(expected.regulated));
  });

  test.each(PROFILES)('%s: zero unacknowledged findings after the one line and the author\'s decisions, Control Tower guard rules included', (profile) => {
    expect(formatFindings(after.get(profile)!)).toEqual(formatFindings([]));
  });

  test('cfn-lint finds nothing in the hardened templates', () => {
    expect(formatLintFindings(lint)).toEqual(formatLintFindings([]));
  });

  test('the logical ids of stateful resources are unchanged', () => {
    const ids = (app: App) => {
      const template = Template.fromStack(app.node.findChild('Orders') as Stack);
      return STATEFUL_TYPES.flatMap((type) => Object.keys(template.findResources(type)));
    };
    expect(ids(hardened.get(ComplianceProfile.STANDARD)!.app)).toEqual(expect.arrayContaining(ids(plain.app)));
    expect(ids(plain.app).length).toBeGreaterThan(0);
  });

  test('log groups keep the names the plain app deploys them under, and none takes a name Lambda has already created', () => {
    const groups = (app: App) => Object.entries<any>(Template.fromStack(app.node.findChild('Orders') as Stack).findResources('AWS::Logs::LogGroup'))
      .map(([id, group]) => [id, JSON.stringify(group.Properties?.LogGroupName ?? null)] as const);
    const plainNames = new Map(groups(plain.app));
    const hardenedGroups = groups(hardened.get(ComplianceProfile.STANDARD)!.app);
    for (const [id, name] of plainNames) expect(hardenedGroups).toContainEqual([id, name]);
    // A function's /aws/lambda/<name> group exists already when the plain app was deployed without the flag.
    const added = hardenedGroups.filter(([id]) => !plainNames.has(id));
    expect(added.filter(([, name]) => name.includes('/aws/lambda/'))).toEqual([]);
  });

  test('applied twice gives the same template', () => {
    const twice = plainOrdersApp();
    Mixins.of(twice.app).apply(new ServerlessHardening());
    Mixins.of(twice.app).apply(new ServerlessHardening());
    const once = plainOrdersApp();
    Mixins.of(once.app).apply(new ServerlessHardening());
    expect(Template.fromStack(twice.stack).toJSON()).toEqual(Template.fromStack(once.stack).toJSON());
  });

  test('the security report lists what each mixin changed, per resource, and counts the resources', () => {
    const report = buildReport(hardened.get(ComplianceProfile.STANDARD)!.app, { findings: () => ({ packs: [], open: [] }) });
    const entries = report.stages.flatMap((stage) => stage.stacks.flatMap((stack) => stack.hardened));
    expect(entries).toContainEqual({
      path: 'Orders/GetOrder',
      mixin: 'FunctionHardening',
      changes: expect.arrayContaining(['active X-Ray tracing', 'reserved concurrency 10, as SecureFunction\'s default']),
    });
    expect(entries.map((entry) => entry.mixin)).toEqual(expect.arrayContaining(['FunctionHardening', 'RestApiHardening', 'RuleHardening', 'StateMachineHardening']));
    expect(report.summary.hardenedResources).toBe(new Set(entries.map((entry) => entry.path)).size);
    expect(renderMarkdown(report)).toContain('| `Orders/NightlyRule` | RuleHardening | target Target0: undelivered events go to the rule\'s encrypted dead-letter queue; target Target0: 3 retries within 1 hour |');
  });
});

describe('ServerlessHardening on an app of two stacks built alike', () => {
  /** Two stacks with the same plain table read by the same plain function: their resources have the same logical ids. */
  function twoAlikeStacks(): { app: App; stacks: Stack[] } {
    const app = new App({ context: prefixListContext() });
    const stacks = ['Blue', 'Green'].map((name) => {
      const stack = new Stack(app, name, { env: ENV });
      const table = new dynamodb.Table(stack, 'Orders', { partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING } });
      const fn = new lambda.Function(stack, 'Reader', { code: CODE, handler: HANDLER, runtime: lambda.Runtime.NODEJS_LATEST });
      table.grantReadData(fn);
      return stack;
    });
    return { app, stacks };
  }

  test('each function gains the key use of its own stack\'s table only, so neither stack refers to the other', () => {
    // GIVEN
    const { app, stacks } = twoAlikeStacks();

    // WHEN
    Mixins.of(app).apply(new ServerlessHardening());

    // THEN
    for (const stack of stacks) {
      const template = Template.fromStack(stack);
      const keyId = Object.keys(template.findResources('AWS::KMS::Key'))[0];
      const keyUses = Object.values(template.findResources('AWS::IAM::ManagedPolicy')).flatMap((policy: any) => statementsOf(policy.Properties.PolicyDocument))
        .filter((statement) => [statement.Action].flat().includes('kms:Decrypt'));
      expect(keyUses.length).toBeGreaterThan(0);
      expect(keyUses.map((statement) => statement.Resource)).toEqual(keyUses.map(() => ({ 'Fn::GetAtt': [keyId, 'Arn'] })));
      expect(JSON.stringify(template.toJSON())).not.toContain('Fn::ImportValue');
    }
  });
});
