process.env.CDK_VALIDATION = 'false';

import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sources from 'aws-cdk-lib/aws-lambda-event-sources';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { LIBRARY_ACKNOWLEDGEMENT_METADATA } from '../../src/core/acknowledgements';
import { SecureServerlessError } from '../../src/core/errors';
import { ComplianceProfile } from '../../src/core/profile';
import { SecureFunction } from '../../src/function/secure-function';
import { SecureQueue } from '../../src/messaging/secure-queue';
import { SecureTable } from '../../src/table/secure-table';
import { findingsOf, formatFindings } from '../compliance/harness';
import { CODE, HANDLER, logicalIdOf, metadataOf, newStack, thrownBy } from '../core/fixtures';

/**
 * `addEventSource` on a SecureFunction, its aliases and versions gets the
 * defaults of `SecureQueue.addConsumer` and `SecureTable.addStreamConsumer`.
 */

const LATEST = { startingPosition: lambda.StartingPosition.LATEST };
const PK = { name: 'pk', type: dynamodb.AttributeType.STRING };

function secureFunction(stack: Stack, id: string, timeout?: Duration): SecureFunction {
  return new SecureFunction(stack, id, { code: CODE, handler: HANDLER, timeout });
}

describe('event sources added with the aws-cdk-lib idioms', () => {
  // GIVEN one app with each idiom on its own function, synthesized once
  const { stack } = newStack();
  const queue = new SecureQueue(stack, 'Queue');
  const table = new SecureTable(stack, 'Table', { partitionKey: PK, stream: dynamodb.StreamViewType.NEW_IMAGE });
  const sqsFn = secureFunction(stack, 'SqsFn');
  sqsFn.addEventSource(new sources.SqsEventSource(queue));
  const aliased = secureFunction(stack, 'Aliased');
  const alias = new lambda.Alias(stack, 'Live', { aliasName: 'live', version: aliased.currentVersion });
  alias.addEventSource(new sources.SqsEventSource(queue));
  const streamFn = secureFunction(stack, 'StreamFn');
  new lambda.Alias(stack, 'StreamLive', { aliasName: 'live', version: streamFn.currentVersion })
    .addEventSource(new sources.DynamoEventSource(table, LATEST));
  const ownDestination = secureFunction(stack, 'OwnDestination');
  const failures = new SecureQueue(stack, 'Failures');
  ownDestination.addEventSource(new sources.DynamoEventSource(table, { ...LATEST, retryAttempts: 5, onFailure: new sources.SqsDlq(failures) }));
  const plain = new lambda.Function(stack, 'Plain', { code: CODE, handler: HANDLER, runtime: lambda.Runtime.NODEJS_22_X });
  plain.addEventSource(new sources.SqsEventSource(queue));
  const template = Template.fromStack(stack);
  const mappingOf = (target: lambda.IFunction) => {
    const mapping = template.findResources('AWS::Lambda::EventSourceMapping', { Properties: { FunctionName: stack.resolve(target.functionName) } });
    expect(Object.keys(mapping)).toHaveLength(1);
    return Object.values(mapping)[0].Properties;
  };

  test('an SQS source on the function reports failed items, with the missing destination acknowledged', () => {
    expect(mappingOf(sqsFn).FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
    const mapping = sqsFn.node.children.find(c => c instanceof lambda.EventSourceMapping)!;
    expect(metadataOf(mapping.node.defaultChild!, LIBRARY_ACKNOWLEDGEMENT_METADATA)).toEqual([{
      id: 'Serverless-LambdaEventSourceMappingDestination',
      reason: 'SQS event source mappings support no on-failure destination (AWS allows one only for stream and Kafka sources); ' +
        'messages that keep failing move to the queue\'s dead-letter queue through its redrive policy',
    }]);
  });

  test('an SQS source on an alias of fn.currentVersion gets the same', () => {
    expect(mappingOf(alias).FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
    const mapping = alias.node.children.find(c => c instanceof lambda.EventSourceMapping)!;
    expect(metadataOf(mapping.node.defaultChild!, LIBRARY_ACKNOWLEDGEMENT_METADATA).map(a => a.id)).toEqual(['Serverless-LambdaEventSourceMappingDestination']);
  });

  test('a DynamoDB stream source on an alias retries 3 times, splitting batches, then goes to the function\'s dead-letter queue', () => {
    const properties = template.toJSON().Resources[Object.keys(template.findResources('AWS::Lambda::EventSourceMapping', {
      Properties: { EventSourceArn: Match.anyValue(), StartingPosition: 'LATEST', MaximumRetryAttempts: 3 },
    }))[0]].Properties;
    expect(properties).toMatchObject({
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: 3,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [logicalIdOf(streamFn.deadLetterQueue!), 'Arn'] } } },
    });
  });

  test('a stream source keeps the retries and on-failure destination it names', () => {
    expect(mappingOf(ownDestination)).toMatchObject({
      MaximumRetryAttempts: 5,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [logicalIdOf(failures), 'Arn'] } } },
    });
  });

  test('a plain lambda.Function is left as aws-cdk-lib makes it', () => {
    expect(mappingOf(plain).FunctionResponseTypes).toBeUndefined();
  });
});

describe('event sources that would be insecure or wrong', () => {
  test('a plain queue whose visibility timeout is under six times the function timeout is our error at synth', () => {
    const { stack } = newStack();
    secureFunction(stack, 'Fn').addEventSource(new sources.SqsEventSource(new sqs.Queue(stack, 'Queue')));

    const error = thrownBy(() => Template.fromStack(stack));

    expect(error).toBeInstanceOf(SecureServerlessError);
    expect(error.message).toBe('S/Queue: invalid visibilityTimeout: received "30 seconds"; allowed: at least six times the timeout of S/Fn (10 s), i.e. 60 seconds or more');
  });

  test('unbounded stream retries are our error at synth: no record would reach the on-failure destination', () => {
    const { stack } = newStack();
    const table = new SecureTable(stack, 'Table', { partitionKey: PK, stream: dynamodb.StreamViewType.KEYS_ONLY });
    secureFunction(stack, 'Fn').addEventSource(new sources.DynamoEventSource(table, { ...LATEST, retryAttempts: -1 }));

    const error = thrownBy(() => Template.fromStack(stack));

    expect(error).toBeInstanceOf(SecureServerlessError);
    expect(error.message).toMatch(/^S\/Fn\/DynamoDBEventSource:[A-Za-z0-9]+: invalid retryAttempts: received -1; allowed: 0 to 10000 retries, so records that keep failing reach the on-failure destination \(default 3\)$/);
  });

  test('a plain queue source adds no finding of its own: what remains is the queue\'s', () => {
    const { app, stack } = newStack();
    secureFunction(stack, 'Fn', Duration.seconds(5)).addEventSource(new sources.SqsEventSource(new sqs.Queue(stack, 'Queue')));

    const findings = findingsOf(app, { profile: ComplianceProfile.STANDARD, guard: false });

    expect(findings.length).toBeGreaterThan(0);
    expect(formatFindings(findings.filter(f => !f.path.startsWith('S/Queue/')))).toBe(formatFindings([]));
  });
});
