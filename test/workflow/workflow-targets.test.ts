process.env.CDK_VALIDATION = 'false';

import { Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { SecurityBaseline } from '../../src/baseline/security-baseline';
import { SecureServerlessError } from '../../src/core/errors';
import { SecureFunction } from '../../src/function/secure-function';
import { SecureQueue } from '../../src/messaging/secure-queue';
import { SecureSchedule } from '../../src/workflow/secure-schedule';
import { SecureStateMachine } from '../../src/workflow/secure-state-machine';
import { SecureRuleTarget, SecureScheduleTarget } from '../../src/workflow/workflow-targets';
import {
  CODE, HANDLER, logicalIdOf, managedPolicyStatementsOf, newStack, sameMembers, thrownBy,
} from '../core/fixtures';

const HOURLY = scheduler.ScheduleExpression.rate(Duration.hours(1));
const VIA_SQS = { StringEquals: { 'kms:ViaService': { 'Fn::Join': ['', ['sqs.eu-west-1.', { Ref: 'AWS::URLSuffix' }]] } } };

describe('SecureSchedule and SecureRuleTarget on a function, a state machine and a queue', () => {
  // GIVEN schedules and rules on each kind of target, synthesized once
  const { stack } = newStack();
  const fn = new SecureFunction(stack, 'Fn', { code: CODE, handler: HANDLER });
  const machine = new SecureStateMachine(stack, 'Machine', { definitionBody: sfn.DefinitionBody.fromChainable(new sfn.Pass(stack, 'Pass')) });
  const queue = new SecureQueue(stack, 'Queue');
  const toFunction = new SecureSchedule(stack, 'ToFunction', { schedule: HOURLY, target: SecureScheduleTarget.function(fn) });
  const toMachine = new SecureSchedule(stack, 'ToMachine', { schedule: HOURLY, target: SecureScheduleTarget.stateMachine(machine) });
  const sharedDlq = new SecureQueue(stack, 'SharedDlq');
  const toQueue = new SecureSchedule(stack, 'ToQueue', {
    schedule: HOURLY,
    target: SecureScheduleTarget.queue(queue, { deadLetterQueue: sharedDlq, retryAttempts: 0, maxEventAge: Duration.minutes(5) }),
    timeWindow: scheduler.TimeWindow.off(),
  });
  const rule = new events.Rule(stack, 'Rule', { schedule: events.Schedule.rate(Duration.hours(1)) });
  rule.addTarget(SecureRuleTarget.function(fn));
  rule.addTarget(SecureRuleTarget.stateMachine(machine));
  const template = Template.fromStack(stack);
  const resources = template.toJSON().Resources;
  const keyArn = { 'Fn::GetAtt': [logicalIdOf(SecurityBaseline.of(stack).key), 'Arn'] };
  const scheduleOf = (schedule: SecureSchedule) => resources[logicalIdOf(schedule)].Properties;
  const roleIdOf = (schedule: SecureSchedule) => scheduleOf(schedule).Target.RoleArn['Fn::GetAtt'][0];
  const dlqArnOf = (schedule: SecureSchedule) => scheduleOf(schedule).Target.DeadLetterConfig.Arn;

  test('a schedule retries 3 times within an hour, then sends to its own encrypted dead-letter queue', () => {
    const target = scheduleOf(toFunction).Target;
    expect(target.RetryPolicy).toEqual({ MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 3600 });
    const dlq = toFunction.node.findChild('DeadLetterQueue') as SecureQueue;
    expect(dlq).toBeInstanceOf(SecureQueue);
    expect(target.DeadLetterConfig).toEqual({ Arn: { 'Fn::GetAtt': [logicalIdOf(dlq), 'Arn'] } });
  });

  test('a schedule is encrypted with the baseline key, in the stack\'s shared group, with a 15-minute flexible window', () => {
    const props = scheduleOf(toFunction);
    expect(props.KmsKeyArn).toEqual(keyArn);
    expect(toFunction.key).toBe(SecurityBaseline.of(stack).key);
    expect(props.FlexibleTimeWindow).toEqual({ Mode: 'FLEXIBLE', MaximumWindowInMinutes: 15 });
    template.resourceCountIs('AWS::Scheduler::ScheduleGroup', 1);
    expect(scheduleOf(toMachine).GroupName).toEqual(props.GroupName);
  });

  test('a schedule\'s role is trusted by Scheduler for this account and schedule group only', () => {
    const groupId = Object.keys(template.findResources('AWS::Scheduler::ScheduleGroup'))[0];
    expect(resources[roleIdOf(toFunction)].Properties.AssumeRolePolicyDocument.Statement).toEqual([{
      Action: 'sts:AssumeRole',
      Effect: 'Allow',
      Principal: { Service: 'scheduler.amazonaws.com' },
      Condition: { StringEquals: { 'aws:SourceAccount': '111111111111', 'aws:SourceArn': { 'Fn::GetAtt': [groupId, 'Arn'] } } },
    }]);
  });

  test('a schedule on a function may invoke exactly that function and write its dead-letter queue', () => {
    expect(managedPolicyStatementsOf(template, roleIdOf(toFunction))).toEqual([
      { Action: 'lambda:InvokeFunction', Effect: 'Allow', Resource: { 'Fn::GetAtt': [logicalIdOf(fn), 'Arn'] } },
      { Action: 'sqs:SendMessage', Effect: 'Allow', Resource: dlqArnOf(toFunction) },
      {
        Action: sameMembers(['kms:GenerateDataKey', 'kms:Decrypt']),
        Effect: 'Allow',
        Resource: keyArn,
        Condition: { ...VIA_SQS, ArnEquals: { 'kms:EncryptionContext:aws:sqs:arn': dlqArnOf(toFunction) } },
      },
      {
        Action: 'kms:Decrypt',
        Effect: 'Allow',
        Resource: keyArn,
        // Scheduler decrypts the input of this schedule only.
        Condition: { ArnEquals: { 'kms:EncryptionContext:aws:scheduler:schedule-arn': { 'Fn::GetAtt': [logicalIdOf(toFunction), 'Arn'] } } },
      },
    ]);
  });

  test('a schedule on a SecureStateMachine may start it, with the key for that state machine only', () => {
    const statements = managedPolicyStatementsOf(template, roleIdOf(toMachine));
    expect(statements[0]).toEqual({ Action: 'states:StartExecution', Effect: 'Allow', Resource: { Ref: logicalIdOf(machine) } });
    expect(statements[1]).toMatchObject({
      Action: sameMembers(['kms:GenerateDataKey', 'kms:Decrypt']),
      Resource: keyArn,
      Condition: { StringEquals: { 'kms:EncryptionContext:aws:states:stateMachineArn': expect.anything() } },
    });
  });

  test('a schedule on a queue honours the given dead-letter queue, retries, event age and time window', () => {
    const props = scheduleOf(toQueue);
    expect(props.Target).toMatchObject({
      Arn: { 'Fn::GetAtt': [logicalIdOf(queue), 'Arn'] },
      DeadLetterConfig: { Arn: { 'Fn::GetAtt': [logicalIdOf(sharedDlq), 'Arn'] } },
      RetryPolicy: { MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 300 },
    });
    expect(props.FlexibleTimeWindow).toEqual({ Mode: 'OFF' });
    expect(toQueue.node.tryFindChild('DeadLetterQueue')).toBeUndefined();
    expect(managedPolicyStatementsOf(template, roleIdOf(toQueue)).filter(s => s.Action === 'sqs:SendMessage').flatMap(s => [s.Resource].flat())).toEqual([
      { 'Fn::GetAtt': [logicalIdOf(queue), 'Arn'] },
      { 'Fn::GetAtt': [logicalIdOf(sharedDlq), 'Arn'] },
    ]);
  });

  test('a rule\'s targets share one dead-letter queue and retry 3 times within an hour', () => {
    const targets = resources[logicalIdOf(rule)].Properties.Targets;
    const dlq = rule.node.findChild('DeadLetterQueue') as SecureQueue;
    for (const target of targets) {
      expect(target).toMatchObject({
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [logicalIdOf(dlq), 'Arn'] } },
        RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 3600 },
      });
    }
    expect(targets).toHaveLength(2);
  });

  test('the key of a rule\'s dead-letter queue admits EventBridge for this account, once', () => {
    const keyPolicy = resources[logicalIdOf(SecurityBaseline.of(stack).key)].Properties.KeyPolicy.Statement;
    const admissions = keyPolicy.filter((s: any) => s.Principal?.Service === 'events.amazonaws.com');
    expect(admissions).toHaveLength(1);
    expect(admissions[0]).toMatchObject({
      Effect: 'Allow',
      Action: sameMembers(['kms:GenerateDataKey', 'kms:Decrypt']),
      Condition: { StringEquals: expect.objectContaining({ 'aws:SourceAccount': '111111111111' }) },
    });
  });

  test('a rule may invoke the function through a permission naming the rule and the account', () => {
    template.hasResourceProperties('AWS::Lambda::Permission', {
      FunctionName: { 'Fn::GetAtt': [logicalIdOf(fn), 'Arn'] },
      Principal: 'events.amazonaws.com',
      SourceArn: { 'Fn::GetAtt': [logicalIdOf(rule), 'Arn'] },
      SourceAccount: '111111111111',
    });
  });

  test('a rule starts a state machine with a role of its own, trusted for this account, with a customer-managed policy', () => {
    const machineTarget = resources[logicalIdOf(rule)].Properties.Targets.find((t: any) => t.RoleArn);
    const roleId = machineTarget.RoleArn['Fn::GetAtt'][0];
    expect(resources[roleId].Properties.AssumeRolePolicyDocument.Statement[0]).toMatchObject({
      Principal: { Service: 'events.amazonaws.com' },
      Condition: { StringEquals: { 'aws:SourceAccount': '111111111111' } },
    });
    expect(managedPolicyStatementsOf(template, roleId).map(s => s.Action)).toEqual(['states:StartExecution', sameMembers(['kms:GenerateDataKey', 'kms:Decrypt'])]);
    expect(Object.keys(template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: roleId }] } }))).toEqual([]);
  });
});

describe('bad input', () => {
  const build = (make: (stack: any) => unknown) => {
    const { stack } = newStack();
    return thrownBy(() => make(stack));
  };

  test.each([
    ['a function target that is not a function', (stack: any) => SecureScheduleTarget.function(new SecureQueue(stack, 'Q') as any),
      'SecureScheduleTarget.function: invalid function: received'],
    ['a FIFO queue target', (stack: any) => SecureRuleTarget.queue(new SecureQueue(stack, 'Q', { fifo: true })),
      'SecureRuleTarget.queue: invalid queue: received "S/Q"; allowed: a standard queue'],
    ['186 retries', (stack: any) => SecureScheduleTarget.function(new SecureFunction(stack, 'F', { code: CODE, handler: HANDLER }), { retryAttempts: 186 }),
      'SecureScheduleTarget.function: invalid retryAttempts: received 186; allowed: an integer from 0 to 185 retries'],
    ['an event age of 30 seconds', (stack: any) => SecureRuleTarget.function(new SecureFunction(stack, 'F', { code: CODE, handler: HANDLER }), { maxEventAge: Duration.seconds(30) }),
      'SecureRuleTarget.function: invalid maxEventAge: received 30 seconds; allowed: a whole number of seconds from 60 (1 minute) to 86400 (24 hours)'],
    ['a schedule without a target', (stack: any) => new SecureSchedule(stack, 'Schedule', { schedule: HOURLY } as any),
      'S/Schedule: invalid target: received undefined; allowed: a SecureScheduleTarget, e.g. SecureScheduleTarget.function(fn)'],
    ['a schedule with a plain aws-cdk-lib target', (stack: any) => new SecureSchedule(stack, 'Schedule', { schedule: HOURLY, target: { bind: () => ({}) } } as any),
      'S/Schedule: invalid target: received {}; allowed: a SecureScheduleTarget'],
  ])('%s is our error', (_name, make, message) => {
    const error = build(make);
    expect(error).toBeInstanceOf(SecureServerlessError);
    expect(error.message).toContain(message);
  });
});
