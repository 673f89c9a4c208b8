process.env.CDK_VALIDATION = 'false';

import { CfnResource, Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3n from 'aws-cdk-lib/aws-s3-notifications';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as schedulerTargets from 'aws-cdk-lib/aws-scheduler-targets';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { SecurityBaseline } from '../../src/baseline/security-baseline';
import { SOURCE_KEYS_NOT_SENT } from '../../src/encryption/key-use';
import { SecureFunction } from '../../src/function/secure-function';
import { SecureQueue } from '../../src/messaging/secure-queue';
import { SecureTopic } from '../../src/messaging/secure-topic';
import { CODE, HANDLER, logicalIdOf, newStack, onlyResource, partitionArn, sameMembers, statementsOf } from '../core/fixtures';

const via = (service: string) => `${service}.eu-west-1.amazonaws.com`;
const arn = partitionArn;
/** Every queue (`sqs`) or topic (`sns`) of ENV, as an encryption-context pattern. */
const thisAccounts = (service: string) => arn(`:${service}:eu-west-1:111111111111:*`);

function keyPolicyOf(template: Template): any[] {
  return statementsOf(onlyResource(template, 'AWS::KMS::Key').resource.Properties.KeyPolicy);
}

function serviceStatements(statements: any[]): any[] {
  return statements.filter(s => s.Effect === 'Allow' && s.Principal?.Service !== undefined);
}

describe('the baseline key admits each service exactly where the stack makes it use the key', () => {
  // GIVEN one stack wiring every scanned idiom to queues and topics encrypted with the baseline key
  const { stack } = newStack();
  const fn = new SecureFunction(stack, 'Fn', { code: CODE, handler: HANDLER });
  const queue = new SecureQueue(stack, 'Queue', { queueName: 'orders' });
  new SecureTopic(stack, 'Topic').addSubscription(new subscriptions.SqsSubscription(queue));
  new s3.Bucket(stack, 'Bucket', { encryptionKey: SecurityBaseline.of(stack).key, enforceSSL: true })
    .addEventNotification(s3.EventType.OBJECT_CREATED, new s3n.SqsDestination(queue));
  const ruleDlq = new SecureQueue(stack, 'RuleDlq', { queueName: 'rule-dlq' });
  new events.Rule(stack, 'Rule', { ruleName: 'nightly', schedule: events.Schedule.rate(Duration.hours(1)) })
    .addTarget(new targets.LambdaFunction(fn, { deadLetterQueue: ruleDlq }));
  const scheduleDlq = new SecureQueue(stack, 'ScheduleDlq', { queueName: 'schedule-dlq' });
  new scheduler.Schedule(stack, 'Schedule', {
    schedule: scheduler.ScheduleExpression.rate(Duration.hours(1)),
    target: new schedulerTargets.LambdaInvoke(fn, { deadLetterQueue: scheduleDlq }),
  });
  const template = Template.fromStack(stack);
  const statements = keyPolicyOf(template);
  const bySid = (sid: string) => statements.find(s => s.Sid === sid);
  // The keys a service sends on its key use through SQS or SNS are the destination's encryption context only
  // (the SQS and SNS guides' key policies for event sources): no statement conditions on aws:Source* or kms:ViaService.
  const onlyThrough = (contextKey: string, destinations: unknown) => ({ ArnLike: { [contextKey]: destinations } });

  test('exactly one statement per service and path, none from the grants aws-cdk-lib wrote', () => {
    expect(serviceStatements(statements).map(s => s.Sid).sort()).toEqual([
      'AllowCloudWatchLogsForThisAccount',
      'AllowCloudWatchThroughSNS',
      `AllowEventsThroughSQS${SOURCE_KEYS_NOT_SENT}`,
      'AllowS3ThroughSQS',
      'AllowSNSThroughSQS',
    ]);
  });

  test('CloudWatch Logs of this region, for this account\'s log groups, because log groups are encrypted with the key', () => {
    const logsPrincipal = stack.resolve(`logs.${stack.region}.${stack.urlSuffix}`);
    expect(bySid('AllowCloudWatchLogsForThisAccount')).toMatchObject({
      Principal: { Service: logsPrincipal },
      Condition: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': arn(':logs:eu-west-1:111111111111:log-group:*') } },
    });
  });

  test('CloudWatch through SNS for this account\'s topics, because the function\'s alarm notifies the encrypted alarm topic', () => {
    expect(bySid('AllowCloudWatchThroughSNS')).toEqual({
      Sid: 'AllowCloudWatchThroughSNS',
      Effect: 'Allow',
      Principal: { Service: 'cloudwatch.amazonaws.com' },
      Action: sameMembers(['kms:GenerateDataKey', 'kms:Decrypt']),
      Resource: '*',
      Condition: onlyThrough('kms:EncryptionContext:aws:sns:topicArn', thisAccounts('sns')),
    });
  });

  test('S3 through SQS, for the named queue it notifies, with no reference to the bucket (which depends on the key)', () => {
    expect(bySid('AllowS3ThroughSQS')).toMatchObject({
      Principal: { Service: 's3.amazonaws.com' },
      Action: sameMembers(['kms:GenerateDataKey', 'kms:Decrypt']),
      Condition: onlyThrough('kms:EncryptionContext:aws:sqs:arn', arn(':sqs:eu-west-1:111111111111:orders')),
    });
  });

  test('SNS through SQS for this account\'s queues: the subscribed queue and the topic\'s subscription dead-letter queue (unnamed)', () => {
    expect(bySid('AllowSNSThroughSQS').Condition).toEqual(onlyThrough('kms:EncryptionContext:aws:sqs:arn', thisAccounts('sqs')));
  });

  test('EventBridge through SQS, for its named dead-letter queue only; the Sid says EventBridge sends no source keys', () => {
    expect(bySid(`AllowEventsThroughSQS${SOURCE_KEYS_NOT_SENT}`)).toMatchObject({
      Principal: { Service: 'events.amazonaws.com' },
      Condition: onlyThrough('kms:EncryptionContext:aws:sqs:arn', arn(':sqs:eu-west-1:111111111111:rule-dlq')),
    });
  });

  test('the scheduler\'s role gets GenerateDataKey and Decrypt through SQS for its dead-letter queue, beside sqs:SendMessage', () => {
    const roleId = onlyResource(template, 'AWS::IAM::Role', {
      Properties: { AssumeRolePolicyDocument: { Statement: [{ Principal: { Service: 'scheduler.amazonaws.com' } }] } },
    }).id;
    const policy = onlyResource(template, 'AWS::IAM::Policy', { Properties: { Roles: [{ Ref: roleId }] } }).resource;
    const dlqArn = { 'Fn::GetAtt': [logicalIdOf(scheduleDlq), 'Arn'] };

    expect(statementsOf(policy.Properties.PolicyDocument)).toEqual(expect.arrayContaining([
      { Effect: 'Allow', Action: 'sqs:SendMessage', Resource: dlqArn },
      {
        Effect: 'Allow',
        Action: sameMembers(['kms:GenerateDataKey', 'kms:Decrypt']),
        Resource: { 'Fn::GetAtt': [logicalIdOf(SecurityBaseline.of(stack).key), 'Arn'] },
        Condition: { StringEquals: { 'kms:ViaService': via('sqs') }, ArnEquals: { 'kms:EncryptionContext:aws:sqs:arn': dlqArn } },
      },
    ]));
  });
});

describe('a key policy never names a resource that depends on the key', () => {
  test('an unnamed rule is not named; an unnamed SecureQueue is, by the literal name the queue is given', () => {
    // GIVEN a rule and a dead-letter queue without names
    const { stack } = newStack();
    const fn = new SecureFunction(stack, 'Fn', { code: CODE, handler: HANDLER });
    const dlq = new SecureQueue(stack, 'Dlq');
    new events.Rule(stack, 'Rule', { schedule: events.Schedule.rate(Duration.hours(1)) })
      .addTarget(new targets.LambdaFunction(fn, { deadLetterQueue: dlq }));

    // WHEN
    const template = Template.fromStack(stack);
    const statement = keyPolicyOf(template).find(s => s.Sid === `AllowEventsThroughSQS${SOURCE_KEYS_NOT_SENT}`);

    // THEN the queue's generated name is literal and named; nothing refers to the rule or the queue
    const queueName = template.toJSON().Resources[logicalIdOf(dlq)].Properties.QueueName;
    expect(typeof queueName).toBe('string');
    expect(statement.Condition).toEqual({ ArnLike: { 'kms:EncryptionContext:aws:sqs:arn': arn(`:sqs:eu-west-1:111111111111:${queueName}`) } });
    expect(JSON.stringify(statement)).not.toContain('Fn::GetAtt');
    expect(JSON.stringify(statement)).not.toContain('"Ref":"Rule');
  });

  test('a grant of a SecureQueue to a service principal adds nothing to the key policy; the queue policy keeps its condition', () => {
    // GIVEN
    const { stack } = newStack();
    const queue = new SecureQueue(stack, 'Queue');

    // WHEN
    queue.grantSendMessages(new iam.ServicePrincipal('events.amazonaws.com', { conditions: { ArnEquals: { 'aws:SourceArn': 'arn:aws:events:eu-west-1:111111111111:rule/x' } } }));
    const template = Template.fromStack(stack);

    // THEN
    expect(serviceStatements(keyPolicyOf(template))).toEqual([]);
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: { Statement: [{}, {}, { Principal: { Service: 'events.amazonaws.com' }, Condition: { ArnEquals: { 'aws:SourceArn': 'arn:aws:events:eu-west-1:111111111111:rule/x' } } }] },
    });
  });

  test('an Allow to another service that names no condition is pinned to this account', () => {
    const { stack } = newStack();
    const key = SecurityBaseline.of(stack).key;

    key.grantDecrypt(new iam.ServicePrincipal('delivery.logs.amazonaws.com'));

    const statement = serviceStatements(keyPolicyOf(Template.fromStack(stack)))[0];
    expect(statement).toMatchObject({ Principal: { Service: 'delivery.logs.amazonaws.com' }, Condition: { StringEquals: { 'aws:SourceAccount': '111111111111' } } });
  });
});

test('a statement asked for that the stack shows no use for is kept, for this account\'s queues of the service it names, without its references', () => {
  // GIVEN an EventBridge statement naming a rule of the stack, while no rule of the stack sends to the key
  const { stack } = newStack();
  const key = SecurityBaseline.of(stack).key;
  const rule = new events.Rule(stack, 'Rule', { schedule: events.Schedule.rate(Duration.hours(1)) });

  // WHEN
  key.addToResourcePolicy(new iam.PolicyStatement({
    principals: [new iam.ServicePrincipal('events.amazonaws.com')],
    actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
    resources: ['*'],
    conditions: { ArnEquals: { 'aws:SourceArn': rule.ruleArn }, StringEquals: { 'kms:ViaService': 'sqs.eu-west-1.amazonaws.com' } },
  }));
  const statements = serviceStatements(keyPolicyOf(Template.fromStack(stack)));

  // THEN
  expect(statements).toEqual([{
    Effect: 'Allow',
    Principal: { Service: 'events.amazonaws.com' },
    Action: sameMembers(['kms:GenerateDataKey', 'kms:Decrypt']),
    Resource: '*',
    Condition: { ArnLike: { 'kms:EncryptionContext:aws:sqs:arn': thisAccounts('sqs') } },
  }]);
});

describe('the scan reads each resource as the template shows it', () => {
  function cloudWatchAdmitted(override: (alarm: CfnResource) => void): boolean {
    const { stack } = newStack();
    const fn = new SecureFunction(stack, 'Fn', { code: CODE, handler: HANDLER });
    override(fn.alarms[0].node.defaultChild as CfnResource);
    return keyPolicyOf(Template.fromStack(stack)).some(s => s.Sid === 'AllowCloudWatchThroughSNS');
  }

  test('an override of an alarm\'s properties is read: with its actions overridden away, CloudWatch is not admitted', () => {
    expect(cloudWatchAdmitted(() => undefined)).toBe(true);
    expect(cloudWatchAdmitted(alarm => alarm.addPropertyOverride('AlarmActions', []))).toBe(false);
  });
});
