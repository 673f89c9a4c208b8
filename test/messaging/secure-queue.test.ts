process.env.CDK_VALIDATION = 'false';

import { Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { SecurityBaseline } from '../../src/baseline/security-baseline';
import { LIBRARY_ACKNOWLEDGEMENT_METADATA } from '../../src/core/acknowledgements';
import { SecureServerlessError } from '../../src/core/errors';
import { SecureFunction } from '../../src/function/secure-function';
import { SecureQueue, SecureQueueProps } from '../../src/messaging/secure-queue';
import {
  CODE, expectSameStatements, HANDLER, logicalIdOf, logicalIds, metadataOf, newStack, partitionArn, statementsOf, thrownBy,
} from '../core/fixtures';

const SSL_ONLY = (queueId: string) => ({
  Effect: 'Deny',
  Principal: { AWS: '*' },
  Action: 'sqs:*',
  Resource: { 'Fn::GetAtt': [queueId, 'Arn'] },
  Condition: { Bool: { 'aws:SecureTransport': 'false' } },
});

const DENY_OTHER_ACCOUNTS = (queueId: string) => ({
  Sid: 'DenyOtherAccounts',
  Effect: 'Deny',
  Principal: { AWS: '*' },
  Action: 'sqs:*',
  Resource: { 'Fn::GetAtt': [queueId, 'Arn'] },
  Condition: {
    StringNotEquals: { 'aws:PrincipalAccount': '111111111111' },
    Bool: { 'aws:PrincipalIsAWSService': 'false' },
  },
});

describe('SecureQueue defaults', () => {
  // GIVEN one queue with defaults, synthesized once
  const { stack } = newStack();
  const queue = new SecureQueue(stack, 'Queue');
  const template = Template.fromStack(stack);
  const resources = template.toJSON().Resources;
  const queueId = logicalIdOf(queue);
  const dlqId = logicalIdOf(queue.deadLetter);
  const keyId = logicalIdOf(SecurityBaseline.of(stack).key);
  const policyOf = (id: string) => (Object.values(template.findResources('AWS::SQS::QueuePolicy', { Properties: { Queues: [{ Ref: id }] } }))[0] as any)
    .Properties.PolicyDocument;

  test('is encrypted with the baseline key', () => {
    expect(resources[queueId].Properties.KmsMasterKeyId).toEqual({ 'Fn::GetAtt': [keyId, 'Arn'] });
    expect(queue.key).toBe(SecurityBaseline.of(stack).key);
  });

  test('accepts TLS only and denies other accounts', () => {
    expect(statementsOf(policyOf(queueId))).toEqual([SSL_ONLY(queueId), DENY_OTHER_ACCOUNTS(queueId)]);
  });

  test('redrives to its dead-letter queue after 3 receives', () => {
    expect(resources[queueId].Properties.RedrivePolicy).toEqual({ deadLetterTargetArn: { 'Fn::GetAtt': [dlqId, 'Arn'] }, maxReceiveCount: 3 });
    expect(resources[queueId].Properties).toMatchObject({ VisibilityTimeout: 60, MessageRetentionPeriod: 345600 });
  });

  test('its dead-letter queue is encrypted, TLS-only, closed to other accounts and kept 14 days', () => {
    expect(resources[dlqId].Properties).toMatchObject({ KmsMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] }, MessageRetentionPeriod: 1209600 });
    expect(resources[dlqId].Properties.RedrivePolicy).toBeUndefined();
    expect(statementsOf(policyOf(dlqId))).toEqual([SSL_ONLY(dlqId), DENY_OTHER_ACCOUNTS(dlqId)]);
  });

  test('its dead-letter queue accepts redrives from the source queue only (byQueue, by the source ARN)', () => {
    const name = resources[queueId].Properties.QueueName;

    expect(typeof name).toBe('string');
    expect(resources[dlqId].Properties.RedriveAllowPolicy).toEqual({
      redrivePermission: 'byQueue',
      sourceQueueArns: [partitionArn(`:sqs:eu-west-1:111111111111:${name}`)],
    });
  });

  test('acknowledges only the Serverless redrive finding on the terminal dead-letter queue, with a reason', () => {
    expect(metadataOf(queue.deadLetter, LIBRARY_ACKNOWLEDGEMENT_METADATA)).toEqual([{ id: 'Serverless-SQSRedrivePolicy', reason: expect.stringMatching(/.{20,}/) }]);
    expect(metadataOf(queue, LIBRARY_ACKNOWLEDGEMENT_METADATA)).toEqual([]);
  });

  test('creates no network and no function', () => {
    template.resourceCountIs('AWS::EC2::VPC', 0);
    template.resourceCountIs('AWS::SQS::Queue', 2);
  });
});

describe('SecureQueue options', () => {
  test('queueName and maxReceiveCount are used, and the dead-letter queue names that source', () => {
    const { stack } = newStack();
    const queue = new SecureQueue(stack, 'Queue', { queueName: 'orders', maxReceiveCount: 5 });

    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::SQS::Queue', { QueueName: 'orders', RedrivePolicy: { maxReceiveCount: 5 } });
    template.hasResourceProperties('AWS::SQS::Queue', {
      RedriveAllowPolicy: { redrivePermission: 'byQueue', sourceQueueArns: [partitionArn(':sqs:eu-west-1:111111111111:orders')] },
    });
    expect(logicalIds(template, 'AWS::SQS::Queue')).toContain(logicalIdOf(queue.deadLetter));
  });

  test('a .fifo name makes both queues FIFO', () => {
    const { stack } = newStack();
    new SecureQueue(stack, 'Queue', { queueName: 'orders.fifo' });

    expect(logicalIds(Template.fromStack(stack), 'AWS::SQS::Queue', { Properties: { FifoQueue: true } })).toHaveLength(2);
  });

  test('fifo: true without a name gets a generated .fifo name', () => {
    const { stack } = newStack();
    new SecureQueue(stack, 'Queue', { fifo: true });

    Template.fromStack(stack).hasResourceProperties('AWS::SQS::Queue', { FifoQueue: true, QueueName: Match.stringLikeRegexp('\\.fifo$') });
  });

  test.each<[string, SecureQueueProps, string]>([
    ['a queueName with spaces', { queueName: 'bad name!' },
      'S/Queue: invalid queueName: received "bad name!"; allowed: letters, digits, "-" and "_" (1 to 80); FIFO queues need fifo: true and a ".fifo" suffix'],
    ['a queueName of 81 characters', { queueName: 'q'.repeat(81) },
      `S/Queue: invalid queueName: received "${'q'.repeat(81)}"; allowed: letters, digits, "-" and "_" (1 to 80); FIFO queues need fifo: true and a ".fifo" suffix`],
    ['a FIFO queueName without the suffix', { queueName: 'orders', fifo: true },
      'S/Queue: invalid queueName: received "orders"; allowed: letters, digits, "-" and "_" (1 to 75) followed by ".fifo"'],
    ['a retentionPeriod under a minute', { retentionPeriod: Duration.seconds(30) },
      'S/Queue: invalid retentionPeriod: received 30 seconds; allowed: a whole number of seconds from 60 (1 minute) to 1209600 (14 days)'],
    ['a retentionPeriod over 14 days', { retentionPeriod: Duration.days(15) },
      'S/Queue: invalid retentionPeriod: received 15 days; allowed: a whole number of seconds from 60 (1 minute) to 1209600 (14 days)'],
    ['a visibilityTimeout over 12 hours', { visibilityTimeout: Duration.hours(13) },
      'S/Queue: invalid visibilityTimeout: received 13 hours; allowed: a whole number of seconds from 0 to 43200 (12 hours)'],
    ['a maxReceiveCount of 0', { maxReceiveCount: 0 },
      'S/Queue: invalid maxReceiveCount: received 0; allowed: an integer from 1 to 1000 receives'],
  ])('%s throws our error', (_label, props, message) => {
    const { stack } = newStack();

    const error = thrownBy(() => new SecureQueue(stack, 'Queue', props));

    expect(error).toBeInstanceOf(SecureServerlessError);
    expect(error.message).toBe(message);
  });
});

describe('SecureQueue grants', () => {
  // GIVEN plain roles, so the grant's statements are the only ones in their policy
  const { stack } = newStack();
  const queue = new SecureQueue(stack, 'Queue');
  const producer = new iam.Role(stack, 'Producer', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  const consumer = new iam.Role(stack, 'Consumer', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  const purger = new iam.Role(stack, 'Purger', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  queue.grantSendMessages(producer);
  queue.grantConsumeMessages(consumer);
  queue.grantPurge(purger);
  const template = Template.fromStack(stack);
  const queueArn = { 'Fn::GetAtt': [logicalIdOf(queue), 'Arn'] };
  const keyArn = { 'Fn::GetAtt': [logicalIdOf(queue.key), 'Arn'] };
  const statementsFor = (role: iam.Role) => statementsOf((Object.values(template.findResources('AWS::IAM::Policy', {
    Properties: { Roles: [{ Ref: logicalIdOf(role) }] },
  }))[0] as any).Properties.PolicyDocument);

  // The key only through SQS, for this queue only.
  const throughSqs = {
    StringEquals: { 'kms:ViaService': { 'Fn::Join': ['', ['sqs.eu-west-1.', { Ref: 'AWS::URLSuffix' }]] } },
    ArnEquals: { 'kms:EncryptionContext:aws:sqs:arn': queueArn },
  };

  test('grantSendMessages gives exactly SendMessage, GetQueueAttributes, GetQueueUrl and GenerateDataKey, Decrypt through SQS for this queue', () => {
    expectSameStatements(statementsFor(producer), [
      { Effect: 'Allow', Action: ['sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'], Resource: queueArn },
      { Effect: 'Allow', Action: ['kms:GenerateDataKey', 'kms:Decrypt'], Resource: keyArn, Condition: throughSqs },
    ]);
  });

  test('grantConsumeMessages gives exactly the receive actions and Decrypt through SQS for this queue', () => {
    expectSameStatements(statementsFor(consumer), [
      { Effect: 'Allow', Action: ['sqs:ReceiveMessage', 'sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'], Resource: queueArn },
      { Effect: 'Allow', Action: 'kms:Decrypt', Resource: keyArn, Condition: throughSqs },
    ]);
  });

  test('grantPurge gives exactly PurgeQueue, GetQueueAttributes, GetQueueUrl', () => {
    expectSameStatements(statementsFor(purger), [
      { Effect: 'Allow', Action: ['sqs:PurgeQueue', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'], Resource: queueArn },
    ]);
  });

  test('the grants change neither the queue policy nor the key policy', () => {
    const queuePolicies = Object.values(template.findResources('AWS::SQS::QueuePolicy')) as any[];
    for (const policy of queuePolicies) {
      expect(statementsOf(policy.Properties.PolicyDocument).filter(s => s.Effect === 'Allow')).toEqual([]);
    }
    const key = Object.values(template.findResources('AWS::KMS::Key'))[0] as any;
    expect(JSON.stringify(key.Properties.KeyPolicy)).not.toMatch(/Producer|Consumer|Purger/);
  });

  test('the grants facade (grants.sendMessages, consumeMessages, purge) writes the same exact, conditioned statements', () => {
    const { stack: s } = newStack();
    const facadeQueue = new SecureQueue(s, 'Queue');
    const roles = ['Producer', 'Consumer', 'Purger'].map(id => new iam.Role(s, id, { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') }));
    facadeQueue.grants.sendMessages(roles[0]);
    facadeQueue.grants.consumeMessages(roles[1]);
    facadeQueue.grants.purge(roles[2]);
    const facadeTemplate = Template.fromStack(s);
    const rendered = (role: iam.Role) => JSON.stringify(Object.values(facadeTemplate.findResources('AWS::IAM::Policy', {
      Properties: { Roles: [{ Ref: logicalIdOf(role) }] },
    }))[0]);
    expect(roles.map(rendered)).toEqual([producer, consumer, purger].map(role => JSON.stringify(Object.values(template.findResources('AWS::IAM::Policy', {
      Properties: { Roles: [{ Ref: logicalIdOf(role) }] },
    }))[0])));
  });

  test('grantSendMessages to a SecureFunction creates the SQS endpoint', () => {
    const { stack: s } = newStack();
    const fn = new SecureFunction(s, 'Fn', { code: CODE, handler: HANDLER });

    new SecureQueue(s, 'Queue').grantSendMessages(fn);

    Template.fromStack(s).hasResourceProperties('AWS::EC2::VPCEndpoint', { ServiceName: 'com.amazonaws.eu-west-1.sqs', VpcEndpointType: 'Interface' });
  });
});

describe('SecureQueue.addConsumer', () => {
  test('with a visibility timeout of at least six times the function timeout, adds a mapping that reports item failures', () => {
    // GIVEN the defaults: 60 s visibility, 10 s timeout
    const { stack } = newStack();
    const queue = new SecureQueue(stack, 'Queue');
    const fn = new SecureFunction(stack, 'Fn', { code: CODE, handler: HANDLER });

    // WHEN
    queue.addConsumer(fn);

    // THEN
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [logicalIdOf(queue), 'Arn'] },
      FunctionName: { Ref: logicalIdOf(fn) },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BatchSize: 10,
    });
    // Lambda's poller reads the queue, not the function's code: no endpoint.
    template.resourceCountIs('AWS::EC2::VPCEndpoint', 0);
  });

  test('batch options are passed on', () => {
    const { stack } = newStack();
    const queue = new SecureQueue(stack, 'Queue');
    const fn = new SecureFunction(stack, 'Fn', { code: CODE, handler: HANDLER });

    queue.addConsumer(fn, { batchSize: 5, maxConcurrency: 2 });

    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::EventSourceMapping', { BatchSize: 5, ScalingConfig: { MaximumConcurrency: 2 } });
  });

  test('with a visibility timeout under six times the function timeout throws our error', () => {
    const { stack } = newStack();
    const queue = new SecureQueue(stack, 'Queue');
    const fn = new SecureFunction(stack, 'Fn', { code: CODE, handler: HANDLER, timeout: Duration.seconds(11) });

    const error = thrownBy(() => queue.addConsumer(fn));

    expect(error).toBeInstanceOf(SecureServerlessError);
    expect(error.message).toBe('S/Queue: invalid visibilityTimeout: received "60 seconds"; allowed: at least six times the timeout of S/Fn (11 s), i.e. 66 seconds or more');
  });

  test('adding the same consumer twice throws our error', () => {
    const { stack } = newStack();
    const queue = new SecureQueue(stack, 'Queue');
    const fn = new SecureFunction(stack, 'Fn', { code: CODE, handler: HANDLER });
    queue.addConsumer(fn);

    const error = thrownBy(() => queue.addConsumer(fn));

    expect(error).toBeInstanceOf(SecureServerlessError);
    expect(error.message).toBe('S/Queue: invalid consumer: received "S/Fn"; allowed: a function that does not consume this queue yet');
  });

  test('a longer visibility timeout accepts a slower function', () => {
    const { stack } = newStack();
    const queue = new SecureQueue(stack, 'Queue', { visibilityTimeout: Duration.minutes(6) });
    const fn = new SecureFunction(stack, 'Fn', { code: CODE, handler: HANDLER, timeout: Duration.minutes(1) });

    queue.addConsumer(fn);

    Template.fromStack(stack).resourceCountIs('AWS::Lambda::EventSourceMapping', 1);
  });
});
