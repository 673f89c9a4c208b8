import { App, CfnResource, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { ENV } from './support';
import { ServerlessSecurityChecks } from '../../src/guardrails';

/** Resources per unit: role, policy, function, log group, queue, event source mapping. */
const RESOURCES_PER_UNIT = 6;

/**
 * One stack (logical ids are per stack, so a per-stack quadratic step would
 * hide in many small stacks) with `resources` resources that exercise every
 * lookup of the index: function by role, policies by role, log group by
 * reference, queue and function of a mapping. Each policy reports the same
 * finding, so the violation path runs too.
 */
function appWith(resources: number): { app: App; count: number } {
  const app = new App();
  const stack = new Stack(app, 'Big', { env: ENV });
  const key = new kms.CfnKey(stack, 'Key', { keyPolicy: {} });
  for (let i = 0; i < Math.round((resources - 1) / RESOURCES_PER_UNIT); i++) {
    const role = new iam.CfnRole(stack, `Role${i}`, {
      assumeRolePolicyDocument: {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
      },
    });
    new iam.CfnPolicy(stack, `Policy${i}`, {
      policyName: 'tracing',
      roles: [role.ref],
      policyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'xray:PutTraceSegments', Resource: '*' }] },
    });
    const logGroup = new logs.CfnLogGroup(stack, `Logs${i}`, { retentionInDays: 365, kmsKeyId: key.attrArn });
    const fn = new lambda.CfnFunction(stack, `Fn${i}`, {
      role: role.attrArn,
      runtime: 'nodejs22.x',
      handler: 'index.handler',
      code: { zipFile: 'exports.handler = async () => {};' },
      timeout: 10,
      loggingConfig: { logGroup: logGroup.ref },
    });
    const queue = new sqs.CfnQueue(stack, `Queue${i}`, { visibilityTimeout: 60 });
    new lambda.CfnEventSourceMapping(stack, `Mapping${i}`, { eventSourceArn: queue.attrArn, functionName: fn.ref });
  }
  return { app, count: stack.node.findAll().filter(CfnResource.isCfnResource).length };
}

/** The fastest of five validations of the same app, in milliseconds. */
function validationTime(app: App): number {
  let best = Number.POSITIVE_INFINITY;
  for (let run = 0; run < 5; run++) {
    const start = process.hrtime.bigint();
    const report = new ServerlessSecurityChecks().validateScope(app);
    best = Math.min(best, Number(process.hrtime.bigint() - start) / 1e6);
    expect(report.violations.map((violation) => violation.ruleName)).toEqual(['ServerlessSecurity-LambdaPolicyWildcard[Resource::*]']);
  }
  return best;
}

// Linear time gives a ratio near 5 for 5x the resources (measured 3.3 to 4.5).
// The bound is 10, not 20: at these sizes the fixed per-resource cost hides a
// quadratic step, and a rule that scanned the template for each function
// measured 12. Both sizes take about 7 s in all on a 2-core machine.
const [SMALL, LARGE] = [2_000, 10_000];
const MAX_RATIO = 10;

test('one validation renders each resource once', () => {
  const { app, count } = appWith(60);
  const render = jest.spyOn(CfnResource.prototype as any, '_toCloudFormation');

  new ServerlessSecurityChecks().validateScope(app);

  expect(render).toHaveBeenCalledTimes(count);
  render.mockRestore();
});

test(`validation time is linear in the number of resources (${SMALL} vs ${LARGE})`, () => {
  // GIVEN a warmed-up JIT
  validationTime(appWith(300).app);
  const small = appWith(SMALL);
  const large = appWith(LARGE);

  // WHEN
  const smallTime = validationTime(small.app);
  const largeTime = validationTime(large.app);

  // THEN
  const ratio = largeTime / smallTime;
  // eslint-disable-next-line no-console
  console.log(`ServerlessSecurityChecks: ${small.count} resources in ${smallTime.toFixed(0)} ms, `
    + `${large.count} resources in ${largeTime.toFixed(0)} ms (ratio ${ratio.toFixed(1)} for ${(large.count / small.count).toFixed(1)}x the resources)`);
  expect(ratio).toBeLessThan(MAX_RATIO);
});
