process.env.CDK_VALIDATION = 'false';

import { App, Duration, Mixins, Stack } from 'aws-cdk-lib';
import * as apigatewayv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as schedulerTargets from 'aws-cdk-lib/aws-scheduler-targets';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { findingsOf, formatFindings } from './harness';
import { SecureApi } from '../../src/api/secure-api';
import { SecureHttpApi } from '../../src/api/secure-http-api';
import { SecureWebAcl } from '../../src/api/secure-web-acl';
import { SecurityBaseline } from '../../src/baseline/security-baseline';
import { SecureServerlessError } from '../../src/core/errors';
import { ComplianceProfile } from '../../src/core/profile';
import { SecureKey } from '../../src/encryption/secure-key';
import { SecureFunction } from '../../src/function/secure-function';
import { SecureUserPool } from '../../src/identity/secure-user-pool';
import { SecureQueue } from '../../src/messaging/secure-queue';
import { SecureTopic } from '../../src/messaging/secure-topic';
import { BucketHardening } from '../../src/mixins/bucket-hardening';
import { FunctionHardening, FunctionOutsideVpc } from '../../src/mixins/function-hardening';
import { HttpApiHardening } from '../../src/mixins/http-api-hardening';
import { QueueHardening } from '../../src/mixins/queue-hardening';
import { ScheduleHardening } from '../../src/mixins/schedule-hardening';
import { ServerlessHardening } from '../../src/mixins/serverless-hardening';
import { TableHardening } from '../../src/mixins/table-hardening';
import { TopicHardening } from '../../src/mixins/topic-hardening';
import { PrivateNetwork } from '../../src/network/private-network';
import { SecretRotationChoice } from '../../src/secrets/secret-rotation';
import { SecureSecret } from '../../src/secrets/secure-secret';
import { SecureBucket } from '../../src/storage/secure-bucket';
import { SecureTable } from '../../src/table/secure-table';
import { SecureSchedule } from '../../src/workflow/secure-schedule';
import { SecureStateMachine } from '../../src/workflow/secure-state-machine';
import { SecureRuleTarget, SecureScheduleTarget } from '../../src/workflow/workflow-targets';

/**
 * The bad-input audit: every scalar prop of every construct, set to values of the
 * wrong kind or out of range. Each must end in our error, or in a template with
 * zero findings; never a TypeError, an aws-cdk-lib error or a silently weaker
 * template.
 */

const GARBAGE: unknown[] = [null, -1, 0, 1.5, 1e9, NaN, '', ' ', 'a b', '*', {}, [], true];
const CODE = lambda.Code.fromInline('exports.handler = async () => 1');
const KEY = { name: 'pk', type: dynamodb.AttributeType.STRING };

type Build = (stack: Stack, props: Record<string, unknown>) => void;
const CONSTRUCTS: Record<string, { build: Build; props: string[] }> = {
  SecureFunction: {
    build: (stack, props) => new SecureFunction(stack, 'Fn', { code: CODE, handler: 'index.handler', ...props } as any),
    props: ['handler', 'description', 'functionName', 'environment', 'secrets', 'memorySize', 'timeout', 'reservedConcurrentExecutions',
      'architecture', 'network', 'logRetention', 'retryAttempts', 'codeSigningConfig', 'layers', 'runtime',
      // lambda.FunctionProps that SecureFunction does not take, as plain JavaScript passes them (all are in test/function/unhonoured-props.test.ts)
      'vpc', 'vpcSubnets', 'role', 'deadLetterQueue', 'tracing', 'logGroup', 'onSuccess', 'environmentEncryption'],
  },
  SecureKey: { build: (stack, props) => new SecureKey(stack, 'Key', props as any), props: ['alias', 'description', 'pendingWindow'] },
  SecureQueue: {
    build: (stack, props) => new SecureQueue(stack, 'Queue', props as any),
    props: ['queueName', 'fifo', 'visibilityTimeout', 'retentionPeriod', 'maxReceiveCount', 'encryptionKey'],
  },
  SecureTopic: { build: (stack, props) => new SecureTopic(stack, 'Topic', props as any), props: ['topicName', 'displayName', 'fifo', 'encryptionKey'] },
  PrivateNetwork: {
    build: (stack, props) => new PrivateNetwork(stack, 'Network', props as any),
    props: ['vpc', 'subnets', 'existingInterfaceEndpoints', 'maxAzs', 'ipAddresses', 'internetEgress', 'flowLogGroup', 'helperLogGroup'],
  },
  SecurityBaseline: {
    build: (stack, props) => new SecurityBaseline(stack, 'SecurityBaseline', props as any),
    props: ['profile', 'key', 'logRetention', 'network', 'networkProps', 'alarmTopic'],
  },
  SecureTable: {
    build: (stack, props) => new SecureTable(stack, 'Table', { partitionKey: KEY, ...props } as any),
    props: ['partitionKey', 'sortKey', 'tableName', 'billing', 'encryptionKey', 'globalSecondaryIndexes', 'localSecondaryIndexes', 'stream',
      'timeToLiveAttribute', 'contributorInsights', 'tableClass', 'backup'],
  },
  SecureSecret: {
    build: (stack, props) => new SecureSecret(stack, 'Secret', { rotation: SecretRotationChoice.waiver('rotated by hand'), ...props } as any),
    props: ['rotation', 'secretName', 'description', 'generateSecretString', 'encryptionKey'],
  },
  SecureApi: {
    build: (stack, props) => {
      const api = new SecureApi(stack, 'Api', props as any);
      api.addRoute('GET', '/items', new SecureFunction(stack, 'Handler', { code: CODE, handler: 'index.handler' }));
    },
    props: ['restApiName', 'description', 'stageName', 'defaultAuthorization', 'throttling', 'cors', 'endpointType', 'network', 'domain',
      'webAcl', 'cloudWatchRole', 'allowTestInvoke'],
  },
  SecureWebAcl: { build: (stack, props) => new SecureWebAcl(stack, 'Acl', props as any), props: ['rateLimit', 'logRetention'] },
  SecureStateMachine: {
    build: (stack, props) => new SecureStateMachine(stack, 'Machine', {
      definitionBody: sfn.DefinitionBody.fromChainable(new sfn.Pass(stack, 'Pass')), ...props,
    } as any),
    props: ['definitionBody', 'definitionSubstitutions', 'stateMachineName', 'stateMachineType', 'timeout', 'comment', 'executionData',
      'logRetention', 'encryptionKey', 'role', 'logs', 'tracingEnabled', 'encryptionConfiguration'],
  },
  SecureSchedule: {
    build: (stack, props) => new SecureSchedule(stack, 'Schedule', {
      schedule: scheduler.ScheduleExpression.rate(Duration.hours(1)),
      target: SecureScheduleTarget.function(new SecureFunction(stack, 'Target', { code: CODE, handler: 'index.handler' })),
      ...props,
    } as any),
    props: ['schedule', 'target', 'scheduleName', 'description', 'scheduleGroup', 'enabled', 'timeWindow', 'encryptionKey'],
  },
  SecureScheduleTarget: {
    build: (stack, props) => new SecureSchedule(stack, 'Schedule', {
      schedule: scheduler.ScheduleExpression.rate(Duration.hours(1)),
      target: SecureScheduleTarget.function(new SecureFunction(stack, 'Target', { code: CODE, handler: 'index.handler' }), props as any),
    }),
    props: ['deadLetterQueue', 'retryAttempts', 'maxEventAge', 'input'],
  },
  SecureRuleTarget: {
    build: (stack, props) => new events.Rule(stack, 'Rule', { schedule: events.Schedule.rate(Duration.hours(1)) })
      .addTarget(SecureRuleTarget.queue(new SecureQueue(stack, 'Target'), props as any)),
    props: ['deadLetterQueue', 'retryAttempts', 'maxEventAge', 'input'],
  },
  SecureHttpApi: {
    build: (stack, props) => {
      const api = new SecureHttpApi(stack, 'HttpApi', props as any);
      api.addRoute('GET', '/items', new SecureFunction(stack, 'Handler', { code: CODE, handler: 'index.handler' }));
    },
    props: ['apiName', 'description', 'defaultAuthorization', 'throttling', 'cors', 'domain', 'baseline'],
  },
  HttpRouteGrantInvoke: {
    build: (stack, props) => new SecureHttpApi(stack, 'HttpApi')
      .addRoute('ANY', '/items', new SecureFunction(stack, 'Handler', { code: CODE, handler: 'index.handler' }))
      .grantInvoke(new iam.Role(stack, 'Caller', { assumedBy: new iam.AccountRootPrincipal() }), props as any),
    props: ['httpMethods'],
  },
  SecureBucket: {
    build: (stack, props) => new SecureBucket(stack, 'Bucket', props as any),
    props: ['bucketName', 'encryptionKey', 'noncurrentVersions', 'objectLockRetention', 'replication', 'baseline'],
  },
  SecureUserPool: {
    build: (stack, props) => new SecureUserPool(stack, 'Users', props as any),
    props: ['userPoolName', 'passwordMinLength', 'mfa', 'threatProtection', 'signUp', 'signInAliases'],
  },
  TableHardening: {
    build: (stack, props) => new dynamodb.Table(stack, 'Table', { partitionKey: KEY }).with(new TableHardening(props as any)),
    props: ['profile'],
  },
  QueueHardening: { build: (stack, props) => new sqs.Queue(stack, 'Queue').with(new QueueHardening(props as any)), props: ['profile'] },
  TopicHardening: { build: (stack, props) => new sns.Topic(stack, 'Topic').with(new TopicHardening(props as any)), props: ['profile'] },
  BucketHardening: {
    // Object Lock, which the mixin leaves to the user, is a Control Tower control: the audit runs the packs only.
    build: (stack, props) => new s3.Bucket(stack, 'Bucket').with(new BucketHardening(props as any)),
    props: ['profile', 'replication'],
  },
  ServerlessHardening: {
    build: (stack, props) => {
      new lambda.Function(stack, 'Plain', { code: CODE, handler: 'index.handler', runtime: lambda.Runtime.NODEJS_LATEST });
      Mixins.of(stack).apply(new ServerlessHardening(props as any));
    },
    props: ['profile', 'reservedConcurrency'],
  },
  FunctionHardening: {
    build: (stack, props) => {
      new lambda.Function(stack, 'Plain', { code: CODE, handler: 'index.handler', runtime: lambda.Runtime.NODEJS_LATEST }).with(new FunctionHardening(props as any));
    },
    props: ['profile', 'reservedConcurrency'],
  },
  HttpApiHardening: {
    build: (stack, props) => {
      const api = new apigatewayv2.HttpApi(stack, 'Api', { defaultAuthorizer: new HttpIamAuthorizer() });
      api.addRoutes({
        path: '/',
        integration: new HttpLambdaIntegration('Get', new lambda.Function(stack, 'Plain', {
          code: CODE, handler: 'index.handler', runtime: lambda.Runtime.NODEJS_LATEST,
        })),
      });
      api.with(new HttpApiHardening(props as any));
      Mixins.of(stack).apply(new ServerlessHardening());
    },
    props: ['profile'],
  },
  ScheduleHardening: {
    build: (stack, props) => {
      const fn = new lambda.Function(stack, 'Plain', { code: CODE, handler: 'index.handler', runtime: lambda.Runtime.NODEJS_LATEST });
      new scheduler.Schedule(stack, 'Hourly', { schedule: scheduler.ScheduleExpression.rate(Duration.hours(1)), target: new schedulerTargets.LambdaInvoke(fn) })
        .with(new ScheduleHardening(props as any));
      Mixins.of(stack).apply(new ServerlessHardening());
    },
    props: ['profile'],
  },
  FunctionOutsideVpc: {
    build: (stack, props) => {
      new lambda.Function(stack, 'Plain', { code: CODE, handler: 'index.handler', runtime: lambda.Runtime.NODEJS_LATEST })
        .with(new FunctionOutsideVpc(props.reason as any));
      Mixins.of(stack).apply(new ServerlessHardening());
    },
    props: ['reason'],
  },
};

const cases = Object.entries(CONSTRUCTS).flatMap(([name, { props }]) =>
  props.flatMap(prop => GARBAGE.map((value, i) => [`${name}.${prop} = ${describe(value)}`, name, prop, i] as const)));

function describe(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : Number.isNaN(value) ? 'NaN' : JSON.stringify(value) ?? String(value);
}

test.each(cases)('%s: our error or zero findings', (_label, name, prop, i) => {
  const app = new App();
  const stack = new Stack(app, 'Audit', { env: { account: '111111111111', region: 'eu-west-1' } });
  try {
    CONSTRUCTS[name].build(stack, { [prop]: GARBAGE[i] });
  } catch (error) {
    if (error instanceof SecureServerlessError) {
      // Target factories and mixins are built before they meet a construct: they name themselves.
      expect(error.message).toMatch(/^(Audit(\/[^:]+)?|Secure(Schedule|Rule)Target\.(function|queue)|(Table|Queue|Topic|Bucket|Serverless|Function|HttpApi|Schedule)Hardening|FunctionOutsideVpc): /);
      return;
    }
    throw new Error(`not our error: ${(error as Error).constructor.name}: ${(error as Error).message}`);
  }
  let findings;
  try {
    findings = findingsOf(app, { profile: ComplianceProfile.STANDARD, guard: false });
  } catch (error) {
    throw new Error(`synth failed with ${(error as Error).constructor.name}: ${(error as Error).message}`);
  }
  expect(formatFindings(findings)).toBe(formatFindings([]));
});
