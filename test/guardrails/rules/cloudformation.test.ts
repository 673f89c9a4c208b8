process.env.CDK_VALIDATION = 'false';

import { App, CfnParameter, CfnResource, Stack, Validations } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3n from 'aws-cdk-lib/aws-s3-notifications';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { DeployabilityChecks } from '../../../src/guardrails/deployability-checks';
import { Guardrails } from '../../../src/guardrails/guardrails';
import { reported as reportedByPack, testStack } from '../support';

const RULE = 'ServerlessSecurity-TemplateDependencyCycle';

/** What DeployabilityChecks reports under `scope`, as `<rule id> @ <construct path>`, sorted. */
function reported(scope: Construct, _rule: 'TemplateDependencyCycle'): string[] {
  return new DeployabilityChecks().validateScope(scope).violations
    .flatMap((violation) => violation.violatingResources.map((r) => `${violation.ruleName} @ ${r.constructPath}`))
    .sort();
}

function resource(stack: Stack, id: string, properties: object = {}): CfnResource {
  return new CfnResource(stack, id, { type: 'AWS::SQS::Queue', properties });
}

describe('TemplateDependencyCycle', () => {
  test('reports both resources of a Ref / Fn::GetAtt cycle, each naming the cycle', () => {
    const { app, stack } = testStack();
    resource(stack, 'A', { RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': ['B', 'Arn'] } } });
    resource(stack, 'B', { Tags: [{ Key: 'peer', Value: { Ref: 'A' } }] });

    expect(reported(app, 'TemplateDependencyCycle')).toEqual([
      `${RULE}[Cycle::A,B] @ Test/A`,
      `${RULE}[Cycle::A,B] @ Test/B`,
    ]);
  });

  test('follows Fn::Sub (${Name} and ${Name.Attr}) and DependsOn through a longer cycle, and leaves out what hangs off it', () => {
    const { app, stack } = testStack();
    resource(stack, 'First', { QueueName: { 'Fn::Sub': '${Second.QueueName}-first' } });
    resource(stack, 'Second', { QueueName: { 'Fn::Sub': ['${Name}-second', { Name: { Ref: 'Third' } }] } });
    resource(stack, 'Third').addOverride('DependsOn', ['Fourth']);
    resource(stack, 'Fourth', { QueueName: { 'Fn::Sub': 'x-${First}' } });
    resource(stack, 'Outside', { QueueName: { Ref: 'First' } });

    expect(reported(app, 'TemplateDependencyCycle')).toEqual(['Test/First', 'Test/Fourth', 'Test/Second', 'Test/Third']
      .map(path => `${RULE}[Cycle::First,Fourth,Second,Third] @ ${path}`));
  });

  test('reports a resource that refers to itself', () => {
    const { app, stack } = testStack();
    resource(stack, 'Self', { Tags: [{ Key: 'me', Value: { 'Fn::GetAtt': ['Self', 'Arn'] } }] });

    expect(reported(app, 'TemplateDependencyCycle')).toEqual([`${RULE}[Cycle::Self] @ Test/Self`]);
  });

  test('passes chains, pseudo parameters, parameters, ${!Literal} escapes and Fn::Sub variable names', () => {
    const { app, stack } = testStack();
    new CfnParameter(stack, 'Env');
    resource(stack, 'Leaf', { QueueName: { 'Fn::Sub': '${AWS::Region}-${Env}-${!Leaf}' } });
    resource(stack, 'Middle', { QueueName: { 'Fn::Sub': ['${Leaf}-${Middle}', { Middle: 'm' }] } });
    resource(stack, 'Top', { Tags: [{ Key: 'a', Value: { Ref: 'Middle' } }, { Key: 'b', Value: { 'Fn::GetAtt': ['Leaf', 'Arn'] } }] })
      .addOverride('DependsOn', ['Leaf']);

    expect(reported(app, 'TemplateDependencyCycle')).toEqual([]);
  });

  test('finds the cycle of a bucket notifying a queue that share a plain key (aws-cdk-lib warns only)', () => {
    const { app, stack } = testStack();
    const key = new kms.Key(stack, 'Key');
    const queue = new sqs.Queue(stack, 'Queue', { encryptionMasterKey: key });
    new s3.Bucket(stack, 'Bucket', { encryptionKey: key }).addEventNotification(s3.EventType.OBJECT_CREATED, new s3n.SqsDestination(queue));

    expect(reported(app, 'TemplateDependencyCycle')).toEqual([
      `${RULE}[Cycle::Bucket83908E77,Key961B73FD] @ Test/Bucket/Resource`,
      `${RULE}[Cycle::Bucket83908E77,Key961B73FD] @ Test/Key/Resource`,
    ]);
  });
});

test('a dependency cycle fails synth under Guardrails.enforce, naming the resources and the fix', () => {
  const app = new App();
  Guardrails.enforce(app);
  const stack = new Stack(app, 'Cyclic', { env: { account: '111111111111', region: 'eu-west-1' } });
  resource(stack, 'A', { QueueName: { 'Fn::GetAtt': ['B', 'QueueName'] } });
  resource(stack, 'B', { QueueName: { 'Fn::GetAtt': ['A', 'QueueName'] } });

  const message = (() => {
    try {
      app.synth();
      return '';
    } catch (error) {
      return (error as Error).message;
    }
  })();
  expect(message).toContain('TemplateDependencyCycle[Cycle::A,B]');
  expect(message).toContain('Cyclic/A');
  expect(message).toContain('Cyclic/B');
  expect(message).toContain('Break one link: an ARN built from a literal name (Stack.formatArn) instead of a reference');
});

/** The message synth fails with, or '' when it succeeds. */
function synthError(app: App): string {
  try {
    app.synth();
    return '';
  } catch (error) {
    return (error as Error).message;
  }
}

describe('a dependency cycle cannot be acknowledged', () => {
  const CYCLE = `${RULE}[Cycle::A,B]`;
  const forms: Array<[string, (a: CfnResource, b: CfnResource, stack: Stack) => void]> = [
    ['the plain id on each resource', (a, b) => [a, b].forEach(r => Validations.of(r).acknowledge({ id: CYCLE, reason: 'acknowledged' }))],
    ['the Pack::Rule id of the library pack on each resource', (a, b) => [a, b].forEach(r => Validations.of(r).acknowledge({ id: `ServerlessSecurity::${CYCLE}`, reason: 'acknowledged' }))],
    ['the Pack::Rule id of the plugin that reports it, on the stack', (_a, _b, stack) => Validations.of(stack).acknowledge({ id: `ServerlessSecurity-Deployability::${CYCLE}`, reason: 'acknowledged' })],
    ['the rule level, plain and namespaced, on the app', (_a, _b, stack) => {
      for (const id of [RULE, `ServerlessSecurity::${RULE}`, `ServerlessSecurity-Deployability::${RULE}`]) {
        Validations.of(stack.node.root).acknowledge({ id, reason: 'acknowledged' });
      }
    }],
  ];

  test.each(forms)('acknowledged with %s, synth still fails with the fatal finding', (_name, acknowledge) => {
    // GIVEN a cycle in an app under Guardrails.enforce
    const app = new App();
    Guardrails.enforce(app, { report: false });
    const stack = new Stack(app, 'Cyclic', { env: { account: '111111111111', region: 'eu-west-1' } });
    const a = resource(stack, 'A', { QueueName: { 'Fn::GetAtt': ['B', 'QueueName'] } });
    const b = resource(stack, 'B', { QueueName: { 'Fn::GetAtt': ['A', 'QueueName'] } });

    // WHEN the cycle is acknowledged
    acknowledge(a, b, stack);

    // THEN synth fails on it, and aws-cdk-lib offers no acknowledgement
    const message = synthError(app);
    expect(message).toContain(CYCLE);
    expect(message).not.toMatch(/Acknowledge with '[^']*TemplateDependencyCycle/);
  });

  test('the plugin reports it as fatal, whatever is acknowledged, and the library pack no longer reports it', () => {
    const { app, stack } = testStack();
    const a = resource(stack, 'A', { QueueName: { 'Fn::GetAtt': ['B', 'QueueName'] } });
    resource(stack, 'B', { QueueName: { 'Fn::GetAtt': ['A', 'QueueName'] } });
    Validations.of(a).acknowledge({ id: CYCLE, reason: 'acknowledged' });

    const report = new DeployabilityChecks().validateScope(app);
    expect(report.violations.map(v => [v.ruleName, v.severity])).toEqual([[CYCLE, 'fatal']]);
    expect(report.violations[0].fix).toContain('Break one link');
    expect(reportedByPack(app)).toEqual([]);
  });
});
