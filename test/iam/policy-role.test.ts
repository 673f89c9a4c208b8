process.env.CDK_VALIDATION = 'false';

import { Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { ComplianceProfile } from '../../src/core/profile';
import { SecureFunction } from '../../src/function/secure-function';
import { SecureTable } from '../../src/table/secure-table';
import { findingsOf, formatFindings } from '../compliance/harness';
import { CODE, HANDLER, newStack } from '../core/fixtures';

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
