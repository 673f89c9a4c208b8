process.env.CDK_VALIDATION = 'false';

import { Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { LIBRARY_ACKNOWLEDGEMENT_METADATA } from '../../src/core/acknowledgements';
import { SecureServerlessError } from '../../src/core/errors';
import { SecureFunction } from '../../src/function/secure-function';
import { SecureQueue } from '../../src/messaging/secure-queue';
import { SecureTopic } from '../../src/messaging/secure-topic';
import { CODE, HANDLER, logicalIdOf, metadataOf, newStack, thrownBy } from '../core/fixtures';

/**
 * `fn.configureAsyncInvoke(...)` merges with the function's own asynchronous
 * settings: the dead-letter queue keeps receiving failed events.
 */

describe('configureAsyncInvoke', () => {
  // GIVEN functions configured each way, in one stack synthesized once
  const { stack } = newStack();
  const success = new SecureQueue(stack, 'Success');
  const failures = new SecureTopic(stack, 'Failures');
  const withSuccess = new SecureFunction(stack, 'WithSuccess', { code: CODE, handler: HANDLER, retryAttempts: 1 });
  withSuccess.configureAsyncInvoke({ onSuccess: new destinations.SqsDestination(success), maxEventAge: Duration.hours(1) });
  const withFailure = new SecureFunction(stack, 'WithFailure', { code: CODE, handler: HANDLER });
  withFailure.configureAsyncInvoke({ onFailure: new destinations.SnsDestination(failures), retryAttempts: 0 });
  const retries = new SecureFunction(stack, 'Retries', { code: CODE, handler: HANDLER, retryAttempts: 0 });
  const template = Template.fromStack(stack);
  const configOf = (fn: SecureFunction) => {
    const found = template.findResources('AWS::Lambda::EventInvokeConfig', { Properties: { FunctionName: { Ref: logicalIdOf(fn) } } });
    expect(Object.keys(found)).toHaveLength(1);
    return Object.values(found)[0].Properties;
  };

  test('onSuccess and maxEventAge are added to the function\'s retries, and the dead-letter queue stays', () => {
    expect(configOf(withSuccess)).toEqual({
      FunctionName: { Ref: logicalIdOf(withSuccess) },
      Qualifier: '$LATEST',
      MaximumRetryAttempts: 1,
      MaximumEventAgeInSeconds: 3600,
      DestinationConfig: { OnSuccess: { Destination: { 'Fn::GetAtt': [logicalIdOf(success), 'Arn'] } } },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      DeadLetterConfig: { TargetArn: { 'Fn::GetAtt': [logicalIdOf(withSuccess.deadLetterQueue!), 'Arn'] } },
    });
  });

  test('without onFailure the config acknowledges that failed events go to the dead-letter queue', () => {
    expect(metadataOf(withSuccess.node.findChild('EventInvokeConfig'), LIBRARY_ACKNOWLEDGEMENT_METADATA)).toEqual([{
      id: 'Serverless-LambdaAsyncFailureDestination',
      reason: 'failed asynchronous events go to the function\'s encrypted dead-letter queue (DeadLetterConfig); ' +
        'an on-failure destination to the same queue would deliver each failed event twice',
    }]);
  });

  test('an onFailure to a SecureTopic is kept, with nothing acknowledged', () => {
    expect(configOf(withFailure)).toMatchObject({
      MaximumRetryAttempts: 0,
      DestinationConfig: { OnFailure: { Destination: { Ref: logicalIdOf(failures) } } },
    });
    expect(metadataOf(withFailure.node.findChild('EventInvokeConfig'), LIBRARY_ACKNOWLEDGEMENT_METADATA)).toEqual([]);
  });

  test('retryAttempts other than Lambda\'s two write a config with the retries only', () => {
    expect(configOf(retries)).toEqual({ FunctionName: { Ref: logicalIdOf(retries) }, Qualifier: '$LATEST', MaximumRetryAttempts: 0 });
  });
});

describe('configureAsyncInvoke refused', () => {
  test.each([
    ['an onFailure to an unencrypted queue', (fn: SecureFunction) => fn.configureAsyncInvoke({
      onFailure: new destinations.SqsDestination(new sqs.Queue(fn.stack, 'Plain', { encryption: sqs.QueueEncryption.SQS_MANAGED })),
    }), 'S/Fn: invalid onFailure: received "S/Plain/Resource"; allowed: a destination to a queue or topic of this stack encrypted with a customer-managed key ' +
      '(SecureQueue, SecureTopic) or to a SecureFunction, or none: failed events always go to the function\'s dead-letter queue'],
    ['a second call', (fn: SecureFunction) => {
      fn.configureAsyncInvoke({ maxEventAge: Duration.hours(1) });
      fn.configureAsyncInvoke({ maxEventAge: Duration.hours(2) });
    }, 'S/Fn: invalid configureAsyncInvoke: received "a second call"; allowed: one call with every option (onSuccess, onFailure, maxEventAge, retryAttempts)'],
    ['retryAttempts 3', (fn: SecureFunction) => fn.configureAsyncInvoke({ retryAttempts: 3 }),
      'S/Fn: invalid retryAttempts: received 3; allowed: an integer from 0 to 2 retries'],
  ])('%s is our error', (_label, configure, message) => {
    const { stack } = newStack();
    const fn = new SecureFunction(stack, 'Fn', { code: CODE, handler: HANDLER });

    const error = thrownBy(() => configure(fn));

    expect(error).toBeInstanceOf(SecureServerlessError);
    expect(error.message).toBe(message);
  });
});
