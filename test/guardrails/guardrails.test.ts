process.env.CDK_VALIDATION = 'false';

import { App, Duration, Stack, Validations } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sources from 'aws-cdk-lib/aws-lambda-event-sources';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3n from 'aws-cdk-lib/aws-s3-notifications';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { ENV, testFunction } from './support';
import { SecurityBaseline } from '../../src/baseline/security-baseline';
import { ComplianceProfile } from '../../src/core/profile';
import { SecureFunction } from '../../src/function/secure-function';
import { ControlTowerChecks } from '../../src/guardrails/control-tower-checks';
import { Guardrails } from '../../src/guardrails/guardrails';
import { ServerlessSecurityChecks } from '../../src/guardrails/serverless-security-checks';
import { SecureQueue } from '../../src/messaging/secure-queue';
import { SecureTopic } from '../../src/messaging/secure-topic';
import { alarmNotifying } from '../core/fixtures';

const CODE = lambda.Code.fromInline('exports.handler = async () => 1');

/** Every mistake our pack knows, made with plain aws-cdk-lib resources. */
function plainMistakes(stack: Stack): void {
  const shared = new iam.Role(stack, 'SharedRole', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  const first = testFunction(stack, 'First', { role: shared, environment: { DB_PASSWORD: 'correct-horse-battery' } });
  testFunction(stack, 'Second', { role: shared });
  shared.addToPolicy(new iam.PolicyStatement({ actions: ['s3:*'], resources: ['*'] }));
  first.addFunctionUrl({ authType: lambda.FunctionUrlAuthType.NONE });
  first.addPermission('FromEvents', { principal: new iam.ServicePrincipal('events.amazonaws.com') });

  const api = new apigateway.RestApi(stack, 'Api', { cloudWatchRole: false });
  api.root.addMethod('GET', new apigateway.MockIntegration());

  new dynamodb.Table(stack, 'Table', { partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING } });

  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 1, natGateways: 0, subnetConfiguration: [{ name: 'i', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
  vpc.addInterfaceEndpoint('Sqs', { service: ec2.InterfaceVpcEndpointAwsService.SQS, open: true });
  testFunction(stack, 'Isolated', { vpc, allowAllOutbound: false }).addToRolePolicy(new iam.PolicyStatement({
    actions: ['sns:Publish'], resources: [`arn:aws:sns:${ENV.region}:${ENV.account}:alerts`],
  }));

  const key = new kms.Key(stack, 'Key');
  key.addToResourcePolicy(new iam.PolicyStatement({ actions: ['kms:*'], resources: ['*'], principals: [new iam.AccountPrincipal('222222222222')] }));

  const queue = new sqs.Queue(stack, 'Queue', { visibilityTimeout: Duration.seconds(30) });
  testFunction(stack, 'Worker', { timeout: Duration.seconds(20) }).addEventSource(new sources.SqsEventSource(queue));

  // A bucket and the queue it notifies share a plain key: key policy -> bucket -> key.
  const notified = new sqs.Queue(stack, 'Notified', { encryptionMasterKey: key });
  new s3.Bucket(stack, 'Bucket', { encryptionKey: key }).addEventNotification(s3.EventType.OBJECT_CREATED, new s3n.SqsDestination(notified));

  // EventBridge sends no source keys to KMS on its way to an encrypted topic: this statement never matches.
  key.addToResourcePolicy(new iam.PolicyStatement({
    principals: [new iam.ServicePrincipal('events.amazonaws.com')],
    actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
    resources: ['*'],
    conditions: { StringEquals: { 'aws:SourceAccount': ENV.account } },
  }));
  // A topic policy (here, TLS only) replaces SNS's default one, which let this account's alarms publish.
  const alerts = new sns.Topic(stack, 'Alerts', { enforceSSL: true });
  alarmNotifying(stack, alerts);
}

describe('Guardrails.enforce on plain aws-cdk-lib resources', () => {
  // GIVEN an app of plain resources with every mistake, under the guardrails
  const app = new App();
  Guardrails.enforce(app);
  plainMistakes(new Stack(app, 'Plain', { env: ENV }));

  // WHEN it is synthesized
  let message = '';
  try {
    app.synth();
  } catch (error) {
    message = (error as Error).message;
  }

  test('synth fails', () => {
    expect(message).toMatch(/Validation failed|ValidationFailed|validation/i);
  });

  test.each(new ServerlessSecurityChecks().ruleIds!)('the failure names %s', (ruleId) => {
    expect(message).toContain(ruleId);
  });

  test('the cdk-nag packs of the profile ran too', () => {
    expect(message).toContain('AwsSolutions-');
    expect(message).toContain('Serverless-');
    expect(message).not.toContain('HIPAA.Security-');
  });
});

describe('Guardrails.enforce registration', () => {
  test('STANDARD registers our pack, AwsSolutions, Serverless and the report', () => {
    const plugins = Guardrails.enforce(new App());
    expect(plugins.map(p => p.name)).toEqual(['ServerlessSecurity-Deployability', 'ServerlessSecurity', 'AwsSolutions', 'Serverless', 'SecurityReport']);
  });

  test('REGULATED adds HIPAA, NIST R5 and PCI; controlTower adds the guard rules', () => {
    const plugins = Guardrails.enforce(new App(), { profile: ComplianceProfile.REGULATED, controlTower: true });
    expect(plugins.map(p => p.name)).toEqual([
      'ServerlessSecurity-Deployability', 'ServerlessSecurity', 'AwsSolutions', 'Serverless', 'HIPAA.Security', 'NIST.800.53.R5', 'PCI.DSS.321', 'ControlTower', 'SecurityReport',
    ]);
    expect(plugins[7]).toBeInstanceOf(ControlTowerChecks);
  });

  test('the profile given becomes the default of every baseline in the app', () => {
    const app = new App();
    Guardrails.enforce(app, { profile: ComplianceProfile.REGULATED });
    const stack = new Stack(app, 'S', { env: ENV });
    expect(SecurityBaseline.of(stack).profile).toBe(ComplianceProfile.REGULATED);
    expect(SecurityBaseline.of(new Stack(new App(), 'Other')).profile).toBe(ComplianceProfile.STANDARD);
  });
});

describe('Guardrails.enforce on the library constructs', () => {
  test('a REGULATED app of every construct synthesizes with the Control Tower controls on', () => {
    // GIVEN every construct of the library under all packs and the guard rules
    const app = new App();
    Guardrails.enforce(app, { profile: ComplianceProfile.REGULATED, controlTower: true });
    const stack = new Stack(app, 'Regulated', { env: ENV });
    const queue = new SecureQueue(stack, 'Queue');
    const topic = new SecureTopic(stack, 'Topic');
    const producer = new SecureFunction(stack, 'Producer', { code: CODE, handler: 'index.handler' });
    const worker = new SecureFunction(stack, 'Worker', { code: CODE, handler: 'index.handler' });
    queue.grantSendMessages(producer);
    queue.addConsumer(worker);
    topic.grantPublish(worker);

    // WHEN / THEN synth succeeds: any unacknowledged finding would throw under jest
    expect(() => app.synth()).not.toThrow();
  });
});

describe('ControlTowerChecks', () => {
  test('reports a failed control with its id and construct path, and honours an acknowledgement only where it is placed', () => {
    // GIVEN two plain queues without dead-letter queues, one acknowledged
    const app = new App();
    const stack = new Stack(app, 'Guard', { env: ENV });
    new sqs.Queue(stack, 'Open');
    const acknowledged = new sqs.Queue(stack, 'Acknowledged');
    Validations.of(acknowledged).acknowledge({ id: 'ControlTower-CT.SQS.PR.1', reason: 'the producer keeps failed messages itself' });
    const assembly = app.synth();

    // WHEN the controls run over the template
    const report = new ControlTowerChecks().validate({
      templatePaths: [assembly.getStackByName('Guard').templateFullPath],
      appConstruct: app,
    } as any);

    // THEN only the open queue fails CT.SQS.PR.1
    const deadLetter = report.violations.find(v => v.ruleName === 'ControlTower-CT.SQS.PR.1');
    expect(deadLetter?.violatingResources.map(r => (r as any).constructPath)).toEqual(['Guard/Open/Resource']);
    expect(report.success).toBe(false);
  });
});
