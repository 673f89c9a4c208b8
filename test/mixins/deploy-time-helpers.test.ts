import { App, CfnResource, Mixins, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import * as cr from 'aws-cdk-lib/custom-resources';
import { hardening, plainFunction } from './cases';
import { controlTowerFindingId } from '../../src/core/finding-ids';
import { ComplianceProfile } from '../../src/core/profile';
import { isAwsCdkLibHelper } from '../../src/mixins/aws-cdk-lib-helpers';
import { BucketHardening } from '../../src/mixins/bucket-hardening';
import { runtimeChangeRecords } from '../../src/mixins/changes';
import { ServerlessHardening } from '../../src/mixins/serverless-hardening';
import { buildReport } from '../../src/report/report-builder';
import { AcknowledgementSource } from '../../src/report/schema';
import { BucketReplication } from '../../src/storage/bucket-options';
import { Finding, findingsFor, formatFindings } from '../compliance/harness';
import { PROFILES } from '../compliance/runners';
import { ENV, prefixListContext } from '../core/fixtures';

/** A static site uploaded with a BucketDeployment, as the aws-cdk-lib guide writes it, and the one line. */
function siteApp(profile: ComplianceProfile): { app: App; stack: Stack; handler: lambda.Function } {
  const app = new App({ context: prefixListContext() });
  const stack = new Stack(app, 'Site', { env: ENV });
  const site = new s3.Bucket(stack, 'Site');
  new s3deploy.BucketDeployment(stack, 'Deploy', { sources: [s3deploy.Source.data('index.html', '<h1>orders</h1>')], destinationBucket: site });
  // The bucket's own decisions, which the guardrail names: Object Lock, and in REGULATED its replication.
  Validations.of(site).acknowledge({ id: controlTowerFindingId('CT.S3.PR.9'), reason: 'a copy of files the pipeline deploys again on demand' });
  if (profile === ComplianceProfile.REGULATED) {
    site.with(new BucketHardening({ profile, replication: BucketReplication.waiver('a copy of files the pipeline deploys again on demand') }));
  }
  Mixins.of(app).apply(new ServerlessHardening(hardening(profile)));
  const handler = stack.node.children.find((c): c is lambda.Function => c instanceof lambda.Function)!;
  return { app, stack, handler };
}

describe('a BucketDeployment hardened by the mixins keeps its helper a helper', () => {
  const apps = new Map<ComplianceProfile, ReturnType<typeof siteApp>>();
  const findings = new Map<ComplianceProfile, Finding[]>();

  beforeAll(() => {
    for (const profile of PROFILES) {
      apps.set(profile, siteApp(profile));
      findings.set(profile, findingsOfProfile(apps.get(profile)!.app, profile));
    }
  }, 300_000);

  function findingsOfProfile(app: App, profile: ComplianceProfile): Finding[] {
    return findingsFor([app], { profile })[0];
  }

  test.each(PROFILES)('%s: no finding at all, on the helper or elsewhere', (profile) => {
    expect(formatFindings(findings.get(profile)!)).toEqual(formatFindings([]));
  });

  test.each(PROFILES)('%s: the helper stays outside the VPC, with no reserved concurrency or dead-letter queue, and its logs encrypted', (profile) => {
    const { stack, handler } = apps.get(profile)!;
    const resource = Template.fromStack(stack).toJSON().Resources[stack.resolve((handler.node.defaultChild as CfnResource).logicalId)];
    expect(resource.Properties.VpcConfig).toBeUndefined();
    expect(resource.Properties.ReservedConcurrentExecutions).toBeUndefined();
    expect(resource.Properties.DeadLetterConfig).toBeUndefined();
    expect(resource.Properties.TracingConfig).toEqual({ Mode: 'Active' });
    expect(isAwsCdkLibHelper(handler)).toBe(true);
    expect(runtimeChangeRecords(handler.node.defaultChild!)).toEqual([]);
  });

  test('the report counts it as a deploy-time helper and shows the findings of aws-cdk-lib\'s code as aws-cdk-lib\'s', () => {
    const report = buildReport(apps.get(ComplianceProfile.REGULATED)!.app, { findings: () => ({ packs: [], open: [] }) });
    expect(report.summary.deployTimeHelpers).toBe(1);
    expect(report.summary.functions).toBe(0);
    const byAwsCdkLib = report.stages.flatMap((stage) => stage.stacks.flatMap((stack) => stack.acknowledgements))
      .filter((ack) => ack.by === AcknowledgementSource.AWS_CDK_LIB).map((ack) => ack.rule);
    expect(byAwsCdkLib).toEqual(expect.arrayContaining([
      controlTowerFindingId('CT.LAMBDA.PR.3'), 'HIPAA.Security-LambdaInsideVPC', 'Serverless-LambdaDLQ', 'HIPAA.Security-LambdaConcurrency',
      'AwsSolutions-IAM5[Action::s3:GetObject*]', expect.stringMatching(/^AwsSolutions-IAM5\[Resource::<Site\w+\.Arn>\/\*\]$/),
    ]));
  });
});

describe('aws-cdk-lib\'s deploy-time helpers are recognized, whatever aws-cdk-lib writes them as', () => {
  test('lambda.Functions: AwsCustomResource\'s singleton and the Provider framework; the Provider\'s onEvent handler is the app\'s own code', () => {
    const { stack } = { stack: new Stack(new App({ context: prefixListContext() }), 'S', { env: ENV }) };
    new cr.AwsCustomResource(stack, 'Lookup', {
      onUpdate: { service: 'SSM', action: 'getParameter', parameters: { Name: 'x' }, physicalResourceId: cr.PhysicalResourceId.of('x') },
      policy: cr.AwsCustomResourcePolicy.fromSdkCalls({ resources: ['arn:aws:ssm:eu-west-1:111111111111:parameter/x'] }),
      installLatestAwsSdk: false,
    });
    const onEvent = plainFunction(stack, 'OnEvent');
    new cr.Provider(stack, 'Provider', { onEventHandler: onEvent });
    const helpers = stack.node.findAll().filter((c): c is lambda.Function => c instanceof lambda.Function && isAwsCdkLibHelper(c));
    expect(helpers.map((h) => h.node.path).sort()).toEqual(['S/AWS679f53fac002430cb0da5b7982bd2287', 'S/Provider/framework-onEvent']);
    expect(isAwsCdkLibHelper(onEvent)).toBe(false);

    Mixins.of(stack).apply(new ServerlessHardening());
    const resources = Template.fromStack(stack).toJSON().Resources;
    const vpcOf = (fn: lambda.Function) => resources[stack.resolve((fn.node.defaultChild as CfnResource).logicalId)].Properties.VpcConfig;
    for (const helper of helpers) expect(vpcOf(helper)).toBeUndefined();
    expect(vpcOf(onEvent)).toBeDefined();
  });

  test('raw resources: a log retention and a VPC closing its default security group stay outside the VPC, with their logs encrypted', () => {
    const stack = new Stack(new App({ context: prefixListContext() }), 'S', { env: ENV });
    new logs.LogRetention(stack, 'Retention', { logGroupName: '/shop/audit', retention: logs.RetentionDays.ONE_YEAR });
    new ec2.Vpc(stack, 'Vpc', { restrictDefaultSecurityGroup: true, maxAzs: 1, natGateways: 0, subnetConfiguration: [{ name: 'i', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
    Mixins.of(stack).apply(new ServerlessHardening());
    const template = Template.fromStack(stack);
    // aws-cdk-lib writes these as raw CfnResources, not lambda.CfnFunctions.
    const raw = stack.node.findAll().filter((c): c is CfnResource => CfnResource.isCfnResource(c)
      && c.cfnResourceType === 'AWS::Lambda::Function' && !(c instanceof lambda.CfnFunction));
    expect(raw.map((c) => c.node.path).sort()).toEqual([
      'S/Custom::VpcRestrictDefaultSGCustomResourceProvider/Handler', expect.stringMatching(/^S\/LogRetention\w+\/Resource$/),
    ]);
    for (const helper of raw) {
      const properties = template.toJSON().Resources[stack.resolve(helper.logicalId)].Properties;
      expect(properties.VpcConfig).toBeUndefined();
      expect(properties.ReservedConcurrentExecutions).toBeUndefined();
      expect(properties.LoggingConfig).toEqual({ LogGroup: { Ref: expect.stringMatching(/HardeningLogGroup/) }, LogFormat: 'JSON' });
    }
    const byAwsCdkLib = buildReport(stack.node.scope as App, { findings: () => ({ packs: [], open: [] }) }).stages[0].stacks[0].acknowledgements
      .filter((ack) => ack.by === AcknowledgementSource.AWS_CDK_LIB).map((ack) => `${ack.rule} ${ack.path}`);
    expect(byAwsCdkLib).toEqual(expect.arrayContaining([
      `${controlTowerFindingId('CT.LAMBDA.PR.3')} S/Custom::VpcRestrictDefaultSGCustomResourceProvider/Handler`,
      expect.stringMatching(/^AwsSolutions-IAM5\[Resource::\*\] S\/LogRetention\w+\/ServiceRole\/DefaultPolicy$/),
    ]));
  });
});
