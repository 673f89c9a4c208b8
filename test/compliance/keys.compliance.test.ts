process.env.CDK_VALIDATION = 'false';

import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3n from 'aws-cdk-lib/aws-s3-notifications';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as schedulerTargets from 'aws-cdk-lib/aws-scheduler-targets';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { IConstruct } from 'constructs';
import { expectKeyUseConditioned } from './key-conditions';
import { baselineStackApp, complianceMatrix } from './runners';
import { SecurityBaseline } from '../../src/baseline/security-baseline';
import { controlTowerFindingId } from '../../src/core/finding-ids';
import { SecureFunction } from '../../src/function/secure-function';
import { SecureQueue } from '../../src/messaging/secure-queue';
import { SecureTopic } from '../../src/messaging/secure-topic';

/**
 * aws-cdk-lib integrations that make AWS services use a key of the library:
 * EventBridge and Scheduler dead-letter queues, S3 notifications and SNS
 * subscriptions to SecureQueues. Each deploys (no dependency cycle: our pack
 * checks it) with zero findings in both profiles, apart from the acknowledged
 * findings of the plain aws-cdk-lib resources around it, which are not about keys.
 */

const CODE = lambda.Code.fromInline('exports.handler = async () => 1');

function fn(stack: Stack, id: string): SecureFunction {
  return new SecureFunction(stack, id, { code: CODE, handler: 'index.handler' });
}

const INLINE_POLICY = ['HIPAA.Security-IAMNoInlinePolicy', 'NIST.800.53.R5-IAMNoInlinePolicy', 'PCI.DSS.321-IAMNoInlinePolicy'];

function acknowledge(scope: IConstruct, ids: string[], reason: string): void {
  for (const id of ids) Validations.of(scope).acknowledge({ id, reason });
}

const CASES: Record<string, (stack: Stack) => void> = {
  'EventBridge rule targeting a SecureFunction with a SecureQueue dead-letter queue': stack => {
    new events.Rule(stack, 'Rule', { schedule: events.Schedule.rate(Duration.hours(1)) })
      .addTarget(new targets.LambdaFunction(fn(stack, 'Handler'), { deadLetterQueue: new SecureQueue(stack, 'RuleDlq'), retryAttempts: 2 }));
  },
  'EventBridge Scheduler schedule targeting a SecureFunction with a SecureQueue dead-letter queue': stack => {
    const target = new schedulerTargets.LambdaInvoke(fn(stack, 'Handler'), { deadLetterQueue: new SecureQueue(stack, 'ScheduleDlq') });
    new scheduler.Schedule(stack, 'Schedule', { schedule: scheduler.ScheduleExpression.rate(Duration.hours(1)), target });
    // The target's role is plain aws-cdk-lib: its dead-letter grants land in an inline DefaultPolicy, which is not about keys.
    const role = stack.node.children.find(c => c.node.id.startsWith('SchedulerRoleForTarget-'))!;
    acknowledge(role, INLINE_POLICY, 'aws-cdk-lib\'s scheduler target role keeps its dead-letter grants in an inline DefaultPolicy');
  },
  'S3 bucket encrypted with the baseline key notifying a SecureQueue': stack => {
    const bucket = new s3.Bucket(stack, 'Bucket', {
      encryptionKey: SecurityBaseline.of(stack).key,
      enforceSSL: true,
      versioned: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    bucket.addEventNotification(s3.EventType.OBJECT_CREATED, new s3n.SqsDestination(new SecureQueue(stack, 'Uploads')));
    // The plain bucket's own settings, and aws-cdk-lib's notification helper function, are
    // not about keys (a SecureBucket and hardened notifications are separate work).
    acknowledge(bucket, [
      'AwsSolutions-S1', 'HIPAA.Security-S3BucketLoggingEnabled', 'NIST.800.53.R5-S3BucketLoggingEnabled', 'PCI.DSS.321-S3BucketLoggingEnabled',
      'HIPAA.Security-S3BucketReplicationEnabled', 'NIST.800.53.R5-S3BucketReplicationEnabled', 'PCI.DSS.321-S3BucketReplicationEnabled',
      ...['CT.S3.PR.2', 'CT.S3.PR.3', 'CT.S3.PR.4', 'CT.S3.PR.6', 'CT.S3.PR.9'].map(controlTowerFindingId),
    ], 'a plain s3.Bucket: access logging, replication, lifecycle and object lock are the bucket\'s own settings, outside this case');
    acknowledge(bucket.node.findChild('Notifications'), INLINE_POLICY, 'aws-cdk-lib\'s bucket notification helper keeps its policy inline');
    acknowledge(stack.node.findChild('BucketNotificationsHandler050a0587b7544547bf325f094a3db834'), [
      'ServerlessSecurity-LambdaLogGroup[LogGroup::missing]',
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      controlTowerFindingId('CT.LAMBDA.PR.3'),
    ], 'aws-cdk-lib\'s bucket notification helper function (a custom resource run at deploy time) is not hardened by the library');
  },
  'SecureTopic delivering to a SecureQueue': stack => {
    new SecureTopic(stack, 'Topic').addSubscription(new subscriptions.SqsSubscription(new SecureQueue(stack, 'Queue')));
  },
};
const CASE_NAMES = Object.keys(CASES);

const buildApp = baselineStackApp(CASES);

const matrix = complianceMatrix(CASE_NAMES, buildApp);
expectKeyUseConditioned(matrix);
