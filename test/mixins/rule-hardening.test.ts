import { Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { plainFunction } from './cases';
import { SecureFunction } from '../../src/function/secure-function';
import { SecureQueue } from '../../src/messaging/secure-queue';
import { hardeningRecords } from '../../src/mixins/changes';
import { RuleHardening } from '../../src/mixins/rule-hardening';
import { SecureRuleTarget } from '../../src/workflow/workflow-targets';
import { CODE, HANDLER, logicalIdOf, newStack } from '../core/fixtures';

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
});
