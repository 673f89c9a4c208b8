process.env.CDK_VALIDATION = 'false';

import { Template } from 'aws-cdk-lib/assertions';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { SecurityBaseline } from '../../src/baseline/security-baseline';
import { LIBRARY_ACKNOWLEDGEMENT_METADATA } from '../../src/core/acknowledgements';
import { SecureServerlessError } from '../../src/core/errors';
import { SecureKey } from '../../src/encryption/secure-key';
import { SecureFunction } from '../../src/function/secure-function';
import { SecureQueue } from '../../src/messaging/secure-queue';
import { SecureTopic } from '../../src/messaging/secure-topic';
import {
  asArray, CODE, HANDLER, logicalIdOf, managedPolicyStatementsOf, metadataOf, newStack, onlyResource, sameMembers, statementsOf, thrownBy,
} from '../core/fixtures';

describe('SecureTopic', () => {
  // GIVEN a topic with two queue subscriptions, one of which brings its own DLQ, and a publisher
  const { stack } = newStack();
  const topic = new SecureTopic(stack, 'Topic');
  const first = new SecureQueue(stack, 'First');
  const second = new SecureQueue(stack, 'Second');
  const ownDlq = new SecureQueue(stack, 'OwnDlq');
  const third = new SecureQueue(stack, 'Third');
  topic.addSubscription(new subscriptions.SqsSubscription(first));
  topic.addSubscription(new subscriptions.SqsSubscription(second));
  topic.addSubscription(new subscriptions.SqsSubscription(third, { deadLetterQueue: ownDlq }));
  const publisher = new SecureFunction(stack, 'Publisher', { code: CODE, handler: HANDLER });
  topic.grantPublish(publisher);
  const template = Template.fromStack(stack);
  const resources = template.toJSON().Resources;
  const topicId = logicalIdOf(topic);
  const keyId = logicalIdOf(SecurityBaseline.of(stack).key);
  const subscriptionDlq = topic.node.findChild('SubscriptionDeadLetterQueue') as sqs.Queue;

  test('is encrypted with the baseline key', () => {
    expect(resources[topicId].Properties.KmsMasterKeyId).toEqual({ 'Fn::GetAtt': [keyId, 'Arn'] });
  });

  test('accepts TLS only and denies other accounts', () => {
    const policy = onlyResource(template, 'AWS::SNS::TopicPolicy', { Properties: { Topics: [{ Ref: topicId }] } }).resource;

    expect(statementsOf(policy.Properties.PolicyDocument)).toEqual([
      expect.objectContaining({ Effect: 'Deny', Action: 'sns:Publish', Resource: { Ref: topicId }, Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      {
        Sid: 'DenyOtherAccounts',
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Action: ['sns:Publish', 'sns:Subscribe'],
        Resource: { Ref: topicId },
        Condition: { StringNotEquals: { 'aws:PrincipalAccount': '111111111111' }, Bool: { 'aws:PrincipalIsAWSService': 'false' } },
      },
    ]);
  });

  test('gives each subscription without a dead-letter queue the topic\'s shared, encrypted one', () => {
    const dlqArn = { 'Fn::GetAtt': [logicalIdOf(subscriptionDlq), 'Arn'] };
    const subs = Object.values(template.findResources('AWS::SNS::Subscription')) as any[];
    const endpointOf = (s: any) => s.Properties.Endpoint['Fn::GetAtt'][0];

    expect(subs).toHaveLength(3);
    for (const queue of [first, second]) {
      expect(subs.find(s => endpointOf(s) === logicalIdOf(queue)).Properties.RedrivePolicy).toEqual({ deadLetterTargetArn: dlqArn });
    }
    expect(resources[logicalIdOf(subscriptionDlq)].Properties).toMatchObject({ KmsMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] }, MessageRetentionPeriod: 1209600 });
  });

  test('keeps a dead-letter queue the subscription brings', () => {
    const sub = (Object.values(template.findResources('AWS::SNS::Subscription')) as any[])
      .find(s => s.Properties.Endpoint['Fn::GetAtt'][0] === logicalIdOf(third));

    expect(sub.Properties.RedrivePolicy).toEqual({ deadLetterTargetArn: { 'Fn::GetAtt': [logicalIdOf(ownDlq), 'Arn'] } });
  });

  test('the subscription dead-letter queue is TLS-only, closed to other accounts and acknowledged as terminal', () => {
    const dlqId = logicalIdOf(subscriptionDlq);
    const policy = onlyResource(template, 'AWS::SQS::QueuePolicy', { Properties: { Queues: [{ Ref: dlqId }] } }).resource;
    const statements = statementsOf(policy.Properties.PolicyDocument);

    expect(statements).toContainEqual(expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }));
    expect(statements).toContainEqual(expect.objectContaining({ Sid: 'DenyOtherAccounts', Effect: 'Deny' }));
    expect(metadataOf(subscriptionDlq, LIBRARY_ACKNOWLEDGEMENT_METADATA).map(a => a.id)).toContain('Serverless-SQSRedrivePolicy');
  });

  test('subscribing queues leaves SNS able to use the key only on behalf of this account', () => {
    const key = onlyResource(template, 'AWS::KMS::Key').resource;
    const snsStatements = statementsOf(key.Properties.KeyPolicy)
      .filter(s => s.Effect === 'Allow' && asArray(s.Principal?.Service).includes('sns.amazonaws.com'));

    expect(snsStatements.length).toBeGreaterThan(0);
    for (const statement of snsStatements) {
      // pinned to this account, or to this topic, which lives in this account
      const conditionKeys = Object.values(statement.Condition ?? {}).flatMap(c => Object.keys(c as object));
      expect(conditionKeys.filter(k => k === 'aws:SourceAccount' || k === 'aws:SourceArn')).not.toEqual([]);
    }
  });

  test('grantPublish gives sns:Publish on the topic and the key actions through SNS for this topic', () => {
    const statements = managedPolicyStatementsOf(template, logicalIdOf(publisher.role!));

    expect(statements).toContainEqual({ Effect: 'Allow', Action: 'sns:Publish', Resource: { Ref: topicId } });
    expect(statements).toContainEqual({
      Effect: 'Allow',
      Action: sameMembers(['kms:GenerateDataKey', 'kms:Decrypt']),
      Resource: { 'Fn::GetAtt': [keyId, 'Arn'] },
      Condition: {
        StringEquals: { 'kms:ViaService': { 'Fn::Join': ['', ['sns.eu-west-1.', { Ref: 'AWS::URLSuffix' }]] } },
        ArnEquals: { 'kms:EncryptionContext:aws:sns:topicArn': { Ref: topicId } },
      },
    });
    expect(statements.filter(s => asArray(s.Action).some((a: string) => a.startsWith('sns:')))).toHaveLength(1);
  });

  test('grants.publish, aws-cdk-lib\'s facade, writes the same statements as grantPublish', () => {
    const { stack: s } = newStack();
    const facadeTopic = new SecureTopic(s, 'Topic');
    const viaFacade = new SecureFunction(s, 'ViaFacade', { code: CODE, handler: HANDLER });
    const viaMethod = new SecureFunction(s, 'ViaMethod', { code: CODE, handler: HANDLER });
    facadeTopic.grants.publish(viaFacade);
    facadeTopic.grantPublish(viaMethod);
    const facadeTemplate = Template.fromStack(s);
    const topicStatements = (fn: SecureFunction) => managedPolicyStatementsOf(facadeTemplate, logicalIdOf(fn.role!))
      .filter(st => JSON.stringify(st).includes(logicalIdOf(facadeTopic)));
    expect(topicStatements(viaFacade)).toHaveLength(2);
    expect(topicStatements(viaFacade)).toEqual(topicStatements(viaMethod));
  });

  test('grantPublish to a SecureFunction creates the SNS endpoint, open to that function', () => {
    const endpoint = onlyResource(template, 'AWS::EC2::VPCEndpoint', { Properties: { ServiceName: 'com.amazonaws.eu-west-1.sns' } }).resource;
    const endpointSg = endpoint.Properties.SecurityGroupIds[0]['Fn::GetAtt'][0];

    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      GroupId: { 'Fn::GetAtt': [endpointSg, 'GroupId'] },
      SourceSecurityGroupId: { 'Fn::GetAtt': [logicalIdOf(publisher.securityGroup!), 'GroupId'] },
      FromPort: 443,
      ToPort: 443,
    });
  });
});

describe('SecureTopic props', () => {
  test('topicName and fifo are used', () => {
    const { stack } = newStack();
    const topic = new SecureTopic(stack, 'Topic', { topicName: 'orders.fifo', fifo: true, displayName: 'Orders' });
    topic.addSubscription(new subscriptions.SqsSubscription(new SecureQueue(stack, 'Queue', { queueName: 'orders.fifo' })));

    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::SNS::Topic', { TopicName: 'orders.fifo', FifoTopic: true, DisplayName: 'Orders' });
    template.hasResourceProperties('AWS::SQS::Queue', { FifoQueue: true, RedriveAllowPolicy: { redrivePermission: 'allowAll' } });
  });

  test.each([
    ['a name with a space', { topicName: 'bad name' }, 'bad name'],
    ['a FIFO name without the suffix', { topicName: 'orders', fifo: true }, 'orders'],
    ['a name of 257 characters', { topicName: 't'.repeat(257) }, 't'.repeat(257)],
  ])('%s throws our error', (_label, props, name) => {
    const { stack } = newStack();

    const error = thrownBy(() => new SecureTopic(stack, 'Topic', props));

    expect(error).toBeInstanceOf(SecureServerlessError);
    expect(error.message).toBe(`S/Topic: invalid topicName: received "${name}"; allowed: letters, digits, "-" and "_" (up to 256), with a ".fifo" suffix for FIFO topics`);
  });

  test('the encryption key given is used for the topic and its subscription dead-letter queue', () => {
    const { stack } = newStack();
    const key = new SecureKey(stack, 'TopicKey');
    const topic = new SecureTopic(stack, 'Topic', { encryptionKey: key });

    topic.addSubscription(new subscriptions.SqsSubscription(new SecureQueue(stack, 'Queue', { encryptionKey: key })));

    const template = Template.fromStack(stack);
    const keyArn = { 'Fn::GetAtt': [logicalIdOf(key), 'Arn'] };
    expect(topic.key).toBe(key);
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: keyArn });
    template.resourcePropertiesCountIs('AWS::SQS::Queue', { KmsMasterKeyId: keyArn }, 3);
    template.resourceCountIs('AWS::KMS::Key', 1);
  });
});
