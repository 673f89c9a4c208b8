import { App, Mixins, Stack, Validations } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { plainOrdersApp, PlainOrdersApp, statefulResources } from './plain-app';
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
 * REGULATED, their replication (a typed waiver, listed in the report) and the
 * functions' reserved concurrency.
 */
function hardenedOrdersApp(profile: ComplianceProfile): PlainOrdersApp {
  const plain = plainOrdersApp();
  if (profile === ComplianceProfile.REGULATED) {
    Mixins.of(plain.uploads).apply(new BucketHardening({
      profile, replication: BucketReplication.waiver('proofs of payment are re-sent by the customer if lost; a second region would add cost for nothing'),
    }));
  }
  // REGULATED requires a reserved concurrency: the team caps each function at 10 concurrent executions.
  Mixins.of(plain.app).apply(new ServerlessHardening({ profile, reservedConcurrency: profile === ComplianceProfile.REGULATED ? 10 : undefined }));
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

  test.each(PROFILES)('%s: the logical ids and names of stateful resources are unchanged', (profile) => {
    const plainResources = statefulResources(plain.stack);
    const hardenedResources = statefulResources(hardened.get(profile)!.stack);
    expect(Object.keys(plainResources).length).toBeGreaterThan(0);
    for (const [id, resource] of Object.entries(plainResources)) expect({ id, ...hardenedResources[id] }).toEqual({ id, ...resource });
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
      changes: expect.arrayContaining(['active X-Ray tracing', expect.stringMatching(/^an alarm on errors, throttles and dead-lettered events/)]),
    });
    // The worker's SQS event source is listed where it changed.
    expect(entries).toContainEqual({
      path: expect.stringMatching(/^Orders\/Worker\/SqsEventSource:/),
      mixin: 'FunctionHardening',
      changes: [expect.stringMatching(/^failures reported per item \(ReportBatchItemFailures\)/)],
    });
    expect(entries.map((entry) => entry.mixin)).toEqual(expect.arrayContaining(['FunctionHardening', 'RestApiHardening', 'RuleHardening', 'StateMachineHardening']));
    expect(report.summary.hardenedResources).toBe(new Set(entries.map((entry) => entry.path)).size);
    expect(renderMarkdown(report)).toContain('| `Orders/NightlyRule` | RuleHardening | target Target0: undelivered events go to the rule\'s encrypted dead-letter queue; target Target0: 3 retries within 1 hour |');
  });
});

describe('every change to how the plain orders service runs is listed per resource, in the report and at synth', () => {
  const LOG_FORMAT = expect.stringMatching(/^log format JSON, where it was Text/);
  const IN_VPC = 'runs in the private subnets of Orders/SecurityBaseline/Network, where it ran outside any VPC, with a security group of its own';
  const reaches = (services: string) => `reaches ${services} and nothing else: not the internet, nor AWS services its role's statements do not name`;
  const STANDARD_CHANGES = {
    'Orders/GetOrder': [LOG_FORMAT, IN_VPC, reaches('dynamodb (gateway endpoint), secretsmanager (interface endpoint)')],
    'Orders/Worker': [LOG_FORMAT, IN_VPC, reaches('dynamodb (gateway endpoint), s3 (gateway endpoint), sns (interface endpoint)'),
      expect.stringMatching(/^event source Orders\/Worker\/SqsEventSource:\w+: failures reported per item \(ReportBatchItemFailures\)/)],
    'Orders/Notifier': [LOG_FORMAT, IN_VPC, 'reaches no AWS service and nothing else: not the internet'],
    'Orders/Nightly': [LOG_FORMAT, IN_VPC, reaches('dynamodb (gateway endpoint)')],
    'Orders/Fulfilment': [expect.stringMatching(/^definition and execution history encrypted with the baseline key/)],
    'Orders/Api/DeploymentStage.prod': [
      expect.stringMatching(/^callers throttled at 100 requests per second, burst 200, on every method without limits of its own/),
      expect.stringMatching(/^the stack's web ACL in front of the stage: AWS managed rules answer 403 Forbidden/),
    ],
    'Orders/Api/Default/orders/{id}/GET': [expect.stringMatching(/^request parameters and body validated .* gets 400 Bad Request/)],
  };
  const changesIn = (app: App) => Object.fromEntries(buildReport(app, { findings: () => ({ packs: [], open: [] }) }).stages
    .flatMap((stage) => stage.stacks.flatMap((stack) => stack.runtimeChanges)).map((entry) => [entry.path, entry.changes]));

  test('STANDARD: the report lists each change, and synth shows each as an info message on its resource', () => {
    const { app, stack } = hardened.get(ComplianceProfile.STANDARD)!;
    expect(changesIn(app)).toEqual(STANDARD_CHANGES);
    const infos = Annotations.fromStack(stack).findInfo('*', Match.stringLikeRegexp(' changed how ')).map((info) => String(info.entry.data));
    expect(infos).toHaveLength(Object.values(STANDARD_CHANGES).flat().length);
  });

  test('REGULATED: the reserved concurrency the team set comes first for each function', () => {
    const changes = changesIn(hardened.get(ComplianceProfile.REGULATED)!.app);
    for (const fn of ['Orders/GetOrder', 'Orders/Worker', 'Orders/Notifier', 'Orders/Nightly']) {
      expect(changes[fn]).toEqual([expect.stringMatching(/^at most 10 executions at once \(reserved concurrency 10, where it had none\)/),
        ...STANDARD_CHANGES[fn as keyof typeof STANDARD_CHANGES]]);
    }
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
