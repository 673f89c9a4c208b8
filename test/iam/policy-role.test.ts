process.env.CDK_VALIDATION = 'false';

import { Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { ComplianceProfile } from '../../src/core/profile';
import { SecureFunction } from '../../src/function/secure-function';
import { SecureTable } from '../../src/table/secure-table';
import { findingsOf, formatFindings } from '../compliance/harness';
import { CODE, HANDLER, logicalIdOf, managedPolicyStatementsOf, newStack, referencedIds, sameMembers } from '../core/fixtures';

/** A deployed ARN is at most about this long; references in the template stand for one. */
const ARN = 'arn:aws:dynamodb:eu-west-1:111111111111:table/OrdersService-CustomerOrdersTable0123456789-ABCDEFGHIJKL';

function deployedSize(document: unknown): number {
  return JSON.stringify(document, (_key, value) =>
    value && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length === 1
      && (('Ref' in value) || Object.keys(value)[0].startsWith('Fn::')) ? ARN : value).length;
}

describe('a function granted many resources', () => {
  // GIVEN a function granted read and write on 30 tables, far more than one managed policy holds
  const { app, stack } = newStack();
  const fn = new SecureFunction(stack, 'Fn', { code: CODE, handler: HANDLER });
  for (let i = 0; i < 30; i++) {
    new SecureTable(stack, `Table${i}`, { partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING } }).grants.readWriteItems(fn);
  }
  const policies = Object.values(Template.fromStack(stack).findResources('AWS::IAM::ManagedPolicy'))
    .filter((policy: any) => JSON.stringify(policy.Properties.Roles ?? []).includes('FnServiceRole'));

  test('spreads its permissions over several managed policies of its own role', () => {
    expect(fn.policies.length).toBeGreaterThan(1);
    expect(policies).toHaveLength(fn.policies.length);
    expect(fn.policies[0]).toBe(fn.policy);
  });

  test('keeps every policy under IAM\'s 6,144 characters once references are ARNs', () => {
    for (const policy of policies as any[]) {
      expect(deployedSize(policy.Properties.PolicyDocument)).toBeLessThan(6_144);
    }
  });

  test('still has no finding', () => {
    expect(formatFindings(findingsOf(app, { profile: ComplianceProfile.STANDARD, guard: false }))).toBe(formatFindings([]));
  });
});

describe('statements that differ only in their actions', () => {
  // GIVEN a function granted two sets of actions on one queue, and a user's statement
  // shared with a second function
  const { stack } = newStack();
  const fn = new SecureFunction(stack, 'Fn', { code: CODE, handler: HANDLER });
  const queue = new sqs.Queue(stack, 'Queue', { enforceSSL: true });
  queue.grantSendMessages(fn);
  queue.grantPurge(fn);
  const other = new SecureFunction(stack, 'Other', { code: CODE, handler: HANDLER });
  const shared = new iam.PolicyStatement({ actions: ['ssm:GetParameter'], resources: ['arn:aws:ssm:eu-west-1:111111111111:parameter/app'] });
  fn.addToRolePolicy(shared);
  other.addToRolePolicy(shared);
  fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['ssm:GetParameters'], resources: ['arn:aws:ssm:eu-west-1:111111111111:parameter/app'] }));
  const template = Template.fromStack(stack);
  const onQueue = (roleOf: SecureFunction, queueId: string) => managedPolicyStatementsOf(template, logicalIdOf(roleOf.role!))
    .filter(s => referencedIds(s.Resource).has(queueId));

  test('are rendered as one statement with every action', () => {
    const statements = onQueue(fn, logicalIdOf(queue));
    expect(statements).toEqual([{
      Effect: 'Allow',
      Action: sameMembers(['sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:PurgeQueue']),
      Resource: { 'Fn::GetAtt': [logicalIdOf(queue), 'Arn'] },
    }]);
  });

  test('never widen a statement object another principal holds', () => {
    const parameterActions = (roleOf: SecureFunction) => managedPolicyStatementsOf(template, logicalIdOf(roleOf.role!))
      .filter(s => JSON.stringify(s.Resource).includes('parameter/app')).map(s => s.Action);
    expect(parameterActions(fn)).toEqual([['ssm:GetParameter', 'ssm:GetParameters']]);
    expect(parameterActions(other)).toEqual(['ssm:GetParameter']);
    expect(shared.actions).toEqual(['ssm:GetParameter']);
  });
});
