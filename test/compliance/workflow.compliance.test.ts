process.env.CDK_VALIDATION = 'false';

import { Duration, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { expectKeyUseConditioned } from './key-conditions';
import { baselineStackApp, complianceMatrix } from './runners';
import { LogRetention } from '../../src/core/log-retention';
import { SecureFunction } from '../../src/function/secure-function';
import { SecureQueue } from '../../src/messaging/secure-queue';
import { ExecutionDataLogging } from '../../src/workflow/execution-data-logging';
import { SecureSchedule } from '../../src/workflow/secure-schedule';
import { SecureStateMachine } from '../../src/workflow/secure-state-machine';
import { SecureRuleTarget, SecureScheduleTarget } from '../../src/workflow/workflow-targets';
import { CODE, HANDLER } from '../core/fixtures';

/**
 * SecureStateMachine, SecureSchedule and SecureRuleTarget, by default and with
 * each documented option, plus the aws-cdk-lib idioms users write around them,
 * in both profiles, under our pack, the cdk-nag packs of the profile and the
 * Control Tower guard rules.
 */

const HOURLY = scheduler.ScheduleExpression.rate(Duration.hours(1));

function fn(stack: Stack, id = 'Fn'): SecureFunction {
  return new SecureFunction(stack, id, { code: CODE, handler: HANDLER });
}

function invoking(stack: Stack, target: SecureFunction): SecureStateMachine {
  return new SecureStateMachine(stack, 'Machine', {
    definitionBody: sfn.DefinitionBody.fromChainable(new tasks.LambdaInvoke(stack, 'Invoke', { lambdaFunction: target })),
  });
}

function rule(stack: Stack): events.Rule {
  return new events.Rule(stack, 'Rule', { schedule: events.Schedule.rate(Duration.hours(1)) });
}

const CASES: Record<string, (stack: Stack) => void> = {
  'SecureStateMachine invoking a SecureFunction (tasks.LambdaInvoke)': stack => {
    invoking(stack, fn(stack));
  },
  'SecureStateMachine invoking a version and an alias, in parallel': stack => {
    const target = fn(stack);
    const alias = new SecureFunction(stack, 'Aliased', { code: CODE, handler: HANDLER }).addAlias('live');
    new SecureStateMachine(stack, 'Machine', {
      definitionBody: sfn.DefinitionBody.fromChainable(new sfn.Parallel(stack, 'Both')
        .branch(new tasks.LambdaInvoke(stack, 'Version', { lambdaFunction: target.currentVersion }))
        .branch(new tasks.LambdaInvoke(stack, 'Alias', { lambdaFunction: alias }))),
    });
  },
  'SecureStateMachine EXPRESS with execution data, a name, a timeout and two years of logs': stack => {
    new SecureStateMachine(stack, 'Machine', {
      definitionBody: sfn.DefinitionBody.fromChainable(new sfn.Pass(stack, 'Pass')),
      stateMachineType: sfn.StateMachineType.EXPRESS,
      stateMachineName: 'orders-express',
      timeout: Duration.minutes(5),
      executionData: ExecutionDataLogging.include('synthetic test data only'),
      logRetention: LogRetention.days(logs.RetentionDays.TWO_YEARS),
    });
  },
  'SecureStateMachine started by a SecureFunction (grantStartExecution)': stack => {
    const machine = new SecureStateMachine(stack, 'Machine', { definitionBody: sfn.DefinitionBody.fromChainable(new sfn.Pass(stack, 'Pass')) });
    machine.grantStartExecution(fn(stack, 'Starter'));
  },
  'SecureSchedule on a function (default)': stack => {
    new SecureSchedule(stack, 'Nightly', {
      schedule: scheduler.ScheduleExpression.cron({ hour: '2', minute: '0' }),
      target: SecureScheduleTarget.function(fn(stack)),
    });
  },
  'SecureSchedule on a SecureStateMachine': stack => {
    new SecureSchedule(stack, 'Hourly', { schedule: HOURLY, target: SecureScheduleTarget.stateMachine(invoking(stack, fn(stack))) });
  },
  'SecureSchedule on a queue with a given dead-letter queue, group, retries and no time window': stack => {
    const group = new scheduler.ScheduleGroup(stack, 'Group', {});
    new SecureSchedule(stack, 'Hourly', {
      schedule: HOURLY,
      scheduleGroup: group,
      timeWindow: scheduler.TimeWindow.off(),
      description: 'hourly tick',
      target: SecureScheduleTarget.queue(new SecureQueue(stack, 'Queue'), {
        deadLetterQueue: new SecureQueue(stack, 'Dlq'),
        retryAttempts: 10,
        maxEventAge: Duration.hours(6),
        input: scheduler.ScheduleTargetInput.fromObject({ tick: true }),
      }),
    });
  },
  'events.Rule with SecureRuleTarget on a function, a state machine and a queue': stack => {
    const target = fn(stack);
    const r = rule(stack);
    r.addTarget(SecureRuleTarget.function(target));
    r.addTarget(SecureRuleTarget.stateMachine(invoking(stack, target)));
    r.addTarget(SecureRuleTarget.queue(new SecureQueue(stack, 'Queue'), { retryAttempts: 0 }));
  },
  'plain idiom: events.Rule with targets.LambdaFunction(secureFn, { deadLetterQueue: secureQueue })': stack => {
    rule(stack).addTarget(new targets.LambdaFunction(fn(stack), { deadLetterQueue: new SecureQueue(stack, 'Dlq') }));
  },
};
const CASE_NAMES = Object.keys(CASES);

const buildApp = baselineStackApp(CASES);

expectKeyUseConditioned(complianceMatrix(CASE_NAMES, buildApp));
