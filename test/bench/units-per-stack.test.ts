process.env.CDK_VALIDATION = 'false';

import { App, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { oursUnits } from '../../bench/ours';
import { SecurityBaseline } from '../../src/baseline/security-baseline';
import { ComplianceProfile } from '../../src/core/profile';
import { PROFILES } from '../compliance/runners';

const CODE = lambda.Code.fromInline('exports.handler = async () => 1');
const STACK_LIMIT = 500;

/** Resources by type of the bench unit stack with `units` units (the app's other stack holds the API Gateway account setting). */
function unitStackResources(units: number, profile: ComplianceProfile): Map<string, number> {
  // The limit check is off so that the count itself is asserted below.
  const app = new App({ context: { '@aws-cdk/core:stackResourceLimit': 0 } });
  const stack = new Stack(app, 'Units', { env: { account: '111111111111', region: 'eu-west-1' } });
  new SecurityBaseline(stack, 'SecurityBaseline', { profile });
  oursUnits(stack, units, CODE);
  const template = app.synth().getStackByName('Units').template;
  const counts = new Map<string, number>();
  for (const resource of Object.values<any>(template.Resources)) counts.set(resource.Type, (counts.get(resource.Type) ?? 0) + 1);
  return counts;
}

function total(counts: Map<string, number>): number {
  return [...counts.values()].reduce((sum, n) => sum + n, 0);
}

/** What one more unit (API route + function + table with read access) adds to its stack, in both profiles. */
const PER_UNIT = {
  'AWS::ApiGateway::Resource': 1,
  'AWS::ApiGateway::Method': 1,
  'AWS::Lambda::Permission': 1,
  'AWS::DynamoDB::Table': 1,
  'AWS::Lambda::Function': 1,
  'AWS::IAM::Role': 1,
  'AWS::IAM::ManagedPolicy': 1,
  'AWS::Logs::LogGroup': 1,
  'AWS::SQS::Queue': 1,
  'AWS::SQS::QueuePolicy': 1,
  'AWS::CloudWatch::Alarm': 1,
};

/**
 * Units that fit in one stack: at least the 40 that issue 13 asks for. The
 * units' functions reach the same endpoint (DynamoDB) and so share one security group.
 */
const UNITS_PER_STACK = { [ComplianceProfile.STANDARD]: 42, [ComplianceProfile.REGULATED]: 41 };

describe.each(PROFILES)('resources of the bench unit, %s profile', profile => {
  const one = unitStackResources(1, profile);
  const two = unitStackResources(2, profile);
  const fitting = UNITS_PER_STACK[profile];
  const most = unitStackResources(fitting, profile);

  test('a second unit adds exactly its API resource, method and permission, its table and its function with role, policy, log group, dead-letter queue, queue policy and alarm; nothing for backups, async invocation or its network', () => {
    const added = Object.fromEntries([...two].map(([type, n]) => [type, n - (one.get(type) ?? 0)]).filter(([, n]) => n !== 0));
    expect(added).toEqual(PER_UNIT);
  });

  test('a unit costs at most 11 resources', () => {
    expect(total(two) - total(one)).toBeLessThanOrEqual(11);
  });

  test(`${UNITS_PER_STACK[profile]} units fit in one stack, and one more would not`, () => {
    expect(total(most)).toBeLessThanOrEqual(STACK_LIMIT);
    expect(total(most) + total(two) - total(one)).toBeGreaterThan(STACK_LIMIT);
    expect(most.get('AWS::Lambda::Function')).toBe(fitting + 1);
  });
});
