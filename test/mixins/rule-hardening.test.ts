import { Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { plainFunction } from './cases';
import { SecureFunction } from '../../src/function/secure-function';
import { SecureQueue } from '../../src/messaging/secure-queue';
import { hardeningRecords } from '../../src/mixins/changes';
import { RuleHardening } from '../../src/mixins/rule-hardening';
import { SecureRuleTarget } from '../../src/workflow/workflow-targets';
import { evaluateApps, failuresOf } from '../callpaths/evaluate';
import { CODE, ENV, HANDLER, logicalIdOf, newStack } from '../core/fixtures';

const HOURLY = events.Schedule.rate(Duration.hours(1));
describe('RuleHardening on plain rules', () => {
  test('every target gets the rule\'s SecureQueue and SecureRuleTarget\'s retry policy, as SecureRuleTarget gives', () => {
    const { stack } = newStack();
    const secure = new events.Rule(stack, 'Secure', { schedule: HOURLY });
    secure.addTarget(SecureRuleTarget.function(new SecureFunction(stack, 'SecureFn', { code: CODE, handler: HANDLER })));
    const plain = new events.Rule(stack, 'Plain', { schedule: HOURLY, targets: [new targets.LambdaFunction(plainFunction(stack, 'Fn'))] });
    plain.with(new RuleHardening());
    const rules = Template.fromStack(stack).toJSON().Resources;
    const targetOf = (rule: events.Rule) => rules[logicalIdOf(rule)].Properties.Targets[0];
    const queue = plain.node.findChild('DeadLetterQueue');
    expect(queue).toBeInstanceOf(SecureQueue);
    expect(targetOf(plain).DeadLetterConfig).toEqual({ Arn: { 'Fn::GetAtt': [logicalIdOf(queue), 'Arn'] } });
    expect(targetOf(plain).RetryPolicy).toEqual(targetOf(secure).RetryPolicy);
    expect(hardeningRecords(plain.node.defaultChild!).map((r) => r.change)).toEqual([
      'target Target0: undelivered events go to the rule\'s encrypted dead-letter queue', 'target Target0: 3 retries within 1 hour',
    ]);
  });

  test('a target with its own dead-letter queue and retries is left; applied twice changes nothing more', () => {
    const build = (times: number) => {
      const { stack } = newStack();
      const dlq = new sqs.Queue(stack, 'Dlq');
      const rule = new events.Rule(stack, 'Rule', { schedule: HOURLY });
      rule.addTarget(new targets.LambdaFunction(plainFunction(stack, 'Own'), { deadLetterQueue: dlq, retryAttempts: 1 }));
      rule.addTarget(new targets.LambdaFunction(plainFunction(stack, 'Fn')));
      for (let i = 0; i < times; i++) rule.with(new RuleHardening());
      return { json: Template.fromStack(stack).toJSON(), rule, dlq };
    };
    const once = build(1);
    const [own] = once.json.Resources[logicalIdOf(once.rule)].Properties.Targets;
    expect(own.DeadLetterConfig).toEqual({ Arn: { 'Fn::GetAtt': [logicalIdOf(once.dlq), 'Arn'] } });
    expect(own.RetryPolicy).toEqual({ MaximumRetryAttempts: 1 });
    const twice = build(2);
    expect(twice.json).toEqual(once.json);
    expect(hardeningRecords(twice.rule.node.defaultChild!)).toEqual(hardeningRecords(once.rule.node.defaultChild!));
  });

  test('a role the rule reaches its target with trusts EventBridge for this account only, L2 or bare; a pinned one is left', async () => {
    const { app, stack } = newStack();
    const machine = new sfn.StateMachine(stack, 'Machine', { definitionBody: sfn.DefinitionBody.fromChainable(new sfn.Pass(stack, 'Pass')) });
    const rule = new events.Rule(stack, 'Rule', { schedule: HOURLY, targets: [new targets.SfnStateMachine(machine)] });
    const bareRole = new iam.CfnRole(stack, 'BareRole', {
      assumeRolePolicyDocument: { Statement: [{ Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' }, Action: 'sts:AssumeRole' }] },
    });
    const bare = new events.CfnRule(stack, 'Bare', {
      scheduleExpression: 'rate(1 hour)',
      targets: [{ id: 'Machine', arn: machine.stateMachineArn, roleArn: bareRole.attrArn }],
    });
    const pinnedRole = new iam.Role(stack, 'Pinned', {
      assumedBy: new iam.ServicePrincipal('events.amazonaws.com', { conditions: { ArnLike: { 'aws:SourceArn': 'arn:aws:events:eu-west-1:111111111111:rule/*' } } }),
    });
    const pinned = new events.CfnRule(stack, 'PinnedRule', {
      scheduleExpression: 'rate(1 hour)',
      targets: [{ id: 'Machine', arn: machine.stateMachineArn, roleArn: pinnedRole.roleArn }],
    });
    for (const r of [rule, bare, pinned]) r.with(new RuleHardening());

    const resources = Template.fromStack(stack).toJSON().Resources;
    const trustOf = (id: string) => resources[id].Properties.AssumeRolePolicyDocument.Statement;
    const eventsRole = machine.node.findChild('EventsRole');
    expect(trustOf(logicalIdOf(eventsRole))).toEqual([expect.objectContaining({
      Principal: { Service: 'events.amazonaws.com' }, Condition: { StringEquals: { 'aws:SourceAccount': ENV.account } },
    })]);
    expect(trustOf(logicalIdOf(bareRole))).toEqual([expect.objectContaining({
      Principal: { Service: 'events.amazonaws.com' }, Condition: { StringEquals: { 'aws:SourceAccount': ENV.account } },
    })]);
    expect(trustOf(logicalIdOf(pinnedRole))[0].Condition).toEqual({ ArnLike: { 'aws:SourceArn': 'arn:aws:events:eu-west-1:111111111111:rule/*' } });
    const said = `target Target0: its role may be assumed by EventBridge for account ${ENV.account} only (aws:SourceAccount)`;
    expect(hardeningRecords(rule.node.defaultChild!).map((r) => r.change)).toContain(said);
    expect(hardeningRecords(bare).map((r) => r.change)).toContain(said.replace('Target0', 'Machine'));
    expect(hardeningRecords(pinned).map((r) => r.change).filter((c) => c.includes('assumed by'))).toEqual([]);

    // As AWS evaluates it: EventBridge assumes each role for a rule of this account, and for none of another's.
    // (Only the trust: the bare roles are granted nothing here, and the state machine is not hardened.)
    const assumed = (await evaluateApps([app])).filter((o) => o.request.factId === 'ruleAssumesRole');
    expect(assumed.map((o) => o.request.label).sort()).toEqual([
      'S/Bare -> S/BareRole', `S/PinnedRule -> S/${logicalIdOf(pinnedRole)}`, `S/${logicalIdOf(rule)} -> S/${logicalIdOf(eventsRole)}`,
    ].sort());
    expect(failuresOf(assumed)).toEqual([]);
  });
});
