process.env.CDK_VALIDATION = 'false';

import { App, CfnParameter, CfnResource, Stack } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3n from 'aws-cdk-lib/aws-s3-notifications';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Guardrails } from '../../../src/guardrails/guardrails';
import { reported, testStack } from '../support';

const RULE = 'ServerlessSecurity-TemplateDependencyCycle';

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
