process.env.CDK_VALIDATION = 'false';

import { Template } from 'aws-cdk-lib/assertions';
import { SecurityBaseline } from '../../src/baseline/security-baseline';
import { RequiredWildcards, requiredWildcardsPolicy } from '../../src/function/required-wildcards';
import { SecureFunction } from '../../src/function/secure-function';
import { SecureQueue } from '../../src/messaging/secure-queue';
import { SecureTopic } from '../../src/messaging/secure-topic';
import {
  CODE, HANDLER, asArray, logicalIdOf, logicalIds, managedPolicyStatementsOf, newStack, referencedIds,
} from '../core/fixtures';

/**
 * Two functions in one stack share what the baseline owns and nothing else:
 * one key, one VPC, one endpoint per service, one alarm topic; each keeps its
 * own role, log group and dead-letter queue, and its policy names only those
 * and what it was granted.
 */
describe('two SecureFunctions in one stack', () => {
  // GIVEN two functions granted the same queue, and only the second granted a topic
  const { stack } = newStack();
  const queue = new SecureQueue(stack, 'Queue');
  const topic = new SecureTopic(stack, 'Topic');
  const first = new SecureFunction(stack, 'First', { code: CODE, handler: HANDLER });
  const second = new SecureFunction(stack, 'Second', { code: CODE, handler: HANDLER });
  queue.grantSendMessages(first);
  queue.grantSendMessages(second);
  topic.grantPublish(second);
  const template = Template.fromStack(stack);
  const resources = template.toJSON().Resources;
  const baseline = SecurityBaseline.of(stack);
  const keyId = logicalIdOf(baseline.key);

  /** What each function owns, and what it was granted beyond the shared key. */
  const own = (fn: SecureFunction) => ({ logGroup: logicalIdOf(fn.logGroup), dlq: logicalIdOf(fn.deadLetterQueue!), role: logicalIdOf(fn.role!) });
  const granted = new Map([[first, [logicalIdOf(queue)]], [second, [logicalIdOf(queue), logicalIdOf(topic)]]]);

  test('share one key, one VPC, one alarm topic', () => {
    template.resourceCountIs('AWS::KMS::Key', 1);
    template.resourceCountIs('AWS::EC2::VPC', 1);
    template.resourceCountIs('AWS::EC2::FlowLog', 1);
    // the alarm topic and the user's topic
    template.resourceCountIs('AWS::SNS::Topic', 2);
    const alarmTopicId = logicalIdOf(baseline.alarmTopic);
    for (const alarm of Object.values(template.findResources('AWS::CloudWatch::Alarm')) as any[]) {
      expect(alarm.Properties.AlarmActions).toEqual([{ Ref: alarmTopicId }]);
    }
    template.resourceCountIs('AWS::CloudWatch::Alarm', 2);
    for (const fn of [first, second]) {
      expect(resources[logicalIdOf(fn)].Properties.KmsKeyArn).toEqual({ 'Fn::GetAtt': [keyId, 'Arn'] });
    }
  });

  test('share one set of endpoints: exactly one SQS interface endpoint for the queue both were granted', () => {
    const interfaces = Object.values(template.findResources('AWS::EC2::VPCEndpoint', { Properties: { VpcEndpointType: 'Interface' } })) as any[];

    expect(interfaces.map(e => e.Properties.ServiceName).sort()).toEqual(['com.amazonaws.eu-west-1.sns', 'com.amazonaws.eu-west-1.sqs']);
    // Neither function's permissions name S3 or DynamoDB: no gateway endpoint either.
    expect(logicalIds(template, 'AWS::EC2::VPCEndpoint', { Properties: { VpcEndpointType: 'Gateway' } })).toHaveLength(0);
    expect(first.network).toBe(second.network);
  });

  test('only the function granted the topic may reach the SNS endpoint', () => {
    const sns = (Object.values(template.findResources('AWS::EC2::VPCEndpoint', { Properties: { ServiceName: 'com.amazonaws.eu-west-1.sns' } })) as any[])[0];
    const endpointSg = sns.Properties.SecurityGroupIds[0]['Fn::GetAtt'][0];
    const sources = (Object.values(template.findResources('AWS::EC2::SecurityGroupIngress')) as any[])
      .filter(r => r.Properties.GroupId['Fn::GetAtt'][0] === endpointSg)
      .map(r => r.Properties.SourceSecurityGroupId['Fn::GetAtt'][0]);

    expect(sources).toEqual([logicalIdOf(second.securityGroup!)]);
  });

  test('each has its own role, log group, dead-letter queue and security group', () => {
    const a = own(first);
    const b = own(second);

    expect(new Set([a.role, b.role]).size).toBe(2);
    expect(new Set([a.logGroup, b.logGroup]).size).toBe(2);
    expect(new Set([a.dlq, b.dlq]).size).toBe(2);
    expect(logicalIdOf(first.securityGroup!)).not.toBe(logicalIdOf(second.securityGroup!));
    expect(resources[logicalIdOf(first)].Properties.Role).toEqual({ 'Fn::GetAtt': [a.role, 'Arn'] });
    expect(resources[logicalIdOf(second)].Properties.Role).toEqual({ 'Fn::GetAtt': [b.role, 'Arn'] });
    for (const fn of [first, second]) {
      // The one policy both attach is the stack's shared policy of the wildcards AWS requires.
      const shared = logicalIdOf(requiredWildcardsPolicy(fn, RequiredWildcards.TRACING_IN_VPC));
      expect(resources[own(fn).role].Properties.ManagedPolicyArns).toEqual([{ Ref: shared }]);
      expect(resources[own(fn).role].Properties.Policies).toBeUndefined();
    }
    template.resourceCountIs('AWS::IAM::Policy', 0);
  });

  test.each([['First', 0], ['Second', 1]])('the %s policy names only its own log group, its own DLQ, the shared key and what it was granted', (_name, index) => {
    // GIVEN
    const fn = [first, second][index];
    const other = [first, second][1 - index];
    const mine = own(fn);
    const allowed = new Set([mine.logGroup, mine.dlq, keyId, '*', ...granted.get(fn)!]);

    // WHEN the statements of its managed policies are resolved to logical ids
    const statements = managedPolicyStatementsOf(template, mine.role);
    const named = new Set(statements.flatMap(s => [...referencedIds(s.Resource)]));

    // THEN
    expect([...named].filter(id => !allowed.has(id))).toEqual([]);
    for (const id of [mine.logGroup, mine.dlq, ...granted.get(fn)!]) expect(named).toContain(id);
    expect(named).not.toContain(own(other).logGroup);
    expect(named).not.toContain(own(other).dlq);

    // AND the log statement names its own log group only
    const logs = statements.filter(s => asArray(s.Action).some((a: string) => a.startsWith('logs:')));
    expect(logs.map(s => [...referencedIds(s.Resource)])).toEqual([[mine.logGroup]]);
  });

  test('the first function, granted no topic, has no sns permission', () => {
    const actions = managedPolicyStatementsOf(template, own(first).role).flatMap(s => asArray(s.Action));

    expect(actions.filter((a: string) => a.startsWith('sns:'))).toEqual([]);
  });
});
