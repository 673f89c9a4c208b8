process.env.CDK_VALIDATION = 'false';

import { App, Duration, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import * as fc from 'fast-check';
import { mostly, propertyRuns } from './runners';
import { SecureFunction } from '../../src/function/secure-function';
import { ExecutionDataLogging } from '../../src/workflow/execution-data-logging';
import { SecureSchedule } from '../../src/workflow/secure-schedule';
import { SecureStateMachine } from '../../src/workflow/secure-state-machine';
import { SecureRuleTarget, SecureScheduleTarget } from '../../src/workflow/workflow-targets';
import { CODE, ENV, HANDLER } from '../core/fixtures';

/**
 * Over generated SecureStateMachine, SecureSchedule and target props (a state
 * machine invoking a SecureFunction, started by a schedule and a rule),
 * construction either throws our error or the app synthesizes with zero
 * findings under STANDARD; the guard rules run once over a sample.
 */

const NUM_RUNS = 40;
const GUARD_SAMPLE = 2;

const delivery = fc.record({
  retryAttempts: mostly(fc.integer({ min: 0, max: 185 }), fc.oneof(fc.integer({ min: -3, max: 300 }), fc.double())),
  maxEventAge: mostly(
    fc.integer({ min: 60, max: 86_400 }).map(seconds => Duration.seconds(seconds)),
    fc.integer({ min: 0, max: 100_000 }).map(seconds => Duration.seconds(seconds)),
  ),
}, { requiredKeys: [] });

const generated = fc.record({
  machine: fc.record({
    stateMachineName: mostly(fc.stringMatching(/^[a-zA-Z0-9_-]{1,80}$/), fc.string({ maxLength: 90 })),
    stateMachineType: mostly(fc.constantFrom(...Object.values(sfn.StateMachineType)), fc.constantFrom('BATCH' as sfn.StateMachineType)),
    timeout: mostly(fc.integer({ min: 1, max: 86_400 }).map(s => Duration.seconds(s)), fc.double({ min: 0, max: 2 }).map(s => Duration.seconds(s))),
    comment: mostly(fc.string({ minLength: 1, maxLength: 40 }), fc.constant('')),
    executionData: mostly(fc.constant(ExecutionDataLogging.exclude()), fc.constant(true as unknown as ExecutionDataLogging)),
  }, { requiredKeys: [] }),
  schedule: fc.record({
    scheduleName: mostly(fc.stringMatching(/^[0-9a-zA-Z._-]{1,64}$/), fc.string({ maxLength: 70 })),
    timeWindow: mostly(
      fc.integer({ min: 1, max: 1440 }).map(minutes => scheduler.TimeWindow.flexible(Duration.minutes(minutes))),
      fc.constant(scheduler.TimeWindow.off()),
    ),
    enabled: mostly(fc.boolean(), fc.constant('yes' as unknown as boolean)),
  }, { requiredKeys: [] }),
  scheduleTarget: delivery,
  ruleTarget: delivery,
});

type GeneratedValue = typeof generated extends fc.Arbitrary<infer T> ? T : never;

function build(value: GeneratedValue): App {
  const app = new App();
  const stack = new Stack(app, 'Workflow', { env: ENV });
  const fn = new SecureFunction(stack, 'Fn', { code: CODE, handler: HANDLER });
  const machine = new SecureStateMachine(stack, 'Machine', {
    definitionBody: sfn.DefinitionBody.fromChainable(new tasks.LambdaInvoke(stack, 'Invoke', { lambdaFunction: fn })),
    ...value.machine,
  });
  new SecureSchedule(stack, 'Schedule', {
    schedule: scheduler.ScheduleExpression.rate(Duration.hours(1)),
    target: SecureScheduleTarget.stateMachine(machine, value.scheduleTarget),
    ...value.schedule,
  });
  new events.Rule(stack, 'Rule', { schedule: events.Schedule.rate(Duration.hours(1)) })
    .addTarget(SecureRuleTarget.function(fn, value.ruleTarget));
  return app;
}

propertyRuns(generated, build, { numRuns: NUM_RUNS, guardSample: GUARD_SAMPLE, what: 'workflow prop sets' });
