import { Duration, Stack, Validations } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sources from 'aws-cdk-lib/aws-lambda-event-sources';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { ComplianceProfile } from '../../src/core/profile';
import { SecureFunction } from '../../src/function/secure-function';
import { SecureQueue } from '../../src/messaging/secure-queue';
import { QueueHardening } from '../../src/mixins/queue-hardening';
import { SecretHardening } from '../../src/mixins/secret-hardening';
import { TableHardening } from '../../src/mixins/table-hardening';
import { TopicHardening } from '../../src/mixins/topic-hardening';
import { CODE, HANDLER } from '../core/fixtures';

/**
 * Plain tables, queues, topics and secrets, L2 and L1, with default and typical
 * props and the aws-cdk-lib idioms around them, for the data-store matrix and
 * the tests of each mixin.
 */

export const PK = { name: 'pk', type: dynamodb.AttributeType.STRING };
export const TABLE_CASES: Record<string, (stack: Stack) => void> = {
  'Table with default props (provisioned, no autoscaling)': stack => {
    new dynamodb.Table(stack, 'Table', { partitionKey: PK });
  },
  'Table on demand with a sort key, indexes, a stream and TTL': stack => {
    const table = new dynamodb.Table(stack, 'Table', {
      partitionKey: PK,
      sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      stream: dynamodb.StreamViewType.NEW_IMAGE,
      timeToLiveAttribute: 'expiresAt',
    });
    table.addGlobalSecondaryIndex({ indexName: 'byCustomer', partitionKey: { name: 'customer', type: dynamodb.AttributeType.STRING } });
    table.addLocalSecondaryIndex({ indexName: 'byDate', sortKey: { name: 'date', type: dynamodb.AttributeType.STRING } });
  },
  'Table provisioned with autoscaling and an AWS-managed key': stack => {
    const table = new dynamodb.Table(stack, 'Table', { partitionKey: PK, encryption: dynamodb.TableEncryption.AWS_MANAGED });
    table.autoScaleReadCapacity({ minCapacity: 1, maxCapacity: 10 }).scaleOnUtilization({ targetUtilizationPercent: 70 });
    table.autoScaleWriteCapacity({ minCapacity: 1, maxCapacity: 10 }).scaleOnUtilization({ targetUtilizationPercent: 70 });
  },
  'TableV2 with default props': stack => {
    new dynamodb.TableV2(stack, 'Table', { partitionKey: PK });
  },
  'CfnTable and CfnGlobalTable': stack => {
    new dynamodb.CfnTable(stack, 'CfnTable', {
      keySchema: [{ attributeName: 'pk', keyType: 'HASH' }],
      attributeDefinitions: [{ attributeName: 'pk', attributeType: 'S' }],
      billingMode: 'PAY_PER_REQUEST',
    });
    new dynamodb.CfnGlobalTable(stack, 'GlobalTable', {
      keySchema: [{ attributeName: 'pk', keyType: 'HASH' }],
      attributeDefinitions: [{ attributeName: 'pk', attributeType: 'S' }],
      billingMode: 'PAY_PER_REQUEST',
      replicas: [{ region: 'eu-west-1' }],
    });
  },
  'Tables granted with aws-cdk-lib grants before the mixin, and a stream event source': stack => {
    const table = new dynamodb.Table(stack, 'Table', { partitionKey: PK, billingMode: dynamodb.BillingMode.PAY_PER_REQUEST, stream: dynamodb.StreamViewType.KEYS_ONLY });
    const v2 = new dynamodb.TableV2(stack, 'TableV2', { partitionKey: PK });
    const reader = new SecureFunction(stack, 'Reader', { code: CODE, handler: HANDLER });
    const writer = new SecureFunction(stack, 'Writer', { code: CODE, handler: HANDLER });
    table.grantReadData(reader);
    table.grantStreamRead(reader);
    // The app's own statement: aws-cdk-lib's Table.grantStreamRead adds dynamodb:ListStreams, which IAM authorizes on "*" only.
    for (const id of ['AwsSolutions-IAM5[Resource::*]', 'ServerlessSecurity-LambdaPolicyWildcard[Resource::*]']) {
      Validations.of(reader.policy).acknowledge({ id, reason: 'dynamodb:ListStreams from Table.grantStreamRead: IAM authorizes it only on "*"; it lists stream ARNs, no data' });
    }
    table.grantWriteData(writer);
    v2.grantReadWriteData(writer);
  },
};
export const tableMixin = (profile: ComplianceProfile): TableHardening => new TableHardening({ profile });

export const QUEUE_CASES: Record<string, (stack: Stack) => void> = {
  'Queue with default props': stack => {
    new sqs.Queue(stack, 'Queue');
  },
  'FIFO queue with SQS-managed encryption and enforceSSL': stack => {
    new sqs.Queue(stack, 'Queue', { fifo: true, contentBasedDeduplication: true, encryption: sqs.QueueEncryption.SQS_MANAGED, enforceSSL: true });
  },
  'Queue with a dead-letter queue of its own': stack => {
    const deadLetter = new sqs.Queue(stack, 'DeadLetter', { retentionPeriod: Duration.days(14) });
    new sqs.Queue(stack, 'Queue', { deadLetterQueue: { queue: deadLetter, maxReceiveCount: 5 } });
  },
  'CfnQueue': stack => {
    new sqs.CfnQueue(stack, 'CfnQueue', { visibilityTimeout: 120 });
  },
  'Queue consumed through an SqsEventSource and granted to a sender, before the mixin': stack => {
    const queue = new sqs.Queue(stack, 'Queue', { visibilityTimeout: Duration.minutes(10) });
    const consumer = new SecureFunction(stack, 'Consumer', { code: CODE, handler: HANDLER });
    consumer.addEventSource(new sources.SqsEventSource(queue));
    queue.grantSendMessages(new SecureFunction(stack, 'Sender', { code: CODE, handler: HANDLER }));
  },
};

export const queueMixin = (profile: ComplianceProfile): QueueHardening => new QueueHardening({ profile });
export const TOPIC_CASES: Record<string, (stack: Stack) => void> = {
  'Topic with default props': stack => {
    new sns.Topic(stack, 'Topic');
  },
  'FIFO topic with enforceSSL': stack => {
    new sns.Topic(stack, 'Topic', { fifo: true, enforceSSL: true });
  },
  'Topic with a plain queue and a SecureQueue subscribed, and a publisher granted before the mixin': stack => {
    const topic = new sns.Topic(stack, 'Topic');
    topic.addSubscription(new subscriptions.SqsSubscription(new sqs.Queue(stack, 'Plain')));
    topic.addSubscription(new subscriptions.SqsSubscription(new SecureQueue(stack, 'Secure'), { rawMessageDelivery: true }));
    topic.grantPublish(new SecureFunction(stack, 'Publisher', { code: CODE, handler: HANDLER }));
  },
  'CfnTopic with a CfnSubscription': stack => {
    const topic = new sns.CfnTopic(stack, 'CfnTopic');
    const queue = new SecureQueue(stack, 'Queue');
    new sns.CfnSubscription(stack, 'CfnSubscription', { topicArn: topic.ref, protocol: 'sqs', endpoint: queue.queueArn });
    queue.addToResourcePolicy(new iam.PolicyStatement({
      principals: [new iam.ServicePrincipal('sns.amazonaws.com')],
      actions: ['sqs:SendMessage'],
      resources: [queue.queueArn],
      conditions: { ArnEquals: { 'aws:SourceArn': topic.ref } },
    }));
  },
};

export const topicMixins = (profile: ComplianceProfile): [TopicHardening, QueueHardening] =>
  [new TopicHardening({ profile }), new QueueHardening({ profile })];
/** A SecureFunction rotating `secretArn`; SecureFunction needs the permission's source ARN, which `addRotationSchedule` does not give. */
function rotate(stack: Stack, secretArn: string): SecureFunction {
  const fn = new SecureFunction(stack, 'Rotator', { code: CODE, handler: HANDLER });
  fn.addPermission('Rotate', { principal: new iam.ServicePrincipal('secretsmanager.amazonaws.com'), sourceArn: secretArn, sourceAccount: stack.account });
  new secretsmanager.CfnRotationSchedule(stack, 'Rotation', { secretId: secretArn, rotationLambdaArn: fn.functionArn, rotationRules: { automaticallyAfterDays: 30 } });
  return fn;
}

export const SECRET_CASES: Record<string, (stack: Stack) => void> = {
  'Secret rotated by a SecureFunction, read by another before the mixin': stack => {
    const secret = new secretsmanager.Secret(stack, 'Secret');
    const fn = rotate(stack, secret.secretArn);
    secret.grantRead(fn);
    secret.grantWrite(fn);
    secret.grantRead(new SecureFunction(stack, 'Reader', { code: CODE, handler: HANDLER }));
  },
  'CfnSecret with a rotation schedule': stack => {
    const secret = new secretsmanager.CfnSecret(stack, 'CfnSecret', { generateSecretString: { passwordLength: 32 } });
    rotate(stack, secret.ref);
  },
};

export const secretMixin = (profile: ComplianceProfile): SecretHardening => new SecretHardening({ profile });
