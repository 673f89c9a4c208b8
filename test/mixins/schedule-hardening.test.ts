import { Duration, Mixins, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as schedulerTargets from 'aws-cdk-lib/aws-scheduler-targets';
import { plainFunction } from './cases';
import { runtimeChangeRecords } from '../../src/mixins/changes';
import { ScheduleHardening } from '../../src/mixins/schedule-hardening';
import { SecureSchedule } from '../../src/workflow/secure-schedule';
import { SecureScheduleTarget } from '../../src/workflow/workflow-targets';
import { logicalIdOf, newStack, statementsOf } from '../core/fixtures';

/** Every statement of the customer-managed policies attached to the role with this logical id. */
function roleStatements(template: Template, roleId: string): any[] {
  return Object.values(template.findResources('AWS::IAM::ManagedPolicy'))
    .filter((p: any) => p.Properties.Roles?.some((r: any) => r.Ref === roleId))
    .flatMap((p: any) => statementsOf(p.Properties.PolicyDocument));
}

describe('ScheduleHardening on a plain Scheduler schedule', () => {
  let stack: Stack;
  let template: Template;
  let schedule: scheduler.Schedule;
  let roleId: string;

  beforeAll(() => {
    ({ stack } = newStack());
    const fn = plainFunction(stack, 'Fn');
    new SecureSchedule(stack, 'Secure', { schedule: scheduler.ScheduleExpression.rate(Duration.hours(1)), target: SecureScheduleTarget.function(fn) });
    schedule = new scheduler.Schedule(stack, 'Nightly', {
      schedule: scheduler.ScheduleExpression.cron({ hour: '3', minute: '0' }),
      target: new schedulerTargets.LambdaInvoke(fn),
    });
    schedule.with(new ScheduleHardening());
    template = Template.fromStack(stack);
    roleId = (template.toJSON().Resources[logicalIdOf(schedule)].Properties.Target.RoleArn['Fn::GetAtt'] as string[])[0];
  });

  test('the input is encrypted with the baseline key, as SecureSchedule\'s, and the target role may decrypt this schedule\'s input only', () => {
    const resources = template.toJSON().Resources;
    expect(resources[logicalIdOf(schedule)].Properties.KmsKeyArn).toEqual(resources[logicalIdOf(stack.node.findChild('Secure'))].Properties.KmsKeyArn);
    expect(roleStatements(template, roleId)).toContainEqual({
      Effect: 'Allow',
      Action: 'kms:Decrypt',
      Resource: { 'Fn::GetAtt': [expect.stringMatching(/^SecurityBaselineKey/), 'Arn'] },
      Condition: { ArnEquals: { 'kms:EncryptionContext:aws:scheduler:schedule-arn': { 'Fn::GetAtt': [logicalIdOf(schedule), 'Arn'] } } },
    });
  });

  test('the target keeps aws-cdk-lib\'s retry policy and gets the schedule\'s encrypted dead-letter queue, which its role may send to', () => {
    const target = template.toJSON().Resources[logicalIdOf(schedule)].Properties.Target;
    expect(target.RetryPolicy).toEqual({ MaximumEventAgeInSeconds: 86400, MaximumRetryAttempts: 185 });
    expect(target.DeadLetterConfig).toEqual({ Arn: { 'Fn::GetAtt': [expect.stringMatching(/^NightlyDeadLetterQueue/), 'Arn'] } });
    expect(roleStatements(template, roleId)).toContainEqual(expect.objectContaining({ Action: 'sqs:SendMessage', Resource: target.DeadLetterConfig.Arn }));
    expect(runtimeChangeRecords(schedule.node.defaultChild!).map((r) => r.change)).toEqual([
      'an invocation that still fails goes to the schedule\'s encrypted dead-letter queue, where it was dropped',
    ]);
  });

  test('the target role invokes exactly the function, from a customer-managed policy', () => {
    template.resourceCountIs('AWS::IAM::Policy', 0);
    const invoke = roleStatements(template, roleId).find((s) => s.Action === 'lambda:InvokeFunction');
    expect(invoke.Resource).toEqual({ 'Fn::GetAtt': [logicalIdOf(stack.node.findChild('Fn')), 'Arn'] });
  });

  test('the schedule keeps its logical id, expression and time window', () => {
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(0 3 * * ? *)', FlexibleTimeWindow: { Mode: 'OFF' },
    });
    expect(Object.keys(template.findResources('AWS::Scheduler::Schedule'))).toContain(logicalIdOf(schedule));
  });
});

describe('ScheduleHardening on an L1 schedule with a bare role', () => {
  test('retries 3 times within an hour where it had no policy, in a policy of its own for the role, and applied twice changes nothing more', () => {
    const build = (times: number) => {
      const { stack } = newStack();
      const fn = plainFunction(stack, 'Fn');
      const role = new iam.CfnRole(stack, 'Role', {
        assumeRolePolicyDocument: { Statement: [{ Effect: 'Allow', Principal: { Service: 'scheduler.amazonaws.com' }, Action: 'sts:AssumeRole' }] },
      });
      const schedule = new scheduler.CfnSchedule(stack, 'Nightly', {
        scheduleExpression: 'rate(1 day)', flexibleTimeWindow: { mode: 'OFF' }, target: { arn: fn.functionArn, roleArn: role.attrArn },
      });
      for (let i = 0; i < times; i++) Mixins.of(stack).apply(new ScheduleHardening());
      return { template: Template.fromStack(stack), schedule };
    };
    const { template, schedule } = build(1);
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      Target: Match.objectLike({ RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 3600 }, DeadLetterConfig: Match.anyValue() }),
      KmsKeyArn: Match.anyValue(),
    });
    const statements = roleStatements(template, 'Role');
    // minimizePolicies may reorder actions: compared as sets.
    expect(statements.map((s) => [s.Action].flat().sort())).toEqual([['kms:Decrypt'], ['sqs:SendMessage'], ['kms:Decrypt', 'kms:GenerateDataKey']]);
    expect(runtimeChangeRecords(schedule).map((r) => r.change)).toEqual([
      'a failed invocation is retried 3 times within 1 hour, where Scheduler retried it 185 times within 24 hours',
      'an invocation that still fails goes to the schedule\'s encrypted dead-letter queue, where it was dropped',
    ]);
    expect(build(2).template.toJSON()).toEqual(template.toJSON());
  });
});
