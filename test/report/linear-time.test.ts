process.env.CDK_VALIDATION = 'false';

import { App, CfnResource, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { tempOutdir } from './fixture';
import { renderMarkdown } from '../../src/report/markdown';
import { buildReport } from '../../src/report/report-builder';
import { ENV } from '../core/fixtures';

/** Resources per unit: role, policy, function, log group, table, queue, event source mapping, alarm. */
const RESOURCES_PER_UNIT = 8;

/**
 * One synthesized stack (logical ids are per template, so a per-template
 * quadratic step would hide in many small stacks) whose units exercise every
 * lookup: statements on a table and a queue and on `*`, a policy attached to
 * its role, a log group by reference, a mapping naming its queue, an alarm
 * naming its function.
 */
function synthesizedApp(resources: number): { app: App; count: number } {
  // Past CloudFormation's 500 resources per stack, which synth would otherwise refuse.
  const app = new App({ outdir: tempOutdir(), context: { '@aws-cdk/core:stackResourceLimit': 0 } });
  const stack = new Stack(app, 'Big', { env: ENV });
  for (let i = 0; i < Math.round(resources / RESOURCES_PER_UNIT); i++) {
    const table = new dynamodb.CfnTable(stack, `Table${i}`, {
      keySchema: [{ attributeName: 'pk', keyType: 'HASH' }],
      attributeDefinitions: [{ attributeName: 'pk', attributeType: 'S' }],
      billingMode: 'PAY_PER_REQUEST',
    });
    const queue = new sqs.CfnQueue(stack, `Queue${i}`, { visibilityTimeout: 60 });
    const role = new iam.CfnRole(stack, `Role${i}`, {
      assumeRolePolicyDocument: { Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] },
    });
    new iam.CfnManagedPolicy(stack, `Policy${i}`, {
      roles: [role.ref],
      policyDocument: {
        Statement: [
          { Effect: 'Allow', Action: 'xray:PutTraceSegments', Resource: '*' },
          { Effect: 'Allow', Action: ['dynamodb:GetItem', 'dynamodb:PutItem'], Resource: table.attrArn },
          { Effect: 'Allow', Action: ['sqs:ReceiveMessage', 'sqs:DeleteMessage'], Resource: queue.attrArn },
        ],
      },
    });
    const logGroup = new logs.CfnLogGroup(stack, `Logs${i}`, { retentionInDays: 365 });
    const fn = new lambda.CfnFunction(stack, `Fn${i}`, {
      role: role.attrArn,
      runtime: 'nodejs22.x',
      handler: 'index.handler',
      code: { zipFile: 'exports.handler = async () => {};' },
      loggingConfig: { logGroup: logGroup.ref },
    });
    new lambda.CfnEventSourceMapping(stack, `Mapping${i}`, { eventSourceArn: queue.attrArn, functionName: fn.ref });
    new cloudwatch.CfnAlarm(stack, `Alarm${i}`, {
      namespace: 'AWS/Lambda',
      metricName: 'Errors',
      dimensions: [{ name: 'FunctionName', value: fn.ref }],
      comparisonOperator: 'GreaterThanOrEqualToThreshold',
      evaluationPeriods: 1,
      threshold: 1,
      period: 300,
      statistic: 'Sum',
    });
  }
  app.synth();
  return { app, count: stack.node.findAll().filter(CfnResource.isCfnResource).length };
}

/**
 * The fastest of five reports of the same app, JSON and Markdown included, in
 * milliseconds of this process's CPU time (not wall time, which another worker
 * on the same cores would stretch).
 */
function reportTime(app: App, functions: number): number {
  let best = Number.POSITIVE_INFINITY;
  for (let run = 0; run < 5; run++) {
    const start = process.cpuUsage();
    const report = buildReport(app, { findings: () => ({ packs: [], open: [] }) });
    JSON.stringify(report);
    renderMarkdown(report);
    const used = process.cpuUsage(start);
    best = Math.min(best, (used.user + used.system) / 1e3);
    expect(report.summary.functions).toBe(functions);
  }
  return best;
}

// Linear time gives a ratio near 5 for 5x the resources; a step that scanned
// the template (or every store) per function would give about 25. The bound sits
// near their geometric mean, so that a suite running beside other work (another
// jest worker collecting garbage) does not fail a linear report.
const [SMALL, LARGE] = [1_000, 5_000];
const MAX_RATIO = 12;

test(`report time is linear in the number of resources (${SMALL} vs ${LARGE})`, () => {
  // GIVEN a warmed-up JIT and two synthesized apps
  const warm = synthesizedApp(200);
  reportTime(warm.app, 25);
  const small = synthesizedApp(SMALL);
  const large = synthesizedApp(LARGE);

  // WHEN
  const smallTime = reportTime(small.app, SMALL / RESOURCES_PER_UNIT);
  const largeTime = reportTime(large.app, LARGE / RESOURCES_PER_UNIT);

  // THEN
  const ratio = largeTime / smallTime;
  // eslint-disable-next-line no-console
  console.log(`SecurityReport: ${small.count} resources in ${smallTime.toFixed(0)} ms, `
    + `${large.count} resources in ${largeTime.toFixed(0)} ms (ratio ${ratio.toFixed(1)} for ${(large.count / small.count).toFixed(1)}x the resources)`);
  expect(ratio).toBeLessThan(MAX_RATIO);
});
