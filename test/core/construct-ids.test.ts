import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { Construct } from 'constructs';
import { CODE, HANDLER, newStack, thrownBy } from './fixtures';
import { SecurityBaseline } from '../../src/baseline/security-baseline';
import { SecureServerlessError } from '../../src/core/errors';
import { SecureFunction } from '../../src/function/secure-function';
import { plainFunction } from '../mixins/cases';

describe('an id the library needs is taken: our error names the holder and the fix, never the bare construct clash', () => {
  test('a user construct beside a SecureFunction holds the id of its role', () => {
    const { stack } = newStack();
    new sqs.Queue(stack, 'GetOrderServiceRole');
    const error = thrownBy(() => new SecureFunction(stack, 'GetOrder', { code: CODE, handler: HANDLER }));
    expect(error).toBeInstanceOf(SecureServerlessError);
    expect(error.message).toBe('S/GetOrderServiceRole: cannot create the execution role of S/GetOrder: the id "GetOrderServiceRole" is taken by '
      + 'S/GetOrderServiceRole (aws-cdk-lib.aws_sqs.Queue); allowed: a construct id that leaves "GetOrderServiceRole" free under S: rename one of the two');
  });

  test('a user construct named SecurityBaseline that is not one', () => {
    const { stack } = newStack();
    new Construct(stack, 'SecurityBaseline');
    const error = thrownBy(() => SecurityBaseline.of(stack));
    expect(error).toBeInstanceOf(SecureServerlessError);
    expect(error.message).toMatch(/^S\/SecurityBaseline: cannot create the stack's SecurityBaseline: the id "SecurityBaseline" is taken by S\/SecurityBaseline \(constructs.Construct\)/);
  });

  test('a log group aws-cdk-lib created under useCdkManagedLogGroup: the error names the flag', () => {
    const { stack } = newStack({ [cxapi.USE_CDK_MANAGED_LAMBDA_LOGGROUP]: true });
    const fn = plainFunction(stack, 'Fn');
    const error = thrownBy(() => SecurityBaseline.of(stack).createLogGroup(fn, 'LogGroup', 'logs of S/Fn'));
    expect(error).toBeInstanceOf(SecureServerlessError);
    expect(error.message).toContain('aws-cdk-lib already created S/Fn/LogGroup (aws-cdk-lib.aws_logs.LogGroup) because the feature flag @aws-cdk/aws-lambda:useCdkManagedLogGroup is on');
  });

  test('a SecureFunction under every setting of that flag adopts the group instead (see cdk-managed-log-group.test.ts)', () => {
    for (const on of [true, false]) {
      const { stack } = newStack({ [cxapi.USE_CDK_MANAGED_LAMBDA_LOGGROUP]: on });
      const fn = new SecureFunction(stack, 'Fn', { code: CODE, handler: HANDLER });
      expect(fn.logGroup.node.path).toBe('S/Fn/LogGroup');
    }
  });
});
