process.env.CDK_VALIDATION = 'false';

import { Duration, Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import * as sources from 'aws-cdk-lib/aws-lambda-event-sources';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as schedulerTargets from 'aws-cdk-lib/aws-scheduler-targets';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { expectKeyUseConditioned } from './key-conditions';
import { baselineStackApp, complianceMatrix } from './runners';
import { SecureApi } from '../../src/api/secure-api';
import { SecureHttpApi } from '../../src/api/secure-http-api';
import { SecureKey } from '../../src/encryption/secure-key';
import { SecureFunction } from '../../src/function/secure-function';
import { SecureQueue } from '../../src/messaging/secure-queue';
import { SecureTopic } from '../../src/messaging/secure-topic';
import { SecretRotationChoice } from '../../src/secrets/secret-rotation';
import { SecureSecret } from '../../src/secrets/secure-secret';
import { SecureTable } from '../../src/table/secure-table';

/**
 * The aws-cdk-lib idioms users write around our constructs, each its own app,
 * in both profiles, under our pack, the cdk-nag packs of the profile and the
 * Control Tower guard rules: zero unacknowledged findings, as with our own
 * methods (`addConsumer`, `addStreamConsumer`, `grants.*`).
 */

const CODE = lambda.Code.fromInline('exports.handler = async () => 1');
const PK = { name: 'pk', type: dynamodb.AttributeType.STRING };
const STREAM_ARN = 'arn:aws:kinesis:eu-west-1:111111111111:stream/clicks';
const QUEUE_ARN = 'arn:aws:sqs:eu-west-1:111111111111:imported';

function fn(stack: Stack, id = 'Fn'): SecureFunction {
  return new SecureFunction(stack, id, { code: CODE, handler: 'index.handler' });
}

function liveAlias(stack: Stack, target: SecureFunction): lambda.Alias {
  return new lambda.Alias(stack, 'Live', { aliasName: 'live', version: target.currentVersion });
}

function streamTable(stack: Stack): SecureTable {
  return new SecureTable(stack, 'Table', { partitionKey: PK, stream: dynamodb.StreamViewType.NEW_AND_OLD_IMAGES });
}

const LATEST = { startingPosition: lambda.StartingPosition.LATEST };

/** Few apps, several idioms each on their own functions: findings name the resource path, so each stays attributable. */
const CASES: Record<string, (stack: Stack) => void> = {
  'SQS sources: fn.addEventSource (SecureQueue, imported queue), alias.addEventSource on fn.currentVersion, lambda.EventSourceMapping': stack => {
    const queue = new SecureQueue(stack, 'Queue');
    fn(stack).addEventSource(new sources.SqsEventSource(queue));
    fn(stack, 'Imported').addEventSource(new sources.SqsEventSource(sqs.Queue.fromQueueArn(stack, 'ImportedQueue', QUEUE_ARN)));
    liveAlias(stack, fn(stack, 'Aliased')).addEventSource(new sources.SqsEventSource(new SecureQueue(stack, 'Other'), { batchSize: 5 }));
    const direct = fn(stack, 'Direct');
    queue.grantConsumeMessages(direct);
    new lambda.EventSourceMapping(stack, 'Mapping', { target: direct, eventSourceArn: queue.queueArn });
  },
  'stream sources: DynamoEventSource on fn and alias, with onFailure to a SecureQueue, KinesisEventSource on fn.currentVersion': stack => {
    const table = streamTable(stack);
    fn(stack).addEventSource(new sources.DynamoEventSource(table, LATEST));
    liveAlias(stack, fn(stack, 'Aliased')).addEventSource(new sources.DynamoEventSource(table, LATEST));
    fn(stack, 'OwnDestination').addEventSource(new sources.DynamoEventSource(table, {
      ...LATEST, retryAttempts: 5, onFailure: new sources.SqsDlq(new SecureQueue(stack, 'Failures')),
    }));
    fn(stack, 'Kinesis').currentVersion.addEventSource(new sources.KinesisEventSource(kinesis.Stream.fromStreamArn(stack, 'Clicks', STREAM_ARN), LATEST));
  },
  'classic and facade grants of SecureKey, SecureQueue and SecureTopic; addToRolePolicy with an exact statement': stack => {
    const key = new SecureKey(stack, 'Key');
    const queue = new SecureQueue(stack, 'Queue');
    const topic = new SecureTopic(stack, 'Topic');
    const table = new SecureTable(stack, 'Table', { partitionKey: PK });
    const target = fn(stack);
    key.grantEncryptDecrypt(target);
    key.grantEncrypt(target);
    key.grantDecrypt(target);
    key.grants.encryptDecrypt(fn(stack, 'Other'));
    queue.grantSendMessages(target);
    queue.grantConsumeMessages(target);
    queue.grants.sendMessages(target);
    queue.grants.purge(target);
    topic.grantPublish(target);
    topic.grants.publish(target);
    topic.grantSubscribe(target);
    target.addToRolePolicy(new iam.PolicyStatement({ actions: ['dynamodb:GetItem'], resources: [table.tableArn] }));
  },
  'invokers: Scheduler targets.LambdaInvoke on a SecureFunction; grantInvoke, grantInvokeLatestVersion and grantInvokeVersion to a plain role and a SecureFunction': stack => {
    const target = fn(stack);
    new scheduler.Schedule(stack, 'Hourly', {
      schedule: scheduler.ScheduleExpression.rate(Duration.hours(1)),
      target: new schedulerTargets.LambdaInvoke(target, {}),
    });
    const plain = new iam.Role(stack, 'Plain', { assumedBy: new iam.AccountRootPrincipal() });
    target.grantInvoke(plain);
    target.grantInvokeLatestVersion(plain);
    target.grantInvokeVersion(plain, target.currentVersion);
    target.grantInvoke(fn(stack, 'Caller'));
  },
  'API grants: SecureHttpApi route.grantInvoke (GET, path variable, ANY) and SecureApi method.grantExecute to a SecureFunction': stack => {
    const handler = fn(stack, 'Handler');
    const caller = fn(stack, 'Caller');
    const http = new SecureHttpApi(stack, 'Http');
    http.addRoute('GET', '/orders', handler).grantInvoke(caller);
    http.addRoute('GET', '/orders/{id}', handler).grantInvoke(caller);
    http.addRoute('ANY', '/carts/{proxy+}', handler).grantInvoke(caller);
    const rest = new SecureApi(stack, 'Rest');
    rest.addRoute('GET', '/orders', handler).grantExecute(caller);
    rest.addRoute('GET', '/orders/{id}', handler).grantExecute(caller);
    rest.addRoute('ANY', '/carts', handler).grantExecute(caller);
  },
  'environment DB_SECRET holding secret names; configureAsyncInvoke with destinations; retryAttempts 0': stack => {
    fn(stack, 'Async').configureAsyncInvoke({
      onSuccess: new destinations.SqsDestination(new SecureQueue(stack, 'Succeeded')),
      onFailure: new destinations.SnsDestination(new SecureTopic(stack, 'Failed')),
    });
    new SecureFunction(stack, 'NoRetries', { code: CODE, handler: 'index.handler', retryAttempts: 0 });
    const own = new SecureSecret(stack, 'Db', { rotation: SecretRotationChoice.waiver('rotated by the database team') });
    const imported = secretsmanager.Secret.fromSecretNameV2(stack, 'Legacy', 'orders/legacy-db');
    new SecureFunction(stack, 'Fn', {
      code: CODE,
      handler: 'index.handler',
      timeout: Duration.seconds(5),
      environment: { DB_SECRET: own.secretName, LEGACY_DB_SECRET: imported.secretName },
    });
  },
};
const CASE_NAMES = Object.keys(CASES);

const buildApp = baselineStackApp(CASES);

// The user's own SecureKey and its aws-cdk-lib grants (first case) are the user's choice.
expectKeyUseConditioned(complianceMatrix(CASE_NAMES, buildApp), ['S/Key']);
