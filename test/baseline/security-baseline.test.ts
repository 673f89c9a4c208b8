process.env.CDK_VALIDATION = 'false';

import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { SecurityBaseline } from '../../src/baseline/security-baseline';
import { WAIVER_METADATA } from '../../src/core/acknowledgements';
import { SecureServerlessError } from '../../src/core/errors';
import { LogRetention } from '../../src/core/log-retention';
import { ComplianceProfile, setDefaultProfile } from '../../src/core/profile';
import { SecureKey } from '../../src/encryption/secure-key';
import { SecureFunction } from '../../src/function/secure-function';
import { SecureQueue } from '../../src/messaging/secure-queue';
import { CODE, ENV, HANDLER, logicalIdOf, metadataOf, newStack, thrownBy } from '../core/fixtures';

const ONE_PER_STACK = 'allowed: one per stack, created before any Secure* construct of the stack';

describe('SecurityBaseline.of', () => {
  test('returns the same instance for every scope of a stack', () => {
    // GIVEN
    const { stack } = newStack();
    const child = new Construct(new Construct(stack, 'A'), 'B');

    // WHEN
    const first = SecurityBaseline.of(stack);

    // THEN
    expect(SecurityBaseline.of(child)).toBe(first);
    expect(SecurityBaseline.of(stack)).toBe(first);
    expect(first.node.path).toBe('S/SecurityBaseline');
  });

  test('returns the baseline created explicitly', () => {
    const { stack } = newStack();
    const explicit = new SecurityBaseline(stack, 'SecurityBaseline', { profile: ComplianceProfile.REGULATED });

    expect(SecurityBaseline.of(stack)).toBe(explicit);
    expect(SecurityBaseline.of(stack).regulated).toBe(true);
  });

  test('returns one baseline per stack', () => {
    const { app, stack } = newStack();
    const other = new Stack(app, 'Other', { env: ENV });

    expect(SecurityBaseline.of(other)).not.toBe(SecurityBaseline.of(stack));
  });

  test('defaults to STANDARD, or the profile set on an ancestor', () => {
    const { app, stack } = newStack();
    expect(SecurityBaseline.of(stack).profile).toBe(ComplianceProfile.STANDARD);

    setDefaultProfile(app, ComplianceProfile.REGULATED);
    const regulated = new Stack(app, 'Regulated', { env: ENV });
    expect(SecurityBaseline.of(regulated).profile).toBe(ComplianceProfile.REGULATED);
  });
});

describe('a second baseline in one stack', () => {
  test('with another id throws our error', () => {
    const { stack } = newStack();
    new SecurityBaseline(stack, 'SecurityBaseline');

    const error = thrownBy(() => new SecurityBaseline(stack, 'Another'));

    expect(error).toBeInstanceOf(SecureServerlessError);
    expect(error.message).toBe(`S/Another: invalid scope: received S, which already has a SecurityBaseline; ${ONE_PER_STACK}`);
  });

  test('with the documented id throws our error, not a construct-id clash', () => {
    const { stack } = newStack();
    new SecurityBaseline(stack, 'SecurityBaseline');

    const error = thrownBy(() => new SecurityBaseline(stack, 'SecurityBaseline'));

    expect(error).toBeInstanceOf(SecureServerlessError);
    expect(error.message).toBe(`S/SecurityBaseline: invalid scope: received S, which already has a SecurityBaseline; ${ONE_PER_STACK}`);
  });

  test('created after a Secure* construct made the default one throws our error', () => {
    const { stack } = newStack();
    new SecureQueue(stack, 'Queue');

    const error = thrownBy(() => new SecurityBaseline(stack, 'SecurityBaseline', { profile: ComplianceProfile.REGULATED }));

    expect(error).toBeInstanceOf(SecureServerlessError);
    expect(error.message).toMatch(/^S\/SecurityBaseline: invalid scope: received S, which already has a SecurityBaseline; /);
  });

  test('outside a stack throws our error', () => {
    const { stack } = newStack();

    const error = thrownBy(() => new SecurityBaseline(new Construct(stack, 'Nested') as unknown as Stack, 'SecurityBaseline'));

    expect(error).toBeInstanceOf(SecureServerlessError);
    expect(error.message).toMatch(/^S\/Nested\/SecurityBaseline: invalid scope: .*; allowed: a Stack \(one SecurityBaseline per stack\)$/);
  });
});

describe('shared resources are created on first use', () => {
  test('a baseline nobody uses adds no resource', () => {
    const { stack } = newStack();
    SecurityBaseline.of(stack);

    expect(Object.keys(Template.fromStack(stack).toJSON().Resources ?? {})).toEqual([]);
  });

  test('a stack with only a SecureQueue has the key but no network and no alarm topic', () => {
    // GIVEN
    const { stack } = newStack();

    // WHEN
    new SecureQueue(stack, 'Queue');

    // THEN
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::KMS::Key', 1);
    template.resourceCountIs('AWS::EC2::VPC', 0);
    template.resourceCountIs('AWS::EC2::VPCEndpoint', 0);
    template.resourceCountIs('AWS::EC2::FlowLog', 0);
    template.resourceCountIs('AWS::Logs::LogGroup', 0);
    template.resourceCountIs('AWS::SNS::Topic', 0);
    template.resourceCountIs('AWS::Lambda::Function', 0);
  });

  test('the key given to the baseline is used instead of creating one', () => {
    const { stack } = newStack();
    const key = new SecureKey(stack, 'MyKey');
    new SecurityBaseline(stack, 'SecurityBaseline', { key });

    new SecureQueue(stack, 'Queue');

    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::KMS::Key', 1);
    template.hasResourceProperties('AWS::SQS::Queue', { KmsMasterKeyId: { 'Fn::GetAtt': [logicalIdOf(key), 'Arn'] } });
  });

  test('log groups it creates are encrypted with the shared key, retained and kept a year', () => {
    const { stack } = newStack();
    const baseline = SecurityBaseline.of(stack);

    baseline.createLogGroup(stack, 'Logs', 'test logs');

    const template = Template.fromStack(stack);
    template.hasResource('AWS::Logs::LogGroup', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: { RetentionInDays: 365, KmsKeyId: { 'Fn::GetAtt': [logicalIdOf(baseline.key), 'Arn'] } },
    });
  });

  test('the alarm topic is encrypted with the shared key, accepts TLS only and this account\'s CloudWatch alarms', () => {
    const { stack } = newStack();
    const baseline = SecurityBaseline.of(stack);

    expect(baseline.alarmTopic).toBe(baseline.alarmTopic);

    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::SNS::Topic', 1);
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [logicalIdOf(baseline.key), 'Arn'] } });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Action: 'sns:Publish', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          Match.objectLike({
            Sid: 'AllowCloudWatchAlarmsOfThisAccount',
            Effect: 'Allow',
            Action: 'sns:Publish',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Condition: { StringEquals: { 'aws:SourceAccount': '111111111111' }, ArnLike: { 'aws:SourceArn': Match.anyValue() } },
          }),
        ]),
      },
    });
  });
});

describe('logRetention', () => {
  test('below a year without a reason throws our error', () => {
    const { stack } = newStack();

    const error = thrownBy(() => new SecurityBaseline(stack, 'SecurityBaseline', { logRetention: LogRetention.days(logs.RetentionDays.ONE_MONTH) }));

    expect(error).toBeInstanceOf(SecureServerlessError);
    expect(error.message).toBe('S/SecurityBaseline: invalid logRetention: received 30; allowed: at least 365 days, or LogRetention.belowMinimum(days, reason)');
  });

  test('never expiring throws our error', () => {
    const { stack } = newStack();

    const error = thrownBy(() => new SecurityBaseline(stack, 'SecurityBaseline', { logRetention: LogRetention.days(logs.RetentionDays.INFINITE) }));

    expect(error).toBeInstanceOf(SecureServerlessError);
    expect(error.message).toBe('S/SecurityBaseline: invalid logRetention: received 9999; '
      + 'allowed: a finite logs.RetentionDays value (never-expiring logs fail the retention checks)');
  });

  test('longer than a year needs no reason and records no waiver', () => {
    const { stack } = newStack();
    const baseline = new SecurityBaseline(stack, 'SecurityBaseline', { logRetention: LogRetention.days(logs.RetentionDays.TWO_YEARS) });

    baseline.createLogGroup(stack, 'Logs', 'test logs');

    Template.fromStack(stack).hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 731 });
    expect(metadataOf(baseline, WAIVER_METADATA)).toEqual([]);
  });

  test('LogRetention.belowMinimum(days, reason) is accepted, applied to log groups and recorded as a waiver', () => {
    // GIVEN
    const { stack } = newStack();
    const reason = 'sandbox account; logs are exported nightly';

    // WHEN
    const baseline = new SecurityBaseline(stack, 'SecurityBaseline', { logRetention: LogRetention.belowMinimum(logs.RetentionDays.ONE_MONTH, reason) });
    new SecureFunction(stack, 'Fn', { code: CODE, handler: HANDLER });

    // THEN
    expect(metadataOf(baseline, WAIVER_METADATA)).toEqual([{ setting: 'logRetention', value: '30 days', reason }]);
    const template = Template.fromStack(stack);
    const groups = Object.values(template.findResources('AWS::Logs::LogGroup')) as any[];
    expect(groups.length).toBeGreaterThan(0);
    expect(groups.map(g => g.Properties.RetentionInDays)).toEqual(groups.map(() => 30));
  });

  test.each(['', '  ', 'ok', undefined as unknown as string])('LogRetention.belowMinimum with reason %j throws our error', reason => {
    const error = thrownBy(() => LogRetention.belowMinimum(logs.RetentionDays.ONE_WEEK, reason));

    expect(error).toBeInstanceOf(SecureServerlessError);
    expect(error.message).toBe(`LogRetention.belowMinimum: invalid reason: received ${reason === undefined ? 'undefined' : JSON.stringify(reason)}; `
      + 'allowed: a written reason of at least 3 characters explaining why the default is weakened');
  });
});
